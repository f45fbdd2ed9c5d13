"""The requests and limits of a whole pod, as the scheduler, LimitRanger and ResourceQuota add
them up.

Source: k8s.io/component-helpers/resource/helpers.go `PodRequests`, `PodLimits` (formerly
pkg/api/v1/resource/helpers.go): regular containers are summed; an init container counts by
the maximum with what runs beside it; a sidecar (an init container with `restartPolicy:
Always`) runs for the pod's lifetime and adds to the sum; `spec.overhead` is added when set.

Values are exact fractions of the base unit (cores, bytes), read with kube/quantity.py.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from kubeplan.kube import quantity

ResourceAmounts = dict[str, Fraction]


def container_amounts(container: Any, which: str) -> ResourceAmounts:
    """`resources.requests` or `resources.limits` of one container; unreadable values are
    left out (validation reports them)."""
    out: ResourceAmounts = {}
    resources = container.get("resources") if isinstance(container, dict) else None
    values = resources.get(which) if isinstance(resources, dict) else None
    if not isinstance(values, dict):
        return out
    for name, text in values.items():
        parsed = quantity.parse(text)
        if parsed is not None:
            out[str(name)] = parsed.value
    return out


def pod_requests(spec: dict[str, Any]) -> ResourceAmounts:
    """The pod's effective requests (PodRequests)."""
    return _pod_amounts(spec, "requests")


def pod_limits(spec: dict[str, Any]) -> ResourceAmounts:
    """The pod's effective limits (PodLimits)."""
    return _pod_amounts(spec, "limits")


def _pod_amounts(spec: dict[str, Any], which: str) -> ResourceAmounts:
    # A first version: containers summed, init containers by max. Sidecars, overhead and
    # pod-level resources follow PodRequests exactly in the complete version.
    total: ResourceAmounts = {}
    for container in spec.get("containers") or ():
        for name, value in container_amounts(container, which).items():
            total[name] = total.get(name, Fraction(0)) + value
    for container in spec.get("initContainers") or ():
        for name, value in container_amounts(container, which).items():
            total[name] = max(total.get(name, Fraction(0)), value)
    return total
