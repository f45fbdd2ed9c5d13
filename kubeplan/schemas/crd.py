"""CustomResourceDefinitions found in the input become schemas for their custom resources.

The CRD's `openAPIV3Schema` is a structural OpenAPI v3 schema with Kubernetes extensions; it is
turned into JSON Schema 2020-12 the way the API server reads it
(k8s.io/apiextensions-apiserver/pkg/apiserver/schema: structural.go, pruning/algorithm.go,
and validation/validation.go's ConvertJSONSchemaProps):

- `nullable: true` admits null;
- `x-kubernetes-int-or-string: true` admits an integer or a string;
- `x-kubernetes-preserve-unknown-fields: true` keeps unknown fields; elsewhere the server
  prunes them, which strict validation reports as unknown fields;
- `x-kubernetes-embedded-resource: true` objects carry apiVersion, kind and metadata;
- `metadata` at the top is the standard ObjectMeta, whatever the CRD says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kubeplan.model import Finding, Resource, Severity, finding_for
from kubeplan.schemas import crdschema, crdvalidation

CRD_GROUP = "apiextensions.k8s.io"
OBJECT_META_REF = "https://kubernetes.io/api/_definitions.json#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_STRING = {"type": "string"}


def is_crd(resource: Resource) -> bool:
    return resource.kind == "CustomResourceDefinition" and resource.group == CRD_GROUP


@dataclass
class CrdVersion:
    served: bool
    schema: dict[str, Any] | None  # the raw openAPIV3Schema
    where: tuple[str | int, ...] = ()  # its path in the CRD
    broken: bool = False  # refused (reported on the CRD): custom resources are not validated


INVALID_SCHEMA = "crd-invalid-schema"


@dataclass
class CrdInfo:
    group: str
    kind: str
    namespaced: bool
    versions: dict[str, CrdVersion]
    source: Resource


@dataclass
class CrdIndex:
    by_kind: dict[tuple[str, str], CrdInfo] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    # Found while compiling, after the load: `take_late_findings` hands them to validation.
    late_findings: list[Finding] = field(default_factory=list)
    _converted: dict[tuple[str, str, str, bool], dict[str, Any]] = field(default_factory=dict)
    _validators: dict[tuple[str, str, str, bool], Any] = field(default_factory=dict)

    def add_all(self, resources: Iterable[Resource]) -> None:
        for resource in resources:
            info = self._read(resource)
            if info is not None:
                self.by_kind.setdefault((info.group, info.kind), info)

    def namespaced(self, group: str, kind: str) -> bool | None:
        info = self.by_kind.get((group, kind))
        return info.namespaced if info else None

    def get(self, group: str, kind: str) -> CrdInfo | None:
        return self.by_kind.get((group, kind))

    def schema(self, info: CrdInfo, version: str, strict: bool) -> dict[str, Any] | None:
        """The JSON Schema for one served version, converted once and cached."""
        key = (info.group, info.kind, version, strict)
        if key not in self._converted:
            raw = info.versions[version].schema
            self._converted[key] = to_json_schema(raw, strict) if raw is not None else None
        return self._converted[key]

    def validator(self, info: CrdInfo, version: str, catalog: Any) -> Any:
        """A compiled validator for one served version (its schema may $ref ObjectMeta), or
        None when the schema does not compile: then the CRD gets the finding, once."""
        key = (info.group, info.kind, version, catalog.strict)
        if key not in self._validators:
            from kubeplan.schemas import offline  # the validator library: only when validating

            try:
                compiled = catalog.compile(self.schema(info, version, catalog.strict))
            except offline.SchemaError as error:
                self._refuse_compiled(info, version, str(error), error.path)
                compiled = None
            self._validators[key] = compiled
        return self._validators[key]

    def take_late_findings(self) -> list[Finding]:
        taken, self.late_findings = self.late_findings, []
        return taken

    def _refuse_compiled(
        self, info: CrdInfo, version: str, reason: str, inside: tuple[str | int, ...]
    ) -> None:
        entry = info.versions[version]
        if entry.broken:
            return
        entry.broken = True
        self.late_findings.append(
            finding_for(
                info.source,
                INVALID_SCHEMA,
                Severity.ERROR,
                f"the schema of {info.kind}.{info.group} {version} is not valid JSON Schema:"
                f" {reason}; {info.kind} objects are not validated against it",
                (*entry.where, *inside),
            )
        )

    def _check_schema(self, resource: Resource, kind: str, entry: CrdVersion) -> None:
        """Refuse what the API server refuses in a schema (crdschema.py), at its line."""
        if entry.schema is None:
            return
        for path, message in crdschema.problems(entry.schema, entry.where):
            entry.broken = True
            self.findings.append(
                finding_for(
                    resource,
                    INVALID_SCHEMA,
                    Severity.ERROR,
                    f"{message}; {kind} objects are not validated against this schema",
                    path,
                )
            )

    def _read(self, resource: Resource) -> CrdInfo | None:
        spec = resource.body.get("spec")
        if not isinstance(spec, dict):
            return None  # schema validation reports the missing spec
        names = spec.get("names") if isinstance(spec.get("names"), dict) else {}
        group, kind = spec.get("group"), names.get("kind")
        if not isinstance(group, str) or not isinstance(kind, str):
            return None
        versions: dict[str, CrdVersion] = {}
        # apiextensions.k8s.io/v1beta1 kept one schema for all versions in spec.validation.
        shared_at = ("spec", "validation", "openAPIV3Schema")
        shared = _child(spec.get("validation"), "openAPIV3Schema")
        listed = spec.get("versions")
        if isinstance(listed, list):
            for index, entry in enumerate(listed):
                if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                    own = _child(entry.get("schema"), "openAPIV3Schema")
                    where = ("spec", "versions", index, "schema", "openAPIV3Schema")
                    versions[entry["name"]] = CrdVersion(
                        bool(entry.get("served", True)),
                        own if own is not None else shared,
                        where if own is not None else shared_at,
                    )
        elif isinstance(spec.get("version"), str):
            versions[spec["version"]] = CrdVersion(True, shared, shared_at)
        if crdvalidation.field_errors(resource.body):
            # The API server refuses this CRD (reported by apivalidation, api-* ids): no custom
            # resource of it can exist, so none is validated against its schema.
            for entry in versions.values():
                entry.broken = True
        checked: dict[tuple[str | int, ...], bool] = {}
        for entry in versions.values():
            if entry.where not in checked:  # a shared v1beta1 schema is reported once
                self._check_schema(resource, f"{kind}.{group}", entry)
                checked[entry.where] = entry.broken
            entry.broken = entry.broken or checked[entry.where]
        if not versions:
            self.findings.append(
                finding_for(
                    resource,
                    "crd-no-versions",
                    Severity.ERROR,
                    f"CustomResourceDefinition for {kind}.{group} declares no versions",
                    ("spec",),
                )
            )
        return CrdInfo(
            group, kind, spec.get("scope", "Namespaced") != "Cluster", versions, resource
        )


def _child(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def to_json_schema(schema: dict[str, Any], strict: bool) -> dict[str, Any]:
    """A CRD's structural schema as JSON Schema 2020-12 (see the module docstring)."""
    converted = _convert(schema, strict, top=True)
    converted["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return converted


def _convert(schema: Any, strict: bool, top: bool = False) -> Any:
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("properties", "patternProperties"):
            out[key] = {name: _convert(sub, strict) for name, sub in (value or {}).items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = _convert(value, strict) if isinstance(value, dict) else value
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [_convert(sub, strict) for sub in value or []]
        elif key in (
            "nullable",
            "x-kubernetes-validations",
            "description",
            "example",
            "externalDocs",
        ):
            continue
        else:
            out[key] = value
    if schema.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if schema.get("x-kubernetes-embedded-resource"):
        properties = out.setdefault("properties", {})
        properties.setdefault("apiVersion", _STRING)
        properties.setdefault("kind", _STRING)
        properties.setdefault("metadata", {"type": "object"})
    if top:
        properties = out.setdefault("properties", {})
        properties["apiVersion"] = _STRING
        properties["kind"] = _STRING
        properties["metadata"] = {"$ref": OBJECT_META_REF}
        out.setdefault("type", "object")
    if schema.get("nullable"):
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    preserve = schema.get("x-kubernetes-preserve-unknown-fields")
    if (
        strict
        and not preserve
        and "properties" in out
        and "additionalProperties" not in out
        and out.get("type") in ("object", ["object", "null"])
    ):
        out["additionalProperties"] = False
    return out
