"""A CustomResourceDefinition validated as the API server validates it
(apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go and
pkg/apiserver/schema/validation.go; kubeplan/schemas/crdvalidation.py), driven through the CLI."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import findings, kubeplan

CR = """
---
apiVersion: {group}/v1
kind: Widget
metadata: {{name: w}}
spec: {{size: 3}}
"""


def crd(tmp_path: Path, text: str, group: str = "example.com", with_cr: bool = True) -> str:
    body = textwrap.dedent(text).lstrip()
    if with_cr:
        body += CR.format(group=group)
    path = tmp_path / "crd.yaml"
    path.write_text(body)
    return str(path)


def good(**over: str) -> str:
    values = {
        "name": "widgets.example.com",
        "group": "example.com",
        "names": "{kind: Widget, plural: widgets}",
        "scope": "Namespaced",
        "storage": "true",
        "schema": "{type: object, properties: {spec: {type: object, properties: {size: {type: integer}}}}}",
    }
    values.update(over)
    return """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: {name}
        spec:
          group: {group}
          names: {names}
          scope: {scope}
          versions:
          - name: v1
            served: true
            storage: {storage}
            schema:
              openAPIV3Schema: {schema}
        """.format(**values)


def api_findings(path: str) -> list[tuple[str, int, str, str]]:
    return [
        (f["rule"], f["line"], f["path"], f["message"])
        for f in findings("check", path)
        if f["rule"].startswith("api-") or f["rule"] == "crd-invalid-schema"
    ]


def test_a_valid_crd_and_its_resource_pass(tmp_path: Path) -> None:
    # singular and listKind are defaulted before validation (v1 defaults.go).
    run = kubeplan("check", crd(tmp_path, good()))
    assert run.exit_code == 0, run.stdout


def test_bad_names_01(tmp_path: Path) -> None:
    """TestValidateCustomResourceDefinition, case "bad names 01": group without a dot, scope
    foo, plural/singular/kind/listKind that are not DNS-1035 labels, kind == listKind, and a
    name that is not <plural>.<group>."""
    path = crd(
        tmp_path,
        good(
            name="plural.group",
            group="group",
            scope="foo",
            names="{plural: 'pl()*ural', singular: 'value()*a', kind: 'value()*a', listKind: 'value()*a'}",
        ),
        group="group",
    )
    got = {(rule, path) for rule, _line, path, _m in api_findings(path)}
    assert got >= {
        ("api-invalid", "metadata.name"),
        ("api-invalid", "spec.group"),
        ("api-unsupported", "spec.scope"),
        ("api-invalid", "spec.names.plural"),
        ("api-invalid", "spec.names.singular"),
        ("api-invalid", "spec.names.kind"),
        ("api-invalid", "spec.names.listKind"),
    }
    messages = {p: m for _r, _l, p, m in api_findings(path)}
    assert messages["metadata.name"] == (
        'Invalid value: "plural.group": must be spec.names.plural+"."+spec.group'
    )
    assert (
        messages["spec.group"] == 'Invalid value: "group": should be a domain with at least one dot'
    )
    assert messages["spec.scope"] == (
        'Unsupported value: "foo": supported values: "Cluster", "Namespaced"'
    )


def test_exactly_one_storage_version(tmp_path: Path) -> None:
    path = crd(tmp_path, good(storage="false"))
    assert ("api-invalid", 9, "spec.versions",
            "Invalid value: must have exactly one version marked as storage version") in api_findings(path)  # fmt: skip


def test_invalid_crd_rejects_its_step_and_its_resources_are_not_validated(tmp_path: Path) -> None:
    path = crd(tmp_path, good(storage="false"))
    found = findings("check", path)
    widget = [f for f in found if f["resource"]["kind"] == "Widget"]
    assert [(f["rule"], f["severity"]) for f in widget] == [("crd-invalid-schema", "info")]
    assert "not validated" in widget[0]["message"]
    plan = kubeplan("plan", path)
    assert plan.exit_code == 1
    assert "rejected" in plan.stdout


def test_strign_type_is_a_finding_at_its_line_not_a_crash(tmp_path: Path) -> None:
    """`type: strign` once crashed kubeplan; the API server refuses it (openapiV3Types)."""
    schema = (
        "{type: object, properties: {spec: {type: object, properties: {size: {type: strign}}}}}"
    )
    path = crd(tmp_path, good(schema=schema))
    for command in ("check", "validate", "plan", "lint"):
        run = kubeplan(command, path, "--format", "json")
        assert run.exit_code == 1 if command != "lint" else run.exit_code in (0, 1), run.stderr
    (hit,) = [f for f in api_findings(path) if f[2].endswith("size.type")]
    assert hit[:2] == ("crd-invalid-schema", 14)
    assert "type 'strign' is not supported" in hit[3]


STRUCTURAL = """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: widgets.example.com}
    spec:
      group: example.com
      names: {kind: Widget, plural: widgets}
      scope: Namespaced
      versions:
      - name: v1
        served: true
        storage: true
        schema:
          openAPIV3Schema:
            type: object
            properties:
              metadata:
                type: object
                properties:
                  labels: {type: object}
              spec:
                type: object
                properties:
                  ports:
                    type: array
                    x-kubernetes-list-type: map
                    x-kubernetes-list-map-keys: [port]
                    items:
                      type: object
                      properties:
                        name: {type: string}
                  tags:
                    type: array
                    uniqueItems: true
                  untyped:
                    x-kubernetes-preserve-unknown-fields: false
                  either:
                    anyOf:
                    - type: string
                  set:
                    type: object
                    x-kubernetes-list-type: set
                  portOrName:
                    x-kubernetes-int-or-string: true
                    anyOf:
                    - type: integer
                    - type: string
                x-kubernetes-validations:
                - rule: ""
                - rule: "self.size > 0"
                  reason: Bad
