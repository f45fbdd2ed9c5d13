"""Kernel confinement: seccomp and AppArmor profiles, /proc masking, sysctls, and Windows
HostProcess containers.

Semantics and sources are cited row by row in the YAML file beside this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from kubeplan.kube import workloads
from kubeplan.kube.values import as_dict as _dict
from kubeplan.kube.values import as_str as _str
from kubeplan.kube.versions import minor
from kubeplan.kube.workloads import ContainerRef
from kubeplan.model import Resource
from kubeplan.rules.builtin.security.common import (
    names,
    pod_view,
    sc_path,
    security_context,
    template_annotations,
    verb,
    who,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

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


@check("seccomp-profile-missing")
def seccomp_profile_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = pod_view(resource)
    if pod is None or pod.windows:
        return
    legacy_honoured = minor(ctx.kubernetes_version) < SECCOMP_ANNOTATIONS_IGNORED_SINCE
    annotations_path, annotations = template_annotations(resource)
    pod_type = _str(_dict(pod.sc.get("seccompProfile")).get("type"))
    pod_annotation = _str(annotations.get(SECCOMP_POD_ANNOTATION))
    refs = list(workloads.containers(resource))
    missing: list[ContainerRef] = []
    ignored_annotations = False
    for ref in refs:
        # Precedence: container field, container annotation, pod field, pod annotation. Before
        # 1.27 the API server copied an annotation into the matching unset field at creation.
        own_type = _str(_dict(security_context(ref).get("seccompProfile")).get("type"))
        key = SECCOMP_CONTAINER_ANNOTATION + ref.name
        own_annotation = _str(annotations.get(key))
        if own_type:
            profile, path, where = own_type, sc_path(ref, "seccompProfile", "type"), ""
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
            yield Violation(path, f"{who(ref)} runs with seccomp profile Unconfined{where}")
    if not missing:
        return
    note = (
        "; the legacy seccomp annotations are ignored since Kubernetes 1.27"
        if ignored_annotations
        else ""
    )
    tail = f"{verb(missing, 'it runs', 'they run')} Unconfined unless the kubelet enables --seccomp-default{note}"
    if len(missing) == len(refs):
        yield Violation(
            pod.sc_path("seccompProfile"),
            f"neither the pod nor {names(missing)} {verb(missing, 'sets', 'set')} a"
            f" seccompProfile (RuntimeDefault or Localhost); {tail}",
        )
        return
    for ref in missing:
        yield Violation(
            sc_path(ref, "seccompProfile"),
            f"{who(ref)} has no seccompProfile and the pod sets none; it runs Unconfined unless"
            f" the kubelet enables --seccomp-default{note}",
        )


@check("apparmor-unconfined")
def apparmor_unconfined(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = pod_view(resource)
    if pod is None or pod.windows:
        return
    annotations_path, annotations = template_annotations(resource)
    pod_type = _str(_dict(pod.sc.get("appArmorProfile")).get("type"))
    inherit_unconfined: list[ContainerRef] = []
    for ref in workloads.containers(resource):
        own_type = _str(_dict(security_context(ref).get("appArmorProfile")).get("type"))
        if own_type:
            if own_type == "Unconfined":
                yield Violation(
                    sc_path(ref, "appArmorProfile", "type"),
                    f"{who(ref)} runs AppArmor Unconfined (appArmorProfile.type: Unconfined)",
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
                    f"{who(ref)} runs AppArmor unconfined (annotation {key}: unconfined)",
                )
            continue
        if pod_type == "Unconfined":
            inherit_unconfined.append(ref)
    if inherit_unconfined:
        yield Violation(
            pod.sc_path("appArmorProfile", "type"),
            f"the pod sets appArmorProfile.type: Unconfined, which applies to"
            f" {names(inherit_unconfined)}",
        )


@check("proc-mount-unmasked")
def proc_mount_unmasked(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = pod_view(resource)
    if pod is None or pod.windows:
        return
    if security_context(ref).get("procMount") == "Unmasked":
        yield Violation(
            sc_path(ref, "procMount"),
            f"{who(ref)} sets procMount: Unmasked; the kernel paths /proc normally masks are"
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
    pod = pod_view(resource)
    if pod is None or pod.windows:
        return
    items = pod.sc.get("sysctls")
    if not isinstance(items, list):
        return
    version = minor(ctx.kubernetes_version)
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
    pod = pod_view(resource)
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
        if _dict(security_context(ref).get("windowsOptions")).get("hostProcess") is True:
            yield Violation(
                sc_path(ref, "windowsOptions", "hostProcess"),
                f"{who(ref)} is a Windows HostProcess container (windowsOptions.hostProcess:"
                " true): it runs directly on the node with its privileges",
            )
