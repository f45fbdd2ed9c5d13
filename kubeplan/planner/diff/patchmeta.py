"""Patch metadata of a field, read from the release's OpenAPI schemas: how `kubectl apply` merges it.

The Go types of k8s.io/api carry struct tags `patchStrategy:"merge"` / `patchMergeKey:"name"`
(e.g. `Containers []Container ... patchStrategy:"merge" patchMergeKey:"name"` in
staging/src/k8s.io/api/core/v1/types.go), and the OpenAPI generator copies them into every
definition as `x-kubernetes-patch-strategy` and `x-kubernetes-patch-merge-key`, beside the
server-side apply markers `x-kubernetes-list-type` and `x-kubernetes-list-map-keys`
(k8s.io/kube-openapi pkg/builder, `+listType`/`+listMapKey` markers). strategicpatch reads the
same tags through `forkedjson.LookupPatchMetadata` (staging/src/k8s.io/apimachinery/pkg/util/
strategicpatch/meta.go `PatchMetaFromStruct`). kubeplan reads them from the definitions bundled
with kubernetes-validate (`schemas/catalog.py`), so the merge keys are data, per release, never a
hand-written table.

A kind without a definition (a custom resource) has no metadata: kubectl then sends a JSON merge
patch (staging/src/k8s.io/kubectl/pkg/cmd/apply/patcher.go `buildMergePatch`: "Unstructured
objects, such as CRDs, may not have an not registered error" -> `CreateThreeWayJSONMergePatch`),
where every list is atomic and maps merge key by key; `Field.NONE` gives exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

_REF = "#/$defs/"


@dataclass(frozen=True, slots=True)
class Field:
    """Where a value sits: its schema node (resolved) and how apply merges it."""

    schema: dict[str, Any] | None
    strategies: tuple[str, ...] = ()  # x-kubernetes-patch-strategy split on ","
    merge_key: str | None = None  # x-kubernetes-patch-merge-key
    list_type: str | None = None  # x-kubernetes-list-type (server-side apply)
    map_keys: tuple[str, ...] = ()  # x-kubernetes-list-map-keys (server-side apply)

    @property
    def merges(self) -> bool:
        return "merge" in self.strategies

    @property
    def retains_keys(self) -> bool:
        return "retainKeys" in self.strategies

    @property
    def replaces(self) -> bool:
        return "replace" in self.strategies

    @property
    def is_map_type(self) -> bool:
        """A Go map (`additionalProperties`), not a struct: labels, annotations, data, ..."""
        schema = self.schema
        return bool(schema) and "additionalProperties" in schema and "properties" not in schema

    def child(self, key: str) -> Field:
        """The field `key` of this struct (or the value type of this map)."""
        schema = self.schema
        if not schema:
            return NONE
        properties = schema.get("properties")
        if isinstance(properties, dict) and key in properties:
            return _field(properties[key])
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            return _field(extra)
        return NONE

    def items(self) -> Field:
        """The element of this list."""
        schema = self.schema
        if not schema or not isinstance(schema.get("items"), dict):
            return NONE
        return _field(schema["items"])


NONE = Field(None)


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    definitions = _definitions_in_use[0]
    for _ in range(8):
        ref = node.get("$ref")
        if not isinstance(ref, str):
            all_of = node.get("allOf")
            if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], dict):
                node = {**node, **all_of[0]}
                node.pop("allOf", None)
                continue
            return node
        target = definitions.get(ref[len(_REF) :]) if ref.startswith(_REF) else None
        if not isinstance(target, dict):
            return {}
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _field(node: Any) -> Field:
    if not isinstance(node, dict):
        return NONE
    strategy = node.get("x-kubernetes-patch-strategy")
    merge_key = node.get("x-kubernetes-patch-merge-key")
    list_type = node.get("x-kubernetes-list-type")
    map_keys = node.get("x-kubernetes-list-map-keys")
    return Field(
        _resolve(node),
        tuple(strategy.split(",")) if isinstance(strategy, str) else (),
        merge_key if isinstance(merge_key, str) else None,
        list_type if isinstance(list_type, str) else None,
        tuple(map_keys) if isinstance(map_keys, list) else (),
    )


# The definitions of the release being read (set by `root`); a one-slot list, as the resolver is
# called deep inside recursions that should not carry it.
_definitions_in_use: list[dict[str, Any]] = [{}]


@cache
def _catalog_definitions(version: str) -> dict[str, Any]:
    from kubeplan.schemas.catalog import CatalogError, load_catalog

    try:
        return load_catalog(version, False).definitions
    except CatalogError:
        return {}


def root(group: str, version: str, kind: str, kubernetes_version: str) -> Field:
    """The top-level field of an object of this kind, NONE when the release has no schema for
    it (custom resources)."""
    from kubeplan.schemas.catalog import load_catalog

    definitions = _catalog_definitions(kubernetes_version)
    if not definitions:
        return NONE
    _definitions_in_use[0] = definitions
    name = load_catalog(kubernetes_version, False).definition_for(group, version, kind)
    if name is None:
        return NONE
    return _field({"$ref": _REF + name})


__all__ = ["NONE", "Field", "root"]
