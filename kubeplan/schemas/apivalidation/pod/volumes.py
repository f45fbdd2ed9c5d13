"""Volumes: `ValidateVolumes`, `validateVolumeSource` and the sources' own checks
(pkg/apis/core/validation/validation.go).
"""

from __future__ import annotations

from typing import Any

from kubeplan.kube import names, quantity
from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.pod.common import _VOLUME_SOURCES, _d, _l, _s
from kubeplan.schemas.apivalidation.pod.env import _validate_field_ref, _validate_resource_field_ref

# ---------------------------------------------------------------------------------------------
# Volumes


def _validate_volumes(
    volumes: list[Any], path: Path, ctx: Context
) -> tuple[dict[str, dict[str, Any]], list[FieldError]]:
    """`ValidateVolumes`: names are unique DNS labels; one source each (`validateVolumeSource`).
    `SetDefaults_Volume` makes a volume without a source an emptyDir, so none lacks one."""
    errors: list[FieldError] = []
    seen: dict[str, dict[str, Any]] = {}
    for index, volume in enumerate(volumes):
        volume = _d(volume)
        name = _s(volume.get("name"))
        at = (*path, index)
        errs = _validate_volume_source(volume, at, ctx)
        if not name:
            errs.append(field.required((*at, "name")))
        else:
            errs.extend(field.invalid((*at, "name"), name, m) for m in names.is_dns1123_label(name))
        if name in seen:
            errs.append(field.duplicate((*at, "name"), name))
        if not errs:
            seen[name] = volume
        errors.extend(errs)
    return seen, errors


