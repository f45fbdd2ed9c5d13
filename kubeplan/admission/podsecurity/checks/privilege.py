"""Privileged containers (baseline) and privilege escalation (restricted)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubeplan.admission.podsecurity.api import Level
from kubeplan.admission.podsecurity.checks._pod import (
    Check,
    Path,
    VersionedCheck,
    Violation,
    containers,
    is_windows,
    join_quote,
    name,
    pluralize,
    security_context,
)


def privileged_1_0(metadata: Mapping[str, Any], spec: Mapping[str, Any]) -> Violation | None:
    """policy/check_privileged.go `privileged_1_0`: securityContext.privileged=true."""
    bad: list[str] = []
    paths: list[Path] = []
    for container, where in containers(spec):
        context = security_context(container)
        if context is not None and context.get("privileged") is True:
            bad.append(name(container))
            paths.append((*where, "securityContext", "privileged"))
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(bad)} "
        "must not set securityContext.privileged=true"
    )
    return Violation("privileged", detail, tuple(paths))


def allow_privilege_escalation_1_8(
    metadata: Mapping[str, Any], spec: Mapping[str, Any]
) -> Violation | None:
    """policy/check_allowPrivilegeEscalation.go `allowPrivilegeEscalation_1_8`: every
    container must set allowPrivilegeEscalation explicitly to false."""
    bad: list[str] = []
    paths: list[Path] = []
    for container, where in containers(spec):
        context = security_context(container)
        if context is None or context.get("allowPrivilegeEscalation") is not False:
            bad.append(name(container))
            paths.append((*where, "securityContext", "allowPrivilegeEscalation"))
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(bad)} "
        "must set securityContext.allowPrivilegeEscalation=false"
    )
    return Violation("allowPrivilegeEscalation != false", detail, tuple(paths))


def allow_privilege_escalation_1_25(
    metadata: Mapping[str, Any], spec: Mapping[str, Any]
) -> Violation | None:
    """`allowPrivilegeEscalation_1_25`: as 1.8, but a Windows pod (spec.os.name) is allowed."""
    if is_windows(spec):
        return None
    return allow_privilege_escalation_1_8(metadata, spec)


CHECKS = (
    Check("privileged", Level.BASELINE, (VersionedCheck(0, privileged_1_0),)),
    Check(
        "allowPrivilegeEscalation",
        Level.RESTRICTED,
        (
            VersionedCheck(8, allow_privilege_escalation_1_8),
            VersionedCheck(25, allow_privilege_escalation_1_25),
        ),
    ),
)
