"""Linux capabilities: the baseline default set, and restricted's drop ALL / add only
NET_BIND_SERVICE. Names compare as exact strings ("CAP_CHOWN" and "all" are not "CHOWN" and
"ALL")."""

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
    mapping,
    name,
    pluralize,
    security_context,
    sequence,
)

# policy/check_capabilities_baseline.go `capabilities_allowed_1_0` (the container runtime's
# default set).
CAPABILITIES_ALLOWED_1_0 = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)
# policy/check_capabilities_restricted.go `capabilityAll`, `capabilityNetBindService`.
CAPABILITY_ALL = "ALL"
CAPABILITY_NET_BIND_SERVICE = "NET_BIND_SERVICE"


def _capability(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def capabilities_baseline_1_0(
    metadata: Mapping[str, Any], spec: Mapping[str, Any]
) -> Violation | None:
    """policy/check_capabilities_baseline.go `capabilitiesBaseline_1_0`."""
    bad: list[str] = []
    forbidden: set[str] = set()
    paths: list[Path] = []
    for container, where in containers(spec):
        capabilities = mapping((security_context(container) or {}).get("capabilities"))
        if capabilities is None:
            continue
        valid = True
        for index, value in enumerate(sequence(capabilities.get("add"))):
            capability = _capability(value)
            if capability not in CAPABILITIES_ALLOWED_1_0:
                valid = False
                forbidden.add(capability)
                paths.append((*where, "securityContext", "capabilities", "add", index))
        if not valid:
            bad.append(name(container))
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(bad)} "
        f"must not include {join_quote(sorted(forbidden))} in securityContext.capabilities.add"
    )
    return Violation("non-default capabilities", detail, tuple(paths))


def capabilities_restricted_1_22(
    metadata: Mapping[str, Any], spec: Mapping[str, Any]
) -> Violation | None:
    """policy/check_capabilities_restricted.go `capabilitiesRestricted_1_22`: a container
    without securityContext.capabilities fails the drop rule."""
    missing_drop: list[str] = []
    adding: list[str] = []
    forbidden: set[str] = set()
    drop_paths: list[Path] = []
    add_paths: list[Path] = []
    for container, where in containers(spec):
        base = (*where, "securityContext", "capabilities")
        capabilities = mapping((security_context(container) or {}).get("capabilities"))
        if capabilities is None:
            missing_drop.append(name(container))
            drop_paths.append((*base, "drop"))
            continue
        if CAPABILITY_ALL not in [_capability(c) for c in sequence(capabilities.get("drop"))]:
            missing_drop.append(name(container))
            drop_paths.append((*base, "drop"))
        added_forbidden = False
        for index, value in enumerate(sequence(capabilities.get("add"))):
            capability = _capability(value)
            if capability != CAPABILITY_NET_BIND_SERVICE:
                added_forbidden = True
                forbidden.add(capability)
                add_paths.append((*base, "add", index))
        if added_forbidden:
            adding.append(name(container))
    details = []
    if missing_drop:
        details.append(
            f"{pluralize('container', 'containers', len(missing_drop))} "
            f'{join_quote(missing_drop)} must set securityContext.capabilities.drop=["ALL"]'
        )
    if adding:
        details.append(
            f"{pluralize('container', 'containers', len(adding))} {join_quote(adding)} "
            f"must not include {join_quote(sorted(forbidden))} in "
            "securityContext.capabilities.add"
        )
    if not details:
        return None
    return Violation("unrestricted capabilities", "; ".join(details), (*drop_paths, *add_paths))


def capabilities_restricted_1_25(
    metadata: Mapping[str, Any], spec: Mapping[str, Any]
) -> Violation | None:
    """`capabilitiesRestricted_1_25`: as 1.22, but a Windows pod is allowed."""
    if is_windows(spec):
        return None
    return capabilities_restricted_1_22(metadata, spec)


CHECKS = (
    Check(
        "capabilities_baseline",
        Level.BASELINE,
        (VersionedCheck(0, capabilities_baseline_1_0),),
    ),
    Check(
        "capabilities_restricted",
        Level.RESTRICTED,
        (
            VersionedCheck(22, capabilities_restricted_1_22, ("capabilities_baseline",)),
            VersionedCheck(25, capabilities_restricted_1_25, ("capabilities_baseline",)),
        ),
    ),
)
