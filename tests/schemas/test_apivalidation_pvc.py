"""PersistentVolumeClaim as ValidatePersistentVolumeClaimSpec (pkg/apis/core/validation)
checks it, driven through `kubeplan validate`."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import findings

PVC = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests: {storage: 1Gi}
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
    assert native(tmp_path, PVC) == []


def test_access_modes_required(tmp_path: Path) -> None:
    text = PVC.replace("  accessModes: [ReadWriteOnce]\n", "")
    assert native(tmp_path, text) == [
        (
            "api-required",
            5,
            "spec.accessModes",
            "Required value: at least 1 access mode is required",
        )
    ]


def test_read_write_once_pod_alone(tmp_path: Path) -> None:
    text = PVC.replace("[ReadWriteOnce]", "[ReadWriteOncePod, ReadWriteMany]")
    assert native(tmp_path, text) == [
        (
            "api-forbidden",
            6,
            "spec.accessModes",
            "Forbidden: may not use ReadWriteOncePod with other access modes",
        )
    ]


def test_unsupported_access_mode(tmp_path: Path) -> None:
    text = PVC.replace("[ReadWriteOnce]", "[ReadWriteAll]")
    assert native(tmp_path, text) == [
        (
            "api-unsupported",
            6,
            "spec.accessModes",
            'Unsupported value: "ReadWriteAll": supported values: "ReadOnlyMany", "ReadWriteMany",'
            ' "ReadWriteOnce", "ReadWriteOncePod"',
        )
    ]


def test_storage_request_required_and_positive(tmp_path: Path) -> None:
    missing = PVC.replace("    requests: {storage: 1Gi}\n", "    requests: {}\n")
    assert [(r, p, m) for r, _, p, m in native(tmp_path, missing)] == [
        ("api-required", "spec.resources.storage", "Required value")
    ]
    zero = PVC.replace("storage: 1Gi", "storage: 0Gi")
    assert [(r, p, m) for r, _, p, m in native(tmp_path, zero)] == [
        ("api-invalid", "spec.resources.storage", 'Invalid value: "0": must be greater than zero')
    ]
