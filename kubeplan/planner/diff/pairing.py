"""Pair the objects of a base revision with those of the new one.

`pair(base, new)` returns one `Pair` per object identity: `create`, `delete`, `update` or
`unchanged`. Objects are paired by (group, kind, namespace, name), so an object that moved to
another file, or whose apiVersion moved within its group (`autoscaling/v2beta2` -> `v2`), is the
same object. Cluster-scoped kinds pair without a namespace (the loader already set it to None).

Groups that share storage
    The API server stores some kinds of the retired `extensions` group in the same place as their
    successors, so `extensions/v1beta1` Deployment `web` and `apps/v1` Deployment `web` are one
    object read through two APIs: pkg/kubeapiserver/default_storage_factory_builder.go
    (kubernetes/kubernetes) calls `AddCohabitatingResources` for networkpolicies
    (networking.k8s.io, extensions), deployments, daemonsets and replicasets (apps, extensions),
    events (core, events.k8s.io), podsecuritypolicies (policy, extensions) and ingresses
    (networking.k8s.io, extensions); the deprecation guide (kubernetes/website
    docs/reference/using-api/deprecation-guide.md, #deployment-v116, #daemonset-v116,
    #replicaset-v116, #networkpolicy-v116, #psp-v116, #ingress-v122) gives the same migrations.
    `COHABITING` maps each old group to the one kubeplan pairs under. (The extensions workload
    defaults differed from apps/v1; see data/defaults.yaml: such a move can show default fields.)

Update or unchanged
    Both sides go through `normalise.normalise` and are compared whole, apart from `apiVersion`:
    an object that only moved to another version of its group is `unchanged`
    (`Pair.api_version_changed` says so). `Pair.changes()` gives the field differences.

Renames
    When an object is deleted and a very similar one of the same kind and namespace is created, the
    create gets `renamed_from`: applying it creates a new object and deleting the old one removes
    the old one, which for a workload means new pods, not an update in place. The measure: each
    normalised body is flattened to its leaves, the set of (path, scalar value) pairs (list
    elements by index, `apiVersion`, `metadata.name` and `metadata.namespace` left out), and
    similarity = |common leaves| / max(|leaves of old|, |leaves of new|), i.e. the share of fields
    that are equal, counted on the larger object. A pair at or above `RENAME_SIMILARITY` (0.8) is a
    rename candidate; candidates are matched greedily, most similar first, each object at most
    once, ties by name. Only deleted and created objects of the same kind and namespace are
    compared. When a kind and namespace have more than `EXACT_PAIRS_LIMIT` deleted x created
    combinations, only pairs that share a field value at most `RARE_LEAF` objects have are scored,
    which keeps the search near-linear (objects that share only common values are clones, and a
    rename among clones could not be told anyway).

Against a live object
    When the base object comes from a `kubectl get -o yaml` dump, `pair(..., applied=...)` is given
    a function (`liveapply.LiveApply`) that returns the body the live object will have after the
    apply: the new side is that body, not the manifest, so fields and list entries the manifest
    does not own (a token volume, a LimitRange's resources, a server default) are not changes.
    Field paths still point into the manifest: `Pair.changes()` maps the index of an entry of a
    keyed list in the merged body to its index in the manifest, through the change's label.

Objects without a name (`generateName`) cannot be paired: in the new revision they are `create`
(every apply makes another one); in the base they are left out.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from kubeplan.model import Resource
from kubeplan.planner.diff.fielddiff import FieldChange, diff
from kubeplan.planner.diff.normalise import normalise

CREATE, DELETE, UPDATE, UNCHANGED = "create", "delete", "update", "unchanged"

# (group, kind) -> the group the object is stored and paired under (see the module docstring).
COHABITING: dict[tuple[str, str], str] = {
    ("extensions", "Deployment"): "apps",
    ("extensions", "DaemonSet"): "apps",
    ("extensions", "ReplicaSet"): "apps",
    ("extensions", "NetworkPolicy"): "networking.k8s.io",
    ("extensions", "Ingress"): "networking.k8s.io",
    ("extensions", "PodSecurityPolicy"): "policy",
    ("events.k8s.io", "Event"): "",
}

RENAME_SIMILARITY = 0.8
EXACT_PAIRS_LIMIT = 4096
RARE_LEAF = 16
_SKIP_LEAVES = {("apiVersion",), ("metadata", "name"), ("metadata", "namespace")}

Key = tuple[str, str, str | None, str]
_UNSET: Any = object()


@dataclass(slots=True)
class Pair:
    """One object across the two revisions.

    `old_body` / `new_body` are the normalised bodies (None on the side where the object is
    absent), computed on first use for objects whose text did not change; `similarity` is set
    with `renamed_from`.
    """

    action: str  # create | delete | update | unchanged
    old: Resource | None
    new: Resource | None
    renamed_from: Resource | None = None
    similarity: float | None = None
    _old_body: Any = field(default=_UNSET, repr=False)
    _new_body: Any = field(default=_UNSET, repr=False)
    # The normalised manifest, when the new body is a merge with a live object (see the module doc)
    _manifest_body: Any = field(default=None, repr=False)

    @property
    def old_body(self) -> dict[str, Any] | None:
        if self._old_body is _UNSET:
            self._old_body = normalise(self.old) if self.old is not None else None
        return self._old_body

    @property
    def new_body(self) -> dict[str, Any] | None:
        if self._new_body is _UNSET:
            self._new_body = normalise(self.new) if self.new is not None else None
        return self._new_body

    @property
    def resource(self) -> Resource:
        """The object as it will be (the old one for a delete)."""
        resource = self.new if self.new is not None else self.old
        assert resource is not None
        return resource

    @property
    def api_version_changed(self) -> bool:
        return (
            self.old is not None
            and self.new is not None
            and self.old.api_version != self.new.api_version
        )

    def changes(self) -> list[FieldChange]:
        """Field differences of an update (apiVersion aside); empty for the other actions."""
        if self.action != UPDATE or self.old_body is None or self.new_body is None:
            return []
        changes = [c for c in diff(self.old_body, self.new_body) if c.path != ("apiVersion",)]
        if self._manifest_body is not None and any(_has_index(c.path) for c in changes):
            changes = _in_manifest(changes, diff(self.old_body, self._manifest_body))
        return changes


def _has_index(path: tuple[Any, ...]) -> bool:
    return any(type(part) is int for part in path)


def _in_manifest(changes: list[FieldChange], plain: list[FieldChange]) -> list[FieldChange]:
    """`changes` with the paths of the same fields (same labels) in the manifest's diff, so a
    keyed-list index is the entry's index in the manifest, as every other path is."""
    paths = {c.label: c.path for c in plain}
    return [
        replace(c, path=paths[c.label]) if _has_index(c.path) and c.label in paths else c
        for c in changes
    ]


