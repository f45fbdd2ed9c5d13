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
kubeplan sets the manifest's fields over the live object (the merge of applymerge.py with no
original: nothing removed, list entries matched by key) and then `prune`s.

The applier is `kubectl` (staging/src/k8s.io/kubectl/pkg/cmd/apply/apply.go: server-side apply's
default field manager is "kubectl"); since kubectl 1.26 a server-side apply first moves the fields
of client-side apply's manager `kubectl-client-side-apply` to it
(staging/src/k8s.io/client-go/util/csaupgrade `UpgradeManagedFields`, called from apply.go), so
both count as the applier's. Entries of a subresource count like any other: the `scale`
subresource's manager (a HorizontalPodAutoscaler's controller) owns `spec.replicas`, and the
`status` one only status fields, which no manifest applies.
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


def _difference(a: Tree, b: Tree) -> Tree:
    """The members of set `a` that are not members of set `b` (fieldpath `Set.Difference`)."""
    out: Tree = {}
    for key, sub in a.items():
        other = b.get(key)
        if other is None:
            out[key] = sub
        elif isinstance(sub, dict) and any(k != "." for k in sub):
            rest = _difference(sub, other if isinstance(other, dict) else {})
            if rest:
                out[key] = rest
    return out


def fieldset(value: Any, field: Field) -> Tree:
    """The FieldsV1 set of every field `value` sets, as server-side apply records it for the
    applier (structured-merge-diff typed `ToFieldSet`): map fields by name, entries of
    `x-kubernetes-list-type: map` lists by their keys, of `set` lists by value; atomic lists
    and scalars are leaves."""
    if isinstance(value, dict):
        return {f"f:{k}": fieldset(v, field.child(k)) for k, v in value.items() if v is not None}
    if isinstance(value, list) and field.list_type == "map" and field.map_keys:
        out: Tree = {}
        for item in value:
            if isinstance(item, dict):
                keys = {k: item.get(k, KEY_DEFAULTS.get(k)) for k in field.map_keys}
                key = "k:" + json.dumps(keys, separators=(",", ":"), sort_keys=True)
                out[key] = {".": {}, **fieldset(item, field.items())}
        return out
    if isinstance(value, list) and field.list_type == "set":
        return {"v:" + json.dumps(item, separators=(",", ":")): {} for item in value}
    return {}


def stale(owners: Owners, manifest: dict[str, Any], schema: Field) -> Tree:
    """The fields the applier owned and the new configuration no longer sets."""
    if owners.applier is None:
        return {}
    return _difference(owners.applier, fieldset(manifest, schema))


def _others(owners: Owners) -> Tree:
    union: Tree = {}
    for _, tree in owners.others:
        union = _union(union, tree)
    return union


def prune(owners: Owners, manifest: dict[str, Any], body: dict[str, Any], schema: Field) -> None:
    """Remove from `body` (in place) what the applier alone owned and the manifest dropped
    (merge/update.go `prune`: `RemoveItems` of the applier's previous set minus the new one,
    then `addBackOwnedItems`: an entry another manager owns anything in stays)."""
    _prune(body, stale(owners, manifest, schema), _others(owners))


def _prune(value: Any, gone: Tree, others: Tree, keys: frozenset[str] = frozenset()) -> None:
    """`keys`: the key fields of a list entry that stays; they stay with it."""
    if isinstance(value, dict):
        for key, sub in gone.items():
            if not key.startswith("f:") or key[2:] not in value or key[2:] in keys:
                continue
            other = others.get(key)
            if _is_leaf(sub) and "." not in (sub or {}):
                if other is None:
                    del value[key[2:]]
            else:
                _prune(value[key[2:]], sub, other if isinstance(other, dict) else {})
    elif isinstance(value, list):
        for key, sub in gone.items():
            found = _list_member(value, key)
            if found is _NOT_FOUND:
                continue
            other = others.get(key)
            whole = key.startswith("v:") or (isinstance(sub, dict) and "." in sub)
            if whole and other is None:
                value.remove(found)
            elif isinstance(sub, dict):
                named = (
                    frozenset(_key_object(key[2:]) or ()) if key.startswith("k:") else frozenset()
                )
                _prune(found, sub, other if isinstance(other, dict) else {}, named)


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


__all__ = ["APPLIERS", "Conflict", "Owners", "conflicts", "fieldset", "prune", "read", "stale"]
