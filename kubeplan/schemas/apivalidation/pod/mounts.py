"""Volume mounts and devices: `ValidateVolumeMounts`, `ValidateVolumeDevices`
(pkg/apis/core/validation/validation.go).
"""

from __future__ import annotations

from typing import Any

from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.pod.common import _MOUNT_PROPAGATIONS, _Common, _d, _s
from kubeplan.schemas.apivalidation.pod.volumes import _local_descending_path, _path_no_backsteps

# ---------------------------------------------------------------------------------------------
# Volume mounts and devices


def _validate_volume_mounts(
    mounts: list[Any],
    devices: list[Any],
    container: dict[str, Any],
    path: Path,
    common: _Common,
) -> list[FieldError]:
    """`ValidateVolumeMounts`. Go reports subPath and subPathExpr errors at
    `volumeMounts.subPath` (no index); kubeplan at the mount's own subPath, for its line."""
    errors: list[FieldError] = []
    device_names = {_s(_d(d).get("name")): _s(_d(d).get("devicePath")) for d in devices}
    mount_points: set[str] = set()
    privileged = _d(container.get("securityContext")).get("privileged") is True
    for index, mount in enumerate(mounts):
        mount = _d(mount)
        at = (*path, index)
        name = _s(mount.get("name"))
        mount_path = _s(mount.get("mountPath"))
        if not name:
            errors.append(field.required((*at, "name")))
        if name not in common.volumes:
            errors.append(field.not_found((*at, "name"), name))
        if not mount_path:
            errors.append(field.required((*at, "mountPath")))
        if mount_path in mount_points:
            errors.append(field.invalid((*at, "mountPath"), mount_path, "must be unique"))
        mount_points.add(mount_path)
        if name in device_names:
            errors.append(
                field.invalid((*at, "name"), name, "must not already exist in volumeDevices")
            )
        if mount_path in device_names.values():
            errors.append(
                field.invalid(
                    (*at, "mountPath"),
                    mount_path,
                    "must not already exist as a path in volumeDevices",
                )
            )
        sub_path = _s(mount.get("subPath"))
        sub_path_expr = _s(mount.get("subPathExpr"))
        if sub_path:
            errors.extend(_local_descending_path(sub_path, (*at, "subPath")))
        if sub_path_expr:
            if sub_path:
                errors.append(
                    field.invalid(
                        (*at, "subPathExpr"),
                        sub_path_expr,
                        "subPathExpr and subPath are mutually exclusive",
                    )
                )
            errors.extend(_local_descending_path(sub_path_expr, (*at, "subPathExpr")))
        propagation = mount.get("mountPropagation")
        if isinstance(propagation, str):
            prop_path = (*at, "mountPropagation")
            if propagation not in _MOUNT_PROPAGATIONS:
                errors.append(field.not_supported(prop_path, propagation, _MOUNT_PROPAGATIONS))
            if propagation == "Bidirectional" and not privileged:
                errors.append(
                    field.forbidden(
                        prop_path,
                        "Bidirectional mount propagation is available only to privileged"
                        " containers",
                    )
                )
    return errors


def _validate_volume_devices(
    devices: list[Any], mounts: list[Any], path: Path, common: _Common
) -> list[FieldError]:
    """`ValidateVolumeDevices`: only PVC or ephemeral volumes; names and paths unique."""
    errors: list[FieldError] = []
    mount_names = {_s(_d(m).get("name")): _s(_d(m).get("mountPath")) for m in mounts}
    seen_names: set[str] = set()
    seen_paths: set[str] = set()
    for index, device in enumerate(devices):
        device = _d(device)
        at = (*path, index)
        name = _s(device.get("name"))
        device_path = _s(device.get("devicePath"))
        volume = common.volumes.get(name)
        if not name:
            errors.append(field.required((*at, "name")))
        if name in seen_names:
            errors.append(field.invalid((*at, "name"), name, "must be unique"))
        if volume is not None and not (
            volume.get("persistentVolumeClaim") is not None or volume.get("ephemeral") is not None
        ):
            errors.append(
                field.invalid(
                    (*at, "name"),
                    name,
                    "can only use volume source type of PersistentVolumeClaim or Ephemeral for"
                    " block mode",
                )
            )
        if volume is None:
            errors.append(field.not_found((*at, "name"), name))
        if not device_path:
            errors.append(field.required((*at, "devicePath")))
        if device_path in seen_paths:
            errors.append(field.invalid((*at, "devicePath"), device_path, "must be unique"))
        if device_path and _path_no_backsteps(device_path, at):
            errors.append(
                field.invalid((*at, "devicePath"), device_path, "can not contain backsteps ('..')")
            )
        else:
            seen_paths.add(device_path)
        if name in mount_names:
            errors.append(
                field.invalid((*at, "name"), name, "must not already exist in volumeMounts")
            )
        if device_path in mount_names.values():
            errors.append(
                field.invalid(
                    (*at, "devicePath"),
                    device_path,
                    "must not already exist as a path in volumeMounts",
                )
            )
        if name:
            seen_names.add(name)
    return errors
