"""Pod security: security contexts, host access, images, service accounts and secrets in env.

Every check reads the pod template of every workload kind through `workloads`, and applies to
init and ephemeral containers as the Pod Security Standards do. The semantics each check relies
on (what a field defaults to, which level overrides which, what the API server rejects, which
sysctls the kubelet treats as safe) are cited in ../data/pod_security.yaml, row by row.

Linux-only fields (capabilities, allowPrivilegeEscalation, seccomp, AppArmor, procMount,
readOnlyRootFilesystem, runAsUser/runAsGroup, sysctls) cannot be set on a pod whose
`spec.os.name` is `windows` (the API server rejects them), so those checks skip such pods.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from kubeplan.model import Path, Resource
from kubeplan.rules import workloads
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check
from kubeplan.rules.values import as_dict as _dict
from kubeplan.rules.values import as_int as _int
from kubeplan.rules.values import as_str as _str
from kubeplan.rules.workloads import ContainerRef

# --------------------------------------------------------------------------------------------
# Shared helpers


_LIST_WORDS = {
    "containers": "container",
    "initContainers": "init container",
    "ephemeralContainers": "ephemeral container",
}

# Pod Security Standards, baseline "Capabilities" control: the only capabilities a container may
# add (kubernetes/website content/en/docs/concepts/security/pod-security-standards.md;
# staging/src/k8s.io/pod-security-admission/policy/check_capabilities_baseline.go).
BASELINE_CAPABILITIES = (
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
)

# Sysctls the kubelet allows without --allowed-unsafe-sysctls, with the Kubernetes version that
# added each (kubernetes/website content/en/docs/tasks/administer-cluster/sysctl-cluster.md;
# pkg/kubelet/sysctl/safe_sysctls.go).
SAFE_SYSCTLS: dict[str, tuple[int, int]] = {
    "kernel.shm_rmid_forced": (1, 0),
    "net.ipv4.ip_local_port_range": (1, 0),
    "net.ipv4.tcp_syncookies": (1, 0),
    "net.ipv4.ping_group_range": (1, 18),
    "net.ipv4.ip_unprivileged_port_start": (1, 22),
    "net.ipv4.ip_local_reserved_ports": (1, 27),
    "net.ipv4.tcp_keepalive_time": (1, 29),
    "net.ipv4.tcp_fin_timeout": (1, 29),
    "net.ipv4.tcp_keepalive_intvl": (1, 29),
    "net.ipv4.tcp_keepalive_probes": (1, 29),
    "net.ipv4.tcp_rmem": (1, 32),
    "net.ipv4.tcp_wmem": (1, 32),
    "net.ipv4.tcp_slow_start_after_idle": (1, 37),
    "net.ipv4.tcp_notsent_lowat": (1, 37),
}

SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/"
# Kubernetes 1.27 made the seccomp annotations non-functional (kubernetes/kubernetes#114947).
SECCOMP_ANNOTATIONS_IGNORED_SINCE = (1, 27)
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


def _who(ref: ContainerRef) -> str:
    return f'{_LIST_WORDS.get(ref.list_name, "container")} "{ref.name}"'


def _names(refs: list[ContainerRef]) -> str:
    quoted = ", ".join(f'"{ref.name}"' for ref in refs)
    return f"container {quoted}" if len(refs) == 1 else f"containers {quoted}"


def _verb(refs: list[ContainerRef], singular: str, plural: str) -> str:
    return singular if len(refs) == 1 else plural


def _sc(ref: ContainerRef) -> dict[str, Any]:
    return _dict(ref.container.get("securityContext"))


def _sc_path(ref: ContainerRef, *rest: str | int) -> Path:
    return (*ref.path, "securityContext", *rest)


def _cap(name: str) -> str:
    """Capability names as the runtimes read them: case-insensitive, with or without CAP_."""
    name = name.strip().upper()
    return name[4:] if name.startswith("CAP_") else name


def _caps(sc: dict[str, Any], key: str) -> list[str]:
    items = _dict(sc.get("capabilities")).get(key)
    return [c for c in items if isinstance(c, str)] if isinstance(items, list) else []


def _minor(ctx: LintContext) -> tuple[int, int]:
    try:
        major, minor = str(ctx.kubernetes_version).lstrip("v").split(".")[:2]
        return int(major), int(minor)
    except ValueError:
        return (1, 99)


@dataclass(frozen=True, slots=True)
class _Pod:
    path: Path  # path of the pod spec
    spec: dict[str, Any]
    sc: dict[str, Any]  # pod-level securityContext
    windows: bool

    def sc_path(self, *rest: str | int) -> Path:
        return (*self.path, "securityContext", *rest)


def _pod(resource: Resource) -> _Pod | None:
    """The pod view every security rule starts from, built once per object."""
    if "security_pod" not in resource.memo:
        found = workloads.pod_spec(resource)
        pod = None
        if found is not None:
            path, spec = found
            os_name = _dict(spec.get("os")).get("name")
            pod = _Pod(path, spec, _dict(spec.get("securityContext")), os_name == "windows")
        resource.memo["security_pod"] = pod
    return resource.memo["security_pod"]


def _annotations(resource: Resource) -> tuple[Path, dict[str, Any]]:
    found = workloads.pod_template(resource)
    path = found[0] if found else ()
    return (*path, "metadata", "annotations"), workloads.pod_annotations(resource)


# --------------------------------------------------------------------------------------------
# Security context


@check("privileged-container")
def privileged_container(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for ref in workloads.containers(resource):
        if _sc(ref).get("privileged") is True:
            yield Violation(
                _sc_path(ref, "privileged"),
                f"{_who(ref)} runs privileged (securityContext.privileged: true): it has every"
                " capability and access to all host devices",
            )


@check("privilege-escalation-allowed")
def privilege_escalation_allowed(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = _pod(resource)
    if pod is None or pod.windows:
        return
    for ref in workloads.containers(resource):
        sc = _sc(ref)
        path = _sc_path(ref, "allowPrivilegeEscalation")
        value = sc.get("allowPrivilegeEscalation")
        if value is False:
            # Forced back to true: AllowPrivilegeEscalation "is true always when the container
            # is run as Privileged or has CAP_SYS_ADMIN" (k8s.io/api core/v1 SecurityContext).
            if sc.get("privileged") is True:
                yield Violation(
                    path,
                    f"{_who(ref)} sets allowPrivilegeEscalation: false but runs privileged, which"
                    " always allows escalation (the API server rejects this combination)",
                )
                continue
            sys_admin = [c for c in _caps(sc, "add") if _cap(c) in ("SYS_ADMIN", "ALL")]
            if sys_admin:
                rejected = sys_admin[0] == "CAP_SYS_ADMIN"
                yield Violation(
                    path,
                    f"{_who(ref)} sets allowPrivilegeEscalation: false but adds {sys_admin[0]},"
                    " which always allows escalation"
                    + (" (the API server rejects this combination)" if rejected else ""),
                )
            continue
        if value is True:
            message = f"{_who(ref)} sets allowPrivilegeEscalation: true"
        else:
            message = (
                f"{_who(ref)} does not set allowPrivilegeEscalation: false (unset, so"
                " no_new_privs is off and setuid binaries can gain privileges)"
            )
        yield Violation(path, message)


@check("run-as-root")
def run_as_root(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = _pod(resource)
    if pod is None:
        return
    strict = bool(options.get("require_run_as_non_root", False))
    pod_nonroot = pod.sc.get("runAsNonRoot")
    pod_nonroot = pod_nonroot if isinstance(pod_nonroot, bool) else None
    pod_uid = _int(pod.sc.get("runAsUser"))
    refs = list(workloads.containers(resource))
    undecided: list[ContainerRef] = []
    for ref in refs:
        sc = _sc(ref)
        own_nonroot = sc.get("runAsNonRoot")
        own_nonroot = own_nonroot if isinstance(own_nonroot, bool) else None
        own_uid = _int(sc.get("runAsUser"))
        # The container's securityContext overrides the pod's (k8s.io/api core/v1).
        nonroot = own_nonroot if own_nonroot is not None else pod_nonroot
        uid = own_uid if own_uid is not None else pod_uid
        if uid == 0:
            path = _sc_path(ref, "runAsUser") if own_uid is not None else pod.sc_path("runAsUser")
            at_pod = "" if own_uid is not None else " at pod level"
            if nonroot is True:
                message = (
                    f"{_who(ref)} sets runAsUser: 0{at_pod} with runAsNonRoot: true; the kubelet"
                    " refuses to start it"
                )
            else:
                message = f"{_who(ref)} runs as root (runAsUser: 0{at_pod})"
            yield Violation(path, message)
            continue
        if nonroot is True:
            continue
        if uid is not None and not strict:
            continue  # a non-zero runAsUser cannot be root
        if nonroot is False:
            if own_nonroot is False:
                path, at_pod = _sc_path(ref, "runAsNonRoot"), ""
            else:
                path, at_pod = pod.sc_path("runAsNonRoot"), " at pod level"
            yield Violation(path, f"{_who(ref)} may run as root: runAsNonRoot is false{at_pod}")
            continue
        undecided.append(ref)
    if not undecided:
        return
    if len(undecided) == len(refs) and pod_nonroot is None:
        also = "" if strict else " or a non-zero runAsUser"
        yield Violation(
            pod.sc_path("runAsNonRoot"),
            f"neither the pod nor {_names(undecided)} {_verb(undecided, 'sets', 'set')}"
            f" runAsNonRoot: true{also}; the image's user applies, often root",
        )
        return
    for ref in undecided:
        if strict:
            message = f"{_who(ref)} does not set runAsNonRoot: true and the pod does not either"
        else:
            message = (
                f"{_who(ref)} may run as root: neither it nor the pod sets runAsNonRoot: true or"
                " a non-zero runAsUser"
            )
        yield Violation(_sc_path(ref, "runAsNonRoot"), message)


@check("run-as-low-uid")
def run_as_low_uid(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = _pod(resource)
    if pod is None or pod.windows:
        return
    minimum = _int(options.get("min_uid")) or 10000
    check_group = bool(options.get("check_group", True))
    pod_uid = _int(pod.sc.get("runAsUser"))
    pod_gid = _int(pod.sc.get("runAsGroup"))
    for ref in workloads.containers(resource):
        sc = _sc(ref)
        own_uid = _int(sc.get("runAsUser"))
        uid = own_uid if own_uid is not None else pod_uid
        uid_path = _sc_path(ref, "runAsUser") if own_uid is not None else pod.sc_path("runAsUser")
        if uid is None:
            yield Violation(
                _sc_path(ref, "runAsUser"),
                f"{_who(ref)} sets no runAsUser; the image's user applies (want a uid of at"
                f" least {minimum})",
            )
        elif uid < minimum:
            yield Violation(
                uid_path,
                f"{_who(ref)} runs as uid {uid}, below {minimum}; a low uid can match a"
                " privileged user on the node",
            )
        if not check_group:
            continue
        own_gid = _int(sc.get("runAsGroup"))
        gid = own_gid if own_gid is not None else pod_gid
        if gid is not None and gid < minimum:
            gid_path = (
                _sc_path(ref, "runAsGroup") if own_gid is not None else pod.sc_path("runAsGroup")
            )
            yield Violation(gid_path, f"{_who(ref)} runs with gid {gid}, below {minimum}")


@check("capabilities-added-dangerous")
def capabilities_added_dangerous(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = _pod(resource)
    if pod is None or pod.windows:
        return
    allowed_option = options.get("allowed", BASELINE_CAPABILITIES)
    if not isinstance(allowed_option, list | tuple):
        allowed_option = BASELINE_CAPABILITIES
    allowed = {_cap(c) for c in allowed_option if isinstance(c, str)}
    for ref in workloads.containers(resource):
        added = [c for c in _caps(_sc(ref), "add") if _cap(c) not in allowed]
        if added:
            noun = "capability" if len(added) == 1 else "capabilities"
            yield Violation(
                _sc_path(ref, "capabilities", "add"),
                f"{_who(ref)} adds {noun} {', '.join(added)}, beyond the Pod Security Standards"
                " baseline set",
            )


@check("capabilities-not-dropped")
def capabilities_not_dropped(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = _pod(resource)
    if pod is None or pod.windows:
        return
    for ref in workloads.containers(resource):
        sc = _sc(ref)
        if sc.get("privileged") is True:
            continue  # a privileged container has every capability whatever it drops
        dropped = _caps(sc, "drop")
        normalized = {_cap(c) for c in dropped}
        if "ALL" in normalized:
            continue
        if not dropped:
            message = (
                f"{_who(ref)} does not drop ALL capabilities; it keeps the runtime's defaults,"
                " NET_RAW included"
            )
        else:
            kept = "" if "NET_RAW" in normalized else ", NET_RAW included"
            message = (
                f"{_who(ref)} drops {', '.join(dropped)} but not ALL; it keeps the other"
                f" runtime default capabilities{kept}"
            )
        yield Violation(_sc_path(ref, "capabilities", "drop"), message)


@check("writable-root-filesystem")
def writable_root_filesystem(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = _pod(resource)
    if pod is None or pod.windows:
        return
    for ref in workloads.containers(resource):
        value = _sc(ref).get("readOnlyRootFilesystem")
        if value is True:
            continue
        state = "sets readOnlyRootFilesystem: false" if value is False else "does not set"
        if value is not False:
            state += " readOnlyRootFilesystem: true"
        yield Violation(
            _sc_path(ref, "readOnlyRootFilesystem"),
            f"{_who(ref)} {state}; its root filesystem is writable",
        )


@check("seccomp-profile-missing")
def seccomp_profile_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = _pod(resource)
    if pod is None or pod.windows:
        return
    legacy_honoured = _minor(ctx) < SECCOMP_ANNOTATIONS_IGNORED_SINCE
    annotations_path, annotations = _annotations(resource)
    pod_type = _str(_dict(pod.sc.get("seccompProfile")).get("type"))
    pod_annotation = _str(annotations.get(SECCOMP_POD_ANNOTATION))
    refs = list(workloads.containers(resource))
    missing: list[ContainerRef] = []
    ignored_annotations = False
    for ref in refs:
        # Precedence: container field, container annotation, pod field, pod annotation. Before
        # 1.27 the API server copied an annotation into the matching unset field at creation.
        own_type = _str(_dict(_sc(ref).get("seccompProfile")).get("type"))
        key = SECCOMP_CONTAINER_ANNOTATION + ref.name
        own_annotation = _str(annotations.get(key))
        if own_type:
            profile, path, where = own_type, _sc_path(ref, "seccompProfile", "type"), ""
        elif own_annotation and legacy_honoured:
            profile = "Unconfined" if own_annotation == "unconfined" else "RuntimeDefault"
            path, where = (*annotations_path, key), f" (annotation {key}: {own_annotation})"
        elif pod_type:
            profile, path, where = pod_type, pod.sc_path("seccompProfile", "type"), " (pod level)"
        elif pod_annotation and legacy_honoured:
            key = SECCOMP_POD_ANNOTATION
            profile = "Unconfined" if pod_annotation == "unconfined" else "RuntimeDefault"
            path, where = (*annotations_path, key), f" (annotation {key}: {pod_annotation})"
        else:
            ignored_annotations = ignored_annotations or bool(own_annotation or pod_annotation)
            missing.append(ref)
            continue
        if profile == "Unconfined":
            yield Violation(path, f"{_who(ref)} runs with seccomp profile Unconfined{where}")
    if not missing:
        return
    note = (
        "; the legacy seccomp annotations are ignored since Kubernetes 1.27"
        if ignored_annotations
        else ""
    )
    tail = f"{_verb(missing, 'it runs', 'they run')} Unconfined unless the kubelet enables --seccomp-default{note}"
    if len(missing) == len(refs):
        yield Violation(
            pod.sc_path("seccompProfile"),
            f"neither the pod nor {_names(missing)} {_verb(missing, 'sets', 'set')} a"
            f" seccompProfile (RuntimeDefault or Localhost); {tail}",
        )
        return
    for ref in missing:
        yield Violation(
            _sc_path(ref, "seccompProfile"),
            f"{_who(ref)} has no seccompProfile and the pod sets none; it runs Unconfined unless"
            f" the kubelet enables --seccomp-default{note}",
        )


@check("apparmor-unconfined")
def apparmor_unconfined(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = _pod(resource)
    if pod is None or pod.windows:
        return
    annotations_path, annotations = _annotations(resource)
    pod_type = _str(_dict(pod.sc.get("appArmorProfile")).get("type"))
    inherit_unconfined: list[ContainerRef] = []
    for ref in workloads.containers(resource):
        own_type = _str(_dict(_sc(ref).get("appArmorProfile")).get("type"))
        if own_type:
            if own_type == "Unconfined":
                yield Violation(
                    _sc_path(ref, "appArmorProfile", "type"),
                    f"{_who(ref)} runs AppArmor Unconfined (appArmorProfile.type: Unconfined)",
                )
            continue
        # The deprecated annotation still sets the container's profile when its field is unset
        # (pkg/registry/core/pod/strategy.go, applyAppArmorVersionSkew).
        key = APPARMOR_ANNOTATION + ref.name
        value = _str(annotations.get(key))
        if value is not None:
            if value == "unconfined":
                yield Violation(
                    (*annotations_path, key),
                    f"{_who(ref)} runs AppArmor unconfined (annotation {key}: unconfined)",
                )
            continue
        if pod_type == "Unconfined":
            inherit_unconfined.append(ref)
    if inherit_unconfined:
        yield Violation(
            pod.sc_path("appArmorProfile", "type"),
            f"the pod sets appArmorProfile.type: Unconfined, which applies to"
            f" {_names(inherit_unconfined)}",
        )


@check("proc-mount-unmasked")
def proc_mount_unmasked(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = _pod(resource)
    if pod is None or pod.windows:
        return
    for ref in workloads.containers(resource):
        if _sc(ref).get("procMount") == "Unmasked":
            yield Violation(
                _sc_path(ref, "procMount"),
                f"{_who(ref)} sets procMount: Unmasked; the kernel paths /proc normally masks are"
                " exposed to it",
            )


def normalize_sysctl(name: str) -> str:
    """A sysctl written with `/` separators, as the kubelet reads it (`net/ipv4/x` -> `net.ipv4.x`).

    Same rule as k8s.io/component-helpers node/util/sysctl NormalizeName: when the first
    separator is a slash, slashes and dots swap.
    """
    match = re.search(r"[./]", name)
    if match is None or match.group() == ".":
        return name
    return name.translate(str.maketrans("./", "/."))


def _sysctl_allowed(name: str, patterns: Iterable[Any]) -> bool:
    for pattern in patterns:
        if not isinstance(pattern, str):
            continue
        pattern = normalize_sysctl(pattern)
        if pattern == name or (pattern.endswith("*") and name.startswith(pattern[:-1])):
            return True
    return False


@check("unsafe-sysctls")
def unsafe_sysctls(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = _pod(resource)
    if pod is None or pod.windows:
        return
    items = pod.sc.get("sysctls")
    if not isinstance(items, list):
        return
    version = _minor(ctx)
    allowed = options.get("allowed") or []
    allowed = allowed if isinstance(allowed, list) else []
    host_network = pod.spec.get("hostNetwork") is True
    for index, item in enumerate(items):
        raw = _str(_dict(item).get("name"))
        if raw is None:
            continue
        name = normalize_sysctl(raw)
        path = pod.sc_path("sysctls", index, "name")
        if host_network and name.startswith("net."):
            yield Violation(
                path,
                f"sysctl {raw} is a net.* sysctl, which cannot be set on a pod with hostNetwork:"
                " true (it would change the node's network namespace)",
            )
            continue
        since = SAFE_SYSCTLS.get(name)
        if since is not None and since <= version:
            continue
        if _sysctl_allowed(name, allowed):
            continue
        if since is not None:
            reason = f"is safe only from Kubernetes {since[0]}.{since[1]}"
        else:
            reason = "is not in the kubelet's safe set"
        yield Violation(
            path,
            f"sysctl {raw} {reason} (target {ctx.kubernetes_version}); the pod fails to start"
            " on any node whose kubelet does not allow it with --allowed-unsafe-sysctls",
        )


@check("host-process")
def host_process(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = _pod(resource)
    if pod is None:
        return
    pod_level = _dict(pod.sc.get("windowsOptions")).get("hostProcess") is True
    if pod_level:
        yield Violation(
            pod.sc_path("windowsOptions", "hostProcess"),
            "the pod runs Windows HostProcess containers (windowsOptions.hostProcess: true):"
            " they run directly on the node with its privileges",
        )
        return
    for ref in workloads.containers(resource):
        if _dict(_sc(ref).get("windowsOptions")).get("hostProcess") is True:
            yield Violation(
                _sc_path(ref, "windowsOptions", "hostProcess"),
                f"{_who(ref)} is a Windows HostProcess container (windowsOptions.hostProcess:"
                " true): it runs directly on the node with its privileges",
            )


# --------------------------------------------------------------------------------------------
# Host namespaces, ports and paths


def _host_namespace(resource: Resource, field: str, what: str) -> Iterator[Violation]:
    pod = _pod(resource)
    if pod is not None and pod.spec.get(field) is True:
        yield Violation((*pod.path, field), f"the pod shares the node's {what} ({field}: true)")


@check("host-network")
def host_network(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    return _host_namespace(resource, "hostNetwork", "network namespace")


@check("host-pid")
def host_pid(resource: Resource, ctx: LintContext, options: dict[str, Any]) -> Iterator[Violation]:
    return _host_namespace(resource, "hostPID", "process namespace")


@check("host-ipc")
def host_ipc(resource: Resource, ctx: LintContext, options: dict[str, Any]) -> Iterator[Violation]:
    return _host_namespace(resource, "hostIPC", "IPC namespace")


def _ports(resource: Resource) -> Iterator[tuple[ContainerRef, int, dict[str, Any]]]:
    for ref in workloads.containers(resource):
        ports = ref.container.get("ports")
        if isinstance(ports, list):
            for index, port in enumerate(ports):
                if isinstance(port, dict):
                    yield ref, index, port


@check("host-port")
def host_port(resource: Resource, ctx: LintContext, options: dict[str, Any]) -> Iterator[Violation]:
    pod = _pod(resource)
    if pod is None:
        return
    host_net = pod.spec.get("hostNetwork") is True
    for ref, index, port in _ports(resource):
        value = _int(port.get("hostPort"))
        if not value:
            continue
        container_port = _int(port.get("containerPort"))
        if host_net and value == container_port:
            continue  # with hostNetwork every port is a host port; host-network reports it
        yield Violation(
            (*ref.path, "ports", index, "hostPort"),
            f"{_who(ref)} binds port {value} on the node (hostPort) for containerPort"
            f" {container_port}",
        )


@check("ssh-port-exposed")
def ssh_port_exposed(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for ref, index, port in _ports(resource):
        if _int(port.get("containerPort")) == 22 and port.get("protocol") in (None, "TCP"):
            yield Violation(
                (*ref.path, "ports", index, "containerPort"),
                f"{_who(ref)} exposes port 22 (SSH)",
            )


@check("privileged-port")
def privileged_port(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for ref, index, port in _ports(resource):
        value = _int(port.get("containerPort"))
        if value is not None and 0 < value < 1024:
            yield Violation(
                (*ref.path, "ports", index, "containerPort"),
                f"{_who(ref)} listens on privileged port {value} (below 1024)",
            )


def normalize_host_path(path: Any) -> str | None:
    """An absolute host path without repeated, trailing or `.` segments; None if not absolute."""
    if not isinstance(path, str) or not path.startswith("/"):
        return None
    return posixpath.normpath(re.sub(r"/+", "/", path)) or "/"


def _exposes(mount: str, target: str) -> bool:
    """Mounting `mount` exposes `target`: the same path, or a directory above it."""
    return mount == target or mount == "/" or target.startswith(mount + "/")


@dataclass(frozen=True, slots=True)
class _HostPath:
    path: Path  # of the `path` field
    volume: str | None  # None for a PersistentVolume
    host_path: str
    writers: tuple[str, ...] = ()
    readers: tuple[str, ...] = ()

    def subject(self) -> str:
        if self.volume is None:
            return "the PersistentVolume"
        return f'hostPath volume "{self.volume}"'

    def usage(self) -> str:
        if self.volume is None:
            return ""
        if self.writers:
            return f", writable by {', '.join(self.writers)}"
        if self.readers:
            return ", mounted read-only"
        return ""


def _host_paths(resource: Resource) -> Iterator[_HostPath]:
    if resource.kind == "PersistentVolume":
        spec = _dict(resource.body.get("spec"))
        host = normalize_host_path(_dict(spec.get("hostPath")).get("path"))
        if host:
            yield _HostPath(("spec", "hostPath", "path"), None, host)
        return
    pod = _pod(resource)
    if pod is None:
        return
    volumes = pod.spec.get("volumes")
    if not isinstance(volumes, list):
        return
    refs = list(workloads.containers(resource))
    for index, volume in enumerate(volumes):
        volume = _dict(volume)
        host = normalize_host_path(_dict(volume.get("hostPath")).get("path"))
        if host is None:
            continue
        name = volume.get("name") if isinstance(volume.get("name"), str) else f"#{index}"
        writers, readers = [], []
        for ref in refs:
            mounts = ref.container.get("volumeMounts")
            for mount in mounts if isinstance(mounts, list) else ():
                if isinstance(mount, dict) and mount.get("name") == name:
                    (readers if mount.get("readOnly") is True else writers).append(_who(ref))
                    break
        yield _HostPath(
            (*pod.path, "volumes", index, "hostPath", "path"),
            name,
            host,
            tuple(writers),
            tuple(readers),
        )


def _option_paths(options: dict[str, Any], key: str) -> tuple[str, ...]:
    value = options.get(key)
    return tuple(p for p in value if isinstance(p, str)) if isinstance(value, list) else ()


@cache
def _targets(entries: tuple[str, ...]) -> tuple[tuple[str, bool], ...]:
    """Normalised option paths, once per distinct option list: (path, also-its-subtree)."""
    out = []
    for entry in entries:
        subtree = entry.endswith("/*")
        target = normalize_host_path(entry[:-2] if subtree else entry)
        if target is not None:
            out.append((target, subtree))
    return tuple(out)


# The default `sockets` of docker-socket-mount (the table repeats them as its default option);
# host-path-sensitive leaves the paths that expose one of them to docker-socket-mount.
RUNTIME_SOCKETS = (
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
    "/run/cri-dockerd.sock",
    "/run/k3s/containerd/containerd.sock",
    "/var/run/podman/podman.sock",
    "/run/podman/podman.sock",
)


def _runtime_socket(host: str, sockets: tuple[str, ...]) -> str | None:
    """The runtime socket a host path exposes: the socket itself or a directory above it ("/"
    aside, which host-path-sensitive reports as the node's root filesystem)."""
    for target, _ in _targets(sockets):
        if host == target or (host != "/" and target.startswith(host + "/")):
            return target
    return None


@check("docker-socket-mount")
def docker_socket_mount(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    sockets = _option_paths(options, "sockets") if "sockets" in options else RUNTIME_SOCKETS
    for item in _host_paths(resource):
        socket = _runtime_socket(item.host_path, sockets)
        if socket is None:
            continue
        if socket == item.host_path:
            what = f"the container runtime socket {socket}"
        else:
            what = f"{item.host_path}, which holds the container runtime socket {socket}"
        yield Violation(
            item.path,
            f"{item.subject()} mounts {what}{item.usage()}: whoever reaches it controls every"
            " container on the node",
        )


@check("host-path-sensitive")
def host_path_sensitive(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    entries = _option_paths(options, "paths")
    for item in _host_paths(resource):
        if _runtime_socket(item.host_path, RUNTIME_SOCKETS):
            continue  # docker-socket-mount reports it
        host = item.host_path
        for target, subtree in _targets(entries):
            if host == target:
                detail = ""
            elif _exposes(host, target):
                detail = f", which contains {target}"
            elif subtree and host.startswith(target + "/"):
                detail = f", inside {target}"
            else:
                continue
            what = "the node's root filesystem" if host == "/" else f"the node's {host}"
            yield Violation(item.path, f"{item.subject()} mounts {what}{detail}{item.usage()}")
            break


# --------------------------------------------------------------------------------------------
# Service accounts


def _service_account(spec: dict[str, Any]) -> str:
    # serviceAccountName wins; the deprecated serviceAccount is used only when it is empty
    # (pkg/apis/core/v1/conversion.go, Convert_v1_PodSpec_To_core_PodSpec).
    return _str(spec.get("serviceAccountName")) or _str(spec.get("serviceAccount")) or "default"


_SA_INDEX = "_pod_security_sa_automount"


def _sa_automount(ctx: LintContext) -> dict[tuple[str | None, str], Any]:
    index = ctx.__dict__.get(_SA_INDEX)
    if index is None:
        index = {}
        for sa in ctx.of_kind("ServiceAccount"):
            if sa.name and sa.group == "":
                index[(sa.namespace, sa.name)] = sa.body.get("automountServiceAccountToken")
        ctx.__dict__[_SA_INDEX] = index
    return index


@check("service-account-token-automounted")
def service_account_token_automounted(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = _pod(resource)
    if pod is None:
        return
    path = (*pod.path, "automountServiceAccountToken")
    value = pod.spec.get("automountServiceAccountToken")
    if value is False:
        return
    account = _service_account(pod.spec)
    if value is True:
        yield Violation(
            path,
            f"the pod sets automountServiceAccountToken: true, so every container gets an API"
            f' token of ServiceAccount "{account}"',
        )
        return
    # The pod's field wins; unset, the ServiceAccount's applies; unset there too, it mounts
    # (plugin/pkg/admission/serviceaccount/admission.go, shouldAutomount).
    index = _sa_automount(ctx)
    key = (resource.namespace, account)
    if key in index:
        if index[key] is False:
            return
        where = f'its ServiceAccount "{account}" does not either'
    else:
        where = f'its ServiceAccount "{account}" is not in the input (unset, it mounts)'
    yield Violation(
        path,
        f"the pod does not set automountServiceAccountToken: false and {where}; every container"
        " gets an API token",
    )


@check("default-service-account")
def default_service_account(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = _pod(resource)
    if pod is None or _service_account(pod.spec) != "default":
        return
    explicit = _str(pod.spec.get("serviceAccountName")) or _str(pod.spec.get("serviceAccount"))
    how = "names it explicitly" if explicit else "sets no serviceAccountName"
    yield Violation(
        (*pod.path, "serviceAccountName"),
        f"the pod runs as the namespace's default ServiceAccount (it {how}); give the workload"
        " its own ServiceAccount",
    )


@check("deprecated-service-account-field")
def deprecated_service_account_field(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = _pod(resource)
    if pod is None:
        return
    old = _str(pod.spec.get("serviceAccount"))
    if old is None:
        return
    new = _str(pod.spec.get("serviceAccountName"))
    if new == old and resource.server_fields:
        return  # the API server writes the alias back into every object it returns
    path = (*pod.path, "serviceAccount")
    if new is None:
        message = f"the pod sets the deprecated serviceAccount: {old}; use serviceAccountName"
    elif new == old:
        message = f"the pod sets the deprecated serviceAccount alongside serviceAccountName: {new}"
    else:
        message = (
            f"the pod sets the deprecated serviceAccount: {old}, which is ignored because"
            f" serviceAccountName is {new}"
        )
    yield Violation(path, message)


# --------------------------------------------------------------------------------------------
# Env and images


_DEFAULT_SECRET_NAMES = (
    r"PASSW(OR)?D|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH_?KEY"
    r"|SIGNING_?KEY|ENCRYPTION_?KEY|CONN(ECTION)?_?STR(ING)?"
)
_DEFAULT_NOT_SECRET_NAMES = (
    r"_(FILE|PATH|DIR|LOCATION|NAME|ID|URL|URI|ENDPOINT|HOST|PORT|TYPE|LENGTH|LEN|SIZE|TTL"
    r"|TIMEOUT|EXPIRY|EXPIRES|EXPIRATION|LIFETIME|ENABLED|ENABLE|DISABLED|MODE|HEADER|FIELD|REF"
    r"|VERSION|ISSUER|AUDIENCE|SCOPES?|ALGORITHM|FORMAT|POLICY|COUNT|RETRIES|INTERVAL|DURATION"
    r"|MIN|MAX|REQUIRED)$"
)
_NOT_SECRET_VALUES = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null"})
_ONLY_REFERENCE = re.compile(r"^\$\([A-Za-z_][A-Za-z0-9_.-]*\)$")
_URL_PASSWORD = re.compile(r"://[^/\s:@]+:([^/\s@]+)@")


def _pattern(options: dict[str, Any], key: str, default: str) -> re.Pattern[str] | None:
    value = options.get(key, default)
    if not isinstance(value, str) or not value:
        return None
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error:
        return re.compile(default, re.IGNORECASE)


@check("secret-in-env")
def secret_in_env(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    names = _pattern(options, "name_pattern", _DEFAULT_SECRET_NAMES)
    not_names = _pattern(options, "ignore_name_pattern", _DEFAULT_NOT_SECRET_NAMES)
    for ref in workloads.containers(resource):
        env = ref.container.get("env")
        if not isinstance(env, list):
            continue
        for index, item in enumerate(env):
            item = _dict(item)
            name, value = item.get("name"), item.get("value")
            if not isinstance(name, str) or not isinstance(value, str):
                continue
            value = value.strip()
            if not value or "valueFrom" in item:
                continue
            path = (*ref.path, "env", index, "value")
            url = _URL_PASSWORD.search(value)
            if url and not url.group(1).startswith("$("):
                yield Violation(
                    path,
                    f"{_who(ref)} sets env {name} to a URL with an embedded password; reference"
                    " a Secret with valueFrom.secretKeyRef",
                )
                continue
            key = re.sub(r"[-.]", "_", name)
            if names is None or not names.search(key):
                continue
            if not_names is not None and not_names.search(key):
                continue
            if (
                value.lower() in _NOT_SECRET_VALUES
                or _ONLY_REFERENCE.match(value)
                or re.match(r"^(/|file://)\S*$", value)
            ):
                continue
            yield Violation(
                path,
                f"{_who(ref)} sets env {name} to a literal value; reference a Secret with"
                " valueFrom.secretKeyRef",
            )


@check("duplicate-env-var")
def duplicate_env_var(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for ref in workloads.containers(resource):
        env = ref.container.get("env")
        if not isinstance(env, list):
            continue
        seen: dict[str, int] = {}
        for index, item in enumerate(env):
            name = _dict(item).get("name")
            if not isinstance(name, str):
                continue
            if name in seen:
                yield Violation(
                    (*ref.path, "env", index, "name"),
                    f"{_who(ref)} defines env {name} twice (env[{seen[name]}] and env[{index}]);"
                    " only the last value takes effect",
                )
            else:
                seen[name] = index


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """`registry:5000/app:1.2@sha256:...` -> (`registry:5000/app`, `1.2`, `sha256:...`)."""
    name, _, digest = image.partition("@")
    repository, tag = name, None
    if ":" in name.rsplit("/", 1)[-1]:
        repository, tag = name.rsplit(":", 1)
    return repository, tag or None, digest or None


def _images(resource: Resource) -> Iterator[tuple[ContainerRef, str, str | None, str | None]]:
    for ref in workloads.containers(resource):
        image = _str(ref.container.get("image"))
        if image is not None:
            _, tag, digest = split_image(image.strip())
            yield ref, image, tag, digest


@check("image-latest-tag")
def image_latest_tag(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for ref, image, tag, digest in _images(resource):
        if digest is not None or (tag is not None and tag != "latest"):
            continue
        how = "the :latest tag" if tag == "latest" else "no tag, so :latest"
        yield Violation(
            (*ref.path, "image"),
            f'{_who(ref)} uses image "{image}" with {how}; a restart can pull different code',
        )


@check("image-pull-policy")
def image_pull_policy(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for ref, _image, tag, digest in _images(resource):
        policy = _str(ref.container.get("imagePullPolicy"))
        if policy is None:
            # Defaulted from the tag (pkg/apis/core/v1/defaults.go, SetDefaults_Container).
            if tag == "latest" or (tag is None and digest is None):
                continue
            how = "IfNotPresent (the default for an image with a tag or digest)"
        elif policy == "Always":
            continue
        else:
            how = policy
        yield Violation(
            (*ref.path, "imagePullPolicy"),
            f"{_who(ref)} has imagePullPolicy {how}; a cached image is used without checking the"
            " registry or the pod's pull credentials",
        )


@check("image-not-pinned-by-digest")
def image_not_pinned_by_digest(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for ref, image, _tag, digest in _images(resource):
        if digest is None:
            yield Violation(
                (*ref.path, "image"),
                f'{_who(ref)} uses image "{image}", not pinned by digest (@sha256:...)',
            )


# --------------------------------------------------------------------------------------------
# Namespace


@check("default-namespace")
def default_namespace(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if resource.namespaced is not True:
        return
    metadata = _dict(resource.body.get("metadata"))
    namespace = metadata.get("namespace")
    if namespace not in (None, "", "default"):
        return
    if namespace == "default":
        message = f'{resource.kind} "{resource.name}" is in the "default" namespace'
    else:
        message = (
            f'{resource.kind} "{resource.name}" sets no metadata.namespace; it lands in the'
            ' namespace of whoever applies it, often "default"'
        )
    yield Violation(("metadata", "namespace"), message)
