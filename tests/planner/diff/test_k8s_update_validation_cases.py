"""The update cases of Kubernetes' own unit tests, one kubeplan case each.

- TestValidatePersistentVolumeClaimUpdate (pkg/apis/core/validation/validation_test.go), for
  ValidatePersistentVolumeClaimUpdate;
- TestValidateJobUpdate (pkg/apis/batch/validation/validation_test.go), the scheduling
  directives of validatePodTemplateUpdate, with the options pkg/registry/batch/job/strategy.go
  gives them (suspended and status.startTime unset).

Each case says whether the API server rejects the update (the Go case's isExpectedFailure, or
its `err`), and kubeplan must agree: some change is classed `immutable` exactly when it does.
The Go cases run with feature gates set by hand; here the gate is the release's default, so a
case is given the release it holds for. Where the Go test skips what the API server does
before validation (defaulting volumeMode to Filesystem), the case says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import kubeplan

from kubeplan.planner.diff.effects.classify import ClassifiedChange, classify
from kubeplan.planner.diff.pairing import UNCHANGED, pair
from kubeplan.schemas import loader

ANNOTATION = "volume.beta.kubernetes.io/storage-class"


def claim(
    *,
    annotation: str | None = None,
    other_annotation: str | None = None,
    class_name: str | None = None,
    vac: str | None = None,
    storage: str = "10G",
    modes: tuple[str, ...] = ("ReadWriteOnce", "ReadOnlyMany"),
    volume_mode: str | None = None,
    volume_name: str | None = None,
    data_source: bool = False,
    status: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A claim like the Go test's fixtures; `status` makes it a live object (a dump)."""
    metadata: dict[str, Any] = {"name": "foo", "namespace": "ns"}
    annotations = {}
    if annotation is not None:
        annotations[ANNOTATION] = annotation
    if other_annotation is not None:
        annotations["description"] = other_annotation
    if annotations:
        metadata["annotations"] = annotations
    spec: dict[str, Any] = {
        "accessModes": list(modes),
        "resources": {"requests": {"storage": storage}},
    }
    for key, value in (
        ("storageClassName", class_name),
        ("volumeAttributesClassName", vac),
        ("volumeMode", volume_mode),
        ("volumeName", volume_name),
    ):
        if value is not None:
            spec[key] = value
    if data_source:
        spec["dataSource"] = {"apiGroup": "snapshot.storage.k8s.io", "kind": "Foo", "name": "foo"}
    body: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": metadata,
        "spec": spec,
    }
    if status is not None:
        metadata.update({"uid": "4c1e7d0a", "resourceVersion": "1"})
        body["status"] = status
    return body


BOUND = {"phase": "Bound"}
PENDING = {"phase": "Pending"}
SHRINK_BOUND = {"phase": "Bound", "capacity": {"storage": "10G"}}
SHRINK_PENDING = {"phase": "Pending", "capacity": {"storage": "10G"}}


def changes(old: dict[str, Any], new: dict[str, Any], version: str) -> list[ClassifiedChange]:
    base = loader.load_text("base.yaml", yaml.safe_dump(old)).resources
    revision = loader.load_text("new.yaml", yaml.safe_dump(new)).resources
    (paired,) = pair(base, revision)
    if paired.action == UNCHANGED:
        return []
    return classify(paired, revision, base, version)


def rejected(old: dict[str, Any], new: dict[str, Any], version: str) -> bool:
    return any(change.effect == "immutable" for change in changes(old, new, version))


@dataclass(frozen=True)
class Case:
    go: str  # the Go case's name
    old: dict[str, Any]
    new: dict[str, Any]
    fails: bool  # the API server rejects the update
    version: str = "1.34"


VALID = claim(status=BOUND)  # validClaim: Bound, no volumeName
UPDATED = claim(volume_name="volume")  # validUpdateClaim (no status: phase "")
UPDATED_LIVE = claim(volume_name="volume", status={})


def _mode(mode: str | None) -> dict[str, Any]:
    return claim(modes=("ReadWriteOnce",), volume_mode=mode, volume_name="volume")


