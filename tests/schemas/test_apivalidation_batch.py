"""Job and CronJob as the API server validates them (pkg/apis/batch/validation/validation.go
`validateJobSpec`, `ValidateJobTemplateSpec`, `validateCronJobSpec`, `ValidateCronJobCreate`;
the schedule by github.com/robfig/cron/v3 `ParseStandard`), driven through `kubeplan validate`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import findings

JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: once
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: run, image: busybox}
"""

CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - {name: run, image: busybox}
"""


def native(tmp_path: Path, text: str) -> list[tuple[str, int, str, str]]:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    return [
        (f["rule"], f["line"], f["path"], f["message"])
        for f in findings("validate", str(path))
        if f["rule"].startswith("api-")
    ]


def test_valid_job_and_cronjob(tmp_path: Path) -> None:
    assert native(tmp_path, JOB + "---\n" + CRONJOB) == []


def test_job_restart_policy_defaults_to_always_and_is_refused(tmp_path: Path) -> None:
    # validateJobSpec: an unset restartPolicy is defaulted to Always, "Required value".
    text = JOB.replace("      restartPolicy: Never\n", "")
    assert native(tmp_path, text) == [
        (
            "api-required",
            7,
            "spec.template.spec.restartPolicy",
            'Required value: valid values: "OnFailure", "Never"',
        )
    ]


def test_job_negative_counts(tmp_path: Path) -> None:
    # validateJobSpec: ValidateNonnegativeField on parallelism, completions, backoffLimit.
    text = JOB.replace(
        "spec:\n  template", "spec:\n  parallelism: -1\n  backoffLimit: -2\n  template"
    )
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            6,
            "spec.parallelism",
            "Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            "api-invalid",
            7,
            "spec.backoffLimit",
            "Invalid value: -2: must be greater than or equal to 0",
        ),
    ]


def test_indexed_job_needs_completions(tmp_path: Path) -> None:
    text = JOB.replace("spec:\n  template", "spec:\n  completionMode: Indexed\n  template")
    assert native(tmp_path, text) == [
        ("api-required", 5, "spec.completions", "Required value: when completion mode is Indexed")
    ]


def test_backoff_limit_per_index_needs_indexed(tmp_path: Path) -> None:
    text = JOB.replace("spec:\n  template", "spec:\n  backoffLimitPerIndex: 1\n  template")
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            6,
            "spec.backoffLimitPerIndex",
            "Invalid value: 1: requires indexed completion mode",
        )
    ]


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
        ("60 * * * *", "end of range (60) above maximum (59): 60"),
        ("0 0 * * 7", "end of range (7) above maximum (6): 7"),
        ("*/0 * * * *", "step of range should be a positive number: */0"),
        ("0 0 5-2 * *", "beginning of range (5) beyond end of range (2): 5-2"),
        ("@fortnightly", "unrecognized descriptor: @fortnightly"),
        ("x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
    ],
)
def test_cron_schedule_errors(tmp_path: Path, schedule: str, message: str) -> None:
    text = CRONJOB.replace('"0 3 * * *"', f'"{schedule}"')
    assert native(tmp_path, text) == [
        ("api-invalid", 6, "spec.schedule", f'Invalid value: "{schedule}": {message}')
    ]


@pytest.mark.parametrize(
    "schedule",
    [
        "*/5 * * * *",
        "0 0 1-5/2 JAN-mar mon-FRI",
        "0 0 ? * *",
        "@daily",
        "@every 1h30m",
        "0 0 1,15 * *",
    ],
)
def test_cron_schedules_that_parse(tmp_path: Path, schedule: str) -> None:
    assert native(tmp_path, CRONJOB.replace('"0 3 * * *"', f'"{schedule}"')) == []


def test_tz_in_schedule_is_refused_on_create(tmp_path: Path) -> None:
    text = CRONJOB.replace('"0 3 * * *"', '"CRON_TZ=UTC 0 3 * * *"')
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            6,
            "spec.schedule",
            'Invalid value: "CRON_TZ=UTC 0 3 * * *": cannot use TZ or CRON_TZ in schedule, use'
            " timeZone field instead",
        )
    ]


def test_cronjob_fields(tmp_path: Path) -> None:
    text = CRONJOB.replace(
        '  schedule: "0 3 * * *"\n',
        '  schedule: "0 3 * * *"\n  concurrencyPolicy: Sometimes\n  timeZone: Local\n',
    )
    assert sorted(native(tmp_path, text)) == [
        (
            "api-invalid",
            8,
            "spec.timeZone",
            'Invalid value: "Local": timeZone must be an explicit time zone as defined in'
            " https://www.iana.org/time-zones",
        ),
        (
            "api-unsupported",
            7,
            "spec.concurrencyPolicy",
            'Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
        ),
    ]


def test_cronjob_job_template_restart_policy_and_selector(tmp_path: Path) -> None:
    text = CRONJOB.replace("          restartPolicy: OnFailure\n", "").replace(
        "    spec:\n      template",
        "    spec:\n      selector: {matchLabels: {a: b}}\n      template",
    )
    found = [(r, p) for r, _, p, _ in native(tmp_path, text)]
    assert ("api-invalid", "spec.jobTemplate.spec.selector") in found
    assert ("api-required", "spec.jobTemplate.spec.template.spec.restartPolicy") in found


def test_cronjob_name_over_52(tmp_path: Path) -> None:
    # ValidateCronJobCreate: the controller appends an 11-character suffix to Job names.
    name = "a" * 53
    text = CRONJOB.replace("name: nightly", f"name: {name}")
    assert (
        "api-invalid",
        4,
        "metadata.name",
        f'Invalid value: "{name}": must be no more than 52 characters',
    ) in native(tmp_path, text)
    assert native(tmp_path, CRONJOB.replace("name: nightly", f"name: {'a' * 52}")) == []
