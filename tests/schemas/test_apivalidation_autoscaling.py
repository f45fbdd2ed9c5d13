"""HorizontalPodAutoscaler as validateHorizontalPodAutoscalerSpec
(pkg/apis/autoscaling/validation) checks it, driven through `kubeplan validate`."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import findings

HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
"""


def native(tmp_path: Path, text: str) -> list[tuple[str, int, str, str]]:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    return [
        (f["rule"], f["line"], f["path"], f["message"])
        for f in findings("validate", str(path))
        if f["rule"].startswith("api-")
    ]


def test_valid(tmp_path: Path) -> None:
    assert native(tmp_path, HPA + "  minReplicas: 2\n  maxReplicas: 5\n") == []


def test_max_below_min(tmp_path: Path) -> None:
    assert native(tmp_path, HPA + "  minReplicas: 5\n  maxReplicas: 3\n") == [
        (
            "api-invalid",
            8,
            "spec.maxReplicas",
            "Invalid value: 3: must be greater than or equal to `minReplicas`",
        )
    ]


def test_min_replicas_zero_needs_the_alpha_gate(tmp_path: Path) -> None:
    assert native(tmp_path, HPA + "  minReplicas: 0\n  maxReplicas: 3\n") == [
        (
            "api-invalid",
            7,
            "spec.minReplicas",
            "Invalid value: 0: must be greater than or equal to 1",
        )
    ]


def test_max_replicas_zero_against_the_defaulted_min(tmp_path: Path) -> None:
    # minReplicas defaults to 1 (SetDefaults_HorizontalPodAutoscaler).
    assert [(r, p, m) for r, _, p, m in native(tmp_path, HPA + "  maxReplicas: 0\n")] == [
        ("api-invalid", "spec.maxReplicas", "Invalid value: 0: must be greater than 0"),
        (
            "api-invalid",
            "spec.maxReplicas",
            "Invalid value: 0: must be greater than or equal to `minReplicas`",
        ),
    ]


def test_scale_target_name_is_a_path_segment(tmp_path: Path) -> None:
    text = HPA.replace("name: web}", "name: a/b}") + "  maxReplicas: 3\n"
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            6,
            "spec.scaleTargetRef.name",
            "Invalid value: \"a/b\": may not contain '/'",
        )
    ]
