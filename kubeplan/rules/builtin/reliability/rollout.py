"""Rolling update parameters: values the API server rejects, and rollouts that stop
every pod.

Kubernetes semantics these checks rely on (sources also in the YAML file beside this
module, per rule):
- Deployment RollingUpdate (pkg/apis/apps/validation/validation.go ValidateRollingUpdateDeployment
  and pkg/controller/deployment/util/deployment_util.go ResolveFenceposts; shared/reference/
  rollouts.md §1.2-1.3): the API server rejects maxSurge and maxUnavailable that are both 0 as
  written (a percentage taken by its number); the controller resolves maxSurge rounding up and
  maxUnavailable rounding down against replicas, and uses maxUnavailable 1 when both resolve
  to 0. DaemonSet (ValidateRollingUpdateDaemonSet): exactly one of the two must be non-zero,
  after the defaults maxUnavailable 1 and maxSurge 0 (pkg/apis/apps/v1/defaults.go).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube import workloads
from kubeplan.kube.intstr import parse_int_or_percent
from kubeplan.kube.values import as_dict as _dict
from kubeplan.model import Path, Resource
from kubeplan.rules.builtin.reliability.common import (
    hpa_for,
    show_value,
    spec_of,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

# ---------------------------------------------------------------------------------------------
# rollout parameters


def _rolling_values(
    raw: dict[str, Any], defaults: tuple[Any, Any], base: Path
) -> tuple[Any, Any, list[Violation]]:
    """(maxSurge, maxUnavailable) with defaults, and a violation per malformed value."""
    problems: list[Violation] = []
    values = []
    for key, default in zip(("maxSurge", "maxUnavailable"), defaults, strict=True):
        value = raw.get(key)
        if value is None:
            value = default
        elif parse_int_or_percent(value) is None:
            problems.append(
                Violation(
                    (*base, key),
                    f"{key} {show_value(value)} is neither a non-negative integer nor a percentage"
                    ' like "25%"; the API server rejects it',
                )
            )
        values.append(value)
    return values[0], values[1], problems


@check("rolling-update-no-progress")
def rolling_update_no_progress(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    spec = spec_of(resource)
    if resource.kind == "Deployment":
        strategy = _dict(spec.get("strategy"))
        base: Path = ("spec", "strategy", "rollingUpdate")
        if strategy.get("type") == "Recreate":
            if strategy.get("rollingUpdate") is not None:
                yield Violation(
                    base,
                    "rollingUpdate is set with strategy type Recreate; the API server rejects"
                    " it (\"may not be specified when strategy `type` is 'Recreate'\")",
                )
            return
        defaults: tuple[Any, Any] = ("25%", "25%")
    elif resource.kind == "DaemonSet":
        strategy = _dict(spec.get("updateStrategy"))
        base = ("spec", "updateStrategy", "rollingUpdate")
        if strategy.get("type") == "OnDelete":
            return
        defaults = (0, 1)
    else:
        return
    if strategy.get("type") not in (None, "RollingUpdate"):
        return
    surge, unavailable, problems = _rolling_values(
        _dict(strategy.get("rollingUpdate")), defaults, base
    )
    yield from problems
    if problems:
        return
    surge_value, unavailable_value = parse_int_or_percent(surge), parse_int_or_percent(unavailable)
    if surge_value is None or unavailable_value is None:
        return
    # maxUnavailable may not exceed 100%; a Deployment's maxSurge may, a DaemonSet's may not.
    limited = [("maxUnavailable", unavailable_value)]
    if resource.kind == "DaemonSet":
        limited.append(("maxSurge", surge_value))
    for key, value in limited:
        if value.percent and value.number > 100:
            yield Violation((*base, key), f"{key} {value} is over 100%; the API server rejects it")
    both_zero = surge_value.number == 0 and unavailable_value.number == 0
    if both_zero:
        yield Violation(
            (*base, "maxUnavailable"),
            f"maxSurge {surge_value} and maxUnavailable {unavailable_value} are both 0: no pod"
            ' could ever be replaced; the API server rejects it ("may not be 0 when `maxSurge`'
            ' is 0")',
        )
    elif resource.kind == "DaemonSet" and surge_value.number and unavailable_value.number:
        defaulted = (
            " (maxUnavailable defaults to 1)"
            if "maxUnavailable" not in _dict(strategy.get("rollingUpdate"))
            else ""
        )
        yield Violation(
            (*base, "maxSurge"),
            f"maxSurge {surge_value} and maxUnavailable {unavailable_value} are both non-zero"
            f"{defaulted}: a DaemonSet takes one or the other; the API server rejects it"
            ' ("may not be set when maxUnavailable is non-zero")',
        )


@check("rolling-update-all-unavailable")
def rolling_update_all_unavailable(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    strategy = _dict(spec_of(resource).get("strategy"))
    if strategy.get("type") not in (None, "RollingUpdate"):
        return
    replicas = workloads.replicas(resource)
    if replicas is None or replicas <= 0 or hpa_for(ctx, resource) is not None:
        return
    rolling = _dict(strategy.get("rollingUpdate"))
    raw_surge = rolling.get("maxSurge")
    raw_unavailable = rolling.get("maxUnavailable")
    surge_value = parse_int_or_percent("25%" if raw_surge is None else raw_surge)
    unavailable_value = parse_int_or_percent("25%" if raw_unavailable is None else raw_unavailable)
    if surge_value is None or unavailable_value is None:
        return  # rolling-update-no-progress reports malformed values
    if surge_value.number == 0 and unavailable_value.number == 0:
        return  # rejected by the API server: rolling-update-no-progress
    surge = surge_value.scaled(replicas, round_up=True)
    unavailable = unavailable_value.scaled(replicas, round_up=False)
    if surge != 0:
        return
    forced = unavailable == 0
    if forced:
        unavailable = 1  # ResolveFenceposts: both 0 -> maxUnavailable 1
    if min(unavailable, replicas) < replicas:
        return
    path: Path = ("spec", "strategy", "rollingUpdate", "maxUnavailable")
    if raw_unavailable is None:
        path = ("spec", "strategy", "rollingUpdate", "maxSurge")
    if forced:
        how = (
            f"maxSurge {surge_value} and maxUnavailable {unavailable_value} both resolve to 0"
            f" for {replicas} replica(s), so the controller uses maxUnavailable 1"
        )
    else:
        how = (
            f"maxSurge {surge_value} resolves to 0 and maxUnavailable {unavailable_value} to"
            f" {unavailable} for {replicas} replica(s)"
        )
    yield Violation(path, f"{how}: a rollout stops every pod before new ones are ready")
