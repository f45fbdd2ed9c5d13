"""Crashes tests/test_fuzz.py found outside the report layer, each as its minimal reproducer.

Each is `xfail(strict=True)`: it fails today (a Python traceback), and the day the layer that
owns it is fixed it passes, strict xfail turns that into a failure, and the mark comes off
(with the matching entry of test_fuzz.KNOWN).
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
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
    raises=(TypeError, AssertionError),  # AssertionError: exit 2 once cli.main guards crashes
    reason="rules/refs.py _pod_refs: `volume.get('name') in replaced` with a mapping name"
    " raises TypeError: unhashable type: 'dict' in plan (check, lint and diff report schema-invalid)",
)
def test_plan_with_a_volume_named_by_a_mapping(tmp_path: Path):
    path = tmp_path / "web.yaml"
    path.write_text(VOLUME_NAME_MAP)
    run = kubeplan("plan", str(path))
    assert run.exit_code in (0, 1), run.stderr


# Deleting a webhook and the Service that serves it (found from ingress-nginx's deploy.yaml
# against a new revision that no longer has it).
WEBHOOK_AND_SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: hook, namespace: default}
spec:
  selector: {app: hook}
  ports: [{port: 443}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: hook}
webhooks:
  - name: hook.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig:
      service: {name: hook, namespace: default}
"""


@pytest.mark.xfail(
    strict=True,
    raises=(nx.NetworkXUnfeasible, AssertionError),
    reason="planner/graph.py _waves: nx.topological_generations raises NetworkXUnfeasible"
    " (a cycle, with the 'last' barrier) when a webhook and its backend Service are deleted",
)
def test_plan_deleting_a_webhook_and_its_service(tmp_path: Path):
    base, new = tmp_path / "base", tmp_path / "new"
    base.mkdir()
    new.mkdir()
    (base / "hook.yaml").write_text(WEBHOOK_AND_SERVICE)
    (new / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    run = kubeplan("plan", str(new), "--base", str(base))
    assert run.exit_code in (0, 1), run.stderr
    assert "2 to delete" in run.stdout
