"""Admission in `kubeplan plan` and `kubeplan check`, end to end through the CLI: a restricted
namespace stalls a non-compliant Deployment's rollout and rejects a bare Pod, a relabel to a
stricter level names the workloads it breaks, a LimitRange refuses pods, with messages as the
API server writes them (k8s.io/pod-security-admission admission/admission.go EvaluatePod,
policy/check_*.go; plugin/pkg/admission/limitranger/admission.go)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import kubeplan


def namespace(name: str, **labels: str) -> str:
    text = f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"
    if labels:
        text += "  labels:\n" + "".join(
            f"    pod-security.kubernetes.io/{key.replace('_', '-')}: {value}\n"
            for key, value in labels.items()
        )
    return text


def deployment(
    ns: str, *, compliant: bool = False, image: str = "nginx:1.27", name: str = "web"
) -> str:
    context = (
        "        securityContext:\n"
        "          allowPrivilegeEscalation: false\n"
        "          runAsNonRoot: true\n"
        "          capabilities: {drop: [ALL]}\n"
        "          seccompProfile: {type: RuntimeDefault}\n"
        if compliant
        else ""
    )
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
        f"  name: {name}\n  namespace: {ns}\n"
        "spec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n"
        "    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n"
        f"      - name: app\n        image: {image}\n" + context
    )


POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: {ns}
spec:
  containers:
  - name: shell
    image: busybox:1.36
    securityContext:
      privileged: true
"""


def write(folder: Path, *docs: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "all.yaml").write_text("---\n".join(docs))
    return folder


def plan(tmp_path: Path, new: list[str], base: list[str] | None = None, *args: str):
    new_dir = write(tmp_path / "new", *new)
    base_dir = write(tmp_path / "base", *(base or []))
    return kubeplan("plan", str(new_dir), "--base", str(base_dir), "--format", "json", *args)


def step(report: dict, kind: str) -> dict:
    return next(s for s in report["steps"] if s["resource"]["kind"] == kind)


def rules_of(findings: list[dict]) -> list[str]:
    return [f["rule"] for f in findings]


def test_a_non_compliant_deployment_in_a_restricted_namespace_stalls(tmp_path: Path) -> None:
    run = plan(tmp_path, [namespace("shop", enforce="restricted"), deployment("shop")])
    assert run.exit_code == 1
    report = run.json()
    web = step(report, "Deployment")
    assert web["verdict"] == "stalls"
    assert step(report, "Namespace")["verdict"] == "create"
    enforce = [f for f in report["findings"] if f["rule"] == "pod-security-enforce"]
    assert len(enforce) == 1
    message = enforce[0]["message"]
    assert 'violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false' in message
    assert 'container "app" must set securityContext.allowPrivilegeEscalation=false' in message
    assert "rollout stalls" in message
    assert enforce[0]["path"].startswith("spec.template.spec.containers[0]")
    # the warn level follows enforce when unlabelled; the enforce finding already says it all
    assert "pod-security-warn" not in rules_of(report["findings"])
    assert report["summary"]["stalls"] == 1


def test_the_same_deployment_compliant_rolls_out(tmp_path: Path) -> None:
    run = plan(
        tmp_path, [namespace("shop", enforce="restricted"), deployment("shop", compliant=True)]
    )
    assert run.exit_code == 0, run.stdout
    assert step(run.json(), "Deployment")["verdict"] == "create"


def test_a_bare_pod_in_a_restricted_namespace_is_rejected(tmp_path: Path) -> None:
    run = plan(tmp_path, [namespace("shop", enforce="baseline"), POD.format(ns="shop")])
    assert run.exit_code == 1
    report = run.json()
    assert step(report, "Pod")["verdict"] == "rejected"
    enforce = [f for f in report["findings"] if f["rule"] == "pod-security-enforce"]
    assert enforce[0]["message"].startswith(
        'pods "debug" is forbidden: violates PodSecurity "baseline:latest": privileged'
        ' (container "shell" must not set securityContext.privileged=true)'
    )
    assert enforce[0]["path"] == "spec.containers[0].securityContext.privileged"
    lines = (tmp_path / "new" / "all.yaml").read_text().splitlines()
    assert lines[enforce[0]["line"] - 1].strip() == "privileged: true"