"""


def test_each_kind_of_schema_error_at_its_line(tmp_path: Path) -> None:
    """One of each: metadata beyond name/generateName, list-map-keys naming no item property,
    an array without items, uniqueItems, a field without type, preserve-unknown-fields false,
    a type inside anyOf, list-type on a non-array, a rule without text, an unknown reason.
    The int-or-string anyOf pattern is allowed (isIntOrStringAnyOfPattern)."""
    got = {
        (rule, line, path.split("openAPIV3Schema.")[-1], message)
        for rule, line, path, message in api_findings(crd(tmp_path, STRUCTURAL, with_cr=False))
    }
    assert got == {
        ("api-forbidden", 16, "properties.metadata",
         "Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified"),
        ("api-invalid", 26, "properties.spec.properties.ports.x-kubernetes-list-map-keys",
         'Invalid value: ["port"]: entries must all be names of item properties'),
        ("api-required", 31, "properties.spec.properties.tags.items", "Required value: must be specified"),
        ("api-forbidden", 33, "properties.spec.properties.tags.uniqueItems",
         "Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic"),
        ("api-required", 34, "properties.spec.properties.untyped.type",
         "Required value: must not be empty for specified object fields"),
        ("api-invalid", 35, "properties.spec.properties.untyped.x-kubernetes-preserve-unknown-fields",
         "Invalid value: false: must be true or undefined"),
        ("api-required", 36, "properties.spec.properties.either.type",
         "Required value: must not be empty for specified object fields"),
        ("api-forbidden", 38, "properties.spec.properties.either.anyOf[0].type",
         "Forbidden: must be empty to be structural"),
        ("api-invalid", 40, "properties.spec.properties.set.type",
         'Invalid value: "object": must be array if x-kubernetes-list-type is specified'),
        ("api-required", 48, "properties.spec.x-kubernetes-validations[0].rule",
         "Required value: rule is not specified"),
        ("api-unsupported", 50, "properties.spec.x-kubernetes-validations[1].reason",
         'Unsupported value: "Bad": supported values: "FieldValueDuplicate", "FieldValueForbidden",'
         ' "FieldValueInvalid", "FieldValueRequired"'),
    }  # fmt: skip


def test_real_crds_of_the_corpus_are_valid() -> None:
    """prometheus-operator's CRDs (kube-prometheus) are accepted by real API servers: no api-*
    finding on them."""
    from conftest import corpus

    setup = corpus("kube-prometheus", "manifests", "setup")
    bad = [f for f in findings("validate", str(setup)) if f["rule"].startswith(("api-", "crd-"))]
    assert bad == []


def test_a_rule_field_path_must_name_a_field_of_the_schema(tmp_path: Path) -> None:
    """ValidateCustomResourceDefinitionOpenAPISchema: "fieldPath must be a valid path"
    (pathValid / cel.ValidFieldPath); `.size` exists, `.nope` does not."""
    schema = (
        "{type: object, properties: {spec: {type: object, properties: {size: {type: integer}},"
        " x-kubernetes-validations: [{rule: 'self.size > 0', fieldPath: .size},"
        " {rule: 'self.size > 1', fieldPath: .nope}]}}}"
    )
    got = api_findings(crd(tmp_path, good(schema=schema)))
    assert [(r, p.split("openAPIV3Schema.")[-1], m) for r, _l, p, m in got if r != "crd-invalid-schema"] == [
        ("api-invalid", "properties.spec.x-kubernetes-validations[1].fieldPath",
         'Invalid value: ".nope": fieldPath must be a valid path'),
    ]  # fmt: skip


def test_a_schema_node_whose_type_is_a_list_is_not_plain_and_does_not_crash() -> None:
    """Found by the slow fuzz profile: a mutated prometheus-operator CRD whose schema node had
    `type: [...]` raised TypeError (unhashable list) instead of being validated."""
    from kubeplan.schemas import crdvalidation

    assert crdvalidation._plain({"type": ["string"]}) is False
    assert crdvalidation._plain({"type": "string"}) is True
