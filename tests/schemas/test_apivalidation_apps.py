"""The apps kinds as the API server validates them (pkg/apis/apps/validation/validation.go),
driven through `kubeplan validate` and `kubeplan plan` on manifests.

Cases cite pkg/apis/apps/validation/validation_test.go (TestValidateDeployment's errorCases
keys, TestValidateStatefulSet's case names, TestValidateDaemonSet...); each asserts the finding
id, the API server's message and the line of the field.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.conftest import findings, kubeplan

NATIVE_PREFIX = "api-"


def deployment(
    spec_extra: str = "", labels: str = "{app: web}", selector: str = "{matchLabels: {app: web}}"
) -> str:
    """A Deployment; `spec_extra` lines start at line 7."""
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
        f"  selector: {selector}\n"
        + textwrap.indent(textwrap.dedent(spec_extra), "  ")
        + f"  template:\n    metadata:\n      labels: {labels}\n"
        "    spec:\n      containers:\n      - {name: web, image: nginx}\n"
    )


def native(tmp_path: Path, text: str, *args: str) -> list[tuple[str, int, str, str]]:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    return [
        (f["rule"], f["line"], f["path"], f["message"])
        for f in findings("validate", str(path), *args)
        if f["rule"].startswith(NATIVE_PREFIX)
    ]


def test_a_valid_deployment_has_no_finding(tmp_path: Path) -> None:
    assert native(tmp_path, deployment()) == []


def test_selector_does_not_match_template_labels(tmp_path: Path) -> None:
    # TestValidateDeployment, errorCases["`selector` does not match template `labels`"];
    # ValidatePodTemplateSpecForReplicaSet.
    text = deployment(labels="{app: other}")
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            9,
            "spec.template.metadata.labels",
            'Invalid value: {"app":"other"}: `selector` does not match template `labels`',
        )
    ]


def test_empty_selector_is_invalid(tmp_path: Path) -> None:
    # ValidateDeploymentSpec: "empty selector is invalid for deployment"; an empty selector is
    # labels.Everything(), so the template labels match it.
    found = native(tmp_path, deployment(selector="{}"))
    assert found == [
        (
            "api-invalid",
            6,
            "spec.selector",
            "Invalid value: {}: empty selector is invalid for deployment",
        )
    ]


def test_invalid_selector_operator(tmp_path: Path) -> None:
    # ValidateLabelSelectorRequirement, then LabelSelectorAsSelector fails: "invalid label selector".
    text = deployment(selector="{matchExpressions: [{key: app, operator: Is, values: [web]}]}")
    rules = [(r, p, m.split(": ")[-1]) for r, _, p, m in native(tmp_path, text)]
    assert (
        "api-invalid",
        "spec.selector.matchExpressions[0].operator",
        "not a valid selector operator",
    ) in rules
    assert ("api-invalid", "spec.selector", "invalid label selector") in rules


def test_negative_replicas(tmp_path: Path) -> None:
    # ValidateDeploymentSpec: ValidateNonnegativeField(spec.replicas).
    assert native(tmp_path, deployment("replicas: -1\n")) == [
        ("api-invalid", 7, "spec.replicas", "Invalid value: -1: must be greater than or equal to 0")
    ]


def test_max_surge_and_max_unavailable_both_zero(tmp_path: Path) -> None:
    # TestValidateDeployment, errorCases["may not be 0 when `maxSurge` is 0"].
    text = deployment("strategy:\n  rollingUpdate: {maxSurge: 0%, maxUnavailable: 0}\n")
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            8,
            "spec.strategy.rollingUpdate.maxUnavailable",
            "Invalid value: 0: may not be 0 when `maxSurge` is 0",
        )
    ]


def test_max_surge_zero_alone_is_valid(tmp_path: Path) -> None:
    # SetDefaults_Deployment: maxUnavailable defaults to 25%, so maxSurge: 0 alone passes.
    assert native(tmp_path, deployment("strategy:\n  rollingUpdate: {maxSurge: 0}\n")) == []


def test_max_unavailable_above_100_percent(tmp_path: Path) -> None:
    # TestValidateDeployment, errorCases["must not be greater than 100%"].
    text = deployment("strategy:\n  rollingUpdate: {maxUnavailable: 110%}\n")
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            8,
            "spec.strategy.rollingUpdate.maxUnavailable",
            'Invalid value: "110%": must not be greater than 100%',
        )
    ]


def test_max_surge_not_a_percent(tmp_path: Path) -> None:
    # TestValidateDeployment, errorCases["a valid percent string must be"] (MaxSurge "20Percent").
    text = deployment("strategy:\n  rollingUpdate: {maxSurge: 20Percent}\n")
    [(rule, line, path, message)] = native(tmp_path, text)
    assert (rule, line, path) == ("api-invalid", 8, "spec.strategy.rollingUpdate.maxSurge")
    assert message.startswith('Invalid value: "20Percent": a valid percent string must be')


def test_recreate_with_rolling_update(tmp_path: Path) -> None:
    # TestValidateDeployment, errorCases["may not be specified when strategy `type` is 'Recreate'"].
    text = deployment("strategy:\n  type: Recreate\n  rollingUpdate: {maxSurge: 1}\n")
    assert native(tmp_path, text) == [
        (
            "api-forbidden",
            9,
            "spec.strategy.rollingUpdate",
            "Forbidden: may not be specified when strategy `type` is 'Recreate'",
        )
    ]


def test_progress_deadline_not_above_min_ready(tmp_path: Path) -> None:
    # TestValidateDeployment, errorCases["must be greater than minReadySeconds"] (600 and 600).
    text = deployment("minReadySeconds: 600\nprogressDeadlineSeconds: 600\n")
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            8,
            "spec.progressDeadlineSeconds",
            "Invalid value: 600: must be greater than minReadySeconds",
        )
    ]


def test_progress_deadline_defaults_to_600(tmp_path: Path) -> None:
    # SetDefaults_Deployment sets progressDeadlineSeconds to 600 before validation.
    found = native(tmp_path, deployment("minReadySeconds: 700\n"))
    assert [(r, p, m) for r, _, p, m in found] == [
        (
            "api-invalid",
            "spec.progressDeadlineSeconds",
            "Invalid value: 600: must be greater than minReadySeconds",
        )
    ]


def test_template_restart_policy_must_be_always(tmp_path: Path) -> None:
    # TestValidateDeployment, errorCases["Unsupported value: \"OnFailure\""] (via ReplicaSet's
    # template check).
    text = deployment().replace("    spec:\n", "    spec:\n      restartPolicy: OnFailure\n")
    found = [(r, ln, p, m) for r, ln, p, m in native(tmp_path, text) if "restartPolicy" in p]
    assert (
        "api-unsupported",
        11,
        "spec.template.spec.restartPolicy",
        'Unsupported value: "OnFailure": supported values: "Always"',
    ) in found


def test_replica_set_selector_mismatch(tmp_path: Path) -> None:
    # TestValidateReplicaSet: ValidatePodTemplateSpecForReplicaSet.
    text = deployment(labels="{app: other}").replace("kind: Deployment", "kind: ReplicaSet")
    assert [(r, p) for r, _, p, _m in native(tmp_path, text)] == [
        ("api-invalid", "spec.template.metadata.labels")
    ]


STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector: {matchLabels: {a: b}}
  template:
    metadata:
      labels: {a: b}
    spec:
      containers:
      - {name: abc, image: image}
"""


