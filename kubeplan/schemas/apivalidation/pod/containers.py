"""Containers, init containers and ephemeral containers: `validateContainers`,
`validateInitContainers`, `validateEphemeralContainers`, `validateContainerCommon`
(pkg/apis/core/validation/validation.go).
"""

from __future__ import annotations

from typing import Any

from kubeplan.kube import names
from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.pod.common import (
    _PULL_POLICIES,
    _TERMINATION_MESSAGE_POLICIES,
    IN_PLACE_RESIZE_FROM,
    SIDECAR_CONTAINERS_FROM,
    _Common,
    _d,
    _enum,
    _l,
    _s,
)
from kubeplan.schemas.apivalidation.pod.env import _validate_env, _validate_env_from
from kubeplan.schemas.apivalidation.pod.mounts import (
    _validate_volume_devices,
    _validate_volume_mounts,
)
from kubeplan.schemas.apivalidation.pod.ports import _host_port_conflicts, _validate_container_ports
from kubeplan.schemas.apivalidation.pod.probes import _validate_probes_and_lifecycle
from kubeplan.schemas.apivalidation.pod.resources import (
    _validate_resize_policy,
    _validate_resources,
)
from kubeplan.schemas.apivalidation.pod.security import _validate_security_context

# ---------------------------------------------------------------------------------------------
# Containers


def _validate_containers(containers: list[Any], path: Path, common: _Common) -> list[FieldError]:
    """`validateContainers`: at least one; names unique among them; probes, lifecycle; no
    container restartPolicy; host ports unique across them."""
    if not containers:
        return [field.required(path)]
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, container in enumerate(containers):
        container = _d(container)
        at = (*path, index)
        errors.extend(_validate_container_common(container, at, common))
        name = _s(container.get("name"))
        if name in seen:
            errors.append(field.duplicate((*at, "name"), name))
        else:
            seen.add(name)
        errors.extend(_validate_probes_and_lifecycle(container, at, common))
        if container.get("restartPolicy") is not None and common.ctx.minor < 35:
            # ContainerRestartRules (beta, on, in 1.35) allows it on regular containers.
            errors.append(
                field.forbidden((*at, "restartPolicy"), "may not be set for non-init containers")
            )
    errors.extend(_host_port_conflicts(containers, path))
    return errors


def _validate_init_containers(
    containers: list[Any], regular: list[Any], path: Path, common: _Common
) -> list[FieldError]:
    """`validateInitContainers`: names unique with the regular containers; `restartPolicy`
    only `Always` (a sidecar); probes and lifecycle only on sidecars."""
    errors: list[FieldError] = []
    seen = {_s(_d(c).get("name")) for c in regular}
    for index, container in enumerate(containers):
        container = _d(container)
        at = (*path, index)
        errors.extend(_validate_container_common(container, at, common))
        policy = container.get("restartPolicy")
        sidecar = False
        if isinstance(policy, str):
            if policy != "Always":
                errors.append(field.not_supported((*at, "restartPolicy"), policy, ("Always",)))
            sidecar = policy == "Always" and common.ctx.minor >= SIDECAR_CONTAINERS_FROM
        name = _s(container.get("name"))
        if name in seen:
            errors.append(field.duplicate((*at, "name"), name))
        elif name:
            seen.add(name)
        errors.extend(_host_port_conflicts([container], path, index))
        if sidecar:
            errors.extend(_validate_probes_and_lifecycle(container, at, common))
        else:
            for key in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if container.get(key) is not None:
                    errors.append(
                        field.forbidden(
                            (*at, key),
                            "may not be set for init containers without restartPolicy=Always",
                        )
                    )
    return errors


# validateEphemeralContainers' allow-list (allowedEphemeralContainerFields).
_EPHEMERAL_FORBIDDEN = (
    "ports",
    "resources",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
    "resizePolicy",
    "restartPolicy",
)


def _validate_ephemeral_containers(
    containers: list[Any],
    regular: list[Any],
    init: list[Any],
    path: Path,
    common: _Common,
) -> list[FieldError]:
    """`validateEphemeralContainers`."""
    errors: list[FieldError] = []
    others = {_s(_d(c).get("name")) for c in [*regular, *init]}
    seen = set(others)
    for index, container in enumerate(containers):
        container = _d(container)
        at = (*path, index)
        errors.extend(_validate_container_common(container, at, common))
        name = _s(container.get("name"))
        if name in seen:
            errors.append(field.duplicate((*at, "name"), name))
        else:
            seen.add(name)
        target = _s(container.get("targetContainerName"))
        if target and target not in others:
            errors.append(field.not_found((*at, "targetContainerName"), target))
        for key in _EPHEMERAL_FORBIDDEN:
            if container.get(key):
                errors.append(
                    field.forbidden((*at, key), "cannot be set for an Ephemeral Container")
                )
        for mount_index, mount in enumerate(_l(container.get("volumeMounts"))):
            for key in ("subPath", "subPathExpr"):
                if _s(_d(mount).get(key)):
                    errors.append(
                        field.forbidden(
                            (*at, "volumeMounts", mount_index, key),
                            "cannot be set for an Ephemeral Container",
                        )
                    )
    return errors


def _validate_container_common(
    container: dict[str, Any], path: Path, common: _Common
) -> list[FieldError]:
    """`validateContainerCommon`."""
    errors: list[FieldError] = []
    name = _s(container.get("name"))
    if not name:
        errors.append(field.required((*path, "name")))
    else:
        errors.extend(field.invalid((*path, "name"), name, m) for m in names.is_dns1123_label(name))
    if not _s(container.get("image")):
        errors.append(field.required((*path, "image")))
    policy = _s(container.get("terminationMessagePolicy")) or "File"
    errors.extend(_enum((*path, "terminationMessagePolicy"), policy, _TERMINATION_MESSAGE_POLICIES))
    mounts = _l(container.get("volumeMounts"))
    devices = _l(container.get("volumeDevices"))
    errors.extend(_validate_container_ports(_l(container.get("ports")), (*path, "ports")))
    errors.extend(_validate_env(_l(container.get("env")), (*path, "env"), common.ctx))
    errors.extend(_validate_env_from(_l(container.get("envFrom")), (*path, "envFrom"), common.ctx))
    errors.extend(
        _validate_volume_mounts(mounts, devices, container, (*path, "volumeMounts"), common)
    )
    errors.extend(_validate_volume_devices(devices, mounts, (*path, "volumeDevices"), common))
    pull = _s(container.get("imagePullPolicy")) or "IfNotPresent"
    errors.extend(_enum((*path, "imagePullPolicy"), pull, _PULL_POLICIES))
    errors.extend(_validate_resources(_d(container.get("resources")), (*path, "resources"), common))
    if common.ctx.at_least(IN_PLACE_RESIZE_FROM):
        resize = _l(container.get("resizePolicy"))
        errors.extend(_validate_resize_policy(resize, (*path, "resizePolicy"), common))
    errors.extend(
        _validate_security_context(
            _d(container.get("securityContext")), (*path, "securityContext"), common
        )
    )
    return errors