PVC_CASES = [
    Case("valid-update-volumeName-only", VALID, claim(volume_name="volume", status=BOUND), False),
    Case("valid-no-op-update", UPDATED, UPDATED, False),
    # testVolumeClaim has no status: phase "" is not Bound, so requests are immutable
    Case(
        "invalid-update-change-resources-on-bound-claim",
        UPDATED_LIVE,
        claim(volume_name="volume", storage="20G"),
        True,
    ),
    Case(
        "invalid-update-change-access-modes-on-bound-claim",
        UPDATED,
        claim(volume_name="volume", modes=("ReadWriteOnce",)),
        True,
    ),
    Case("valid-update-volume-mode-block-to-block", _mode("Block"), _mode("Block"), False),
    Case("valid-update-volume-mode-file-to-file", _mode("Filesystem"), _mode("Filesystem"), False),
    Case("invalid-update-volume-mode-to-block", _mode("Filesystem"), _mode("Block"), True),
    Case("invalid-update-volume-mode-to-file", _mode("Block"), _mode("Filesystem"), True),
    # The API server defaults an unset volumeMode to Filesystem before validating
    # (SetDefaults_PersistentVolumeClaimSpec, pkg/apis/core/v1/defaults.go): nil -> Filesystem
    # is no change on a real server; the Go case validates undefaulted objects.
    Case("invalid-update-volume-mode-nil-to-file", _mode(None), _mode("Filesystem"), False),
    Case("invalid-update-volume-mode-nil-to-block", _mode(None), _mode("Block"), True),
    Case("invalid-update-volume-mode-block-to-nil", _mode("Block"), _mode(None), True),
    Case("invalid-update-volume-mode-file-to-nil", _mode("Filesystem"), _mode(None), False),
    Case(
        "invalid-update-volume-mode-empty-to-mode",
        claim(status=BOUND),
        _mode("Block"),
        True,
    ),
    Case("invalid-update-volume-mode-mode-to-empty", _mode("Block"), claim(status=BOUND), True),
    Case(
        "invalid-update-change-storage-class-annotation-after-creation",
        claim(annotation="fast", modes=("ReadOnlyMany",)),
        claim(annotation="fast2", modes=("ReadOnlyMany",), volume_name="volume"),
        True,
    ),
    Case(
        "valid-update-mutable-annotation",
        claim(other_annotation="foo-description", modes=("ReadOnlyMany",)),
        claim(
            other_annotation="updated-or-added-foo-description",
            modes=("ReadOnlyMany",),
            volume_name="volume",
        ),
        False,
    ),
    Case(
        "valid-update-add-annotation",
        VALID,
        claim(other_annotation="updated-or-added-foo-description", volume_name="volume"),
        False,
    ),
    Case("valid-size-update-resize-disabled", VALID, claim(storage="15G"), False),
    Case("valid-size-update-resize-enabled", VALID, claim(storage="15G"), False),
    Case("invalid-size-update-resize-enabled", VALID, claim(storage="5G"), True),
    # the Go case puts Pending in the new claim; the API server keeps the old status on an
    # update (PrepareForUpdate), so here the live claim is Pending
    Case(
        "unbound-size-update-resize-enabled",
        claim(status=PENDING),
        claim(storage="12G"),
        True,
    ),
    Case(
        "valid-upgrade-storage-class-annotation-to-spec",
        claim(annotation="fast", modes=("ReadOnlyMany",)),
        claim(class_name="fast", modes=("ReadOnlyMany",)),
        False,
    ),
    Case(
        "valid-upgrade-nil-storage-class-spec-to-spec",
        claim(modes=("ReadOnlyMany",)),
        claim(class_name="fast", modes=("ReadOnlyMany",)),
        False,
    ),
    # RetroactiveDefaultStorageClass is alpha (off) in 1.25: no upgrade from nil
    Case(
        "valid-upgrade-nil-storage-class-spec-to-spec",
        claim(modes=("ReadOnlyMany",)),
        claim(class_name="fast", modes=("ReadOnlyMany",)),
        True,
        "1.25",
    ),
    Case(
        "invalid-upgrade-not-nil-storage-class-spec-to-spec",
        claim(class_name="fast", modes=("ReadOnlyMany",)),
        claim(class_name="fast2", modes=("ReadOnlyMany",)),
        True,
    ),
    Case(
        "invalid-upgrade-to-nil-storage-class-spec-to-spec",
        claim(class_name="fast", modes=("ReadOnlyMany",)),
        claim(modes=("ReadOnlyMany",)),
        True,
    ),
    Case(
        "valid-upgrade-storage-class-annotation-and-nil-spec-to-spec-retro",
        claim(annotation="fast", modes=("ReadOnlyMany",)),
        claim(annotation="fast", class_name="fast", modes=("ReadOnlyMany",)),
        False,
    ),
    Case(
        "invalid-upgrade-storage-class-annotation-and-spec-to-spec-retro",
        claim(annotation="fast", class_name="fast", modes=("ReadOnlyMany",)),
        claim(class_name="fast2", modes=("ReadOnlyMany",)),
        True,
    ),
    Case(
        "invalid-upgrade-storage-class-annotation-and-no-spec",
        claim(annotation="fast", modes=("ReadOnlyMany",)),
        claim(class_name="fast2", modes=("ReadOnlyMany",)),
        True,
    ),
    Case(
        "invalid-upgrade-storage-class-annotation-to-spec",
        claim(annotation="fast", modes=("ReadOnlyMany",)),
        claim(class_name="fast2", modes=("ReadOnlyMany",)),
        True,
    ),
    Case(
        "valid-upgrade-storage-class-annotation-to-annotation-and-spec",
        claim(annotation="fast", modes=("ReadOnlyMany",)),
        claim(annotation="fast", class_name="fast", modes=("ReadOnlyMany",)),
        False,
    ),
    Case(
        "invalid-upgrade-storage-class-annotation-to-annotation-and-spec",
        claim(annotation="fast", modes=("ReadOnlyMany",)),
        claim(annotation="fast2", class_name="fast", modes=("ReadOnlyMany",)),
        True,
    ),
    Case(
        "invalid-upgrade-storage-class-in-spec",
        claim(class_name="fast", modes=("ReadOnlyMany",)),
        claim(class_name="fast2", modes=("ReadOnlyMany",)),
        True,
    ),
    Case(
        "invalid-downgrade-storage-class-spec-to-annotation",
        claim(class_name="fast", modes=("ReadOnlyMany",)),
        claim(annotation="fast", modes=("ReadOnlyMany",)),
        True,
    ),
    Case(
        "valid-update-rwop-used-and-rwop-feature-disabled",
        claim(modes=("ReadWriteOncePod",), volume_name="volume"),
        claim(
            modes=("ReadWriteOncePod",),
            volume_name="volume",
            other_annotation="updated-or-added-foo-description",
        ),
        False,
    ),
    Case(
        "valid-expand-shrink-resize-enabled",
        claim(storage="15G", status=SHRINK_BOUND),
        claim(storage="13G"),
        False,
    ),
    Case(
        "invalid-expand-shrink-resize-enabled",
        claim(storage="15G", status=SHRINK_BOUND),
        claim(storage="3G"),
        True,
    ),
    Case(
        "invalid-expand-shrink-to-status-resize-enabled",
        claim(storage="15G", status=SHRINK_BOUND),
        claim(storage="10G"),
        True,
    ),
    # RecoverVolumeExpansionFailure is off by default before 1.32
    Case(
        "invalid-expand-shrink-recover-disabled",
        claim(storage="15G", status=SHRINK_BOUND),
        claim(storage="13G"),
        True,
        "1.31",
    ),
    Case(
        "unbound-size-shrink-resize-enabled",
        claim(storage="15G", status=SHRINK_PENDING),
        claim(storage="12G"),
        True,
    ),
    Case(
        "allow-update-pvc-when-data-source-used",
        claim(data_source=True, volume_name="volume"),
        claim(data_source=True, volume_name="volume"),
        False,
    ),
    Case(
        "valid-update-volume-attributes-class-from-nil",
        claim(status=BOUND),
        claim(vac="vac1"),
        False,
    ),
    Case(
        "valid-update-volume-attributes-class-from-empty",
        claim(vac="", status=BOUND),
        claim(vac="vac1"),
        False,
    ),
    Case(
        "valid-update-volume-attributes-class",
        claim(vac="vac1", status=BOUND),
        claim(vac="vac2"),
        False,
    ),
    Case(
        "invalid-update-volume-attributes-class",
        claim(vac="vac1", status=BOUND),
        claim(),
        True,
    ),
    Case(
        "invalid-update-volume-attributes-class-to-nil",
        claim(vac="vac1", status=BOUND),
        claim(),
        True,
    ),
    Case(
        "invalid-update-volume-attributes-class-to-empty",
        claim(vac="vac1", status=BOUND),
        claim(vac=""),
        True,
    ),
    Case(
        "invalid-update-volume-attributes-class-when-claim-not-bound",
        claim(vac="vac1", status=PENDING),
        claim(vac="vac2"),
        True,
    ),
    # VolumeAttributesClass is off by default before 1.34 (beta 1.31, GA 1.34)
    Case(
        "invalid-update-volume-attributes-class-to-nil-without-featuregate-enabled",
        claim(vac="vac1", status=BOUND),
        claim(),
        True,
        "1.33",
    ),
    Case(
        "invalid-update-volume-attributes-class-without-featuregate-enabled",
        claim(vac="vac1", status=BOUND),
        claim(vac="vac2"),
        True,
        "1.33",
    ),
]


