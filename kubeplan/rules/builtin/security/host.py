"""Host access: the node's namespaces, host ports, and hostPath volumes (runtime sockets and
sensitive paths).

Semantics and sources are cited row by row in the YAML file beside this module.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from kubeplan.kube import workloads
from kubeplan.kube.values import as_dict as _dict
from kubeplan.kube.values import as_int as _int
from kubeplan.kube.workloads import ContainerRef
from kubeplan.model import Path, Resource
from kubeplan.rules.builtin.security.common import (
    container_ports,
    pod_view,
    who,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

# --------------------------------------------------------------------------------------------
# Host namespaces, ports and paths


def _host_namespace(resource: Resource, field: str, what: str) -> Iterator[Violation]:
    pod = pod_view(resource)
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


@check("host-port")
def host_port(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = pod_view(resource)
    if pod is None:
        return
    host_net = pod.spec.get("hostNetwork") is True
    for index, port in container_ports(ref):
        value = _int(port.get("hostPort"))
        if not value:
            continue
        container_port = _int(port.get("containerPort"))
        if host_net and value == container_port:
            continue  # with hostNetwork every port is a host port; host-network reports it
        yield Violation(
            (*ref.path, "ports", index, "hostPort"),
            f"{who(ref)} binds port {value} on the node (hostPort) for containerPort"
            f" {container_port}",
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
    pod = pod_view(resource)
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
                    (readers if mount.get("readOnly") is True else writers).append(who(ref))
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
