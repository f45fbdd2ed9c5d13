"""Validate resources against the Kubernetes schemas of one version and the CRDs in the input.

Every schema error of a resource is reported, each at the line of the offending field.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from kubeplan.model import Finding, Path, Resource, Severity, finding_for
from kubeplan.schemas import bytefields, crdvalues
from kubeplan.schemas import served as served_kinds
from kubeplan.schemas.apivalidation.registry import native_findings
from kubeplan.schemas.catalog import DEFINITIONS_URI, Catalog
from kubeplan.schemas.crd import INVALID_SCHEMA, CrdIndex, CrdInfo

# "did you mean" is offered for this many unknown fields of one mapping: a typo fix is for a
# few, and difflib costs ~0.3 ms a name (30,000 unknown fields would take 10 s for nothing).
SUGGEST_AT_MOST = 100

_JSON_TYPES = {
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    list: "array",
    dict: "object",
    type(None): "null",
}


def validate(resources: Iterable[Resource], catalog: Catalog, crds: CrdIndex) -> list[Finding]:
    findings: list[Finding] = []
    for resource in resources:
        findings.extend(validate_resource(resource, catalog, crds))
    findings.extend(crds.take_late_findings())  # schemas of CRDs that did not compile
    return findings


def validate_resource(resource: Resource, catalog: Catalog, crds: CrdIndex) -> list[Finding]:
    refused = served_kinds.refusal(resource, catalog)  # before the CRDs: none can serve these
    if refused is not None:
        return [refused]
    crd = crds.get(resource.group, resource.kind)
    if crd is not None:
        version = crd.versions.get(resource.version)
        if version is None or not version.served:
            served = sorted(f"{crd.group}/{name}" for name, v in crd.versions.items() if v.served)
            return [
                finding_for(
                    resource,
                    "api-version-not-served",
                    Severity.ERROR,
                    f"{resource.api_version} is not a served version of {resource.kind} in its"
                    f" CustomResourceDefinition (served: {', '.join(served) or 'none'})",
                    ("apiVersion",),
                )
            ]
        if version.broken:
            return [_not_validated(resource, crd)]
        schema = crds.schema(crd, resource.version, catalog.strict)
        if schema is None:
            return []  # a CRD without a schema accepts anything (apiextensions v1beta1)
        validator = crds.validator(crd, resource.version, catalog)
        if validator is None:
            return [_not_validated(resource, crd)]
        findings = _schema_findings(resource, validator, catalog, schema)
        raw = version.schema
        if raw is not None and not any(f.severity == Severity.ERROR for f in findings):
            # list-map/set duplicates and x-kubernetes-validations, on a well-typed object
            findings.extend(crdvalues.findings(resource, raw))
        return findings
    definition = catalog.definition_for(resource.group, resource.version, resource.kind)
    if definition is not None:
        findings = _schema_findings(resource, catalog.validator(definition), catalog, None)
        if not any(f.severity == Severity.ERROR for f in findings):
            findings.extend(bytefields.findings(resource))  # decoding fails before validation
        if not any(f.severity == Severity.ERROR for f in findings):
            # The API server decodes, then validates: only a well-typed object gets here.
            findings.extend(native_findings(resource, catalog.version))
        return findings
    served = catalog.served_versions(resource.group, resource.kind)
    if served:
        return [
            finding_for(
                resource,
                "api-version-not-served",
                Severity.ERROR,
                f"Kubernetes {catalog.version} does not serve {resource.kind} in"
                f" {resource.api_version}; use {' or '.join(served)}",
                ("apiVersion",),
            )
        ]
    return [
        finding_for(
            resource,
            "unknown-kind",
            Severity.WARNING,
            f"no schema for {resource.kind} ({resource.api_version}): not a Kubernetes"
            f" {catalog.version} kind and no CustomResourceDefinition for it in the input;"
            " pass its CRD with --crd",
        )
    ]


def _not_validated(resource: Resource, crd: CrdInfo) -> Finding:
    """A custom resource whose CRD schema was refused is not validated against it: said here
    too, so that a run reporting only this object's file still says so."""
    origin = crd.source.origin
    return finding_for(
        resource,
        INVALID_SCHEMA,
        Severity.INFO,
        f"not validated: its CustomResourceDefinition ({origin.file}:"
        f"{crd.source.kind_position()[0]}) is invalid (the API server refuses it)",
        ("apiVersion",),
    )


