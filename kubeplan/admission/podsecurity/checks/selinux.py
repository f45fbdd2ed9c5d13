"""SELinux options: the type among the container types, no user, no role (baseline)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kubeplan.admission.podsecurity.api import Level
from kubeplan.admission.podsecurity.checks._pod import (
    Check,
    CheckFn,
    Path,
    VersionedCheck,
    Violation,
    containers,
    join_quote,
    mapping,
    name,
    pluralize,
    pod_security_context,
    security_context,
    setters,
    text,
)

# policy/check_seLinuxOptions.go `selinuxAllowedTypes1_0` ("" = unset).
SELINUX_ALLOWED_TYPES_1_0 = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})
# `selinuxAllowedTypes1_31`: adds container_engine_t.
SELINUX_ALLOWED_TYPES_1_31 = SELINUX_ALLOWED_TYPES_1_0 | {"container_engine_t"}


def _se_linux_options(allowed: frozenset[str]) -> CheckFn:
    def check(metadata: Mapping[str, Any], spec: Mapping[str, Any]) -> Violation | None:
        bad_types: set[str] = set()
        flags = {"user": False, "role": False}
        paths: list[Path] = []

        def valid(options: Mapping[str, Any], where: Path) -> bool:
            ok = True
            if text(options.get("type")) not in allowed:
                ok = False
                bad_types.add(text(options.get("type")))
                paths.append((*where, "type"))
            for key in ("user", "role"):
                if text(options.get(key)):
                    ok = False
                    flags[key] = True
                    paths.append((*where, key))
            return ok

        options = mapping((pod_security_context(spec) or {}).get("seLinuxOptions"))
        pod_bad = options is not None and not valid(
            options, ("spec", "securityContext", "seLinuxOptions")
        )
        bad = []
        for container, where in containers(spec):
            options = mapping((security_context(container) or {}).get("seLinuxOptions"))
            if options is not None and not valid(
                options, (*where, "securityContext", "seLinuxOptions")
            ):
                bad.append(name(container))
        who = setters(pod_bad, bad)
        if not who:
            return None
        data = []
        if bad_types:
            data.append(
                f"{pluralize('type', 'types', len(bad_types))} {join_quote(sorted(bad_types))}"
            )
        if flags["user"]:
            data.append("user may not be set")
        if flags["role"]:
            data.append("role may not be set")
        detail = (
            f"{' and '.join(who)} set forbidden securityContext.seLinuxOptions: {'; '.join(data)}"
        )
        return Violation("seLinuxOptions", detail, tuple(paths))

    return check


se_linux_options_1_0: Callable[..., Violation | None] = _se_linux_options(SELINUX_ALLOWED_TYPES_1_0)
se_linux_options_1_31: Callable[..., Violation | None] = _se_linux_options(
    SELINUX_ALLOWED_TYPES_1_31
)

# policy/check_seLinuxOptions.go `CheckSELinuxOptions`: 1.0, 1.31.
CHECKS = (
    Check(
        "seLinuxOptions",
        Level.BASELINE,
        (VersionedCheck(0, se_linux_options_1_0), VersionedCheck(31, se_linux_options_1_31)),
    ),
)
