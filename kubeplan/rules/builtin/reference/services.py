"""Services: selectors that select no pod, and target ports no selected container declares.

Sources for the semantics are in the YAML file beside this module, one per rule.

Service targetPort defaults to port (pkg/apis/core/v1/defaults.go SetDefaults_Service), and
a named targetPort is resolved per pod against the containerPort names of `containers` and of
sidecar init containers (restartPolicy Always), with the same protocol (TCP by default):
pkg/api/v1/pod/util.go FindPort. A numeric targetPort is used as is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube import selectors
from kubeplan.kube.selectors import format_set_selector
from kubeplan.kube.values import as_dict as _dict
from kubeplan.kube.values import as_int as _int
from kubeplan.kube.values import as_list as _list
from kubeplan.kube.values import as_str as _str
from kubeplan.kube.values import namespace_of as _namespace
from kubeplan.model import Path, Resource
from kubeplan.rules.builtin.reference.index import (
    PodEntry,
    ReferenceIndex,
    reference_index,
    workload_names,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

# ---------------------------------------------------------------------------------------------
# Services


def _service_selector(service: Resource) -> dict[str, Any] | None:
    """The selector of a Service whose Endpoints the control plane manages, else None."""
    spec = _dict(service.body.get("spec"))
    if spec.get("type") == "ExternalName":
        return None
    selector = spec.get("selector")
    return selector if isinstance(selector, dict) and selector else None


def _selected(
    index: ReferenceIndex, service: Resource, first: bool = False
) -> list[PodEntry] | None:
    selector = _service_selector(service)
    if selector is None:
        return None
    # Services of one app share selectors (and three rules ask per Service): match once.
    try:
        key = (_namespace(service), tuple(sorted(selector.items())), first)
        hash(key)
    except TypeError:
        key = None
    if key is not None and key in index.selected:
        return index.selected[key]
    pods = index.select(
        _namespace(service),
        selector,
        [],
        lambda labels: selectors.map_matches(selector, labels),
        first,
    )
    if key is not None:
        index.selected[key] = pods
    return pods


@check("service-selects-nothing")
def service_selects_nothing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    selector = _service_selector(resource)
    if selector is None:
        return
    if _selected(reference_index(ctx), resource, first=True):
        return
    yield Violation(
        ("spec", "selector"),
        f'selector {format_set_selector(selector)} matches the pod labels of no workload in namespace "{_namespace(resource)}"',
    )


def _service_ports(service: Resource) -> Iterator[tuple[int, dict[str, Any], str, Any]]:
    """(index, port, protocol, targetPort defaulted to port) of every Service port."""
    for position, port in enumerate(_list(_dict(service.body.get("spec")).get("ports"))):
        port = _dict(port)
        number = _int(port.get("port"))
        target = port.get("targetPort")
        if target in (None, 0, ""):
            target = number
        if isinstance(target, bool) or not isinstance(target, (int, str)):
            continue
        yield position, port, _str(port.get("protocol")) or "TCP", target


def _port_label(port: dict[str, Any]) -> str:
    name = _str(port.get("name"))
    return f'port "{name}"' if name else f"port {port.get('port')}"


@check("service-target-port-missing")
def service_target_port_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pods = _selected(reference_index(ctx), resource)
    if not pods:
        return
    for position, port, protocol, target in _service_ports(resource):
        if not isinstance(target, str):
            continue
        if any(n == target and p == protocol for pod in pods for n, _, p in pod.ports):
            continue
        other = sorted({p for pod in pods for n, _, p in pod.ports if n == target})
        found = f" (it is a {'/'.join(other)} port there)" if other else ""
        yield Violation(
            ("spec", "ports", position, "targetPort"),
            f'{_port_label(port)}: targetPort "{target}" names no {protocol} containerPort of the'
            f" pods it selects ({workload_names(p.owner for p in pods)}){found}; the Service gets no"
            " endpoints for it",
        )


@check("service-target-port-undeclared")
def service_target_port_undeclared(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pods = _selected(reference_index(ctx), resource)
    if not pods or not any(pod.ports for pod in pods):
        return  # nothing declared to compare with: declaring ports is optional
    declared = {(number, p) for pod in pods for _, number, p in pod.ports}
    for position, port, protocol, target in _service_ports(resource):
        if not isinstance(target, int) or (target, protocol) in declared:
            continue
        path: Path = ("spec", "ports", position, "targetPort")
        shown = f"targetPort {target}/{protocol}"
        if port.get("targetPort") in (None, 0, ""):
            path = ("spec", "ports", position, "port")
            shown = f"targetPort (unset, so the port) {target}/{protocol}"
        numbers = sorted({n for n, p in declared if p == protocol and n is not None})
        listed = ", ".join(str(n) for n in numbers[:8]) or "none"
        yield Violation(
            path,
            f"{_port_label(port)}: {shown} is not a declared containerPort"
            f" of the pods it selects ({workload_names(p.owner for p in pods)}; they declare {listed})",
        )
