"""Facts: the placeholders of reasons (`{old}`, `{partition}`, `{consumers}`, ...), each
computed only when a reason asks for it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kubeplan.model import Resource
from kubeplan.planner.diff.effects.bodies import ABSENT, get, number, render
from kubeplan.planner.diff.effects.checks import autoscaler_of, storage_class_of
from kubeplan.planner.diff.fielddiff import FieldChange

if TYPE_CHECKING:
    from kubeplan.planner.diff.effects.context import Context


def _fact_kind(ctx: Context, change: FieldChange) -> str:
    return ctx.resource.kind


def _fact_name(ctx: Context, change: FieldChange) -> str:
    return ctx.resource.name or "<unnamed>"


def _fact_label(ctx: Context, change: FieldChange) -> str:
    return change.short_label or "(the whole object)"


def _fact_old(ctx: Context, change: FieldChange) -> str:
    return render(change.old)


def _fact_new(ctx: Context, change: FieldChange) -> str:
    return render(change.new)


def _int_at(body: Any, path: str, default: int) -> int:
    value = number(get(body, path))
    return int(value) if value is not None else default


def _fact_replicas(ctx: Context, change: FieldChange) -> str:
    return str(_int_at(ctx.new_body, "spec.replicas", 1))


def _fact_partition(ctx: Context, change: FieldChange) -> str:
    return str(_int_at(ctx.new_body, "spec.updateStrategy.rollingUpdate.partition", 0))


def _ordinal_span(ctx: Context) -> tuple[int, int, int]:
    """(first ordinal, first ordinal that takes the update, end) of a StatefulSet."""
    start = _int_at(ctx.new_body, "spec.ordinals.start", 0)
    replicas = max(_int_at(ctx.new_body, "spec.replicas", 1), 0)
    partition = _int_at(ctx.new_body, "spec.updateStrategy.rollingUpdate.partition", 0)
    first_updated = start + min(max(partition, 0), replicas)
    return start, first_updated, start + replicas


def _pods(ctx: Context, low: int, high: int) -> str:
    """Pods with ordinals low..high-1."""
    name = ctx.resource.name or "<unnamed>"
    count = high - low
    if count <= 0:
        return "no pod"
    if count == 1:
        return f"pod {name}-{low}"
    if count == 2:
        return f"pods {name}-{low} and {name}-{high - 1}"
    return f"pods {name}-{low}..{name}-{high - 1}"


def _fact_updating(ctx: Context, change: FieldChange) -> str:
    _, first_updated, end = _ordinal_span(ctx)
    return _pods(ctx, first_updated, end)


def _fact_waiting(ctx: Context, change: FieldChange) -> str:
    start, first_updated, _ = _ordinal_span(ctx)
    return _pods(ctx, start, first_updated)


def _fact_rolling_update(ctx: Context, change: FieldChange) -> str:
    for path in ("spec.strategy.rollingUpdate", "spec.updateStrategy.rollingUpdate"):
        rolling = get(ctx.new_body, path)
        if isinstance(rolling, dict) and ("maxSurge" in rolling or "maxUnavailable" in rolling):
            return (
                f"maxSurge {render(rolling.get('maxSurge'))},"
                f" maxUnavailable {render(rolling.get('maxUnavailable'))}"
            )
    return "rolling update"


def _fact_autoscaler(ctx: Context, change: FieldChange) -> str:
    hpa = autoscaler_of(ctx)
    return f"HorizontalPodAutoscaler {hpa.name}" if hpa is not None else "an autoscaler"


_NODE_PORT_TYPES = {"NodePort", "LoadBalancer"}


def _fact_service_type_change(ctx: Context, change: FieldChange) -> str:
    old = get(ctx.old_body, "spec.type")
    new = get(ctx.new_body, "spec.type")
    old = "ClusterIP" if old is ABSENT else old
    new = "ClusterIP" if new is ABSENT else new
    parts = []
    if old == "LoadBalancer" and new != "LoadBalancer":
        parts.append("the cloud load balancer is deleted and its external address released")
    if new == "LoadBalancer" and old != "LoadBalancer":
        parts.append("a cloud load balancer is provisioned, with a new external address")
    if old in _NODE_PORT_TYPES and new not in _NODE_PORT_TYPES:
        parts.append("the node ports are released (switching back allocates new ones)")
    if new in _NODE_PORT_TYPES and old not in _NODE_PORT_TYPES:
        parts.append("node ports are allocated and opened on every node")
    if new == "ExternalName":
        target = render(get(ctx.new_body, "spec.externalName"))
        parts.append(f"the cluster IP is released and DNS answers with a CNAME to {target}")
    if old == "ExternalName":
        parts.append("a cluster IP is allocated")
    return "; ".join(parts) if parts else "the Service is reconfigured"


def _workload_name(resource: Resource) -> str:
    return f"{resource.kind} {resource.name}"


def _fact_consumers(ctx: Context, change: FieldChange) -> str:
    uses = ctx.uses(change)
    keeping: dict[str, list[str]] = defaultdict(list)
    rolling: list[str] = []
    for use in uses:
        name = _workload_name(use.workload)
        if ctx.rolls(use.workload):
            if name not in rolling:
                rolling.append(name)
        else:
            keeping[name].append(use.how)
    text = "; ".join(f"{name} via {', '.join(hows)}" for name, hows in keeping.items())
    if rolling:
        text += f" ({', '.join(rolling)} also read it and roll in this change)"
    return text or "none"


def _fact_rolling_consumers(ctx: Context, change: FieldChange) -> str:
    names: list[str] = []
    for use in ctx.uses(change):
        name = _workload_name(use.workload)
        if name not in names:
            names.append(name)
    return ", ".join(names) or "none"


def _fact_storage_class(ctx: Context, change: FieldChange) -> str:
    storage_class = storage_class_of(ctx)
    return (storage_class.name or "?") if storage_class is not None else "(unknown)"


FACTS: dict[str, Callable[[Context, FieldChange], str]] = {
    "kind": _fact_kind,
    "name": _fact_name,
    "label": _fact_label,
    "old": _fact_old,
    "new": _fact_new,
    "replicas": _fact_replicas,
    "partition": _fact_partition,
    "updating": _fact_updating,
    "waiting": _fact_waiting,
    "rolling_update": _fact_rolling_update,
    "autoscaler": _fact_autoscaler,
    "service_type_change": _fact_service_type_change,
    "consumers": _fact_consumers,
    "rolling_consumers": _fact_rolling_consumers,
    "storage_class": _fact_storage_class,
}


class Facts(dict[str, str]):
    """The facts of one change, computed when a reason asks for them."""

    def __init__(self, ctx: Context, change: FieldChange) -> None:
        super().__init__()
        self.ctx = ctx
        self.change = change

    def __missing__(self, key: str) -> str:
        value = FACTS[key](self.ctx, self.change)
        self[key] = value
        return value
