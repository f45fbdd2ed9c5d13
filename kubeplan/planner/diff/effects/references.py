"""ConfigMap and Secret references in a pod template: a change under a pod template that swaps
the ConfigMap or Secret a volume, env or envFrom refers to (a Kustomize configMapGenerator
rename: a new hash-suffixed name) says so in its reason."""

from __future__ import annotations

from typing import Any

from kubeplan.planner.diff.effects.consumers import CONFIG_KINDS
from kubeplan.planner.diff.fielddiff import FieldChange

_REF_KEYS = {
    "configMap": ("ConfigMap", "name"),
    "configMapRef": ("ConfigMap", "name"),
    "configMapKeyRef": ("ConfigMap", "name"),
    "secretRef": ("Secret", "name"),
    "secretKeyRef": ("Secret", "name"),
}


def _collect_refs(node: Any, out: set[tuple[str, str]]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict):
                if key in _REF_KEYS:
                    kind, field_name = _REF_KEYS[key]
                    if isinstance(value.get(field_name), str):
                        out.add((kind, value[field_name]))
                elif key == "secret":
                    name = value.get("secretName", value.get("name"))
                    if isinstance(name, str):
                        out.add(("Secret", name))
            if isinstance(value, (dict, list)):
                _collect_refs(value, out)
    elif isinstance(node, list):
        for value in node:
            _collect_refs(value, out)


def _refs(path: tuple[str | int, ...], value: Any) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    if isinstance(value, str) and len(path) >= 2 and isinstance(path[-2], str):
        parent, key = path[-2], path[-1]
        if parent in _REF_KEYS and key == "name":
            out.add((_REF_KEYS[parent][0], value))
        elif parent == "secret" and key in ("secretName", "name"):
            out.add(("Secret", value))
    else:
        _collect_refs(value, out)
    return out


def reference_note(change: FieldChange) -> str:
    """`references ConfigMap b instead of a` when a change swaps the ConfigMaps/Secrets it
    refers to; "" otherwise."""
    old = _refs(change.path, change.old)
    new = _refs(change.path, change.new)
    notes = []
    for kind in CONFIG_KINDS:
        gone = sorted(name for k, name in old - new if k == kind)
        came = sorted(name for k, name in new - old if k == kind)
        if len(gone) == 1 and len(came) == 1:
            notes.append(f"references {kind} {came[0]} instead of {gone[0]}")
            continue
        if came:
            notes.append(f"now references {kind} {', '.join(came)}")
        if gone:
            notes.append(f"no longer references {kind} {', '.join(gone)}")
    return "; ".join(notes)
