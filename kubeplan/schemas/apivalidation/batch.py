"""Hand-written validation of the batch API group's kinds (pkg/apis/batch/validation/validation.go).

Ported: `validateJobSpec` (counts, completion mode, the template and its restartPolicy),
`ValidateJobTemplateSpec`, `validateCronJobSpec` (schedule, timeZone, concurrencyPolicy,
history limits) and `ValidateCronJobCreate`'s 52-character name. A Job's generated selector
(`validateGeneratedSelector`) is the lint rule `selector-mismatch`; podFailurePolicy and
successPolicy are not ported.
"""

from __future__ import annotations

import re
from typing import Any

from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.pod import validate_pod_template_spec
from kubeplan.schemas.apivalidation.registry import validates
from kubeplan.schemas.apivalidation.selector import d, is_int, nonnegative

# validation.go: maxParallelismForIndexedJob.
MAX_PARALLELISM_FOR_INDEXED_JOB = 100000
# ValidateCronJobCreate: DNS1035LabelMaxLength - 11 (the controller's `-<timestamp>` suffix).
MAX_CRONJOB_NAME = 52
_CONCURRENCY = ("Allow", "Forbid", "Replace")


@validates("batch", "Job")
def validate_job(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    """`validateJobSpec` on the Job's spec."""
    return _job_spec(d(body.get("spec")), ("spec",), ctx)


@validates("batch", "CronJob")
def validate_cron_job(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    """`ValidateCronJobCreate`: `validateCronJobSpec` and the name's length."""
    spec = d(body.get("spec"))
    path = ("spec",)
    errors: list[FieldError] = []
    schedule = spec.get("schedule")
    if not schedule:
        errors.append(field.required((*path, "schedule")))
    elif isinstance(schedule, str):
        errors.extend(_schedule(schedule, (*path, "schedule")))
    errors.extend(
        nonnegative(spec.get("startingDeadlineSeconds"), (*path, "startingDeadlineSeconds"))
    )
    errors.extend(_time_zone(spec.get("timeZone"), (*path, "timeZone")))
    policy = spec.get("concurrencyPolicy") or "Allow"  # SetDefaults_CronJob
    if policy not in _CONCURRENCY:
        errors.append(field.not_supported((*path, "concurrencyPolicy"), policy, _CONCURRENCY))
    errors.extend(_job_template(d(spec.get("jobTemplate")), (*path, "jobTemplate"), ctx))
    for limit in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        errors.extend(nonnegative(spec.get(limit), (*path, limit)))
    name = d(body.get("metadata")).get("name")
    if isinstance(name, str) and len(name) > MAX_CRONJOB_NAME:
        errors.append(
            field.invalid(
                ("metadata", "name"), name, f"must be no more than {MAX_CRONJOB_NAME} characters"
            )
        )
    return errors


def _job_template(template: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    """`ValidateJobTemplateSpec`."""
    spec = d(template.get("spec"))
    errors = _job_spec(spec, (*path, "spec"), ctx)
    if spec.get("selector") is not None:
        errors.append(
            field.invalid(
                (*path, "spec", "selector"),
                spec.get("selector"),
                "`selector` will be auto-generated",
            )
        )
    if spec.get("manualSelector") is True:
        errors.append(
            field.not_supported((*path, "spec", "manualSelector"), True, ["nil", "false"])
        )
    return errors


def _job_spec(spec: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    """`validateJobSpec`: non-negative counts, the completion mode, the pod template, and a
    restartPolicy of OnFailure or Never (Always is its default, so an unset one is refused)."""
    errors: list[FieldError] = []
    for name in (
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
        "backoffLimitPerIndex",
        "maxFailedIndexes",
    ):
        errors.extend(nonnegative(spec.get(name), (*path, name)))
    errors.extend(_completion_mode(spec, path))
    template_path = (*path, "template")
    errors.extend(validate_pod_template_spec(spec.get("template"), template_path, ctx))
    pod_spec = d(d(spec.get("template")).get("spec"))
    restart = pod_spec.get("restartPolicy") or ""
    restart_path = (*template_path, "spec", "restartPolicy")
    if restart in ("Always", ""):
        errors.append(field.required(restart_path, 'valid values: "OnFailure", "Never"'))
    elif restart not in ("OnFailure", "Never"):
        errors.append(field.not_supported(restart_path, restart, ["OnFailure", "Never"]))
    elif spec.get("podFailurePolicy") is not None and restart != "Never":
        errors.append(
            field.invalid(
                restart_path,
                restart,
                'only "Never" is supported when podFailurePolicy is specified',
            )
        )
    return errors


def _completion_mode(spec: dict[str, Any], path: Path) -> list[FieldError]:
    errors: list[FieldError] = []
    mode = spec.get("completionMode")
    if spec.get("maxFailedIndexes") is not None and spec.get("backoffLimitPerIndex") is None:
        errors.append(
            field.required((*path, "backoffLimitPerIndex"), "when maxFailedIndexes is specified")
        )
    if mode is not None and mode not in ("NonIndexed", "Indexed"):
        errors.append(
            field.not_supported((*path, "completionMode"), mode, ["NonIndexed", "Indexed"])
        )
    if mode == "Indexed":
        if spec.get("completions") is None:
            errors.append(field.required((*path, "completions"), "when completion mode is Indexed"))
        parallelism = spec.get("parallelism")
        if is_int(parallelism) and parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB:
            errors.append(
                field.invalid(
                    (*path, "parallelism"),
                    parallelism,
                    f"must be less than or equal to {MAX_PARALLELISM_FOR_INDEXED_JOB} when"
                    " completion mode is Indexed",
                )
            )
    if mode in (None, "NonIndexed"):
        for name in ("backoffLimitPerIndex", "maxFailedIndexes"):
            value = spec.get(name)
            if value is not None:
                errors.append(
                    field.invalid((*path, name), value, "requires indexed completion mode")
                )
    return errors


# ---------------------------------------------------------------------------------------------
# The schedule: github.com/robfig/cron/v3 parser.go, `ParseStandard` (minute, hour, day of month,
# month, day of week, and the `@` descriptors), with its error texts.

_BOUNDS = (
    (0, 59, None),
    (0, 23, None),
    (1, 31, None),
    (
        1,
        12,
        {
            m: i + 1
            for i, m in enumerate(
                ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            )
        },
    ),
    (0, 6, {m: i for i, m in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}),
)
_DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
_ATOI = re.compile(r"[+-]?[0-9]+")
_DURATION = re.compile(r"[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+|[+-]?0")


def _schedule(schedule: str, path: Path) -> list[FieldError]:
    """`validateScheduleFormat` on create: `cron.ParseStandard`, and no TZ in the schedule."""
    errors: list[FieldError] = []
    message = parse_cron(schedule)
    if message:
        errors.append(field.invalid(path, schedule, message))
    if "TZ" in schedule:
        errors.append(
            field.invalid(
                path, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
            )
        )
    return errors


def parse_cron(spec: str) -> str:
    """The error text of robfig/cron's standard parser, or "" when `spec` parses."""
    if not spec:
        return "empty spec string"
    if spec.startswith(("TZ=", "CRON_TZ=")):
        space = spec.find(" ")
        if space < 0:
            return ""  # Go slices with -1 here and panics; leave it to the TZ rule
        spec = spec[space:].strip()
    if spec.startswith("@"):
        return _descriptor(spec)
    fields = spec.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]"
    for text, (low, high, names) in zip(fields, _BOUNDS, strict=True):
        for expr in (part for part in text.split(",") if part):
            message = _range(expr, low, high, names)
            if message:
                return message
    return ""


def _descriptor(spec: str) -> str:
    if spec in _DESCRIPTORS:
        return ""
    every = "@every "
    if spec.startswith(every):
        duration = spec[len(every) :]
        if _DURATION.fullmatch(duration):
            return ""
        return f'failed to parse duration {spec}: time: invalid duration "{duration}"'
    return f"unrecognized descriptor: {spec}"


def _int(expr: str) -> tuple[int, str]:
    """`mustParseInt`."""
    if not _ATOI.fullmatch(expr):
        return 0, f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": invalid syntax'
    number = int(expr)
    if number < 0:
        return 0, f"negative number ({number}) not allowed: {expr}"
    return number, ""


def _int_or_name(expr: str, names: dict[str, int] | None) -> tuple[int, str]:
    if names and expr.lower() in names:
        return names[expr.lower()], ""
    return _int(expr)


def _range(expr: str, low: int, high: int, names: dict[str, int] | None) -> str:
    """`getRange`."""
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    single = len(low_and_high) == 1
    if low_and_high[0] in ("*", "?"):
        start, end = low, high
    else:
        start, message = _int_or_name(low_and_high[0], names)
        if message:
            return message
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end, message = _int_or_name(low_and_high[1], names)
            if message:
                return message
        else:
            return f"too many hyphens: {expr}"
    step = 1
    if len(range_and_step) == 2:
        step, message = _int(range_and_step[1])
        if message:
            return message
        if single:
            end = high
    elif len(range_and_step) > 2:
        return f"too many slashes: {expr}"
    if start < low:
        return f"beginning of range ({start}) below minimum ({low}): {expr}"
    if end > high:
        return f"end of range ({end}) above maximum ({high}): {expr}"
    if start > end:
        return f"beginning of range ({start}) beyond end of range ({end}): {expr}"
    if step == 0:
        return f"step of range should be a positive number: {expr}"
    return ""


# https://data.iana.org/time-zones/theory.html#naming, as validateTimeZone reads it.
_TZ_PART = re.compile(r"[A-Za-z.\-_0-9+]{1,14}")


def _time_zone(zone: Any, path: Path) -> list[FieldError]:
    """`validateTimeZone`."""
    if not isinstance(zone, str):
        return []
    if not zone:
        return [field.invalid(path, zone, "timeZone must be nil or non-empty string")]
    for part in zone.split("/"):
        if part in (".", "..") or part.startswith("-") or not _TZ_PART.fullmatch(part):
            return [field.invalid(path, zone, f"unknown time zone {zone}")]
    if zone.lower() == "local":
        return [
            field.invalid(
                path,
                zone,
                "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
            )
        ]
    # time.LoadLocation is not repeated: the API server's tz database is not this machine's,
    # and a zone missing here must not become a false error.
    return []
