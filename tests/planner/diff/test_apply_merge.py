"""Client-side apply's three-way merge (planner/diff/applymerge.py), case by case.

The `mergingList` cases are ported from kubernetes/kubernetes
staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go
(`strategicMergePatchRawTestCases`, run by `TestStrategicMergePatch` -> `testThreeWayPatch`):
Original (the last-applied configuration), Modified (the manifest), Current (the live object)
and the Result after the three-way patch is applied. The Go test's `mergeItem` struct tags
`mergingList` `patchStrategy:"merge" patchMergeKey:"name"` and `nonMergingList` without a
strategy; here the same metadata is given as a schema, as the bundled OpenAPI documents give it.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from kubeplan.planner.diff import patchmeta
from kubeplan.planner.diff.applymerge import merged
from kubeplan.planner.diff.patchmeta import Field

# patch_test.go `mergeItem`: mergingList merges by name; nonMergingList is atomic.
_ITEM: dict[str, Any] = {"type": "object", "properties": {}}
_ITEM["properties"]["mergingList"] = {
    "type": "array",
    "items": _ITEM,
    "x-kubernetes-patch-strategy": "merge",
    "x-kubernetes-patch-merge-key": "name",
}
_ITEM["properties"]["nonMergingList"] = {"type": "array", "items": _ITEM}
_ITEM["properties"]["mergingIntList"] = {
    "type": "array",
    "items": {"type": "integer"},
    "x-kubernetes-patch-strategy": "merge",
}
MERGE_ITEM = Field(_ITEM)

CASES = {
    # Description in patch_test.go: (original, modified, current, result)
    "replace map field value in merging list with conflict": (
        "mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]",
        "mergingList: [{name: 1, value: a}, {name: 2, value: 2}]",
        "mergingList: [{name: 1, value: 3, other: a}, {name: 2, value: 2, other: b}]",
        "mergingList: [{name: 1, value: a, other: a}, {name: 2, value: 2, other: b}]",
    ),
    "delete map from merging list": (
        "mergingList: [{name: 1}, {name: 2}]",
        "mergingList: [{name: 2}]",
        "mergingList: [{name: 1}, {name: 2, other: b}]",
        "mergingList: [{name: 2, other: b}]",
    ),
    "delete missing map from merging list with conflict": (
        "mergingList: [{name: 1}, {name: 2}]",
        "mergingList: [{name: 2}]",
        "mergingList: [{name: 3, other: a}]",
        "mergingList: [{name: 2}, {name: 3, other: a}]",
    ),
    "add map and delete map from merging list": (
        "mergingList: [{name: 1}, {name: 2}]",
        "mergingList: [{name: 2}, {name: 3}]",
        "mergingList: [{name: 1}, {name: 2, other: b}, {name: 4, other: c}]",
        "mergingList: [{name: 2, other: b}, {name: 4, other: c}, {name: 3}]",
    ),
    "add map and delete map from merging list with conflict": (
        "mergingList: [{name: 1}, {name: 2}]",
        "mergingList: [{name: 2}, {name: 3}]",
        "mergingList: [{name: 1, other: a}, {name: 4, other: c}]",
        "mergingList: [{name: 4, other: c}, {name: 2}, {name: 3}]",
    ),
    "delete field from map in merging list": (
        "mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]",
        "mergingList: [{name: 1}, {name: 2, value: 2}]",
        "mergingList: [{name: 1, value: 1, other: a}, {name: 2, value: 2, other: b}]",
        "mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]",
    ),
    "delete missing field from map in merging list with conflict": (
        "mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]",
        "mergingList: [{name: 1}, {name: 2, value: 2}]",
        "mergingList: [{name: 1, other: a}, {name: 2, other: b}]",
        "mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]",
    ),
    "replace non merging list nested in merging list with value conflict": (
        "mergingList: [{name: 1, nonMergingList: [{name: 1}, {name: 2, value: 2}]}, {name: 2}]",
        "mergingList: [{name: 1, nonMergingList: [{name: 1, value: 1}]}, {name: 2}]",
        "mergingList: [{name: 1, other: a, nonMergingList: [{name: 1, value: c}]},"
        " {name: 2, other: b}]",
        "mergingList: [{name: 1, other: a, nonMergingList: [{name: 1, value: 1}]},"
        " {name: 2, other: b}]",
    ),
    "add field to map in merging list nested in merging list with deletion conflict": (
        "mergingList: [{name: 1, mergingList: [{name: 1}, {name: 2, value: 2}]}, {name: 2}]",
        "mergingList: [{name: 1, mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]},"
        " {name: 2}]",
        "mergingList: [{name: 1, other: a, mergingList: [{name: 2, value: 2, other: d}]},"
        " {name: 2, other: b}]",
        "mergingList: [{name: 1, other: a, mergingList: [{name: 1, value: 1},"
        " {name: 2, value: 2, other: d}]}, {name: 2, other: b}]",
    ),
}


@pytest.mark.parametrize("description", sorted(CASES))
def test_three_way_merge_matches_strategicpatch_patch_test(description: str) -> None:
    """patch_test.go strategicMergePatchRawTestCases: the Result of each case, order included
    (mergePatchIntoOriginal -> normalizeElementOrder -> mergeSortedSlice)."""
    original, modified, current, result = (yaml.safe_load(text) for text in CASES[description])
    assert merged(original, modified, current, MERGE_ITEM) == result


def test_a_field_the_last_applied_configuration_never_had_is_kept() -> None:
    """CreateThreeWayMergePatch: deltaMap ignores deletions; only deletionsMap (original vs
    modified) removes, so a field only the live object has survives."""
    original = {"a": 1}
    modified = {"a": 2}
    current = {"a": 1, "server": "x"}
    assert merged(original, modified, current, patchmeta.NONE) == {"a": 2, "server": "x"}


def test_a_field_dropped_from_the_manifest_is_removed() -> None:
    """deletionsMap = diffMaps(original, modified, IgnoreChangesAndAdditions): null for a key
    the last-applied configuration had."""
    assert merged({"a": 1, "b": 2}, {"a": 1}, {"a": 1, "b": 2}, patchmeta.NONE) == {"a": 1}


def test_without_a_last_applied_configuration_nothing_is_removed() -> None:
    """kubectl apply on an object without the annotation: original is empty (patcher.go
    patchSimple, GetOriginalConfiguration returns nil)."""
    assert merged({}, {"a": 1}, {"a": 1, "b": 2}, patchmeta.NONE) == {"a": 1, "b": 2}


def test_a_null_in_the_manifest_deletes() -> None:
    """diffMaps: a nil modified value is a deletion in the patch."""
    assert merged({}, {"a": None}, {"a": 1, "b": 2}, patchmeta.NONE) == {"b": 2}


def test_lists_without_merge_strategy_are_replaced_whole() -> None:
    """handleSliceDiff default: replacePatchFieldIfNotEqual (patch_test.go "replace non
    merging list nested in merging list")."""
    result = merged(
        {}, {"nonMergingList": [{"name": 1}]}, {"nonMergingList": [{"name": 2}]}, MERGE_ITEM
    )
    assert result == {"nonMergingList": [{"name": 1}]}


def test_merging_list_of_scalars_keeps_server_values() -> None:
    """diffListsOfScalars: only values of the original that the manifest dropped are deleted
    ($deleteFromPrimitiveList); a value only the server has stays."""
    result = merged(
        {"mergingIntList": [1, 2]},
        {"mergingIntList": [1, 3]},
        {"mergingIntList": [1, 2, 9]},
        MERGE_ITEM,
    )
    assert sorted(result["mergingIntList"]) == [1, 3, 9]


def test_retain_keys_clears_the_other_strategy_block() -> None:
    """DeploymentSpec.Strategy is `patchStrategy:"retainKeys"`: switching to Recreate clears
    rollingUpdate (patch.go applyRetainKeysDirective), read from the bundled schemas."""
    from kubeplan.schemas.catalog import newest_version

    root = patchmeta.root("apps", "v1", "Deployment", newest_version())
    live = {
        "spec": {
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}},
            "replicas": 1,
        }
    }
    manifest = {"spec": {"strategy": {"type": "Recreate"}}}
    result = merged({}, manifest, live, root)
    assert result["spec"]["strategy"] == {"type": "Recreate"}
    assert result["spec"]["replicas"] == 1


def test_merge_keys_come_from_the_release_schema() -> None:
    """core/v1 types.go: Containers patchMergeKey name, VolumeMounts mountPath, ServicePort
    port, Tolerations atomic; read from x-kubernetes-patch-merge-key."""
    from kubeplan.schemas.catalog import newest_version

    pod = patchmeta.root("", "v1", "Pod", newest_version())
    spec = pod.child("spec")
    assert spec.child("containers").merge_key == "name"
    assert spec.child("containers").items().child("volumeMounts").merge_key == "mountPath"
    assert spec.child("containers").items().child("ports").merge_key == "containerPort"
    assert not spec.child("tolerations").merges
    service = patchmeta.root("", "v1", "Service", newest_version())
    assert service.child("spec").child("ports").merge_key == "port"
    assert patchmeta.root("example.com", "v1", "Widget", newest_version()) is patchmeta.NONE
