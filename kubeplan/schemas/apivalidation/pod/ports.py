"""Container ports, host port conflicts and host network (pkg/apis/core/validation/validation.go),
and the port warnings of pkg/api/pod/warnings.go.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube import names
from kubeplan.model import Path, format_path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.pod.common import _PROTOCOLS, _d, _l, _s


def _validate_container_ports(ports: list[Any], path: Path) -> list[FieldError]:
    """`validateContainerPorts` (protocol defaulted to TCP: `SetDefaults_ContainerPort`)."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, port in enumerate(ports):
        port = _d(port)
        at = (*path, index)
        name = _s(port.get("name"))
        if name:
            msgs = names.is_valid_port_name(name)
            if msgs:
                errors.extend(field.invalid((*at, "name"), name, m) for m in msgs)
            elif name in seen:
                errors.append(field.duplicate((*at, "name"), name))
            else:
                seen.add(name)
        container_port = port.get("containerPort")
        if not container_port:
            errors.append(field.required((*at, "containerPort")))
        elif isinstance(container_port, int):
            errors.extend(
                field.invalid((*at, "containerPort"), container_port, m)
                for m in names.is_valid_port_num(container_port)
            )
        host_port = port.get("hostPort")
        if isinstance(host_port, int) and host_port != 0:
            errors.extend(
                field.invalid((*at, "hostPort"), host_port, m)
                for m in names.is_valid_port_num(host_port)
            )
        protocol = _s(port.get("protocol")) or "TCP"
        if protocol not in _PROTOCOLS:
            errors.append(field.not_supported((*at, "protocol"), protocol, _PROTOCOLS))
    return errors


def _host_port_conflicts(containers: list[Any], path: Path, first: int = 0) -> list[FieldError]:
    """`AccumulateUniqueHostPorts`: a protocol/hostIP/hostPort used twice."""
    errors = []
    seen: set[str] = set()
    for offset, container in enumerate(containers):
        for index, port in enumerate(_l(_d(container).get("ports"))):
            port = _d(port)
            host_port = port.get("hostPort")
            if not isinstance(host_port, int) or host_port == 0:
                continue
            key = f"{_s(port.get('protocol')) or 'TCP'}/{_s(port.get('hostIP'))}/{host_port}"
            if key in seen:
                at = (*path, first + offset, "ports", index, "hostPort")
                errors.append(field.duplicate(at, key))
            else:
                seen.add(key)
    return errors


def _validate_host_network_deps(spec: dict[str, Any], path: Path, is_pod: bool) -> list[FieldError]:
    """`validatePodHostNetworkDeps`: with hostNetwork, hostPort must equal containerPort (a
    template may leave it 0). A Pod's hostPort is first defaulted to its containerPort
    (`SetDefaults_Pod`), so only a written, different hostPort fails."""
    if spec.get("hostNetwork") is not True:
        return []
    errors = []
    for c_index, container in enumerate(_l(spec.get("containers"))):
        for index, port in enumerate(_l(_d(container).get("ports"))):
            port = _d(port)
            host_port = port.get("hostPort") or 0
            container_port = port.get("containerPort") or 0
            if is_pod and host_port == 0:
                host_port = container_port
            if (is_pod or host_port != 0) and host_port != container_port:
                errors.append(
                    field.invalid(
                        (*path, "containers", c_index, "ports", index, "hostPort"),
                        host_port,
                        "must match `containerPort` when `hostNetwork` is true",
                    )
                )
    return errors


# ---------------------------------------------------------------------------------------------
# Warnings (pkg/api/pod/warnings.go `warningsForPodSpecAndMeta`)


def _visit_containers(spec: dict[str, Any], path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """`pods.VisitContainersWithPath`: init containers, containers, ephemeral containers."""
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for index, container in enumerate(_l(spec.get(key))):
            if isinstance(container, dict):
                yield (*path, key, index), container


def port_warnings(spec: dict[str, Any], path: Path) -> list[FieldError]:
    """The port warnings of `warningsForPodSpecAndMeta`: a containerPort/protocol pair used
    twice is a duplicate (same hostIP and hostPort), an overlap (one hostPort 0) or dangerously
    ambiguous (same hostPort, one hostIP empty); a hostIP without a hostPort."""
    warnings = []
    seen: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
    for container_path, container in _visit_containers(spec, path):
        for index, port in enumerate(_l(container.get("ports"))):
            port = _d(port)
            at = (*container_path, "ports", index)
            host_ip = _s(port.get("hostIP"))
            host_port = port.get("hostPort") or 0
            protocol = _s(port.get("protocol")) or "TCP"
            if host_ip and host_port == 0:
                shown = (
                    f"{{Name:{_s(port.get('name'))} HostPort:0 ContainerPort:"
                    f"{port.get('containerPort') or 0} Protocol:{protocol} HostIP:{host_ip}}}"
                )
                warnings.append(field.warning(at, f"hostIP set without hostPort: {shown}"))
            key = f"{port.get('containerPort') or 0}/{protocol}"
            for other_path, other in seen.get(key, []):
                other_ip = _s(other.get("hostIP"))
                other_port = other.get("hostPort") or 0
                if host_ip == other_ip and host_port == other_port:
                    what = "duplicate"
                elif host_port == 0 or other_port == 0:
                    what = "overlapping"
                elif host_port == other_port and (host_ip == "") != (other_ip == ""):
                    what = "dangerously ambiguous"
                else:
                    continue
                text = f"{what} port definition with {format_path(other_path)}"
                warnings.append(field.warning(at, text))
            seen.setdefault(key, []).append((at, port))
    return warnings