def _validate_volume_source(volume: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    errors = []
    count = 0
    for source in _VOLUME_SOURCES:
        if volume.get(source) is None:
            continue
        if count:
            errors.append(
                field.forbidden((*path, source), "may not specify more than 1 volume type")
            )
            continue
        count += 1
        errors.extend(_validate_one_source(source, _d(volume.get(source)), (*path, source), ctx))
    return errors


def _validate_one_source(
    source: str, body: dict[str, Any], path: Path, ctx: Context
) -> list[FieldError]:
    """The required fields of the common sources (validateSecretVolumeSource,
    validateConfigMapVolumeSource, validatePersistentClaimVolumeSource,
    validateHostPathVolumeSource, validateNFSVolumeSource)."""
    required = {
        "secret": "secretName",
        "configMap": "name",
        "persistentVolumeClaim": "claimName",
        "hostPath": "path",
        "nfs": "server",
    }.get(source)
    errors = []
    if required and not _s(body.get(required)):
        errors.append(field.required((*path, required)))
    if source in ("secret", "configMap", "projected", "downwardAPI"):
        mode = body.get("defaultMode")
        if isinstance(mode, int) and not 0 <= mode <= 0o777:
            errors.append(
                field.invalid(
                    (*path, "defaultMode"),
                    mode,
                    "must be a number between 0 and 0777 (octal), both inclusive",
                )
            )
    if source in ("secret", "configMap"):
        for index, item in enumerate(_l(body.get("items"))):
            errors.extend(_validate_key_to_path(_d(item), (*path, "items", index)))
    if source == "hostPath" and _s(body.get("path")):
        errors.extend(_path_no_backsteps(body["path"], (*path, "path")))
        kind = body.get("type")
        if isinstance(kind, str) and kind not in _HOST_PATH_TYPES:
            errors.append(field.not_supported((*path, "type"), kind, _HOST_PATH_TYPES))
    if source == "downwardAPI":
        for index, item in enumerate(_l(body.get("items"))):
            errors.extend(_validate_downward_api_file(_d(item), (*path, "items", index), ctx))
    if source == "projected":
        errors.extend(_validate_projection_sources(_l(body.get("sources")), path, ctx))
    if source == "csi" and not _s(body.get("driver")):
        errors.append(field.required((*path, "driver")))
    if source == "emptyDir":
        limit = quantity.parse(body.get("sizeLimit")) if "sizeLimit" in body else None
        if limit is not None and limit.value < 0:
            errors.append(
                field.forbidden(
                    (*path, "sizeLimit"), "SizeLimit field must be a valid resource quantity"
                )
            )
    if source == "nfs":
        nfs_path = _s(body.get("path"))
        if not nfs_path:
            errors.append(field.required((*path, "path")))
        if not nfs_path.startswith("/"):
            errors.append(field.invalid((*path, "path"), nfs_path, "must be an absolute path"))
    return errors


# validateHostPathType: sets.List(supportedHostPathTypes), sorted.
_HOST_PATH_TYPES = (
    "",
    "BlockDevice",
    "CharDevice",
    "Directory",
    "DirectoryOrCreate",
    "File",
    "FileOrCreate",
    "Socket",
)
_VOLUME_FIELD_PATHS = (
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
)
_FILE_MODE_MSG = "must be a number between 0 and 0777 (octal), both inclusive"


def _validate_downward_api_file(item: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    """`validateDownwardAPIVolumeFile`. Go reports at the volume's `downwardAPI` path (no
    index); kubeplan at the item, for its line."""
    errors = []
    target = _s(item.get("path"))
    if not target:
        errors.append(field.required((*path, "path")))
    errors.extend(_local_non_reserved_path(target, (*path, "path")))
    field_ref = item.get("fieldRef")
    resource_ref = item.get("resourceFieldRef")
    if isinstance(field_ref, dict):
        errors.extend(_validate_field_ref(field_ref, (*path, "fieldRef"), ctx, _VOLUME_FIELD_PATHS))
        if isinstance(resource_ref, dict):
            errors.append(
                field.invalid(
                    path,
                    "resource",
                    "fieldRef and resourceFieldRef can not be specified simultaneously",
                )
            )
    elif isinstance(resource_ref, dict):
        if not _s(resource_ref.get("containerName")):
            errors.append(field.required((*path, "resourceFieldRef", "containerName")))
        else:
            errors.extend(_validate_resource_field_ref(resource_ref, (*path, "resourceFieldRef")))
    else:
        errors.append(field.required(path, "one of fieldRef and resourceFieldRef is required"))
    mode = item.get("mode")
    if isinstance(mode, int) and not 0 <= mode <= 0o777:
        errors.append(field.invalid((*path, "mode"), mode, _FILE_MODE_MSG))
    return errors


def _validate_projection_sources(sources: list[Any], path: Path, ctx: Context) -> list[FieldError]:
    """`validateProjectionSources`: one source per entry, names required, unique paths, the
    service account token's expiry (defaulted to 3600 s) between 10 minutes and 2^32 s."""
    errors: list[FieldError] = []
    seen: set[str] = set()

    def claim(target: str, value: str) -> None:
        if not target:
            return
        if target in seen:
            errors.append(field.invalid(path, value, "conflicting duplicate paths"))
        seen.add(target)

    for index, source in enumerate(sources):
        source = _d(source)
        at = (*path, "sources", index)
        count = 0
        for kind in ("secret", "configMap"):
            body = source.get(kind)
            if not isinstance(body, dict):
                continue
            count += 1
            name = _s(body.get("name"))
            if not name:
                errors.append(field.required((*at, kind, "name")))
            for item_index, item in enumerate(_l(body.get("items"))):
                item = _d(item)
                errors.extend(_validate_key_to_path(item, (*at, kind, "items", item_index)))
                claim(_s(item.get("path")), name)
        body = source.get("downwardAPI")
        if isinstance(body, dict):
            count += 1
            for item_index, item in enumerate(_l(body.get("items"))):
                item = _d(item)
                item_path = (*at, "downwardAPI", "items", item_index)
                errors.extend(_validate_downward_api_file(item, item_path, ctx))
                claim(_s(item.get("path")), _s(item.get("path")))
        body = source.get("serviceAccountToken")
        if isinstance(body, dict):
            count += 1
            token_path = (*at, "serviceAccountToken")
            expiry = body.get("expirationSeconds", 3600)
            if isinstance(expiry, int) and expiry < 600:
                errors.append(
                    field.invalid(
                        (*token_path, "expirationSeconds"),
                        expiry,
                        "may not specify a duration less than 10 minutes",
                    )
                )
            if isinstance(expiry, int) and expiry > 1 << 32:
                errors.append(
                    field.invalid(
                        (*token_path, "expirationSeconds"),
                        expiry,
                        "may not specify a duration larger than 2^32 seconds",
                    )
                )
            target = _s(body.get("path"))
            if not target:
                errors.append(field.required((*path, "path")))
            else:
                errors.extend(_local_non_reserved_path(target, (*token_path, "path")))
        if isinstance(source.get("clusterTrustBundle"), dict):
            count += 1
        if count > 1:
            errors.append(field.forbidden(at, "may not specify more than 1 volume type per source"))
    return errors


def _validate_key_to_path(item: dict[str, Any], path: Path) -> list[FieldError]:
    """`validateKeyToPath`."""
    errors = []
    if not _s(item.get("key")):
        errors.append(field.required((*path, "key")))
    target = _s(item.get("path"))
    if not target:
        errors.append(field.required((*path, "path")))
    errors.extend(_local_non_reserved_path(target, (*path, "path")))
    mode = item.get("mode")
    if isinstance(mode, int) and not 0 <= mode <= 0o777:
        errors.append(
            field.invalid(
                (*path, "mode"), mode, "must be a number between 0 and 0777 (octal), both inclusive"
            )
        )
    return errors


def _path_no_backsteps(target: str, path: Path) -> list[FieldError]:
    """`validatePathNoBacksteps`."""
    if ".." in target.replace("\\", "/").split("/"):
        return [field.invalid(path, target, "must not contain '..'")]
    return []


def _local_descending_path(target: str, path: Path) -> list[FieldError]:
    """`validateLocalDescendingPath`."""
    errors = []
    if target.startswith("/"):
        errors.append(field.invalid(path, target, "must be a relative path"))
    return errors + _path_no_backsteps(target, path)


def _local_non_reserved_path(target: str, path: Path) -> list[FieldError]:
    """`ValidateLocalNonReservedPath`."""
    errors = _local_descending_path(target, path)
    if target.startswith("..") and not target.startswith("../"):
        errors.append(field.invalid(path, target, "must not start with '..'"))
    return errors
