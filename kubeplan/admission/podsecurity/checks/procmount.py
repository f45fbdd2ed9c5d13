"""/proc mount type: baseline forbids anything but Default, relaxed for `hostUsers: false`
from policy 1.35; restricted (1.35+) keeps the strict form and replaces the baseline check."""

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
    join_quote,
    name,
    pluralize,
    relax_for_user_namespace,
    security_context,
    text,
)

DEFAULT_PROC_MOUNT = "Default"  # corev1.DefaultProcMount


def proc_mount_1_0(metadata: Mapping[str, Any], spec: Mapping[str, Any]) -> Violation | None:
    """policy/check_procMount_baseline.go `procMount_1_0` (also the restricted check's
    function): any procMount other than Default, whatever hostUsers says."""
    bad: list[str] = []
    values: set[str] = set()
    paths: list[Path] = []
    for container, where in containers(spec):
        context = security_context(container)
        if context is None or context.get("procMount") is None:
            continue
        value = text(context.get("procMount"))
        if value != DEFAULT_PROC_MOUNT:
            bad.append(name(container))
            values.add(value)
            paths.append((*where, "securityContext", "procMount"))
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(bad)} "
        f"must not set securityContext.procMount to {join_quote(sorted(values))}"
    )
    return Violation("procMount", detail, tuple(paths))


def proc_mount_1_35_baseline(
    metadata: Mapping[str, Any], spec: Mapping[str, Any]
) -> Violation | None:
    """`procMount1_35baseline`: any value is allowed in a user namespace (hostUsers: false)."""
    if relax_for_user_namespace(spec):
        return None
    return proc_mount_1_0(metadata, spec)


CHECKS = (
    # check_procMount_baseline.go `CheckProcMountBaseline` (ID "procMount"): 1.0, 1.35.
    Check(
        "procMount",
        Level.BASELINE,
        (VersionedCheck(0, proc_mount_1_0), VersionedCheck(35, proc_mount_1_35_baseline)),
    ),
    # check_procMount_restricted.go `CheckProcMountRestricted`: 1.35, overrides "procMount".
    Check(
        "procMount_restricted",
        Level.RESTRICTED,
        (VersionedCheck(35, proc_mount_1_0, ("procMount",)),),
    ),
)