@pytest.mark.parametrize("case", PVC_CASES, ids=[f"{case.go}@{case.version}" for case in PVC_CASES])
def test_TestValidatePersistentVolumeClaimUpdate(case: Case) -> None:
    found = changes(case.old, case.new, case.version)
    immutable = [(c.label, c.reason) for c in found if c.effect == "immutable"]
    assert bool(immutable) is case.fails, (case.go, [(c.label, c.effect) for c in found])


def test_storage_class_annotation_reason_names_the_annotation() -> None:
    found = changes(claim(annotation="fast"), claim(annotation="fast2"), "1.34")
    (change,) = found
    assert change.effect == "immutable"
    assert "volume.beta.kubernetes.io/storage-class" in change.reason
    assert "ValidateImmutableAnnotation" in change.source


def test_annotation_added_where_there_was_none_is_rejected() -> None:
    # ValidateImmutableAnnotation compares "" (absent) with the new value
    assert rejected(claim(), claim(annotation="fast"), "1.34")


def test_annotations_added_whole_with_the_class_are_rejected() -> None:
    old = claim()
    new = claim(annotation="fast", other_annotation="x")
    (change,) = [c for c in changes(old, new, "1.34") if c.path[:2] == ("metadata", "annotations")]
    assert change.effect == "immutable"


