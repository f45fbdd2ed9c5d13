"""`check` says each fact once: a Deployment whose selector does not match its template labels
is the API server's refusal (`api-invalid` at spec.template.metadata.labels, apps validation
ValidateDeploymentSpec), not also the lint rule `selector-mismatch`; `lint` alone, which does
not validate, still reports the lint rule."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import kubeplan

MISMATCH = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: w}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: b}}
    spec:
      containers: [{name: c, image: nginx:1.27}]
"""


def _rules(command: str, path: Path) -> list[str]:
    run = kubeplan(command, str(path), "--format", "json")
    return [f["rule"] for f in run.json()["findings"]]


def test_a_selector_mismatch_is_reported_once(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(MISMATCH)
    checked = _rules("check", path)
    assert checked.count("api-invalid") == 1
    assert "selector-mismatch" not in checked
    assert "selector-mismatch" in _rules("lint", path)
