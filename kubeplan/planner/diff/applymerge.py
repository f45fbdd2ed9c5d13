"""The object `kubectl apply` leaves in the cluster: client-side apply's three-way merge.

`merged(original, modified, current, field)` is the live object after client-side
`kubectl apply`, computed directly rather than as a patch that is then applied. Source:
staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go (kubernetes/kubernetes):

* `CreateThreeWayMergePatch(original, modified, current)`: original is the last-applied
  configuration (the `kubectl.kubernetes.io/last-applied-configuration` annotation), modified
  the manifest, current the live object. The patch is `deltaMap` = `diffMaps(current, modified,
  IgnoreDeletions)` (every field the manifest sets, at the manifest's value) merged with
  `deletionsMap` = `diffMaps(original, modified, IgnoreChangesAndAdditions)` (every field the
  last-applied configuration had and the manifest no longer has, set to null / `$patch: delete`
  / `$deleteFromPrimitiveList`). A field of the live object in neither is not in the patch: it
  is kept (patch_test.go `TestThreeWayMergePatch`, cases "Delete map key ... not in original
  leaves it", "Add item to list set by server").
* `diffMaps`: a null in the manifest deletes the field; two maps recurse unless the field's
  patch strategy is `replace`; `retainKeys` (`DeploymentSpec.Strategy`, `Volume` sources) adds
  `$retainKeys` with the manifest's keys when the map changes, and the server then clears every
  other key (`mergeMap` -> `applyRetainKeysDirective`).
* `handleSliceDiff`: a list merges only when its patch strategy is `merge`: maps by
  `patchMergeKey` (`diffListsOfMaps`), scalars as a set (`diffListsOfScalars`); every other list
  is replaced whole (`replacePatchFieldIfNotEqual`).
* Order (`diffLists` -> `$setElementOrder`, server side `normalizeElementOrder` and
  `mergeSortedSlice`): the manifest's entries take the manifest's order, and entries only the
  server has are interleaved by their place in the live list.

Without a last-applied configuration kubectl uses an empty original (apply.go warns "... is
missing the kubectl.kubernetes.io/last-applied-configuration annotation ... will be patched
automatically"): nothing is deleted, and what the manifest does not mention is kept. kubeplan
models exactly that, and says so in the diff's notes.

Lists whose entries lack the merge key or repeat a key cannot be merged by strategicpatch
(`validateMergeKeyInLists` -> `ErrNoMergeKey`; kubectl apply fails); kubeplan then takes the
manifest's list whole, as the replace it would be for a valid list.
"""

from __future__ import annotations

from typing import Any

from kubeplan.planner.diff.patchmeta import NONE, Field

_MISSING: Any = object()


def merged(
    original: dict[str, Any], modified: dict[str, Any], current: dict[str, Any], field: Field
) -> dict[str, Any]:
    """The live object after applying `modified` over `current` with `original` as the
    last-applied configuration ({} when there is none). Inputs are not modified."""
    return _merge_map(original, modified, current, field)


def _merge_map(
    original: dict[str, Any], modified: dict[str, Any], current: dict[str, Any], field: Field
) -> dict[str, Any]:
    result = dict(current)
    for key, new in modified.items():
        if new is None:  # diffMaps: a null is a deletion
            result.pop(key, None)
            continue
        result[key] = _merge_value(
            original.get(key, _MISSING), new, current.get(key, _MISSING), field.child(key)
        )
    for key in original:  # deletionsMap: in the last-applied configuration, not in the manifest
        if key not in modified:
            result.pop(key, None)
    return result


def _merge_value(original: Any, new: Any, current: Any, field: Field) -> Any:
    if isinstance(new, dict) and isinstance(current, dict) and not field.replaces:
        before = original if isinstance(original, dict) else {}
        value = _merge_map(before, new, current, field)
        if field.retains_keys and value != current:
            # applyRetainKeysDirective: keys not in $retainKeys (the manifest's) are cleared
            value = {k: v for k, v in value.items() if k in new}
        return value
    if isinstance(new, list) and isinstance(current, list) and field.merges:
        before = original if isinstance(original, list) else []
        return _merge_list(before, new, current, field)
    return new


