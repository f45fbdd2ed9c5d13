"""Crashes tests/e2e/test_fuzz.py found outside the report layer, each as its minimal reproducer.

Each was found as a Python traceback and is fixed in the layer that owned it; the reproducer
keeps it fixed. A new one is added as `xfail(strict=True)` with an entry in test_fuzz.KNOWN until
its fix lands.
"""

from __future__ import annotations

from pathlib import Path

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


def test_plan_deleting_a_webhook_and_its_service(tmp_path: Path):
    base, new = tmp_path / "base", tmp_path / "new"
    base.mkdir()
    new.mkdir()
    (base / "hook.yaml").write_text(WEBHOOK_AND_SERVICE)
    (new / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    run = kubeplan("plan", str(new), "--base", str(base))
    assert run.exit_code in (0, 1), run.stderr
    assert "2 to delete" in run.stdout
