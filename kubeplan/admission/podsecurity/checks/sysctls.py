"""Sysctls: only the namespaced, isolated "safe" set (baseline); the set grows with the
policy version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubeplan.admission.podsecurity.api import Level
from kubeplan.admission.podsecurity.checks._pod import (
    Check,
    CheckFn,
    Path,
    VersionedCheck,
    Violation,
    child,
    pod_security_context,
    sequence,
    text,
)

# policy/check_sysctls.go `sysctlsAllowedV1Dot0`
SYSCTLS_ALLOWED_1_0 = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    }
)
# `sysctlsAllowedV1Dot27`
SYSCTLS_ALLOWED_1_27 = SYSCTLS_ALLOWED_1_0 | {"net.ipv4.ip_local_reserved_ports"}
# `sysctlsAllowedV1Dot29`
SYSCTLS_ALLOWED_1_29 = SYSCTLS_ALLOWED_1_27 | {
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
# `sysctlsAllowedV1Dot32`
SYSCTLS_ALLOWED_1_32 = SYSCTLS_ALLOWED_1_29 | {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}
# `sysctlsAllowedV1Dot37` (the 1.37 development line: PSA HEAD, ../shared/reference/admission.md)
SYSCTLS_ALLOWED_1_37 = SYSCTLS_ALLOWED_1_32 | {
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
}


def _sysctls(allowed: frozenset[str]) -> CheckFn:
    def check(metadata: Mapping[str, Any], spec: Mapping[str, Any]) -> Violation | None:
        """`sysctls`: every spec.securityContext.sysctls[*].name outside the allowed set, in
        order (duplicates kept)."""
        forbidden: list[str] = []
        paths: list[Path] = []
        items = sequence((pod_security_context(spec) or {}).get("sysctls"))
        for index, sysctl in enumerate(items):
            sysctl_name = text(child(sysctl, "name"))
            if sysctl_name not in allowed:
                forbidden.append(sysctl_name)
                paths.append(("spec", "securityContext", "sysctls", index, "name"))
        if not forbidden:
            return None
        return Violation("forbidden sysctls", ", ".join(forbidden), tuple(paths))

    return check


sysctls_1_0 = _sysctls(SYSCTLS_ALLOWED_1_0)
sysctls_1_27 = _sysctls(SYSCTLS_ALLOWED_1_27)
sysctls_1_29 = _sysctls(SYSCTLS_ALLOWED_1_29)
sysctls_1_32 = _sysctls(SYSCTLS_ALLOWED_1_32)
sysctls_1_37 = _sysctls(SYSCTLS_ALLOWED_1_37)

CHECKS = (
    Check(
        "sysctls",
        Level.BASELINE,
        (
            VersionedCheck(0, sysctls_1_0),
            VersionedCheck(27, sysctls_1_27),
            VersionedCheck(29, sysctls_1_29),
            VersionedCheck(32, sysctls_1_32),
            VersionedCheck(37, sysctls_1_37),
        ),
    ),
)
