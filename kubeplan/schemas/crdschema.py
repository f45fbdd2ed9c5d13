"""What the API server refuses in a CustomResourceDefinition's `openAPIV3Schema` before
kubeplan would compile it.

Source: k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go.
`ValidateCustomResourceDefinitionOpenAPISchema` walks every subschema (properties,
additionalProperties, patternProperties, additionalItems, not, allOf, oneOf, anyOf,
definitions, items, dependencies) and calls `specStandardValidatorV3.validate` on each, which
refuses (among others):

- `$ref`: `field.Forbidden(fldPath.Child("$ref"), "$ref is not supported")`;
- a `type` outside `openapiV3Types` ("string", "number", "integer", "boolean", "array",
  "object"): `field.NotSupported(fldPath.Child("type"), ...)`.

A subschema that is not a mapping does not decode into JSONSchemaProps at all. kubeplan
reports each of these at its line and does not validate custom resources against such a
schema: a `$ref` is never followed (nothing is retrieved, see offline.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

OPENAPI_V3_TYPES = ("string", "number", "integer", "boolean", "array", "object")
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions", "dependencies")
_SCHEMA_ONES = ("additionalProperties", "additionalItems", "not")
_SCHEMA_LISTS = ("allOf", "oneOf", "anyOf")

Path = tuple[str | int, ...]


def problems(schema: Any, at: Path) -> Iterator[tuple[Path, str]]:
    """(path, message) of every refused construct in `schema`, walked without recursion."""
    stack: list[tuple[Any, Path]] = [(schema, at)]
    while stack:
        node, path = stack.pop()
        if not isinstance(node, dict):
            yield path, f"a schema must be a mapping, not {_type_name(node)}"
            continue
        yield from _own_problems(node, path)
        stack.extend(reversed(list(_subschemas(node, path))))


def _own_problems(node: dict[str, Any], path: Path) -> Iterator[tuple[Path, str]]:
    if "$ref" in node:
        yield (
            (*path, "$ref"),
            "$ref is not supported in a CustomResourceDefinition schema (the API server"
            " refuses it; kubeplan never retrieves schemas)",
        )
    kind = node.get("type")
    if kind is not None and kind not in OPENAPI_V3_TYPES:
        shown = repr(kind) if isinstance(kind, str) else _type_name(kind)
        yield (
            (*path, "type"),
            f"type {shown} is not supported: use one of {', '.join(OPENAPI_V3_TYPES)}",
        )


def _subschemas(node: dict[str, Any], path: Path) -> Iterator[tuple[Any, Path]]:
    for key in _SCHEMA_MAPS:
        value = node.get(key)
        if isinstance(value, dict):
            for name, sub in value.items():
                # dependencies may also be a list of property names (JSONSchemaPropsOrStringArray)
                if key == "dependencies" and isinstance(sub, list):
                    continue
                yield sub, (*path, key, name)
        elif value is not None:
            yield value, (*path, key)
    for key in _SCHEMA_ONES:
        value = node.get(key)
        # additionalProperties / additionalItems may be a boolean (JSONSchemaPropsOrBool)
        if value is not None and not isinstance(value, bool):
            yield value, (*path, key)
    for key in _SCHEMA_LISTS:
        value = node.get(key)
        if isinstance(value, list):
            yield from ((sub, (*path, key, i)) for i, sub in enumerate(value))
        elif value is not None:
            yield value, (*path, key)
    items = node.get("items")
    if isinstance(items, list):  # JSONSchemaPropsOrArray
        yield from ((sub, (*path, "items", i)) for i, sub in enumerate(items))
    elif items is not None:
        yield items, (*path, "items")


def _type_name(value: Any) -> str:
    return {
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a mapping",
        type(None): "null",
    }.get(type(value), type(value).__name__)
