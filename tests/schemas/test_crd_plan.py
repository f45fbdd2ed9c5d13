"""A CRD whose schema the API server refuses is a rejected step in the plan, not a create.

apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go refuses a schema type
outside string, number, integer, boolean, array, object (ValidateCustomResourceDefinitionOpenAPISchema).
"""

from __future__ import annotations

from pathlib import Path

from conftest import kubeplan

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: {type}
"""


def _plan(tmp_path: Path, schema_type: str) -> tuple[int, dict]:
    path = tmp_path / "crd.yaml"
    path.write_text(CRD.replace("{type}", schema_type))
    run = kubeplan("plan", str(path), "--format", "json")
    return run.exit_code, run.json()


def test_a_crd_with_an_unknown_schema_type_is_rejected(tmp_path: Path) -> None:
    code, report = _plan(tmp_path, "strign")
    assert code == 1
    (step,) = report["steps"]
    assert step["verdict"] == "rejected"
    assert step["findings"] == ["crd-invalid-schema"]


def test_the_same_crd_with_a_known_type_is_created(tmp_path: Path) -> None:
    code, report = _plan(tmp_path, "string")
    assert code == 0
    (step,) = report["steps"]
    assert step["verdict"] == "create"
    assert report["summary"]["rejected"] == 0
