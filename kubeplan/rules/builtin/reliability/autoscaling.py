"""HorizontalPodAutoscalers: replicas fought over, bounds the API server rejects, a
minimum of one pod.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube.values import as_int as _int
from kubeplan.model import Resource
from kubeplan.rules.builtin.reliability.common import (
    hpa_for,
    spec_of,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

# ---------------------------------------------------------------------------------------------
# autoscalers


@check("hpa-replicas-conflict")
def hpa_replicas_conflict(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    spec = spec_of(resource)
    if "replicas" not in spec or spec.get("replicas") is None:
        return
    hpa = hpa_for(ctx, resource)
    if hpa is None:
        return
    yield Violation(
        ("spec", "replicas"),
        f'replicas {spec.get("replicas")} is set while HorizontalPodAutoscaler "{hpa.name}"'
        f" scales this {resource.kind}: every apply resets the scale the autoscaler chose",
    )


@check("hpa-min-max")
def hpa_min_max(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if resource.group != "autoscaling":
        return
    spec = spec_of(resource)
    low = _int(spec.get("minReplicas"))
    high = _int(spec.get("maxReplicas"))
    if low is not None and low < 0:
        yield Violation(
            ("spec", "minReplicas"), f"minReplicas {low} is negative; the API server rejects it"
        )
    elif low == 0:
        yield Violation(
            ("spec", "minReplicas"),
            "minReplicas 0 is rejected unless the alpha feature gate HPAScaleToZero is on",
        )
    if high is not None and high < 1:
        yield Violation(
            ("spec", "maxReplicas"), f"maxReplicas {high} is below 1; the API server rejects it"
        )
    elif high is not None and low is not None and low > high:
        yield Violation(
            ("spec", "maxReplicas"),
            f"maxReplicas {high} is below minReplicas {low}; the API server rejects it"
            ' ("must be greater than or equal to `minReplicas`")',
        )


@check("hpa-min-replicas")
def hpa_min_replicas(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if resource.group != "autoscaling":
        return
    minimum = _int(options.get("min_replicas")) or 2
    raw = spec_of(resource).get("minReplicas")
    low = _int(raw)
    if raw is not None and low is None:
        return
    value = 1 if low is None else low
    if value < 1 or value >= minimum:
        return  # below 1: hpa-min-max
    shown = "minReplicas is unset (defaults to 1)" if low is None else f"minReplicas is {low}"
    yield Violation(
        ("spec", "minReplicas"),
        f"{shown}, fewer than {minimum}: at low load the autoscaler runs a single pod",
    )