def test_statefulset_cases(tmp_path: Path) -> None:
    # TestValidateStatefulSet errorCases.
    cases = {
        # "selector_doesnt_match"
        "selector: {matchLabels: {foo: bar}}": [
            (
                "api-invalid",
                10,
                "spec.template.metadata.labels",
                'Invalid value: {"a":"b"}: `selector` does not match template `labels`',
            )
        ],
        # "invalid pod management policy"
        "podManagementPolicy: foo": [
            (
                "api-invalid",
                7,
                "spec.podManagementPolicy",
                "Invalid value: \"foo\": must be 'OrderedReady' or 'Parallel'",
            )
        ],
        # "invalid rolling update": OnDelete with rollingUpdate
        "updateStrategy: {type: OnDelete, rollingUpdate: {partition: 1}}": [
            (
                "api-invalid",
                7,
                "spec.updateStrategy.rollingUpdate",
                "Invalid value: {\"partition\":1}: only allowed for updateStrategy 'RollingUpdate'",
            )
        ],
        # "negative partition"
        "updateStrategy: {rollingUpdate: {partition: -1}}": [
            (
                "api-invalid",
                7,
                "spec.updateStrategy.rollingUpdate.partition",
                "Invalid value: -1: must be greater than or equal to 0",
            )
        ],
        # "invalid PersistentVolumeClaimRetentionPolicy [enable StatefulSetAutoDeletePVC]"
        "persistentVolumeClaimRetentionPolicy: {whenDeleted: invalid-retention-policy}": [
            (
                "api-unsupported",
                7,
                "spec.persistentVolumeClaimRetentionPolicy.whenDeleted",
                'Unsupported value: "invalid-retention-policy": supported values: "Retain", "Delete"',
            )
        ],
        # "zero maxUnavailable" (MaxUnavailableStatefulSet on from 1.35)
        "updateStrategy: {rollingUpdate: {maxUnavailable: 0}}": [
            (
                "api-invalid",
                7,
                "spec.updateStrategy.rollingUpdate.maxUnavailable",
                "Invalid value: 0: cannot be 0",
            )
        ],
        # "negative_replicas"
        "replicas: -1": [
            (
                "api-invalid",
                7,
                "spec.replicas",
                "Invalid value: -1: must be greater than or equal to 0",
            )
        ],
    }
    for index, (line, expected) in enumerate(cases.items()):
        text = (
            STATEFULSET.replace("  selector: {matchLabels: {a: b}}\n", "")
            if line.startswith("selector")
            else STATEFULSET
        )
        text = text.replace("  serviceName: db\n", f"  serviceName: db\n  {line}\n")
        case = tmp_path / str(index)
        case.mkdir()
        assert native(case, text) == expected, line


