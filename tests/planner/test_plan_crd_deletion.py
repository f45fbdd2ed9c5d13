"""Deleting a CustomResourceDefinition deletes every object of its kind (apiextensions-apiserver
crd_finalizer.go): the plan says so on that step, an error when the base holds such objects."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import kubeplan

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""
CRONTAB = "apiVersion: example.com/v1\nkind: CronTab\nmetadata:\n  name: nightly\n"
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\n"


def _plan(tmp_path: Path, base: list[str], new: list[str]) -> dict:
    for name, docs in (("base", base), ("new", new)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "all.yaml").write_text("---\n".join(docs))
    run = kubeplan(
        "plan", str(tmp_path / "new"), "--base", str(tmp_path / "base"), "--format", "json"
    )
    return {"code": run.exit_code, **run.json()}


def test_deleting_a_crd_whose_objects_the_base_holds_is_an_error(tmp_path: Path) -> None:
    report = _plan(tmp_path, [CRD, CRONTAB, CM], [CM])
    found = [f for f in report["findings"] if f["rule"] == "crd-deleted"]
    assert len(found) == 1 and found[0]["severity"] == "error"
    assert "deletes every CronTab" in found[0]["message"]
    assert "CronTab.example.com default/nightly" in found[0]["message"]
    assert report["code"] == 1


def test_deleting_a_crd_with_no_objects_in_the_base_warns(tmp_path: Path) -> None:
    report = _plan(tmp_path, [CRD, CM], [CM])
    (found,) = [f for f in report["findings"] if f["rule"] == "crd-deleted"]
    assert found["severity"] == "warning"
    assert report["code"] == 0
