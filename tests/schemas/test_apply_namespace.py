"""`-n/--namespace` as `kubectl apply -n`: namespaced objects that name no namespace land in it,
cluster-scoped ones stay without, and one naming another namespace is refused with kubectl's
message (k8s.io/cli-runtime pkg/resource/visitor.go `RequireNamespace`)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import kubeplan

MANIFESTS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: named
  namespace: other
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: unnamed
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
"""


def test_an_object_of_another_namespace_is_refused_as_kubectl_refuses_it(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MANIFESTS)
    run = kubeplan("validate", str(path), "-n", "shop", "--format", "json")
    assert run.exit_code == 1
    (finding,) = run.json()["findings"]
    assert finding["rule"] == "namespace-mismatch"
    assert finding["line"] == 5 and finding["path"] == "metadata.namespace"
    assert finding["message"] == (
        'the namespace from the provided object "other" does not match the namespace "shop".'
        " You must pass '--namespace=other' to perform this operation."
    )


def test_without_n_the_same_file_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MANIFESTS)
    assert kubeplan("validate", str(path)).exit_code == 0


def test_objects_without_a_namespace_land_in_the_given_one(tmp_path: Path) -> None:
    new, base = tmp_path / "new", tmp_path / "base"
    new.mkdir()
    base.mkdir()
    (new / "m.yaml").write_text(MANIFESTS.split("---\n", 1)[1])
    run = kubeplan("plan", str(new), "--base", str(base), "-n", "shop", "--format", "json")
    assert run.exit_code == 0, run.stdout
    where = {s["resource"]["name"]: s["resource"]["namespace"] for s in run.json()["steps"]}
    assert where == {"unnamed": "shop", "reader": None}
