"""Run as non-root (restricted 1.0+) and not as UID 0 (restricted 1.23+); both skipped for
`hostUsers: false` from policy 1.35 (the UserNamespacesPodSecurityStandards gate, off by
default, was dropped, so earlier versions never relax)."""

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
    is_int,
    join_quote,
    name,
    pluralize,
    pod_security_context,
    relax_for_user_namespace,
    security_context,
    setters,
)


def run_as_non_root_1_0(metadata: Mapping[str, Any], spec: Mapping[str, Any]) -> Violation | None:
    """policy/check_runAsNonRoot.go `runAsNonRoot_1_0`: an explicit false anywhere fails;
    else each container needs its own true or the pod's true."""
    pod_value = (pod_security_context(spec) or {}).get("runAsNonRoot")
    pod_bad = pod_value is False
    pod_true = pod_value is True
    explicit_paths: list[Path] = [("spec", "securityContext", "runAsNonRoot")] if pod_bad else []
    explicit: list[str] = []
    implicit: list[str] = []
    implicit_paths: list[Path] = []
    for container, where in containers(spec):
        value = (security_context(container) or {}).get("runAsNonRoot")
        if value is not None:
            if value is False:
                explicit.append(name(container))
                explicit_paths.append((*where, "securityContext", "runAsNonRoot"))
        elif not pod_true:
            implicit.append(name(container))
            implicit_paths.append((*where, "securityContext", "runAsNonRoot"))
    who = setters(pod_bad, explicit)
    if who:
        return Violation(
            "runAsNonRoot != true",
            f"{' and '.join(who)} must not set securityContext.runAsNonRoot=false",
            tuple(explicit_paths),
        )
    if implicit:
        detail = (
            f"pod or {pluralize('container', 'containers', len(implicit))} "
            f"{join_quote(implicit)} must set securityContext.runAsNonRoot=true"
        )
        return Violation("runAsNonRoot != true", detail, tuple(implicit_paths))
    return None


def run_as_non_root_1_35(metadata: Mapping[str, Any], spec: Mapping[str, Any]) -> Violation | None:
    """`runAsNonRoot1_35`: allowed in a user namespace (hostUsers: false)."""
    if relax_for_user_namespace(spec):
        return None
    return run_as_non_root_1_0(metadata, spec)


def run_as_user_1_23(metadata: Mapping[str, Any], spec: Mapping[str, Any]) -> Violation | None:
    """policy/check_runAsUser.go `runAsUser_1_23`: runAsUser: 0 on the pod or a container."""
    paths: list[Path] = []
    value = (pod_security_context(spec) or {}).get("runAsUser")
    pod_bad = is_int(value) and value == 0
    if pod_bad:
        paths.append(("spec", "securityContext", "runAsUser"))
    bad = []
    for container, where in containers(spec):
        value = (security_context(container) or {}).get("runAsUser")
        if is_int(value) and value == 0:
            bad.append(name(container))
            paths.append((*where, "securityContext", "runAsUser"))
    who = setters(pod_bad, bad)
    if not who:
        return None
    return Violation("runAsUser=0", f"{' and '.join(who)} must not set runAsUser=0", tuple(paths))


def run_as_user_1_35(metadata: Mapping[str, Any], spec: Mapping[str, Any]) -> Violation | None:
    """`runAsUser1_35`: allowed in a user namespace (hostUsers: false)."""
    if relax_for_user_namespace(spec):
        return None
    return run_as_user_1_23(metadata, spec)


CHECKS = (
    Check(
        "runAsNonRoot",
        Level.RESTRICTED,
        (VersionedCheck(0, run_as_non_root_1_0), VersionedCheck(35, run_as_non_root_1_35)),
    ),
    Check(
        "runAsUser",
        Level.RESTRICTED,
        (VersionedCheck(23, run_as_user_1_23), VersionedCheck(35, run_as_user_1_35)),
    ),
)
