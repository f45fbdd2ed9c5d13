"""Security contexts: `ValidateSecurityContext`, `validatePodSpecSecurityContext`, seccomp,
sysctls (pkg/apis/core/validation/validation.go).
"""

from __future__ import annotations

from typing import Any

from kubeplan.kube import names
from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.pod.common import (
    _FS_GROUP_CHANGE_POLICIES,
    _SECCOMP_TYPES,
    _Common,
    _d,
    _l,
    _s,
)
from kubeplan.schemas.apivalidation.pod.volumes import _local_descending_path

# ---------------------------------------------------------------------------------------------
# Security contexts


def _validate_security_context(
    context: dict[str, Any], path: Path, common: _Common
) -> list[FieldError]:
    """`ValidateSecurityContext` (the rules that do not depend on cluster policy)."""
    errors: list[FieldError] = []
    for key, check in (
        ("runAsUser", names.is_valid_user_id),
        ("runAsGroup", names.is_valid_group_id),
    ):
        value = context.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            errors.extend(field.invalid((*path, key), value, m) for m in check(value))
    proc_mount = context.get("procMount")
    if isinstance(proc_mount, str):
        if proc_mount not in ("Default", "Unmasked"):
            errors.append(
                field.not_supported((*path, "procMount"), proc_mount, ("Default", "Unmasked"))
            )
        elif proc_mount == "Unmasked" and common.host_users:
            errors.append(
                field.invalid(
                    (*path, "procMount"), proc_mount, "`hostUsers` must be false to use `Unmasked`"
                )
            )
    errors.extend(_validate_seccomp(context.get("seccompProfile"), (*path, "seccompProfile")))
    if context.get("allowPrivilegeEscalation") is False:
        if context.get("privileged") is True:
            errors.append(
                field.invalid(
                    path,
                    context,
                    "cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
                )
            )
        for cap in _l(_d(context.get("capabilities")).get("add")):
            if cap == "CAP_SYS_ADMIN":
                errors.append(
                    field.invalid(
                        path,
                        context,
                        "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add`"
                        " CAP_SYS_ADMIN",
                    )
                )
    return errors


def _validate_seccomp(profile: Any, path: Path) -> list[FieldError]:
    """`validateSeccompProfileField`."""
    if not isinstance(profile, dict):
        return []
    kind = _s(profile.get("type"))
    errors = []
    if not kind:
        errors.append(
            field.required((*path, "type"), "type is required when seccompProfile is set")
        )
    elif kind not in _SECCOMP_TYPES:
        errors.append(field.not_supported((*path, "type"), kind, _SECCOMP_TYPES))
    local = profile.get("localhostProfile")
    if kind == "Localhost":
        if local is None:
            errors.append(
                field.required(
                    (*path, "localhostProfile"), "must be set when seccomp type is Localhost"
                )
            )
        elif isinstance(local, str):
            errors.extend(_local_descending_path(local, (*path, "localhostProfile")))
    elif local is not None:
        errors.append(
            field.invalid(
                (*path, "localhostProfile"),
                profile,
                "can only be set when seccomp type is Localhost",
            )
        )
    return errors


def _validate_pod_security_context(spec: dict[str, Any], path: Path) -> list[FieldError]:
    """`validatePodSpecSecurityContext` and `validateHostUsers`."""
    context = spec.get("securityContext")
    if not isinstance(context, dict):
        return []
    errors: list[FieldError] = []
    checks = (
        ("fsGroup", names.is_valid_group_id),
        ("runAsUser", names.is_valid_user_id),
        ("runAsGroup", names.is_valid_group_id),
    )
    for key, check in checks:
        value = context.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            errors.extend(field.invalid((*path, key), value, m) for m in check(value))
    for index, gid in enumerate(_l(context.get("supplementalGroups"))):
        if isinstance(gid, int) and not isinstance(gid, bool):
            errors.extend(
                field.invalid((*path, "supplementalGroups", index), gid, m)
                for m in names.is_valid_group_id(gid)
            )
    if spec.get("shareProcessNamespace") is True and spec.get("hostPID") is True:
        errors.append(
            field.invalid(
                (*path, "shareProcessNamespace"),
                True,
                "ShareProcessNamespace and HostPID cannot both be enabled",
            )
        )
    policy = context.get("fsGroupChangePolicy")
    if isinstance(policy, str) and policy not in _FS_GROUP_CHANGE_POLICIES:
        errors.append(
            field.not_supported((*path, "fsGroupChangePolicy"), policy, _FS_GROUP_CHANGE_POLICIES)
        )
    errors.extend(_validate_seccomp(context.get("seccompProfile"), (*path, "seccompProfile")))
    errors.extend(_validate_sysctls(spec, _l(context.get("sysctls")), (*path, "sysctls")))
    if context.get("hostUsers") is False:
        spec_path = path[:-1]
        for key, shown in (
            ("hostNetwork", "hostNetwork"),
            ("hostPID", "HostPID"),
            ("hostIPC", "HostIPC"),
        ):
            if spec.get(key) is True:
                errors.append(
                    field.forbidden((*spec_path, shown), "when `pod.Spec.HostUsers` is false")
                )
    return errors


def _validate_sysctls(spec: dict[str, Any], sysctls: list[Any], path: Path) -> list[FieldError]:
    """`validateSysctls`: names required, well-formed and unique."""
    import re

    pattern = re.compile(r"([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?")
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, sysctl in enumerate(sysctls):
        name = _s(_d(sysctl).get("name"))
        at = (*path, index, "name")
        if not name:
            errors.append(field.required(at))
        elif len(name) > 253 or not pattern.fullmatch(name):
            detail = (
                "must have at most 253 characters and match regex "
                r"^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$"
            )
            errors.append(field.invalid(at, name, detail))
        elif name in seen:
            errors.append(field.duplicate(at, name))
        seen.add(name)
    return errors
