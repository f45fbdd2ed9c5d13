"""Readiness and liveness probes: missing, identical, or on a port the container does not
name.

Kubernetes semantics these checks rely on (sources also in the YAML file beside this
module, per rule):
- Probe defaults (SetDefaults_Probe, SetDefaults_HTTPGetAction): timeoutSeconds 1,
  periodSeconds 10, successThreshold 1, failureThreshold 3, httpGet path "/" and scheme HTTP.
  A named probe port is looked up in the ports of that container only (pkg/probe/util.go
  ResolveContainerPort); when it is not there the probe errors, and the kubelet counts that
  as a failure (pkg/kubelet/prober/prober.go).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube.values import as_dict as _dict
from kubeplan.kube.values import as_list as _list
from kubeplan.kube.values import as_str as _str
from kubeplan.kube.workloads import ContainerRef
from kubeplan.model import Resource
from kubeplan.rules.builtin.reliability.common import (
    long_running,
    show_value,
    who,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

# ---------------------------------------------------------------------------------------------
# probes


def _probed(ref: ContainerRef, resource: Resource) -> bool:
    """An app container of a long-running workload (Jobs and CronJobs run to completion)."""
    return ref.list_name == "containers" and resource.kind not in ("Job", "CronJob")


@check("readiness-probe-missing")
def readiness_probe_missing(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if not _probed(ref, resource):
        return
    if not isinstance(ref.container.get("readinessProbe"), dict):
        yield Violation((*ref.path, "readinessProbe"), f"{who(ref)} has no readinessProbe")


@check("liveness-probe-missing")
def liveness_probe_missing(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if not _probed(ref, resource):
        return
    if not isinstance(ref.container.get("livenessProbe"), dict):
        yield Violation((*ref.path, "livenessProbe"), f"{who(ref)} has no livenessProbe")


_PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
_PROBE_DEFAULTS = {
    "initialDelaySeconds": 0,
    "timeoutSeconds": 1,
    "periodSeconds": 10,
    "successThreshold": 1,
    "failureThreshold": 3,
}


def _normalized_probe(probe: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {key: probe.get(key, default) for key, default in _PROBE_DEFAULTS.items()}
    out["terminationGracePeriodSeconds"] = probe.get("terminationGracePeriodSeconds")
    for handler in _PROBE_HANDLERS:
        if handler in probe:
            value = probe[handler]
            if handler == "httpGet" and isinstance(value, dict):
                value = {"path": "/", "scheme": "HTTP", **value}
            if handler == "grpc" and isinstance(value, dict):
                value = {"service": "", **value}
            out[handler] = value
    return out


def _probe_text(probe: dict[str, Any]) -> str:
    http = probe.get("httpGet")
    if isinstance(http, dict):
        return f"httpGet {http.get('path') or '/'} port {show_value(http.get('port'))}"
    tcp = probe.get("tcpSocket")
    if isinstance(tcp, dict):
        return f"tcpSocket port {show_value(tcp.get('port'))}"
    grpc = probe.get("grpc")
    if isinstance(grpc, dict):
        return f"grpc port {show_value(grpc.get('port'))}"
    command = _dict(probe.get("exec")).get("command")
    if isinstance(command, list):
        text = " ".join(str(part) for part in command)
        return f"exec {text[:40]}{'...' if len(text) > 40 else ''}"
    return "the same handler"


@check("probes-identical")
def probes_identical(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if not long_running(ref):
        return
    liveness = ref.container.get("livenessProbe")
    readiness = ref.container.get("readinessProbe")
    if not isinstance(liveness, dict) or not isinstance(readiness, dict):
        return
    if not any(h in liveness for h in _PROBE_HANDLERS):
        return
    if _normalized_probe(liveness) == _normalized_probe(readiness):
        yield Violation(
            (*ref.path, "livenessProbe"),
            f"{who(ref)}: livenessProbe is identical to readinessProbe"
            f" ({_probe_text(liveness)}); when it fails the pod is restarted at the moment"
            " it stops receiving traffic",
        )


@check("probe-port-not-exposed")
def probe_port_not_exposed(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if not long_running(ref):
        return
    names = {
        _dict(port).get("name")
        for port in _list(ref.container.get("ports"))
        if _str(_dict(port).get("name"))
    }
    for probe_name in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = _dict(ref.container.get(probe_name))
        for handler in ("httpGet", "tcpSocket"):
            port = _dict(probe.get(handler)).get("port")
            if not isinstance(port, str) or not port or port.isdigit() or port in names:
                continue
            declared = ", ".join(sorted(names)) if names else "none"
            yield Violation(
                (*ref.path, probe_name, handler, "port"),
                f'{who(ref)}: {probe_name} port "{port}" names no containerPort of this'
                f" container (named ports: {declared}); the kubelet fails the probe",
            )
