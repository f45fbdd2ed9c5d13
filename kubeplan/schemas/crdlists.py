"""Duplicates in the lists of a custom resource that its CRD declares `set` or `map`.

Source: apiextensions-apiserver pkg/apiserver/schema/listtype/validation.go
(`ValidateListSetsAndMaps`, run on every custom resource write by the CR strategy's Validate):
- `x-kubernetes-list-type: set`: two equal items are `field.Duplicate(fldPath.Index(i), item)`;
- `x-kubernetes-list-type: map`: two items with the same values of `x-kubernetes-list-map-keys`
  are `field.Duplicate(fldPath.Index(i), {key: value...})` (a key left out counts as its schema
  default, else as absent).
The error is at the later item. Nested lists are checked wherever the schema reaches them.
"""

from __future__ import annotations

import json
from typing import Any

from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.field import FieldError


def duplicates(schema: Any, value: Any, at: Path = ()) -> list[FieldError]:
    """Every duplicate set item or list-map key in `value`, walked with `schema`."""
    errors: list[FieldError] = []
    stack: list[tuple[Any, Any, Path]] = [(schema, value, at)]
    while stack:
        node, data, path = stack.pop()
        if not isinstance(node, dict):
            continue
        if isinstance(data, dict):
            properties = node.get("properties") if isinstance(node.get("properties"), dict) else {}
            extra = node.get("additionalProperties")
            for key, sub in data.items():
                child = properties.get(key, extra if isinstance(extra, dict) else None)
                if child is not None:
                    stack.append((child, sub, (*path, key)))
        elif isinstance(data, list):
            errors.extend(_list_errors(node, data, path))
            items = node.get("items")
            if isinstance(items, dict):
                stack.extend((items, sub, (*path, i)) for i, sub in enumerate(data))
    return errors


def _list_errors(node: dict[str, Any], data: list[Any], path: Path) -> list[FieldError]:
    list_type = node.get("x-kubernetes-list-type")
    if list_type == "set":
        return _set_errors(data, path)
    if list_type == "map":
        keys = node.get("x-kubernetes-list-map-keys")
        items = node.get("items") if isinstance(node.get("items"), dict) else {}
        if isinstance(keys, list) and keys:
            return _map_errors(data, [k for k in keys if isinstance(k, str)], items, path)
    return []


def _set_errors(data: list[Any], path: Path) -> list[FieldError]:
    seen: set[str] = set()
    errors = []
    for index, item in enumerate(data):
        key = json.dumps(item, sort_keys=True, default=str)
        if key in seen:
            errors.append(field.duplicate((*path, index), item))
        seen.add(key)
    return errors


def _map_errors(
    data: list[Any], keys: list[str], items: dict[str, Any], path: Path
) -> list[FieldError]:
    properties = items.get("properties") if isinstance(items.get("properties"), dict) else {}
    seen: set[str] = set()
    errors = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            continue  # the schema reports an item that is not an object
        values = {}
        for key in keys:
            if key in item:
                values[key] = item[key]
            elif isinstance(properties.get(key), dict) and "default" in properties[key]:
                values[key] = properties[key]["default"]
        identity = json.dumps(values, sort_keys=True, default=str)
        if identity in seen:
            errors.append(field.duplicate((*path, index), values))
        seen.add(identity)
    return errors
