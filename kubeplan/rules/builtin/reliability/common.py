"""What the reliability checks share: reading untrusted bodies, naming containers,
and the HorizontalPodAutoscaler that scales a workload.
"""

from __future__ import annotations

from typing import Any

from kubeplan.kube import workloads
from kubeplan.kube.autoscaling import TargetKey, hpa_targets, target_key
from kubeplan.kube.values import as_dict as _dict
from kubeplan.kube.values import as_int as _int
from kubeplan.kube.workloads import ContainerRef
from kubeplan.model import Resource
from kubeplan.rules.context import LintContext

# ---------------------------------------------------------------------------------------------
# helpers on untrusted bodies


def spec_of(resource: Resource) -> dict[str, Any]:
    return _dict(resource.body.get("spec"))


def show_value(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def labels_text(labels: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in labels.items()) if labels else "none"


def who(ref: ContainerRef) -> str:
    if ref.list_name == "initContainers":
        return f'sidecar container "{ref.name}"'
    if ref.list_name == "ephemeralContainers":
        return f'ephemeral container "{ref.name}"'
    return f'container "{ref.name}"'


def long_running(ref: ContainerRef) -> bool:
    """Does the container run for the pod's lifetime: an app container, or a sidecar init
    container (restartPolicy Always)?"""
    if ref.list_name == "initContainers":
        return ref.container.get("restartPolicy") == "Always"
    return ref.list_name == "containers"


# ---------------------------------------------------------------------------------------------
# indexes, built once per context


def _build_hpas(ctx: LintContext) -> dict[TargetKey, Resource]:
    return hpa_targets(ctx.of_kind("HorizontalPodAutoscaler"))


def hpa_for(ctx: LintContext, resource: Resource) -> Resource | None:
    if not resource.name:
        return None
    index = ctx.index(_build_hpas)
    return index.get(target_key(resource))


def hpa_range(hpa: Resource) -> tuple[int, int | None]:
    """(minReplicas defaulted to 1, maxReplicas or None)."""
    spec = spec_of(hpa)
    low = _int(spec.get("minReplicas"))
    return (low if low is not None else 1), _int(spec.get("maxReplicas"))


def max_replicas(ctx: LintContext, resource: Resource) -> int | None:
    """The most pods a scalable workload runs: its replicas, or its autoscaler's maximum."""
    hpa = hpa_for(ctx, resource)
    if hpa is not None:
        return hpa_range(hpa)[1]
    return workloads.replicas(resource)