def pairing_group(group: str, kind: str) -> str:
    """The group an object is paired under (`extensions` Deployment -> `apps`)."""
    return COHABITING.get((group, kind), group)


def pair_key(resource: Resource) -> Key:
    kind = resource.kind
    return (pairing_group(resource.group, kind), kind, resource.namespace, resource.name or "")


def _without_api_version(body: Any) -> Any:
    if isinstance(body, dict) and "apiVersion" in body:
        return {k: v for k, v in body.items() if k != "apiVersion"}
    return body


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small dicts: bodies are trees
    (reference counting frees them), and the collector's passes over the growing heap cost a
    third of the time at 10,000 objects. The previous state is restored."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


Applied = Callable[[Resource, Resource], dict[str, Any] | None]


def pair(base: list[Resource], new: list[Resource], applied: Applied | None = None) -> list[Pair]:
    """Pair two revisions (see the module docstring). New-revision order first, then deletes
    in base order. When an identity is defined twice on one side the later definition is used,
    as it wins on apply. `applied(live, manifest)` gives the body a live object will have after
    the apply (None: compare with the manifest)."""
    old_by_key: dict[Key, Resource] = {}
    for resource in base:
        if resource.name:
            old_by_key[pair_key(resource)] = resource
    new_by_key: dict[Key, Resource] = {}
    unnamed: list[Resource] = []
    for resource in new:
        if resource.name:
            new_by_key[pair_key(resource)] = resource
        else:
            unnamed.append(resource)

    pairs: list[Pair] = []
    created: list[Pair] = []
    with gc_paused():
        for key, resource in new_by_key.items():
            old_resource = old_by_key.get(key)
            if old_resource is None:
                item = Pair(CREATE, None, resource)
                created.append(item)
            elif old_resource.body == resource.body:  # same text: no need to normalise
                item = Pair(UNCHANGED, old_resource, resource)
            else:
                item = _compared(old_resource, resource, applied)
            pairs.append(item)
        pairs.extend(Pair(CREATE, None, resource) for resource in unnamed)
        deleted = [
            Pair(DELETE, resource, None)
            for key, resource in old_by_key.items()
            if key not in new_by_key
        ]
        _find_renames(deleted, created)
    pairs.extend(deleted)
    return pairs