def test_plan_text_says_the_rollout_stalls(tmp_path: Path) -> None:
    new_dir = write(tmp_path / "new", namespace("shop", enforce="restricted"), deployment("shop"))
    run = kubeplan("plan", str(new_dir), "--no-color")
    assert run.exit_code == 1
    assert "stalls" in run.stdout
    assert "pod-security-enforce" in run.stdout


def test_check_reports_the_same_finding(tmp_path: Path) -> None:
    folder = write(tmp_path / "m", namespace("shop", enforce="restricted"), deployment("shop"))
    run = kubeplan("check", str(folder), "--format", "json")
    assert run.exit_code == 1
    enforce = [f for f in run.json()["findings"] if f["rule"] == "pod-security-enforce"]
    assert len(enforce) == 1 and "restricted:latest" in enforce[0]["message"]


def test_a_warn_level_warns_and_passes(tmp_path: Path) -> None:
    run = plan(
        tmp_path, [namespace("shop", enforce="baseline", warn="restricted"), deployment("shop")]
    )
    assert run.exit_code == 0, run.stdout
    report = run.json()
    assert step(report, "Deployment")["verdict"] == "create"
    warn = [f for f in report["findings"] if f["rule"] == "pod-security-warn"]
    assert warn and warn[0]["severity"] == "warning"
    assert warn[0]["message"].startswith('would violate PodSecurity "restricted:latest": ')


def test_a_pinned_policy_version_is_named(tmp_path: Path) -> None:
    ns = namespace("shop", enforce="restricted", enforce_version="v1.25")
    run = plan(tmp_path, [ns, deployment("shop")])
    enforce = [f for f in run.json()["findings"] if f["rule"] == "pod-security-enforce"]
    assert 'violates PodSecurity "restricted:v1.25"' in enforce[0]["message"]


def test_labels_declared_in_the_config_apply(tmp_path: Path) -> None:
    config = tmp_path / ".kubeplan.yaml"
    config.write_text(
        "namespaces:\n  shop:\n    labels:\n      pod-security.kubernetes.io/enforce: restricted\n"
    )
    run = plan(tmp_path, [deployment("shop")], None, "--config", str(config))
    assert run.exit_code == 1
    assert step(run.json(), "Deployment")["verdict"] == "stalls"


def test_an_invalid_level_label_rejects_the_namespace(tmp_path: Path) -> None:
    run = plan(tmp_path, [namespace("shop", enforce="strict")])
    assert run.exit_code == 1
    report = run.json()
    assert step(report, "Namespace")["verdict"] == "rejected"
    assert "pod-security-invalid-label" in rules_of(report["findings"])


def test_relabelling_a_namespace_stricter_names_the_workloads_it_breaks(tmp_path: Path) -> None:
    old = [namespace("shop"), deployment("shop"), deployment("shop", compliant=True, name="api")]
    new = [namespace("shop", enforce="restricted"), *old[1:]]
    run = plan(tmp_path, new, old)
    assert run.exit_code == 1
    report = run.json()
    ns = step(report, "Namespace")
    assert ns["verdict"] == "update"
    relabel = [f for f in report["findings"] if f["rule"] == "pod-security-relabel"]
    assert len(relabel) == 1
    assert "Deployment web" in relabel[0]["message"]
    assert "Deployment api" not in relabel[0]["message"]
    assert relabel[0]["path"] == 'metadata.labels["pod-security.kubernetes.io/enforce"]'


def test_relaxing_a_namespace_is_not_a_relabel_finding(tmp_path: Path) -> None:
    old = [namespace("shop", enforce="restricted"), deployment("shop", compliant=True)]
    new = [namespace("shop", enforce="baseline"), old[1]]
    run = plan(tmp_path, new, old)
    assert run.exit_code == 0, run.stdout
    assert "pod-security-relabel" not in rules_of(run.json()["findings"])