def _schema_findings(
    resource: Resource, validator: Any, catalog: Catalog, root_schema: dict[str, Any] | None
) -> list[Finding]:
    findings = []
    for error in validator.iter_errors(resource.body):
        findings.extend(_to_findings(resource, error, catalog, root_schema))
    findings.sort(key=Finding.sort_key)
    return findings


def _to_findings(
    resource: Resource, error: Any, catalog: Catalog, root_schema: dict[str, Any] | None
) -> list[Finding]:
    path: Path = tuple(error.instance_path)
    kind = type(error.kind).__name__
    if kind == "AdditionalProperties":
        allowed = _allowed_properties(error, catalog, root_schema)
        out = []
        for index, name in enumerate(error.kind.unexpected):
            suggestion = (
                difflib.get_close_matches(name, allowed, n=1, cutoff=0.75)
                if index < SUGGEST_AT_MOST
                else []
            )
            hint = f' (did you mean "{suggestion[0]}"?)' if suggestion else ""
            out.append(
                finding_for(
                    resource,
                    "schema-unknown-field",
                    Severity.ERROR,
                    f'unknown field "{name}"{hint}',
                    (*path, name),
                    hint="--no-strict accepts unknown fields (the API server drops them)",
                )
            )
        return out
    if kind == "Required":
        name = error.kind.property
        return [
            finding_for(
                resource,
                "schema-required",
                Severity.ERROR,
                f'missing required field "{name}"',
                (*path, name) if isinstance(name, str) else path,
            )
        ]
    if kind == "Type":
        expected = " or ".join(t for t in _types(error.kind.types) if t != "null")
        value = error.instance
        message = (
            f"expected {expected}, got {_JSON_TYPES.get(type(value), 'value')} {_short(value)}"
        )
    elif kind == "Enum":
        message = f"{_short(error.instance)} is not one of the allowed values: {_short(error.kind.options)}"
    elif kind in ("AnyOf", "OneOfNotValid"):
        message = f"{_short(error.instance)} matches none of the allowed forms" + _forms(error)
    else:
        message = error.message
    return [finding_for(resource, "schema-invalid", Severity.ERROR, message, path)]


def _types(types: Any) -> list[str]:
    if isinstance(types, str):
        return [types]
    return [str(t) for t in types]


def _forms(error: Any) -> str:
    """For int-or-string style unions, name the accepted types."""
    location = getattr(error, "absolute_keyword_location", "") or ""
    if location.endswith("IntOrString/anyOf"):
        return " (an integer or a string such as 25%)"
    if location.endswith("Quantity/anyOf"):
        return " (a quantity such as 500m or 1Gi)"
    return ""


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 60 else text[:57] + "..."


def _allowed_properties(
    error: Any, catalog: Catalog, root_schema: dict[str, Any] | None
) -> list[str]:
    """Property names of the schema that rejected an unknown field, for a suggestion."""
    location = getattr(error, "absolute_keyword_location", None) or ""
    schema: Any = None
    if location.startswith(DEFINITIONS_URI + "#/$defs/"):
        pointer = location[len(DEFINITIONS_URI + "#/$defs/") :].split("/")
        schema = catalog.definitions.get(pointer[0])
        for part in pointer[1:-1]:
            schema = schema.get(part) if isinstance(schema, dict) else None
    elif root_schema is not None:
        schema = root_schema
        for part in list(error.schema_path)[:-1]:
            if isinstance(schema, dict):
                schema = schema.get(part)
            elif isinstance(schema, list) and isinstance(part, int):
                schema = schema[part]
    if isinstance(schema, dict):
        return list((schema.get("properties") or {}).keys())
    return []
