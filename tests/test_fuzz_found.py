"""Crashes tests/test_fuzz.py found outside the report layer, each as its minimal reproducer.

Each is `xfail(strict=True)`: it fails today (a Python traceback), and the day the layer that
owns it is fixed it passes, strict xfail turns that into a failure, and the mark comes off
(with the matching entry of test_fuzz.KNOWN).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import kubeplan

# A volume whose name is a mapping: schema-invalid, and the reference scan used it as a set key.
VOLUME_NAME_MAP = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: a, image: nginx}]
      volumes:
        - name: {x: a}
          configMap: {name: c}
"""


@pytest.mark.xfail(
    strict=True,
    raises=TypeError,
    reason="rules/refs.py _pod_refs: `volume.get('name') in replaced` with a mapping name"
    " raises TypeError: unhashable type: 'dict' in plan (check, lint and diff report schema-invalid)",
)
def test_plan_with_a_volume_named_by_a_mapping(tmp_path: Path):
    path = tmp_path / "web.yaml"
    path.write_text(VOLUME_NAME_MAP)
    run = kubeplan("plan", str(path))
    assert run.exit_code in (0, 1), run.stderr
