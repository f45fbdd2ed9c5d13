"""Restricted volume types: only the listed inline sources; replaces hostPathVolumes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubeplan.admission.podsecurity.api import Level
from kubeplan.admission.podsecurity.checks._pod import (
    Check,
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


def restricted_volumes_1_0(
    metadata: Mapping[str, Any], spec: Mapping[str, Any]
) -> Violation | None:
    bad: list[str] = []
    types: set[str] = set()
    paths: list[Path] = []
    for index, volume in enumerate(sequence(spec.get("volumes"))):
        volume = mapping(volume) or {}
        if any(volume.get(key) is not None for key in ALLOWED_VOLUME_SOURCES):
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


CHECKS = (
    Check(
        "restrictedVolumes",
        Level.RESTRICTED,
        (VersionedCheck(0, restricted_volumes_1_0, ("hostPathVolumes",)),),
    ),
)
