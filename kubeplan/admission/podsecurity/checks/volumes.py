"""Restricted volume types: only the listed inline sources; replaces hostPathVolumes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubeplan.admission.podsecurity.api import Level
from kubeplan.admission.podsecurity.checks._pod import (
    Check,
    CheckFn,
    Path,
    VersionedCheck,
    Violation,
    child,
    join_quote,
    mapping,
    pluralize,
    sequence,
    text,
)

# policy/check_restrictedVolumes.go `restrictedVolumes_1_0`: the allowed sources (configMap,
# csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret).
# `image` was added to the 1.0 function itself in the 1.33 release (kubernetes PR #130394),
# not as a new policy version: a 1.31 or 1.32 API server counts an image volume as "unknown"
# at every policy version, a 1.33+ server allows it at every policy version.
IMAGE_ALLOWED_FROM_RELEASE = 33
ALLOWED_VOLUME_SOURCES = (
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
)
# The named forbidden sources, in the order of the Go switch; any other volume is "unknown".
RESTRICTED_VOLUME_SOURCES = (
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
)

# Every member of core/v1 VolumeSource (its JSON names), as `AllPtrFieldsNil` in
# SetDefaults_Volume sees them.
VOLUME_SOURCES = ALLOWED_VOLUME_SOURCES + RESTRICTED_VOLUME_SOURCES


def _restricted_volumes(allowed: tuple[str, ...]) -> CheckFn:
    def check(metadata: Mapping[str, Any], spec: Mapping[str, Any]) -> Violation | None:
        return _check(allowed, spec)

    return check


def _check(allowed: tuple[str, ...], spec: Mapping[str, Any]) -> Violation | None:
    """Every volume without an allowed source; its type is the first named restricted source
    set, else "unknown" (types printed as a sorted set)."""
    bad: list[str] = []
    types: set[str] = set()
    paths: list[Path] = []
    for index, volume in enumerate(sequence(spec.get("volumes"))):
        volume = mapping(volume) or {}
        if any(volume.get(key) is not None for key in allowed):
            continue
        bad.append(text(child(volume, "name")))
        kind = next((k for k in RESTRICTED_VOLUME_SOURCES if volume.get(k) is not None), None)
        types.add(kind or "unknown")
        paths.append(("spec", "volumes", index, kind) if kind else ("spec", "volumes", index))
    if not bad:
        return None
    detail = (
        f"{pluralize('volume', 'volumes', len(bad))} {join_quote(bad)} "
        f"{pluralize('uses', 'use', len(bad))} "
        f"{pluralize('restricted volume type', 'restricted volume types', len(types))} "
        f"{join_quote(sorted(types))}"
    )
    return Violation("restricted volume types", detail, tuple(paths))


restricted_volumes_1_0 = _restricted_volumes(ALLOWED_VOLUME_SOURCES)
# The same function as compiled into API servers before 1.33 (no `image`).
restricted_volumes_1_0_before_1_33 = _restricted_volumes(
    tuple(source for source in ALLOWED_VOLUME_SOURCES if source != "image")
)

# Server releases whose copy of a check function differs: function -> (first release with it,
# the function older releases run). evaluate.py swaps them by the server's minor.
RELEASE_CHANGES = {
    restricted_volumes_1_0: (IMAGE_ALLOWED_FROM_RELEASE, restricted_volumes_1_0_before_1_33),
}

CHECKS = (
    Check(
        "restrictedVolumes",
        Level.RESTRICTED,
        (VersionedCheck(0, restricted_volumes_1_0, ("hostPathVolumes",)),),
    ),
)
