"""PriorityClass as ValidatePriorityClass (pkg/apis/scheduling/validation) checks it."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import findings

PC = "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: high\nvalue: {value}\n"


def native(tmp_path: Path, text: str) -> list[tuple[str, int, str, str]]:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    return [
        (f["rule"], f["line"], f["path"], f["message"])
        for f in findings("validate", str(path))
        if f["rule"].startswith("api-")
    ]


def test_user_defined_priority_bound(tmp_path: Path) -> None:
    assert native(tmp_path, PC.format(value=1000000000)) == []
    assert native(tmp_path, PC.format(value=1000000001)) == [
        (
            "api-forbidden",
            5,
            "value",
            "Forbidden: maximum allowed value of a user defined priority is 1000000000",
        )
    ]
