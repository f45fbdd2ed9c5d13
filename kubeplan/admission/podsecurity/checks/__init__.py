"""The checks of k8s.io/pod-security-admission `policy.DefaultChecks()`, one module per check
or family, each function named after the Go function it follows."""

from __future__ import annotations

from kubeplan.admission.podsecurity.checks import (
    apparmor,
    capabilities,
    host,
    privilege,
    procmount,
    seccomp,
    selinux,
    sysctls,
    users,
    volumes,
)
from kubeplan.admission.podsecurity.checks._pod import Check, CheckFn, VersionedCheck, Violation

DEFAULT_CHECKS: tuple[Check, ...] = (
    *apparmor.CHECKS,
    *capabilities.CHECKS,
    *host.CHECKS,
    *privilege.CHECKS,
    *procmount.CHECKS,
    *seccomp.CHECKS,
    *selinux.CHECKS,
    *sysctls.CHECKS,
    *users.CHECKS,
    *volumes.CHECKS,
)

# Check functions whose copy in older API server releases differs (apparmor.py, volumes.py).
RELEASE_CHANGES = {**apparmor.RELEASE_CHANGES, **volumes.RELEASE_CHANGES}

__all__ = ["DEFAULT_CHECKS", "RELEASE_CHANGES", "Check", "CheckFn", "VersionedCheck", "Violation"]
