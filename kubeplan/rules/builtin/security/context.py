"""Security contexts: privileged, privilege escalation, the user a container runs as,
capabilities and a writable root filesystem.

Semantics and sources are cited row by row in the YAML file beside this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.admission.podsecurity.checks.capabilities import CAPABILITIES_ALLOWED_1_0
from kubeplan.kube import workloads
from kubeplan.kube.values import as_int as _int
from kubeplan.kube.workloads import ContainerRef
from kubeplan.model import Resource
from kubeplan.rules.builtin.security.common import (
    cap_name,
    caps_of,
    names,
    pod_view,
    sc_path,
    security_context,
    verb,
    who,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

# Pod Security Standards, baseline "Capabilities" control: the only capabilities a container may
# add, as Pod Security admission checks them (kubeplan/admission/podsecurity, one table).
BASELINE_CAPABILITIES = tuple(sorted(CAPABILITIES_ALLOWED_1_0))

# --------------------------------------------------------------------------------------------
# Security context


@check("privileged-container")
def privileged_container(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if security_context(ref).get("privileged") is True:
        yield Violation(
            sc_path(ref, "privileged"),
            f"{who(ref)} runs privileged (securityContext.privileged: true): it has every"
            " capability and access to all host devices",
        )


@check("privilege-escalation-allowed")
def privilege_escalation_allowed(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = pod_view(resource)
    if pod is None or pod.windows:
        return
    sc = security_context(ref)
    path = sc_path(ref, "allowPrivilegeEscalation")
    value = sc.get("allowPrivilegeEscalation")
    if value is False:
        # Forced back to true: AllowPrivilegeEscalation "is true always when the container
        # is run as Privileged or has CAP_SYS_ADMIN" (k8s.io/api core/v1 SecurityContext).
        if sc.get("privileged") is True:
            yield Violation(
                path,
                f"{who(ref)} sets allowPrivilegeEscalation: false but runs privileged, which"
                " always allows escalation (the API server rejects this combination)",
            )
            return
        sys_admin = [c for c in caps_of(sc, "add") if cap_name(c) in ("SYS_ADMIN", "ALL")]
        if sys_admin:
            rejected = sys_admin[0] == "CAP_SYS_ADMIN"
            yield Violation(
                path,
                f"{who(ref)} sets allowPrivilegeEscalation: false but adds {sys_admin[0]},"
                " which always allows escalation"
                + (" (the API server rejects this combination)" if rejected else ""),
            )
        return
    if value is True:
        message = f"{who(ref)} sets allowPrivilegeEscalation: true"
    else:
        message = (
            f"{who(ref)} does not set allowPrivilegeEscalation: false (unset, so"
            " no_new_privs is off and setuid binaries can gain privileges)"
        )
    yield Violation(path, message)


@check("run-as-root")
def run_as_root(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = pod_view(resource)
    if pod is None:
        return
    strict = bool(options.get("require_run_as_non_root", False))
    pod_nonroot = pod.sc.get("runAsNonRoot")
    pod_nonroot = pod_nonroot if isinstance(pod_nonroot, bool) else None
    pod_uid = _int(pod.sc.get("runAsUser"))
    refs = list(workloads.containers(resource))
    undecided: list[ContainerRef] = []
    for ref in refs:
        sc = security_context(ref)
        own_nonroot = sc.get("runAsNonRoot")
        own_nonroot = own_nonroot if isinstance(own_nonroot, bool) else None
        own_uid = _int(sc.get("runAsUser"))
        # The container's securityContext overrides the pod's (k8s.io/api core/v1).
        nonroot = own_nonroot if own_nonroot is not None else pod_nonroot
        uid = own_uid if own_uid is not None else pod_uid
        if uid == 0:
            path = sc_path(ref, "runAsUser") if own_uid is not None else pod.sc_path("runAsUser")
            at_pod = "" if own_uid is not None else " at pod level"
            if nonroot is True:
                message = (
                    f"{who(ref)} sets runAsUser: 0{at_pod} with runAsNonRoot: true; the kubelet"
                    " refuses to start it"
                )
            else:
                message = f"{who(ref)} runs as root (runAsUser: 0{at_pod})"
            yield Violation(path, message)
            continue
        if nonroot is True:
            continue
        if uid is not None and not strict:
            continue  # a non-zero runAsUser cannot be root
        if nonroot is False:
            if own_nonroot is False:
                path, at_pod = sc_path(ref, "runAsNonRoot"), ""
            else:
                path, at_pod = pod.sc_path("runAsNonRoot"), " at pod level"
            yield Violation(path, f"{who(ref)} may run as root: runAsNonRoot is false{at_pod}")
            continue
        undecided.append(ref)
    if not undecided:
        return
    if len(undecided) == len(refs) and pod_nonroot is None:
        also = "" if strict else " or a non-zero runAsUser"
        yield Violation(
            pod.sc_path("runAsNonRoot"),
            f"neither the pod nor {names(undecided)} {verb(undecided, 'sets', 'set')}"
            f" runAsNonRoot: true{also}; the image's user applies, often root",
        )
        return
    for ref in undecided:
        if strict:
            message = f"{who(ref)} does not set runAsNonRoot: true and the pod does not either"
        else:
            message = (
                f"{who(ref)} may run as root: neither it nor the pod sets runAsNonRoot: true or"
                " a non-zero runAsUser"
            )
        yield Violation(sc_path(ref, "runAsNonRoot"), message)


@check("run-as-low-uid")
def run_as_low_uid(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = pod_view(resource)
    if pod is None or pod.windows:
        return
    minimum = _int(options.get("min_uid")) or 10000
    check_group = bool(options.get("check_group", True))
    pod_uid = _int(pod.sc.get("runAsUser"))
    pod_gid = _int(pod.sc.get("runAsGroup"))
    sc = security_context(ref)
    own_uid = _int(sc.get("runAsUser"))
    uid = own_uid if own_uid is not None else pod_uid
    uid_path = sc_path(ref, "runAsUser") if own_uid is not None else pod.sc_path("runAsUser")
    if uid is None:
        yield Violation(
            sc_path(ref, "runAsUser"),
            f"{who(ref)} sets no runAsUser; the image's user applies (want a uid of at"
            f" least {minimum})",
        )
    elif uid < minimum:
        yield Violation(
            uid_path,
            f"{who(ref)} runs as uid {uid}, below {minimum}; a low uid can match a"
            " privileged user on the node",
        )
    if not check_group:
        return
    own_gid = _int(sc.get("runAsGroup"))
    gid = own_gid if own_gid is not None else pod_gid
    if gid is not None and gid < minimum:
        gid_path = sc_path(ref, "runAsGroup") if own_gid is not None else pod.sc_path("runAsGroup")
        yield Violation(gid_path, f"{who(ref)} runs with gid {gid}, below {minimum}")


@check("capabilities-added-dangerous")
def capabilities_added_dangerous(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = pod_view(resource)
    if pod is None or pod.windows:
        return
    allowed_option = options.get("allowed", BASELINE_CAPABILITIES)
    if not isinstance(allowed_option, list | tuple):
        allowed_option = BASELINE_CAPABILITIES
    allowed = {cap_name(c) for c in allowed_option if isinstance(c, str)}
    added = [c for c in caps_of(security_context(ref), "add") if cap_name(c) not in allowed]
    if added:
        noun = "capability" if len(added) == 1 else "capabilities"
        yield Violation(
            sc_path(ref, "capabilities", "add"),
            f"{who(ref)} adds {noun} {', '.join(added)}, beyond the Pod Security Standards"
            " baseline set",
        )


@check("capabilities-not-dropped")
def capabilities_not_dropped(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = pod_view(resource)
    if pod is None or pod.windows:
        return
    sc = security_context(ref)
    if sc.get("privileged") is True:
        return  # a privileged container has every capability whatever it drops
    dropped = caps_of(sc, "drop")
    normalized = {cap_name(c) for c in dropped}
    if "ALL" in normalized:
        return
    if not dropped:
        message = (
            f"{who(ref)} does not drop ALL capabilities; it keeps the runtime's defaults,"
            " NET_RAW included"
        )
    else:
        kept = "" if "NET_RAW" in normalized else ", NET_RAW included"
        message = (
            f"{who(ref)} drops {', '.join(dropped)} but not ALL; it keeps the other"
            f" runtime default capabilities{kept}"
        )
    yield Violation(sc_path(ref, "capabilities", "drop"), message)


@check("writable-root-filesystem")
def writable_root_filesystem(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = pod_view(resource)
    if pod is None or pod.windows:
        return
    value = security_context(ref).get("readOnlyRootFilesystem")
    if value is True:
        return
    state = "sets readOnlyRootFilesystem: false" if value is False else "does not set"
    if value is not False:
        state += " readOnlyRootFilesystem: true"
    yield Violation(
        sc_path(ref, "readOnlyRootFilesystem"),
        f"{who(ref)} {state}; its root filesystem is writable",
    )