def _compared(old: Resource, new: Resource, applied: Applied | None) -> Pair:
    """An update or unchanged pair; against a live object, the new side is the applied body."""
    merged = applied(old, new) if applied is not None else None
    old_body = normalise(old)
    manifest_body = normalise(new)
    new_body = manifest_body
    if merged is not None:
        new_body = normalise(replace(new, body=merged, memo={}))
    same = _without_api_version(old_body) == _without_api_version(new_body)
    return Pair(
        UNCHANGED if same else UPDATE,
        old,
        new,
        _old_body=old_body,
        _new_body=new_body,
        _manifest_body=manifest_body if merged is not None else None,
    )


# ---------------------------------------------------------------------------------------------
# Rename detection


def leaves(body: Any) -> frozenset[tuple[tuple[Any, ...], Any]]:
    """(path, scalar) pairs of a body; empty mappings and lists count as one leaf each."""
    out: set[tuple[tuple[Any, ...], Any]] = set()
    stack: list[tuple[tuple[Any, ...], Any]] = [((), body)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            if not value:
                out.add((path, "{}"))
            for key, child in value.items():
                child_path = (*path, key)
                if child_path not in _SKIP_LEAVES:
                    stack.append((child_path, child))
        elif isinstance(value, list):
            if not value:
                out.add((path, "[]"))
            for index, child in enumerate(value):
                stack.append(((*path, index), child))
        else:
            out.add((path, (type(value).__name__, value)))
    return frozenset(out)


def similarity(a: frozenset[Any], b: frozenset[Any]) -> float:
    """Share of equal fields, counted on the larger of the two."""
    larger = max(len(a), len(b))
    return len(a & b) / larger if larger else 1.0


def _find_renames(deleted: list[Pair], created: list[Pair]) -> None:
    buckets: dict[tuple[str, str, str | None], tuple[list[Pair], list[Pair]]] = defaultdict(
        lambda: ([], [])
    )
    for item in deleted:
        key = pair_key(item.resource)
        buckets[key[:3]][0].append(item)
    for item in created:
        key = pair_key(item.resource)
        if key[:3] in buckets:
            buckets[key[:3]][1].append(item)
    for gone, came in buckets.values():
        if gone and came:
            _match_bucket(gone, came)


def _match_bucket(gone: list[Pair], came: list[Pair]) -> None:
    gone_leaves = [leaves(item.old_body) for item in gone]
    came_leaves = [leaves(item.new_body) for item in came]
    if len(gone) * len(came) <= EXACT_PAIRS_LIMIT:
        candidates = [(i, j) for i in range(len(gone)) for j in range(len(came))]
    else:
        candidates = _rare_leaf_candidates(gone_leaves, came_leaves)
    scored: list[tuple[float, str, str, int, int]] = []
    for i, j in candidates:
        a, b = gone_leaves[i], came_leaves[j]
        small, large = sorted((len(a), len(b)))
        if large and small / large < RENAME_SIMILARITY:
            continue  # cannot reach the threshold
        score = similarity(a, b)
        if score >= RENAME_SIMILARITY:
            scored.append((-score, gone[i].resource.name or "", came[j].resource.name or "", i, j))
    scored.sort()
    used_gone: set[int] = set()
    used_came: set[int] = set()
    for negative_score, _, _, i, j in scored:
        if i in used_gone or j in used_came:
            continue
        used_gone.add(i)
        used_came.add(j)
        came[j].renamed_from = gone[i].old
        came[j].similarity = round(-negative_score, 4)


def _rare_leaf_candidates(
    gone_leaves: list[frozenset[Any]], came_leaves: list[frozenset[Any]]
) -> list[tuple[int, int]]:
    postings: dict[Any, list[int]] = defaultdict(list)
    for i, items in enumerate(gone_leaves):
        for leaf in items:
            postings[leaf].append(i)
    candidates: set[tuple[int, int]] = set()
    for j, items in enumerate(came_leaves):
        for leaf in items:
            posting = postings.get(leaf)
            if posting is not None and len(posting) <= RARE_LEAF:
                for i in posting:
                    candidates.add((i, j))
    return sorted(candidates)


__all__ = [
    "COHABITING",
    "CREATE",
    "DELETE",
    "RENAME_SIMILARITY",
    "UNCHANGED",
    "UPDATE",
    "Pair",
    "leaves",
    "pair",
    "pair_key",
    "pairing_group",
    "similarity",
]
