"""The Kubernetes JSON schemas bundled by the `kubernetes-validate` package, per version.

Each version folder (`v1.33.0-local`, `v1.33.0-local-strict`) holds `_definitions.json`, the
OpenAPI definitions of that release converted to JSON Schema 2020-12. Every definition that is a
top-level kind carries `x-kubernetes-group-version-kind`, which is how the (group, version, kind)
triples a release serves are indexed here: from the same file the validators use, so the index
can never disagree with the schemas.

The package is located without importing it: its import pulls in pure-Python jsonschema,
which start-up does not need.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from kubeplan.errors import KubeplanError
from kubeplan.kube.versions import exact_minor
from kubeplan.schemas import offline

DEFINITIONS_URI = "https://kubernetes.io/api/_definitions.json"
_VERSION_DIR = re.compile(r"^v(\d+)\.(\d+)\.\d+-local$")

# The bundled definitions model int-or-string and quantities as `oneOf` of two nullable types,
# so a null value matches both branches and `oneOf` fails. The API server accepts null there
# (the field is unset), so these two are patched to `anyOf`.
_ONE_OF_TO_ANY_OF = (
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
    "io.k8s.apimachinery.pkg.api.resource.Quantity",
)


class CatalogError(KubeplanError):
    """The schema package is missing or a version is not bundled."""


@cache
def schema_root() -> str:
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise CatalogError(
            "the kubernetes-validate package is not installed (pip install kubernetes-validate)"
        )
    return os.path.join(next(iter(spec.submodule_search_locations)), "kubernetes-json-schema")


@cache
def bundled_versions() -> tuple[str, ...]:
    """Bundled Kubernetes minor versions, oldest first: ('1.25', ..., '1.37')."""
    found = []
    for name in os.listdir(schema_root()):
        match = _VERSION_DIR.match(name)
        if match:
            found.append((int(match.group(1)), int(match.group(2))))
    return tuple(f"{major}.{minor}" for major, minor in sorted(found))


def newest_version() -> str:
    return bundled_versions()[-1]


def normalise_version(text: str) -> str:
    """'v1.33.2' / '1.33' -> '1.33'; raises CatalogError when it is not bundled."""
    found = exact_minor(text)
    if found is None:
        raise CatalogError(f"not a Kubernetes version: {text!r} (expected e.g. 1.33)")
    version = f"{found[0]}.{found[1]}"
    if version not in bundled_versions():
        versions = bundled_versions()
        raise CatalogError(
            f"Kubernetes {version} is not bundled; choose {versions[0]} to {versions[-1]}"
        )
    return version


@dataclass
class Catalog:
    """Schemas of one Kubernetes version, strict or not, with compiled validators cached."""

    version: str
    strict: bool
    definitions: dict[str, Any]
    gvk_index: dict[tuple[str, str, str], str]  # (group, version, kind) -> definition name
    registry: Any
    _validators: dict[str, Any] = field(default_factory=dict)

    def definition_for(self, group: str, version: str, kind: str) -> str | None:
        return self.gvk_index.get((group, version, kind))

    def served_versions(self, group: str, kind: str) -> list[str]:
        """apiVersions under which this release serves `kind` (any group when none match)."""
        same_group = [
            f"{g}/{v}" if g else v for (g, v, k) in self.gvk_index if k == kind and g == group
        ]
        if same_group:
            return sorted(same_group)
        return sorted(f"{g}/{v}" if g else v for (g, v, k) in self.gvk_index if k == kind)

    def validator(self, definition: str) -> Any:
        validator = self._validators.get(definition)
        if validator is None:
            schema = {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$ref": f"{DEFINITIONS_URI}#/$defs/{definition}",
            }
            validator = offline.compile_schema(schema, self.registry)
            self._validators[definition] = validator
        return validator

    def compile(self, schema: dict[str, Any]) -> Any:
        """A validator for a schema that may `$ref` the Kubernetes definitions (CRDs); raises
        offline.SchemaError, and never retrieves anything."""
        return offline.compile_schema(schema, self.registry)


@cache
def load_catalog(version: str, strict: bool) -> Catalog:
    folder = f"v{version}.0-local" + ("-strict" if strict else "")
    path = os.path.join(schema_root(), folder, "_definitions.json")
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as error:
        raise CatalogError(f"cannot read the schemas of Kubernetes {version}: {error}") from error
    definitions: dict[str, Any] = document["$defs"]
    for name in _ONE_OF_TO_ANY_OF:
        schema = definitions.get(name)
        if schema and "oneOf" in schema:
            schema["anyOf"] = schema.pop("oneOf")
    index: dict[tuple[str, str, str], str] = {}
    for name, schema in definitions.items():
        for gvk in schema.get("x-kubernetes-group-version-kind", ()):
            index.setdefault((gvk["group"], gvk["version"], gvk["kind"]), name)
    registry = offline.registry([(DEFINITIONS_URI, document)])
    return Catalog(version, strict, definitions, index, registry)