def _merge_list(original: list[Any], new: list[Any], current: list[Any], field: Field) -> list[Any]:
    key = field.merge_key
    if all(not isinstance(item, (dict, list)) for item in (*new, *current)):
        # diffListsOfScalars / mergeSlice of primitives: a set; the manifest's entries, plus the
        # live entries the last-applied configuration never had.
        kept = [item for item in current if item not in new and item not in original]
        return _interleave(kept, list(new), current, lambda item: item)  # `append` keeps the view
    if key is None:
        return new
    new_keys = _keys(new, key)
    current_keys = _keys(current, key)
    if new_keys is None or current_keys is None:
        return new
    original_by_key = {
        k: item for k, item in zip(_keys(original, key) or [], original, strict=False)
    }
    current_by_key = dict(zip(current_keys, current, strict=True))
    element = field.items()
    patched = []
    for item_key, item in zip(new_keys, new, strict=True):
        live = current_by_key.get(item_key)
        if isinstance(live, dict):
            before = original_by_key.get(item_key)
            patched.append(
                _merge_map(before if isinstance(before, dict) else {}, item, live, element)
            )
        else:
            patched.append(item)
    server_only = [
        item
        for item_key, item in zip(current_keys, current, strict=True)
        if item_key not in new_keys and item_key not in original_by_key
    ]
    return _interleave(
        server_only,
        patched,
        _server_view(current, current_keys, new_keys, original_by_key, patched, key),
        lambda item: _key_of(item, key),
    )


def _server_view(
    current: list[Any],
    current_keys: list[Any],
    new_keys: list[Any],
    original_by_key: dict[Any, Any],
    patched: list[Any],
    key: str,
) -> list[Any]:
    """The live list as `normalizeElementOrder` sees it when it places server-only entries.

    `mergePatchIntoOriginal` passes the live list's slice header (`originalFieldValue`), whose
    backing array `mergeSlice` has already rewritten in place: `deleteMatchingEntries` shifts the
    surviving entries left and `mergeSliceWithoutSpecialElements` appends the new entries into the
    room that freed. So the view is (live entries not deleted, then new entries in the manifest's
    order), cut to the live list's length. patch_test.go "add map and delete map from merging
    list" ([2, 4, 3]) and "delete missing map from merging list with conflict" ([2, 3]) depend
    on it."""
    deleted = {k for k in current_keys if k not in new_keys and k in original_by_key}
    remaining = [item for k, item in zip(current_keys, current, strict=True) if k not in deleted]
    current_set = set(current_keys)
    added = [item for item in patched if _key_of(item, key) not in current_set]
    return (remaining + added)[: len(current)]


def _keys(items: list[Any], key: str) -> list[Any] | None:
    """The merge-key values of a list of maps; None when one lacks it or two share it."""
    out = []
    for item in items:
        if not isinstance(item, dict) or key not in item or isinstance(item[key], (dict, list)):
            return None
        out.append(item[key])
    return out if len(set(map(repr, out))) == len(out) else None


def _key_of(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else item


def _interleave(left: list[Any], right: list[Any], server: list[Any], key_of: Any) -> list[Any]:
    """strategicpatch `mergeSortedSlice`: server-only entries (`left`) go in before the first
    patch entry (`right`) that comes after them in `server` (the live list as the server sees it,
    `_server_view`); an entry not in it never goes first; relative orders are kept."""
    order = {repr(key_of(item)): index for index, item in enumerate(server)}
    out: list[Any] = []
    i = j = 0
    while i < len(left) or j < len(right):
        if j >= len(right):
            out.append(left[i])
            i += 1
        elif i >= len(left):
            out.append(right[j])
            j += 1
        else:
            li = order.get(repr(key_of(left[i])))
            ri = order.get(repr(key_of(right[j])))
            if li is not None and ri is not None and li < ri:
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out


__all__ = ["NONE", "merged"]