def test_statefulset_max_unavailable_before_1_35_is_dropped(tmp_path: Path) -> None:
    # MaxUnavailableStatefulSet was off before 1.35: the strategy drops the field unvalidated.
    text = STATEFULSET.replace(
        "  serviceName: db\n",
        "  serviceName: db\n  updateStrategy: {rollingUpdate: {maxUnavailable: 0}}\n",
    )
    assert native(tmp_path, text, "--kubernetes-version", "1.34") == []


DAEMONSET = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - {name: agent, image: agent}
"""


def test_daemonset_max_surge_with_defaulted_max_unavailable(tmp_path: Path) -> None:
    # ValidateRollingUpdateDaemonSet after SetDefaults_DaemonSet (maxUnavailable 1): both
    # non-zero. TestValidateDaemonSet's "invalid update strategy" family.
    text = DAEMONSET.replace(
        "spec:\n  selector", "spec:\n  updateStrategy: {rollingUpdate: {maxSurge: 1}}\n  selector"
    )
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            6,
            "spec.updateStrategy.rollingUpdate.maxSurge",
            "Invalid value: 1: may not be set when maxUnavailable is non-zero",
        )
    ]


def test_daemonset_both_zero(tmp_path: Path) -> None:
    text = DAEMONSET.replace(
        "spec:\n  selector",
        "spec:\n  updateStrategy: {rollingUpdate: {maxUnavailable: 0}}\n  selector",
    )
    assert native(tmp_path, text) == [
        (
            "api-required",
            6,
            "spec.updateStrategy.rollingUpdate.maxUnavailable",
            "Required value: cannot be 0 when maxSurge is 0",
        )
    ]


def test_daemonset_surge_with_zero_unavailable_is_valid(tmp_path: Path) -> None:
    text = DAEMONSET.replace(
        "spec:\n  selector",
        "spec:\n  updateStrategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}\n  selector",
    )
    assert native(tmp_path, text) == []


def test_plan_rejects_a_deployment_whose_selector_does_not_match(tmp_path: Path) -> None:
    # The case: `check` flagged it while `plan` called it a clean create.
    (tmp_path / "new").mkdir()
    (tmp_path / "base").mkdir()
    (tmp_path / "new" / "d.yaml").write_text(deployment(labels="{app: other}"))
    run = kubeplan(
        "plan", str(tmp_path / "new"), "--base", str(tmp_path / "base"), "--format", "json"
    )
    assert run.exit_code == 1, run.stderr
    plan = run.json()
    [step] = plan["steps"]
    assert step["verdict"] == "rejected"


def test_statefulset_template_gets_metadata_and_warnings_not_the_pod_spec(tmp_path: Path) -> None:
    """ValidatePodTemplateSpecForStatefulSet checks the template's labels and annotations only
    (its mounts may name volumeClaimTemplates, so a mount naming no volume is no error), and
    pkg/api/pod/warnings.go warns on a duplicate port in any pod template."""
    path = tmp_path / "sts.yaml"
    path.write_text(STS_WITH_CLAIM_MOUNT)
    got = {(f["rule"], f["path"], f["line"]) for f in findings("validate", str(path))}
    assert got == {
        ("api-invalid", 'spec.template.metadata.annotations["bad key!"]', 11),
        ("api-warning", "spec.template.spec.containers[0].ports[1]", 18),
    }


STS_WITH_CLAIM_MOUNT = textwrap.dedent(
    """\
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: db
    spec:
      serviceName: db
      selector: {matchLabels: {app: db}}
      template:
        metadata:
          labels: {app: db}
          annotations: {"bad key!": "x"}
        spec:
          containers:
          - name: db
            image: postgres:16
            ports:
            - containerPort: 5432
            - containerPort: 5432
            volumeMounts:
            - name: data
              mountPath: /var/lib/postgresql
      volumeClaimTemplates:
      - metadata: {name: data}
        spec:
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 1Gi}}
    """
)