# -- Job ----------------------------------------------------------------------------------------


def job(
    *,
    suspend: bool | None = None,
    started: bool = False,
    pod: dict[str, Any] | None = None,
    template_meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "template": {
            "spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "abc", "image": "busybox:1.37"}],
                **(pod or {}),
            }
        }
    }
    if template_meta is not None:
        spec["template"]["metadata"] = template_meta
    if suspend is not None:
        spec["suspend"] = suspend
    body: dict[str, Any] = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "abc", "namespace": "default"},
        "spec": spec,
    }
    if started:
        body["metadata"].update({"uid": "9a1f", "resourceVersion": "7"})
        body["status"] = {"startTime": "2026-01-01T00:00:00Z"}
    return body


NODE_AFFINITY = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {"matchExpressions": [{"key": "foo", "operator": "In", "values": ["bar"]}]}
            ]
        }
    }
}
OTHER_NODE_AFFINITY = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}
            ]
        }
    }
}
TOLERATIONS = [{"key": "foo", "operator": "Exists", "effect": "NoSchedule"}]
GATE = [{"name": "gate"}]
POD_AFFINITY = {
    "podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {"topologyKey": "zone", "labelSelector": {"matchLabels": {"a": "b"}}}
        ]
    }
}

# (Go case, old pod-spec extra, new pod-spec extra, old template metadata, new template metadata)
DIRECTIVES = [
    ("node affinity", {}, {"affinity": NODE_AFFINITY}, None, None),
    ("tolerations", {}, {"tolerations": TOLERATIONS}, None, None),
    ("node selector", {}, {"nodeSelector": {"foo": "bar"}}, None, None),
    ("annotations", {}, {}, None, {"annotations": {"foo": "baz"}}),
    ("labels", {}, {}, {"labels": {"app": "x"}}, {"labels": {"app": "x", "bar": "baz"}}),
    ("schedulingGates", {}, {"schedulingGates": GATE}, None, None),
]


