"""PodDisruptionBudget as ValidatePodDisruptionBudgetSpec (pkg/apis/policy/validation) checks
it, driven through `kubeplan validate`."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import findings

PDB = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
"""


def native(tmp_path: Path, text: str) -> list[tuple[str, int, str, str]]:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    return [
        (f["rule"], f["line"], f["path"], f["message"])
        for f in findings("validate", str(path))
        if f["rule"].startswith("api-")
    ]


def test_valid_budgets(tmp_path: Path) -> None:
    assert native(tmp_path, PDB + "  minAvailable: 2\n") == []
    assert native(tmp_path, PDB + "  maxUnavailable: 100%\n") == []


def test_both_set(tmp_path: Path) -> None:
    # The text the API server answers ("minAvailable and maxUnavailable cannot be both set").
    found = native(tmp_path, PDB + "  minAvailable: 1\n  maxUnavailable: 1\n")
    assert [(r, ln, p, m.rsplit(": ", 1)[-1]) for r, ln, p, m in found] == [
        ("api-invalid", 5, "spec", "minAvailable and maxUnavailable cannot be both set")
    ]


def test_percent_above_100_and_bad_percent(tmp_path: Path) -> None:
    # ValidatePositiveIntOrPercent and IsNotMoreThan100Percent (apps validation, reused).
    assert native(tmp_path, PDB + "  minAvailable: 101%\n") == [
        (
            "api-invalid",
            7,
            "spec.minAvailable",
            'Invalid value: "101%": must not be greater than 100%',
        )
    ]
    [(rule, line, path, message)] = native(tmp_path, PDB + "  maxUnavailable: half\n")
    assert (rule, line, path) == ("api-invalid", 7, "spec.maxUnavailable")
    assert message.startswith('Invalid value: "half": a valid percent string must be')
    assert native(tmp_path, PDB + "  minAvailable: -1\n") == [
        (
            "api-invalid",
            7,
            "spec.minAvailable",
            "Invalid value: -1: must be greater than or equal to 0",
        )
    ]


def test_unhealthy_pod_eviction_policy(tmp_path: Path) -> None:
    text = PDB + "  minAvailable: 1\n  unhealthyPodEvictionPolicy: Sometimes\n"
    assert native(tmp_path, text) == [
        (
            "api-unsupported",
            8,
            "spec.unhealthyPodEvictionPolicy",
            'Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"',
        )
    ]
