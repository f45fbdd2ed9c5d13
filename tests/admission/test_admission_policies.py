"""ValidatingAdmissionPolicy in `kubeplan check` and `kubeplan plan`, end to end: a binding
whose paramRef limit denies a Deployment (rejected), a Warn-only binding, a namespaceSelector
that leaves a namespace out, an UPDATE that fails only against oldObject, a policy on Pods that
stalls a Deployment's rollout, and policies off before 1.30 (the Kubernetes documentation's
"Validating Admission Policy" examples; apiserver pkg/admission/plugin/policy/validating)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import kubeplan

REPLICA_LIMIT = """\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: replica-limit
spec:
  failurePolicy: Fail
  paramKind: {{apiVersion: v1, kind: ConfigMap}}
  matchConstraints:
    resourceRules:
    - apiGroups: [apps]
      apiVersions: [v1]
      operations: [CREATE, UPDATE]
      resources: [deployments]
  validations:
  - expression: "object.spec.replicas <= int(params.data.maxReplicas)"
    messageExpression: "'replicas must be no greater than ' + params.data.maxReplicas"
    reason: Invalid
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: replica-limit-prod
spec:
  policyName: replica-limit
  validationActions: [{action}]
  paramRef:
    name: replica-limit
    namespace: policies
    parameterNotFoundAction: Deny
  matchResources:
    namespaceSelector:
      matchLabels: {{environment: prod}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: replica-limit
  namespace: policies
data:
  maxReplicas: "3"
"""


def namespace(name: str, environment: str) -> str:
    return (
        f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"
        f"  labels:\n    environment: {environment}\n"
    )


def deployment(ns: str, replicas: int, image: str = "nginx:1.27") -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: {ns}\n"
        f"spec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: web}}}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n    spec:\n"
        f"      containers: [{{name: app, image: '{image}'}}]\n"
    )


def write(folder: Path, *docs: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "all.yaml").write_text("---\n".join(docs))
    return folder


def plan(tmp_path: Path, new: list[str], base: list[str] | None = None, *extra: str):
    new_dir = write(tmp_path / "new", *new)
    base_dir = write(tmp_path / "base", *(base or []))
    return kubeplan("plan", str(new_dir), "--base", str(base_dir), "--format", "json", *extra)


def step(report: dict, kind: str, ns: str | None = None) -> dict:
    return next(
        s
        for s in report["steps"]
        if s["resource"]["kind"] == kind and (ns is None or s["resource"]["namespace"] == ns)
    )


def of_rule(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


def test_a_deny_binding_with_a_param_limit_rejects_the_deployment(tmp_path: Path) -> None:
    docs = [REPLICA_LIMIT.format(action="Deny"), namespace("policies", "infra"),
            namespace("shop", "prod"), deployment("shop", 5)]  # fmt: skip
    run = plan(tmp_path, docs)
    assert run.exit_code == 1
    report = run.json()
    assert step(report, "Deployment")["verdict"] == "rejected"
    (found,) = of_rule(report, "admission-policy-denied")
    assert found["message"] == (
        "deployments \"web\" is forbidden: ValidatingAdmissionPolicy 'replica-limit' with"
        " binding 'replica-limit-prod' denied request: replicas must be no greater than 3"
    )
    assert found["path"] == "spec.replicas"


def test_a_namespace_the_selector_leaves_out_is_not_checked(tmp_path: Path) -> None:
    docs = [REPLICA_LIMIT.format(action="Deny"), namespace("policies", "infra"),
            namespace("dev", "test"), deployment("dev", 5)]  # fmt: skip
    run = plan(tmp_path, docs)
    assert run.exit_code == 0, run.stdout
    assert of_rule(run.json(), "admission-policy-denied") == []


def test_a_warn_binding_warns_and_the_deployment_is_created(tmp_path: Path) -> None:
    docs = [REPLICA_LIMIT.format(action="Warn"), namespace("policies", "infra"),
            namespace("shop", "prod"), deployment("shop", 5)]  # fmt: skip
    run = plan(tmp_path, docs)
    assert run.exit_code == 0, run.stdout
    report = run.json()
    assert step(report, "Deployment")["verdict"] == "create"
    (found,) = of_rule(report, "admission-policy-warning")
    assert found["severity"] == "warning"
    assert "replicas must be no greater than 3" in found["message"]


def test_check_reports_the_same_denial(tmp_path: Path) -> None:
    folder = write(tmp_path / "m", REPLICA_LIMIT.format(action="Deny"),
                   namespace("policies", "infra"), namespace("shop", "prod"), deployment("shop", 5))  # fmt: skip
    run = kubeplan("check", str(folder), "--format", "json")
    assert run.exit_code == 1
    assert len(of_rule(run.json(), "admission-policy-denied")) == 1


NO_SCALE_DOWN = """\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: no-scale-down
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: [apps]
      apiVersions: [v1]
      operations: [UPDATE]
      resources: [deployments]
  validations:
  - expression: "object.spec.replicas >= oldObject.spec.replicas"
    message: scaling down is done by the autoscaler only
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: no-scale-down
spec:
  policyName: no-scale-down
  validationActions: [Deny]
"""


def test_an_update_that_fails_only_against_the_old_object(tmp_path: Path) -> None:
    base = [NO_SCALE_DOWN, namespace("shop", "prod"), deployment("shop", 4)]
    down = plan(
        tmp_path / "down", [NO_SCALE_DOWN, namespace("shop", "prod"), deployment("shop", 2)], base
    )
    assert down.exit_code == 1
    assert step(down.json(), "Deployment")["verdict"] == "rejected"
    (found,) = of_rule(down.json(), "admission-policy-denied")
    assert found["message"].endswith("denied request: scaling down is done by the autoscaler only")
    up = plan(
        tmp_path / "up", [NO_SCALE_DOWN, namespace("shop", "prod"), deployment("shop", 6)], base
    )
    assert up.exit_code == 0, up.stdout


REGISTRY = """\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: registry
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [CREATE]
      resources: [pods]
  validations:
  - expression: "object.spec.containers.all(c, c.image.startsWith('registry.example.com/'))"
    message: images come from registry.example.com
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: registry
spec:
  policyName: registry
  validationActions: [Deny]
"""


def test_a_policy_on_pods_stalls_the_rollout_of_a_deployment(tmp_path: Path) -> None:
    run = plan(tmp_path, [REGISTRY, namespace("shop", "prod"), deployment("shop", 2)])
    assert run.exit_code == 1
    report = run.json()
    assert step(report, "Deployment")["verdict"] == "stalls"
    (found,) = of_rule(report, "admission-policy-denied")
    assert "rollout stalls" in found["message"]
    assert "images come from registry.example.com" in found["message"]
    ok = plan(tmp_path / "ok", [REGISTRY, namespace("shop", "prod"),
                                deployment("shop", 2, "registry.example.com/web:1")])  # fmt: skip
    assert ok.exit_code == 0, ok.stdout


def test_policies_are_off_before_1_30(tmp_path: Path) -> None:
    run = plan(tmp_path, [REGISTRY, namespace("shop", "prod"), deployment("shop", 2)], None,
               "--kubernetes-version", "1.29")  # fmt: skip
    assert of_rule(run.json(), "admission-policy-denied") == []


def test_policies_from_an_admission_dump(tmp_path: Path) -> None:
    policies = tmp_path / "cluster-policies.yaml"
    policies.write_text(REGISTRY)
    run = plan(tmp_path, [namespace("shop", "prod"), deployment("shop", 2)], None,
               "--admission", str(policies))  # fmt: skip
    assert step(run.json(), "Deployment")["verdict"] == "stalls"


def test_a_broken_admission_dump_is_a_finding_not_a_silent_skip(tmp_path: Path) -> None:
    broken = tmp_path / "cluster-policies.yaml"
    broken.write_text("apiVersion: v1\nkind: List\nitems: [\n")
    run = plan(tmp_path, [namespace("shop", "prod"), deployment("shop", 2)], None,
               "--admission", str(broken))  # fmt: skip
    found = [f for f in run.json()["findings"] if f["file"] == str(broken)]
    assert [f["rule"] for f in found] == ["yaml-syntax"]