def test_an_exempt_namespace_in_the_admission_config_is_not_checked(tmp_path: Path) -> None:
    admission = tmp_path / "admission.yaml"
    admission.write_text(
        "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n"
        "- name: PodSecurity\n  configuration:\n"
        "    apiVersion: pod-security.admission.config.k8s.io/v1\n"
        "    kind: PodSecurityConfiguration\n"
        "    defaults: {enforce: restricted}\n"
        "    exemptions: {namespaces: [tools]}\n"
    )
    run = plan(
        tmp_path,
        [deployment("shop"), deployment("tools", name="t")],
        None,
        "--admission-config",
        str(admission),
    )
    report = run.json()
    verdicts = {s["resource"]["namespace"]: s["verdict"] for s in report["steps"]}
    assert verdicts == {"shop": "stalls", "tools": "create"}


LIMITS = """\
apiVersion: v1
kind: LimitRange
metadata:
  name: limits
  namespace: shop
spec:
  limits:
  - type: Container
    max: {cpu: "1"}
"""


def test_a_limit_range_maximum_stalls_a_deployment(tmp_path: Path) -> None:
    big = deployment("shop").replace(
        "        image: nginx:1.27\n",
        "        image: nginx:1.27\n        resources: {limits: {cpu: '2'}}\n",
    )
    run = plan(tmp_path, [namespace("shop"), LIMITS, big])
    assert run.exit_code == 1
    report = run.json()
    assert step(report, "Deployment")["verdict"] == "stalls"
    found = [f for f in report["findings"] if f["rule"] == "limitrange-violation"]
    assert "maximum cpu usage per Container is 1, but limit is 2" in found[0]["message"]


DEFAULT_LIMIT = """\
apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
  namespace: shop
spec:
  limits:
  - type: Container
    default: {cpu: 200m}
"""


def small(kind: str, requests: str) -> str:
    body = (
        "  containers:\n  - name: app\n    image: nginx:1.27\n"
        f"    resources: {{requests: {{{requests}}}}}\n"
    )
    if kind == "Pod":
        return (
            f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: small\n  namespace: shop\nspec:\n{body}"
        )
    indented = "".join(f"      {line}\n" for line in body.splitlines())
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: small\n  namespace: shop\n"
        "spec:\n  selector: {matchLabels: {app: s}}\n  template:\n"
        "    metadata:\n      labels: {app: s}\n    spec:\n" + indented
    )


def test_a_default_limit_below_the_containers_request_makes_the_pod_invalid(
    tmp_path: Path,
) -> None:
    """LimitRanger writes the default limit (200m) into a container that requests 300m; field
    validation, which runs after mutation, refuses the pod (ValidateResourceRequirements)."""
    run = plan(tmp_path, [namespace("shop"), DEFAULT_LIMIT, small("Pod", "cpu: 300m")])
    assert run.exit_code == 1
    report = run.json()
    assert step(report, "Pod")["verdict"] == "rejected"
    (found,) = [f for f in report["findings"] if f["rule"] == "limitrange-violation"]
    assert found["message"] == (
        'Pod "small" is invalid: spec.containers[0].resources.requests: Invalid value: "300m":'
        " must be less than or equal to cpu limit of 200m (after the LimitRange defaults)"
    )


def test_the_same_default_stalls_a_deployment_and_spares_a_request_below_it(
    tmp_path: Path,
) -> None:
    run = plan(tmp_path, [namespace("shop"), DEFAULT_LIMIT, small("Deployment", "cpu: 300m")])
    assert step(run.json(), "Deployment")["verdict"] == "stalls"
    run = plan(
        tmp_path / "ok", [namespace("shop"), DEFAULT_LIMIT, small("Deployment", "cpu: 100m")]
    )
    assert run.exit_code == 0, run.stdout
