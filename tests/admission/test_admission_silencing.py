"""Admission findings are silenced the three ways every finding is (config `rules:`, `exclude:`,
the `kubeplan.io/ignore` annotation). They state what the API server does: silenced, they no
longer fail the run, but the plan still shows the step stalled or rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import kubeplan

NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
{annotations}spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: app
        image: nginx:1.27
"""
RULE = "pod-security-enforce"


def _run(tmp_path: Path, config: str, annotations: str = "", *extra: str):
    folder = tmp_path / "m"
    folder.mkdir(exist_ok=True)
    (folder / "all.yaml").write_text(
        NAMESPACE + "---\n" + DEPLOYMENT.format(annotations=annotations)
    )
    path = tmp_path / "c.yaml"
    path.write_text(config)
    return kubeplan("plan", str(folder), "--config", str(path), "--format", "json", *extra)


def _web(report: dict) -> dict:
    return next(s for s in report["steps"] if s["resource"]["kind"] == "Deployment")


@pytest.mark.parametrize(
    ("config", "annotations", "expect"),
    [
        (f"rules:\n  {RULE}: off\n", "", "config: rule off"),
        (f"rules:\n  {RULE}: warning\n", "", "warning"),
        (
            f"exclude:\n  - rules: [{RULE}]\n    namespace: shop\n    reason: migrating\n",
            "",
            "config: migrating",
        ),
        (
            "{}\n",
            f'  annotations:\n    kubeplan.io/ignore: "{RULE}"\n'
            "    kubeplan.io/ignore-reason: hardened next sprint\n",
            "annotation: hardened next sprint",
        ),
    ],
)
def test_a_silenced_stall_no_longer_fails_but_still_stalls(
    tmp_path: Path, config: str, annotations: str, expect: str
) -> None:
    assert _run(tmp_path, "{}\n").exit_code == 1
    run = _run(tmp_path, config, annotations)
    assert run.exit_code == 0, run.stdout
    report = run.json()
    assert _web(report)["verdict"] == "stalls"
    found = [f for f in report["findings"] if f["rule"] == RULE]
    if expect == "warning":
        assert [f["severity"] for f in found] == ["warning"]
    else:
        assert found[0]["suppressed"] is True and found[0]["suppressed_by"] == expect


def test_check_silences_admission_findings_too(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "all.yaml").write_text(NAMESPACE + "---\n" + DEPLOYMENT.format(annotations=""))
    config = tmp_path / "c.yaml"
    config.write_text(f"rules:\n  {RULE}: off\n")
    run = kubeplan("check", str(folder), "--config", str(config), "--format", "json")
    found = [f for f in run.json()["findings"] if f["rule"] == RULE]
    assert found and all(f["suppressed"] for f in found)
    errors = [f for f in run.json()["findings"] if f["severity"] == "error" and not f["suppressed"]]
    assert run.exit_code == (1 if errors else 0)


def test_rules_lists_and_explains_the_admission_ids() -> None:
    ids = {r["id"] for r in kubeplan("rules", "--format", "json").json()["rules"]}
    assert {
        "pod-security-enforce",
        "pod-security-warn",
        "pod-security-audit",
        "pod-security-invalid-label",
        "pod-security-relabel",
        "limitrange-violation",
        "quota-exceeded",
        "quota-must-specify",
        "quota-status-unknown",
        "quota-rollout-stall",
    } <= ids
    one = kubeplan("rules", RULE, "--no-color")
    assert one.exit_code == 0 and "rollout stalls" in one.stdout