@pytest.mark.parametrize(
    ("go", "old_pod", "new_pod", "old_meta", "new_meta"),
    DIRECTIVES,
    ids=[d[0] for d in DIRECTIVES],
)
def test_TestValidateJobUpdate_immutable_and_mutable_directives(
    go: str,
    old_pod: dict[str, Any],
    new_pod: dict[str, Any],
    old_meta: dict[str, Any] | None,
    new_meta: dict[str, Any] | None,
) -> None:
    """ "immutable <directive>" fails without AllowMutableSchedulingDirectives, "mutable
    <directive>" (or "add node affinity") passes with it: the old Job suspended, never
    started."""
    running = (job(pod=old_pod, template_meta=old_meta), job(pod=new_pod, template_meta=new_meta))
    assert rejected(*running, "1.34"), f"immutable {go}"
    suspended = (
        job(suspend=True, pod=old_pod, template_meta=old_meta),
        job(suspend=True, pod=new_pod, template_meta=new_meta),
    )
    assert not rejected(*suspended, "1.34"), f"mutable {go}"
    # strategy.go: a suspended Job that has started (status.startTime set) may not
    started = job(suspend=True, started=True, pod=old_pod, template_meta=old_meta)
    assert rejected(started, suspended[1], "1.34"), f"{go} after the Job started"


@pytest.mark.parametrize(
    ("go", "old_affinity", "new_affinity", "fails"),
    [
        ("add node affinity", None, NODE_AFFINITY, False),
        ("update node affinity", NODE_AFFINITY, OTHER_NODE_AFFINITY, False),
        ("remove node affinity", NODE_AFFINITY, {}, False),
        ("remove affinity", NODE_AFFINITY, None, False),
        # validatePodTemplateUpdate gives the old template only the new NodeAffinity: an added
        # podAffinity still differs
        ("add affinity with podAffinity", None, {**NODE_AFFINITY, **POD_AFFINITY}, True),
        # cleared: the old affinity held more than nodeAffinity
        ("remove affinity with podAffinity", {**NODE_AFFINITY, **POD_AFFINITY}, None, True),
    ],
)
def test_TestValidateJobUpdate_node_affinity_of_a_suspended_job(
    go: str, old_affinity: Any, new_affinity: Any, fails: bool
) -> None:
    old = job(suspend=True, pod={} if old_affinity is None else {"affinity": old_affinity})
    new = job(suspend=True, pod={} if new_affinity is None else {"affinity": new_affinity})
    assert rejected(old, new, "1.34") is fails, go


def test_TestValidateJobUpdate_immutable_pod_template_even_when_suspended() -> None:
    old = job(suspend=True)
    new = job(suspend=True, pod={"dnsPolicy": "ClusterFirstWithHostNet"})
    assert rejected(old, new, "1.34")


def test_template_metadata_added_whole_with_labels_is_staged_for_a_suspended_job() -> None:
    old = job(suspend=True)
    new = job(suspend=True, template_meta={"labels": {"team": "a"}})
    found = [c for c in changes(old, new, "1.34") if c.path[:2] == ("spec", "template")]
    assert found and all(c.effect == "staged" for c in found), found


# -- the CLI, on real files: a live dump as the base ---------------------------------------------


def test_diff_cli_rejects_annotation_change_and_accepts_suspended_job_node_selector(
    tmp_path: Path,
) -> None:
    live = tmp_path / "live.yaml"
    manifests = tmp_path / "new.yaml"
    live_claim = claim(annotation="fast", status=BOUND)
    live_job = job(suspend=True)
    live_job["metadata"].update({"uid": "77", "resourceVersion": "3"})
    live_job["status"] = {}
    live.write_text(yaml.safe_dump_all([live_claim, live_job]))
    new_job = job(suspend=True, pod={"nodeSelector": {"pool": "batch"}})
    manifests.write_text(yaml.safe_dump_all([claim(annotation="slow"), new_job]))
    run = kubeplan("diff", str(manifests), "--base", str(live), "--format", "json")
    assert run.exit_code == 1, run.stderr
    data = json.loads(run.stdout)
    effects = {
        (change["resource"]["kind"], field["path"]): field["effect"]
        for change in data["changes"]
        for field in change.get("fields", [])
    }
    assert effects[("PersistentVolumeClaim", f'metadata.annotations["{ANNOTATION}"]')] == (
        "immutable"
    )
    assert effects[("Job", "nodeSelector")] == "staged"
