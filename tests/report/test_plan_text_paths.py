"""A rejected step's reasons name their field, as the API server prints its errors."""

from __future__ import annotations

from pathlib import Path

from conftest import kubeplan

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        ports:
        - containerPort: 70000
"""


def test_each_reason_of_a_rejected_step_names_its_field(tmp_path: Path) -> None:
    path = tmp_path / "web.yaml"
    path.write_text(DEPLOYMENT)
    run = kubeplan("plan", str(path), "--no-color")
    assert run.exit_code == 1
    assert "error spec.template.spec.containers[0].image: Required value  [api-required]" in (
        run.stdout
    )
    assert (
        "error spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000:"
        " must be between 1 and 65535, inclusive  [api-invalid]"
    ) in run.stdout
