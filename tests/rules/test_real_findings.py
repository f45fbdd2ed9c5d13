"""Findings that stay right on manifests shaped like real repositories' (vendor installs,
operators, samples): what kubeplan cannot see is not proof it is missing, literal env values
that are not secrets, advice that does not break a controller, Gateway API scope, Secret data
that the API server refuses, and removed kinds.

Each test writes its manifests to tmp_path and runs the CLI on them.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from tests.conftest import findings


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def of_rule(found: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    return [f for f in found if f["rule"] == rule]


CONTROLLER = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: operator
  namespace: ops
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: operator
  namespace: ops
spec:
  selector:
    matchLabels: {app: operator}
  template:
    metadata:
      labels: {app: operator}
    spec:
      serviceAccountName: operator
      containers:
        - name: manager
          image: example.com/operator:1.0
"""

BINDING = """\
---
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata:
  name: operator
  {namespace}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
  - kind: ServiceAccount
    name: operator
    {subject_namespace}
"""


def test_a_bound_service_account_is_not_told_to_switch_its_token_off(tmp_path: Path) -> None:
    rule = "service-account-token-automounted"
    alone = write(tmp_path, "alone.yaml", CONTROLLER)
    (finding,) = of_rule(findings("check", alone), rule)
    assert finding["resource"]["name"] == "operator"
    for kind, namespace, subject_namespace in (
        ("ClusterRoleBinding", "", "namespace: ops"),
        ("RoleBinding", "namespace: ops", ""),  # the subject's namespace is the binding's
        ("RoleBinding", "namespace: other", "namespace: ops"),
    ):
        text = CONTROLLER + BINDING.format(
            kind=kind, namespace=namespace, subject_namespace=subject_namespace
        )
        path = write(tmp_path, "bound.yaml", text)
        assert of_rule(findings("check", path), rule) == [], (kind, namespace)
    # A RoleBinding in another namespace without a subject namespace binds that namespace's
    # "operator", not this one: the advice stands.
    text = CONTROLLER + BINDING.format(
        kind="RoleBinding", namespace="namespace: other", subject_namespace=""
    )
    path = write(tmp_path, "elsewhere.yaml", text)
    assert len(of_rule(findings("check", path), rule)) == 1
