"""Host access: namespaces, ports, hostPath volumes, probe and lifecycle hosts, Windows
HostProcess (all baseline)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubeplan.admission.podsecurity.api import Level
from kubeplan.admission.podsecurity.checks._pod import (
    Check,
    Path,
    VersionedCheck,
    Violation,
    child,
    containers,
    is_int,
    is_true,
    join_quote,
    mapping,
    name,
    pluralize,
    pod_security_context,
    security_context,
    sequence,
    setters,
    text,
)


def host_namespaces_1_0(metadata: Mapping[str, Any], spec: Mapping[str, Any]) -> Violation | None:
    """policy/check_hostNamespaces.go `hostNamespaces_1_0`: hostNetwork, hostPID, hostIPC."""
    found = [key for key in ("hostNetwork", "hostPID", "hostIPC") if is_true(spec.get(key))]
    if not found:
        return None
    return Violation(
        "host namespaces",
        ", ".join(f"{key}=true" for key in found),
        tuple(("spec", key) for key in found),
    )


def host_ports_1_0(metadata: Mapping[str, Any], spec: Mapping[str, Any]) -> Violation | None:
    """policy/check_hostPorts.go `hostPorts_1_0`: any non-zero containers[*].ports[*].hostPort;
    the ports are listed as a sorted set of strings ("10, 20, 8080" sorts as text)."""
    bad: list[str] = []
    ports: set[str] = set()
    paths: list[Path] = []
    for container, where in containers(spec):
        valid = True
        for index, port in enumerate(sequence(container.get("ports"))):
            host_port = child(port, "hostPort")
            if is_int(host_port) and host_port != 0:
                valid = False
                ports.add(str(host_port))
                paths.append((*where, "ports", index, "hostPort"))
        if not valid:
            bad.append(name(container))
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(bad)} "
        f"{pluralize('uses', 'use', len(bad))} "
        f"{pluralize('hostPort', 'hostPorts', len(ports))} {', '.join(sorted(ports))}"
    )
    return Violation("hostPort", detail, tuple(paths))


def host_path_volumes_1_0(metadata: Mapping[str, Any], spec: Mapping[str, Any]) -> Violation | None:
    """policy/check_hostPathVolumes.go `hostPathVolumes_1_0`: volumes[*].hostPath."""
    names: list[str] = []
    paths: list[Path] = []
    for index, volume in enumerate(sequence(spec.get("volumes"))):
        if child(volume, "hostPath") is not None:
            names.append(text(child(volume, "name")))
            paths.append(("spec", "volumes", index, "hostPath"))
    if not names:
        return None
    detail = f"{pluralize('volume', 'volumes', len(names))} {join_quote(names)}"
    return Violation("hostPath volumes", detail, tuple(paths))


def _handler_hosts(handler: Any, where: Path) -> list[tuple[str, Path]]:
    """`getForbiddenHostProbes` / `getForbiddenHostLifecycle`: httpGet.host, tcpSocket.host."""
    if mapping(handler) is None:
        return []
    found = []
    for action in ("httpGet", "tcpSocket"):
        host = text(child(handler, action, "host"))
        if host:
            found.append((host, (*where, action, "host")))
    return found


def host_probes_and_host_lifecycle_1_34(
    metadata: Mapping[str, Any], spec: Mapping[str, Any]
) -> Violation | None:
    """policy/check_hostProbesAndhostLifecycle.go `hostProbesAndHostLifecycleV1Dot34`: any
    non-empty host in a liveness/readiness/startup probe or a postStart/preStop handler.
    Containers and hosts are both printed as sorted sets."""
    bad: set[str] = set()
    hosts: set[str] = set()
    paths: list[Path] = []
    for container, where in containers(spec):
        found = []
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            found += _handler_hosts(container.get(probe), (*where, probe))
        lifecycle = mapping(container.get("lifecycle"))
        if lifecycle is not None:
            for hook in ("postStart", "preStop"):
                found += _handler_hosts(lifecycle.get(hook), (*where, "lifecycle", hook))
        if found:
            bad.add(name(container))
            hosts.update(host for host, _ in found)
            paths.extend(path for _, path in found)
    if not bad:
        return None
    detail = (
        f"{pluralize('container', 'containers', len(bad))} {join_quote(sorted(bad))} "
        f"{pluralize('uses', 'use', len(bad))} "
        f"{pluralize('probe or lifecycle host', 'probe or lifecycle hosts', len(hosts))} "
        f"{join_quote(sorted(hosts))}"
    )
    return Violation("probe or lifecycle host", detail, tuple(paths))


def windows_host_process_1_0(
    metadata: Mapping[str, Any], spec: Mapping[str, Any]
) -> Violation | None:
    """policy/check_windowsHostProcess.go `windowsHostProcess_1_0`:
    securityContext.windowsOptions.hostProcess=true on the pod or any container."""
    paths: list[Path] = []
    pod = is_true(child(pod_security_context(spec), "windowsOptions", "hostProcess"))
    if pod:
        paths.append(("spec", "securityContext", "windowsOptions", "hostProcess"))
    bad = []
    for container, where in containers(spec):
        if is_true(child(security_context(container), "windowsOptions", "hostProcess")):
            bad.append(name(container))
            paths.append((*where, "securityContext", "windowsOptions", "hostProcess"))
    who = setters(pod, bad)
    if not who:
        return None
    detail = f"{' and '.join(who)} must not set securityContext.windowsOptions.hostProcess=true"
    return Violation("hostProcess", detail, tuple(paths))


CHECKS = (
    Check("hostNamespaces", Level.BASELINE, (VersionedCheck(0, host_namespaces_1_0),)),
    Check("hostPorts", Level.BASELINE, (VersionedCheck(0, host_ports_1_0),)),
    Check("hostPathVolumes", Level.BASELINE, (VersionedCheck(0, host_path_volumes_1_0),)),
    Check(
        "hostProbesAndHostLifecycle",
        Level.BASELINE,
        (VersionedCheck(34, host_probes_and_host_lifecycle_1_34),),
    ),
    Check("windowsHostProcess", Level.BASELINE, (VersionedCheck(0, windows_host_process_1_0),)),
)
