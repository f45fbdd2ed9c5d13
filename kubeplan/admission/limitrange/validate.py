"""LimitRanger's validation: min, max and limit/request ratio, per container, per pod, per PVC.

Source: plugin/pkg/admission/limitranger/admission.go, newest stored version (with pod-level
resources, the `pods/resize` path and the exact comparisons of admission_overflow_test.go):
- `PodValidateLimitFunc`: `Container` items check every container then every init container
  (not ephemeral ones); `Pod` items check the pod totals of the local `podRequests` /
  `podLimits` (the sidecar formula, **no overhead**, and with PodLevelResources the pod-level
  `spec.resources` values of cpu and memory only, the plugin's own
  `isSupportedPodLevelResource`);
- `PersistentVolumeClaimValidateLimitFunc`: `PersistentVolumeClaim` items check
  `spec.resources.requests` only: `min` with `minConstraint`, `max` with
  `maxRequestConstraint`; on UPDATE a request equal to the stored one is not checked again
  (`unchangedRequest`);
- `minConstraint`, `maxConstraint`, `maxRequestConstraint`, `limitRequestRatioConstraint`: the
  messages below, byte for byte; values compared exactly (`Quantity.Cmp`; the ratio as
  `limit > request * ratio` on magnitudes, `exceedsAllowed`); the observed ratio printed with
  six decimals, rounded half to even (`ratioString`);
- `runLimitFunc`: the LimitRanges are handled one at a time and the first one that fails is the
  refusal, wrapped by `admission.NewForbidden` (apiserver pkg/admission/errors.go: the object's
  name, else its generateName, else `Unknown`) into apimachinery's `NewForbidden`
  (`<resource> "<name>" is forbidden: <err>`); the errors of that LimitRange are an apimachinery
  `utilerrors.NewAggregate`: one message alone, several (repeats dropped) as `[a, b]`.

Go ranges over the `min`, `max` and ratio maps, so upstream's message order varies between
requests; kubeplan sorts resource names (bytewise) to be deterministic.

Which requests (`SupportsAttributes`): Pods on CREATE (and `pods/resize` on UPDATE, which
kubeplan does not model); PersistentVolumeClaims on CREATE and UPDATE; no other subresource;
an object whose stored version has a deletionTimestamp is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from kubeplan.admission.limitrange.rules import CONTAINER, POD, PVC, LimitRangeRule
from kubeplan.kube import podresources
from kubeplan.kube.goquote import go_quote
from kubeplan.kube.quantity import Quantity
from kubeplan.model import Path

# admission.go `supportedPodLevelResources` (the plugin's own copy: cpu and memory only).
_POD_LEVEL = ("cpu", "memory")
_FIELDS = ("containers", "initContainers")


@dataclass(frozen=True)
class LimitViolation:
    """One constraint failed. `path` is relative to the pod (or to the PVC); `limitrange` and
    `item` name the LimitRange and its `spec.limits` index."""

    message: str
    path: tuple[str | int, ...]
    limitrange: str = ""
    item: int = 0
    namespace: str | None = None


# ---------------------------------------------------------------------------------------------
# The constraints (admission.go), each returning the message or None


def min_constraint(
    limit_type: str,
    name: str,
    enforced: Quantity,
    request: Mapping[str, Quantity],
    limit: Mapping[str, Quantity],
) -> tuple[str, str] | None:
    """`minConstraint`: (message, "requests" or "limits") on failure."""
    req = request.get(name)
    lim = limit.get(name)
    if req is None:
        return (
            f"minimum {name} usage per {limit_type} is {enforced}.  No request is specified",
            "requests",
        )
    if enforced.value > req.value:
        return (
            f"minimum {name} usage per {limit_type} is {enforced}, but request is {req}",
            "requests",
        )
    if lim is not None and enforced.value > lim.value:
        return f"minimum {name} usage per {limit_type} is {enforced}, but limit is {lim}", "limits"
    return None


def max_constraint(
    limit_type: str,
    name: str,
    enforced: Quantity,
    request: Mapping[str, Quantity],
    limit: Mapping[str, Quantity],
) -> tuple[str, str] | None:
    """`maxConstraint`."""
    req = request.get(name)
    lim = limit.get(name)
    if lim is None:
        return (
            f"maximum {name} usage per {limit_type} is {enforced}.  No limit is specified",
            "limits",
        )
    if lim.value > enforced.value:
        return f"maximum {name} usage per {limit_type} is {enforced}, but limit is {lim}", "limits"
    if req is not None and req.value > enforced.value:
        return (
            f"maximum {name} usage per {limit_type} is {enforced}, but request is {req}",
            "requests",
        )
    return None


def max_request_constraint(
    limit_type: str, name: str, enforced: Quantity, request: Mapping[str, Quantity]
) -> tuple[str, str] | None:
    """`maxRequestConstraint` (PVCs: the limit is not user input)."""
    req = request.get(name)
    if req is None:
        return (
            f"maximum {name} usage per {limit_type} is {enforced}.  No request is specified",
            "requests",
        )
    if req.value > enforced.value:
        return (
            f"maximum {name} usage per {limit_type} is {enforced}, but request is {req}",
            "requests",
        )
    return None


def ratio_constraint(
    limit_type: str,
    name: str,
    enforced: Quantity,
    request: Mapping[str, Quantity],
    limit: Mapping[str, Quantity],
) -> tuple[str, str] | None:
    """`limitRequestRatioConstraint`."""
    req = request.get(name)
    lim = limit.get(name)
    head = f"{name} max limit to request ratio per {limit_type} is {enforced}"
    if req is None or req.value == 0:
        return f"{head}, but no request is specified or request is 0", "requests"
    if lim is None or lim.value == 0:
        return f"{head}, but no limit is specified or limit is 0", "limits"
    if abs(lim.value) > abs(req.value) * enforced.value:  # exceedsAllowed
        return f"{head}, but provided ratio is {ratio_string(lim.value, req.value)}", "limits"
    return None


def ratio_string(limit: Fraction, request: Fraction) -> str:
    """`ratioString` for operands within 40 decimal orders of each other: |limit| / |request|
    with six decimals, rounded half to even (inf.Dec `QuoRound(..., 6, RoundHalfEven)`)."""
    scaled = abs(limit) / abs(request) * 10**6
    units = scaled.numerator // scaled.denominator
    rest = scaled - units
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and units % 2 == 1):
        units += 1
    return f"{units // 10**6}.{units % 10**6:06d}"


_CHECKS = (
    ("min", min_constraint),
    ("max", max_constraint),
    ("max_limit_request_ratio", ratio_constraint),
)


# ---------------------------------------------------------------------------------------------
# Pods


def _local_pod_totals(
    spec: Mapping[str, Any], pod_level: bool
) -> tuple[dict[str, Quantity], dict[str, Quantity]]:
    """admission.go `podRequests` / `podLimits`: the sidecar formula without overhead, then the
    pod-level cpu and memory values when PodLevelResources is on."""
    requests = podresources.aggregate_containers(spec, "requests")
    limits = podresources.aggregate_containers(spec, "limits")
    if pod_level:
        resources = spec.get("resources")
        if isinstance(resources, Mapping):
            for which, total in (("requests", requests), ("limits", limits)):
                for key, value in podresources.resource_list(resources.get(which)).items():
                    if key in _POD_LEVEL:
                        total[key] = value
    return requests, limits


def validate_pod(
    spec: Mapping[str, Any], rules: Sequence[LimitRangeRule], *, pod_level: bool = True
) -> list[LimitViolation]:
    """`PodValidateLimitFunc` for every LimitRange, on a pod spec already defaulted
    (`podresources.default_pod_spec`, then `default_containers`). Pods are checked on CREATE
    only."""
    violations: list[LimitViolation] = []
    totals: tuple[dict[str, Quantity], dict[str, Quantity]] | None = None
    for rule in rules:
        if rule.type == CONTAINER:
            for field in _FIELDS:
                items = spec.get(field)
                if not isinstance(items, list):
                    continue
                for index, container in enumerate(items):
                    if not isinstance(container, Mapping):
                        continue
                    requests = podresources.container_quantities(container, "requests")
                    limits = podresources.container_quantities(container, "limits")
                    base: Path = ("spec", field, index, "resources")
                    violations += _check(rule, CONTAINER, requests, limits, base)
        elif rule.type == POD:
            if totals is None:
                totals = _local_pod_totals(spec, pod_level)
            violations += _check(rule, POD, totals[0], totals[1], ("spec",))
    return violations


def _check(
    rule: LimitRangeRule,
    limit_type: str,
    requests: Mapping[str, Quantity],
    limits: Mapping[str, Quantity],
    base: Path,
) -> list[LimitViolation]:
    out: list[LimitViolation] = []
    for attribute, check in _CHECKS:
        enforced_map: Mapping[str, Quantity] = getattr(rule, attribute)
        for name in sorted(enforced_map):
            failed = check(limit_type, name, enforced_map[name], requests, limits)
            if failed is not None:
                message, plural = failed
                path = (*base, plural, name) if limit_type == CONTAINER else base
                out.append(
                    LimitViolation(message, path, rule.limitrange, rule.index, rule.namespace)
                )
    return out


# ---------------------------------------------------------------------------------------------
# PersistentVolumeClaims


def validate_pvc(
    body: Mapping[str, Any],
    rules: Sequence[LimitRangeRule],
    *,
    old: Mapping[str, Any] | None = None,
) -> list[LimitViolation]:
    """`PersistentVolumeClaimValidateLimitFunc` for every LimitRange on a PVC body (CREATE, or
    UPDATE with `old`, the stored claim). Claims are never defaulted by LimitRanger."""
    requests = _pvc_requests(body)
    old_requests = _pvc_requests(old) if old is not None else {}
    base: Path = ("spec", "resources", "requests")
    violations: list[LimitViolation] = []
    for rule in rules:
        if rule.type != PVC:
            continue
        for attribute in ("min", "max"):
            enforced_map: Mapping[str, Quantity] = getattr(rule, attribute)
            for name in sorted(enforced_map):
                if old is not None and _unchanged(name, requests, old_requests):
                    continue
                if attribute == "min":
                    failed = min_constraint(PVC, name, enforced_map[name], requests, {})
                else:
                    failed = max_request_constraint(PVC, name, enforced_map[name], requests)
                if failed is not None:
                    violations.append(
                        LimitViolation(
                            failed[0], (*base, name), rule.limitrange, rule.index, rule.namespace
                        )
                    )
    return violations


def _pvc_requests(body: Mapping[str, Any] | None) -> dict[str, Quantity]:
    spec = body.get("spec") if isinstance(body, Mapping) else None
    resources = spec.get("resources") if isinstance(spec, Mapping) else None
    return podresources.resource_list(
        resources.get("requests") if isinstance(resources, Mapping) else None
    )


def _unchanged(name: str, requests: Mapping[str, Quantity], old: Mapping[str, Quantity]) -> bool:
    """`unchangedRequest`: requested in both with the same value."""
    new_value, old_value = requests.get(name), old.get(name)
    return new_value is not None and old_value is not None and new_value.value == old_value.value


# ---------------------------------------------------------------------------------------------
# The refusal text


def refusal(violations: Sequence[LimitViolation]) -> list[LimitViolation]:
    """The violations of the first LimitRange that has any: `runLimitFunc` stops there."""
    for group in by_limitrange_violations(violations):
        return group
    return []


def by_limitrange_violations(violations: Sequence[LimitViolation]) -> list[list[LimitViolation]]:
    groups: dict[tuple[str | None, str], list[LimitViolation]] = {}
    for violation in violations:
        groups.setdefault((violation.namespace, violation.limitrange), []).append(violation)
    return list(groups.values())


def aggregate_message(messages: Sequence[str]) -> str:
    """apimachinery `utilerrors.NewAggregate(errs).Error()`."""
    if len(messages) == 1:
        return messages[0]
    unique = list(dict.fromkeys(messages))
    if len(unique) == 1:
        return unique[0]
    return "[" + ", ".join(unique) + "]"


def forbidden_message(resource: str, name: str, violations: Sequence[LimitViolation]) -> str:
    """`<resource> "<name>" is forbidden: <aggregate>` for the refusing LimitRange ("" when
    nothing is violated). `name` is the object's name or generateName; "" reads `Unknown`."""
    first = refusal(violations)
    if not first:
        return ""
    return f"{resource} {go_quote(name or 'Unknown')} is forbidden: {aggregate_message([v.message for v in first])}"


def pod_forbidden_message(name: str, violations: Sequence[LimitViolation]) -> str:
    """`pods "<name>" is forbidden: [a, b]`, or the single form."""
    return forbidden_message("pods", name, violations)


def pvc_forbidden_message(name: str, violations: Sequence[LimitViolation]) -> str:
    """`persistentvolumeclaims "<name>" is forbidden: ...`."""
    return forbidden_message("persistentvolumeclaims", name, violations)
