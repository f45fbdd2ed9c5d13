"""A workload whose ServiceAccount may act on a CRD's API group applies after that CRD, so an
operator does not start (or roll) in the same wave as the API it writes (kubeplan/planner/
graph.py; the API answers 404 until the CRD is Established: apiextensions-apiserver
customresource_handler.go)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import kubeplan

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""
RBAC = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widget-operator
rules:
- apiGroups: [example.com]
  resources: [widgets]
  verbs: [get, list, watch, update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: widget-operator
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: widget-operator}
subjects:
- {kind: ServiceAccount, name: operator, namespace: default}
"""
SA = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: operator\n"


def deployment(name: str, account: str | None) -> str:
    line = f"      serviceAccountName: {account}\n" if account else ""
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n"
        f"spec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n"
        f"    metadata: {{labels: {{app: {name}}}}}\n    spec:\n{line}"
        f"      containers: [{{name: main, image: example/{name}:1}}]\n"
    )


def test_an_operator_applies_after_the_crd_its_role_grants_on(tmp_path: Path) -> None:
    (tmp_path / "all.yaml").write_text(
        "---\n".join([CRD, RBAC, SA, deployment("operator", "operator"), deployment("web", None)])
    )
    run = kubeplan("plan", str(tmp_path), "--format", "json", "--verbose")
    steps = {s["resource"]["name"]: s for s in run.json()["steps"]}
    crd, operator, web = steps["widgets.example.com"], steps["operator"], steps["web"]
    assert operator["wave"] > crd["wave"]
    assert any(
        "may act on example.com (ClusterRole widget-operator)" in r for r in operator["reasons"]
    )
    assert not any("example.com" in r for r in web["reasons"])  # no grant: no edge
