"""Field ownership of a live object (`metadata.managedFields`), for `kubectl apply --server-side`.

Every manager that wrote an object owns a set of fields, kept by the API server in
`metadata.managedFields` (staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go
`ManagedFieldsEntry`: manager, operation Apply|Update, fieldsType "FieldsV1", fieldsV1,
subresource). `fieldsV1` is a trie serialised by sigs.k8s.io/structured-merge-diff
fieldpath/serialize-pe.go (`SerializePathElement`): each key is one path element, with a prefix:

    f:<name>        a field of a map or struct            {"f:spec": {"f:replicas": {}}}
    k:<json object> a list entry by its list-map keys     {"k:{\"name\":\"web\"}": {...}}
    v:<json value>  an entry of a set (a list of scalars)  {"v:\"example.com/finalizer\"": {}}
    i:<index>       an entry of an atomic-less list by index
    .               the path to this node is itself a member of the set

A server-side apply (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager,
structured-merge-diff merge/update.go `Updater.Apply`):
* sets every field of the applied configuration; a field whose value differs and that another
  manager owns is a conflict (merge/conflict.go), unless `--force-conflicts`, which takes it over;
* removes a field the applier owned before and the new configuration drops, unless another
  manager owns it too (`Updater.prune` on `managers[manager].Set().Difference(newSet)`);
* keeps every field it does not own.
So the original of the merge is the part of the live object owned by the applier alone.

The applier is `kubectl` (staging/src/k8s.io/kubectl/pkg/cmd/apply/apply.go: server-side apply's
default field manager is "kubectl"); since kubectl 1.26 a server-side apply first moves the fields
of client-side apply's manager `kubectl-client-side-apply` to it
(staging/src/k8s.io/client-go/util/csaupgrade `UpgradeManagedFields`, called from apply.go), so
both count as the applier's. Entries of a subresource (`status`, `scale`) own no field of the
main resource an apply writes, and are left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kubeplan.model import Resource
from kubeplan.planner.diff.patchmeta import Field

APPLIERS = ("kubectl", "kubectl-client-side-apply")
SERVER_FIELD = "metadata.managedFields"
# Defaults of list-map keys a manifest may omit (ContainerPort/ServicePort `protocol`,
# `+default="TCP"` in staging/src/k8s.io/api/core/v1/types.go).
KEY_DEFAULTS = {"protocol": "TCP"}

Tree = dict[str, Any]


@dataclass
class Owners:
    applier: Tree | None = None
    others: list[tuple[str, Tree]] = field(default_factory=list)
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class Conflict:
    path: tuple[str | int, ...]  # in the manifest
    label: str
    managers: tuple[str, ...]


def read(live: Resource) -> Owners:
    """The applier's and the other managers' field sets."""
    entries = live.server_fields.get(SERVER_FIELD)
    owners = Owners()
    if entries is None:
        return owners
    if not isinstance(entries, list):
        owners.problem = "metadata.managedFields is not a list"
        return owners
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("fieldsV1", {}), dict):
            owners.problem = "an entry of metadata.managedFields is not a FieldsV1 mapping"
            continue
        if entry.get("subresource"):
            continue
        manager = entry.get("manager")
        tree = entry.get("fieldsV1") or {}
        if manager in APPLIERS:
            owners.applier = _union(owners.applier or {}, tree)
        else:
            owners.others.append((str(manager), tree))
    return owners


def _union(a: Tree, b: Tree) -> Tree:
    out = dict(a)
    for key, sub in b.items():
        if key in out and isinstance(out[key], dict) and isinstance(sub, dict):
            out[key] = _union(out[key], sub)
        else:
            out[key] = sub
    return out


def _is_leaf(tree: Any) -> bool:
    return not isinstance(tree, dict) or not any(key != "." for key in tree)


def _minus(a: Tree, b: Tree) -> Tree:
    """The members of `a` that are not members of `b` (leaves compared as paths)."""
    out: Tree = {}
    for key, sub in a.items():
        if key == ".":
            continue
        other = b.get(key)
        if other is None:
            out[key] = sub
        elif not _is_leaf(sub):
            rest = _minus(sub, other if isinstance(other, dict) else {})
            if rest:
                out[key] = rest
        # a leaf both own: shared, so not the applier's alone
    return out


def owned_only_by_applier(owners: Owners, live: dict[str, Any], schema: Field) -> dict[str, Any]:
    """The part of the live object that the applier alone owns: the original of the merge."""
    if owners.applier is None:
        return {}
    tree = owners.applier
    for _, other in owners.others:
        tree = _minus(tree, other)
    projected = _project(live, tree)
    return projected if isinstance(projected, dict) else {}


def _key_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _matches(item: Any, keys: dict[str, Any]) -> bool:
    return isinstance(item, dict) and all(
        item.get(k, KEY_DEFAULTS.get(k)) == v for k, v in keys.items()
    )


def _project(value: Any, tree: Any) -> Any:
    """The members of `tree` taken from `value` (a leaf takes the value whole)."""
    if _is_leaf(tree):
        return value
    if isinstance(value, dict):
        out = {}
        for key, sub in tree.items():
            if key.startswith("f:") and key[2:] in value:
                out[key[2:]] = _project(value[key[2:]], sub)
        return out
    if isinstance(value, list):
        items = []
        for key, sub in tree.items():
            found = _list_member(value, key)
            if found is not _NOT_FOUND:
                item = _project(found, sub)
                if key.startswith("k:") and isinstance(item, dict) and isinstance(found, dict):
                    keys = _key_object(key[2:]) or {}
                    item = {**{k: found[k] for k in keys if k in found}, **item}
                items.append(item)
        return items
    return value


_NOT_FOUND: Any = object()


def _list_member(items: list[Any], key: str) -> Any:
    if key.startswith("k:"):
        keys = _key_object(key[2:])
        if keys is not None:
            return next((item for item in items if _matches(item, keys)), _NOT_FOUND)
    elif key.startswith("v:"):
        try:
            wanted = json.loads(key[2:])
        except ValueError:
            return _NOT_FOUND
        return wanted if wanted in items else _NOT_FOUND
    elif key.startswith("i:") and key[2:].isdigit():
        index = int(key[2:])
        return items[index] if index < len(items) else _NOT_FOUND
    return _NOT_FOUND


def conflicts(
    owners: Owners, manifest: dict[str, Any], live: dict[str, Any], schema: Field
) -> list[Conflict]:
    """Fields the manifest sets to another value than the live one, that another manager owns."""
    found: dict[tuple[str | int, ...], tuple[str, list[str]]] = {}
    for manager, tree in owners.others:
        for path, label in _differing(manifest, live, tree, (), "", schema):
            found.setdefault(path, (label, []))[1].append(manager)
    return [Conflict(path, label, tuple(names)) for path, (label, names) in found.items()]


def _label(label: str, key: str) -> str:
    return f"{label}.{key}" if label else key


def _differing(
    new: Any, live: Any, tree: Any, path: tuple[str | int, ...], label: str, schema: Field
) -> list[tuple[tuple[str | int, ...], str]]:
    """Paths of `new` that `tree` owns and whose value differs from `live`'s."""
    if _is_leaf(tree):
        return [] if new == live else [(path, label)]
    out: list[tuple[tuple[str | int, ...], str]] = []
    if isinstance(new, dict) and isinstance(live, dict):
        for key, value in new.items():
            sub = tree.get(f"f:{key}")
            if sub is not None and value is not None:
                child = schema.child(key)
                out += _differing(
                    value, live.get(key), sub, (*path, key), _label(label, key), child
                )
    elif isinstance(new, list) and isinstance(live, list) and schema.list_type == "map":
        element = schema.items()
        for index, item in enumerate(new):
            if not isinstance(item, dict):
                continue
            sub, keys = _owned_entry(tree, item)
            live_item = next((x for x in live if _matches(x, keys)), None)
            if sub is not None and live_item is not None:
                name = "/".join(str(v) for v in keys.values())
                out += _differing(item, live_item, sub, (*path, index), f"{label}[{name}]", element)
    elif new != live and schema.list_type != "set":
        out.append((path, label))
    return out


def _owned_entry(tree: Tree, item: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The subtree of the `k:` member that names `item`, and its keys."""
    for key, sub in tree.items():
        if key.startswith("k:"):
            keys = _key_object(key[2:])
            if keys and _matches(item, keys):
                return sub, keys
    return None, {}


__all__ = ["APPLIERS", "Conflict", "Owners", "conflicts", "owned_only_by_applier", "read"]
