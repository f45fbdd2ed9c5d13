"""The API server's validation of a LimitRange's items, the part about values.

Source: pkg/apis/core/validation/validation.go `ValidateLimitRange` (the stored copy still gates
ephemeral-storage behind LocalStorageCapacityIsolation, GA since 1.25; the rules below did not
change with it), run after `SetDefaults_LimitRangeItem` (rules.py). A LimitRange that fails is
never created, so its items never reach LimitRanger.

Covered: a repeated `type` (Duplicate); `default` / `defaultRequest` on a `Pod` item
(Forbidden); a `PersistentVolumeClaim` item without `min.storage` or `max.storage` (Required,
at `spec.limits[i].limits`, as upstream writes it); per resource, in this order: min > max,
min > defaultRequest, defaultRequest > max, defaultRequest > default, min > default,
default > max, ratio < 1, ratio > max/min, and default != defaultRequest for a resource that
cannot be overcommitted (hugepages, extended resources).
Not covered: the names of types and resources (`validateLimitRangeTypeName`,
`validateLimitRangeResourceName`), which belong with schemas/apivalidation's resource-name
checks, and ObjectMeta.

Go ranges over a set of resource names; the errors come out in bytewise name order here.
Values are shown as their canonical text, quoted (`Invalid value: "3"`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from kubeplan.admission.limitrange.rules import POD, PVC, LimitRangeRule, rule_from_item
from kubeplan.kube.podresources import HUGEPAGES_PREFIX
from kubeplan.kube.quantity import Quantity
from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.field import FieldError

# resource.MaxMilliValue: math.MaxInt64 / 1000.
_MAX_MILLI = (2**63 - 1) // 1000


def validate_limitrange(body: Mapping[str, Any]) -> list[FieldError]:
    """The value errors of every `spec.limits` item of a LimitRange body."""
    spec = body.get("spec") if isinstance(body, Mapping) else None
    items = spec.get("limits") if isinstance(spec, Mapping) else None
    if not isinstance(items, list):
        return []
    errors: list[FieldError] = []
    seen_types: set[Any] = set()
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue
        path: Path = ("spec", "limits", index)
        kind = item.get("type")
        if isinstance(kind, str):
            if kind in seen_types:
                errors.append(field.duplicate((*path, "type"), kind))
            seen_types.add(kind)
        errors += _validate_item(item, rule_from_item(item, ""), path)
    return errors


def _validate_item(item: Mapping[str, Any], rule: LimitRangeRule, path: Path) -> list[FieldError]:
    errors: list[FieldError] = []
    defaults, default_requests = rule.default, rule.default_request
    if rule.type == POD:
        if item.get("default"):
            errors.append(
                field.forbidden((*path, "default"), "may not be specified when `type` is 'Pod'")
            )
        if item.get("defaultRequest"):
            errors.append(
                field.forbidden(
                    (*path, "defaultRequest"), "may not be specified when `type` is 'Pod'"
                )
            )
        defaults, default_requests = {}, {}
    if rule.type == PVC and "storage" not in rule.min and "storage" not in rule.max:
        errors.append(
            field.required(
                (*path, "limits"),
                "either minimum or maximum storage value is required, but neither was provided",
            )
        )
    keys = set(rule.min) | set(rule.max) | set(defaults) | set(default_requests)
    keys |= set(rule.max_limit_request_ratio)
    for key in sorted(keys):
        errors += _validate_key(key, rule, defaults, default_requests, path)
    return errors


def _validate_key(
    key: str,
    rule: LimitRangeRule,
    defaults: Mapping[str, Quantity],
    default_requests: Mapping[str, Quantity],
    path: Path,
) -> list[FieldError]:
    mn, mx = rule.min.get(key), rule.max.get(key)
    default, request = defaults.get(key), default_requests.get(key)
    ratio = rule.max_limit_request_ratio.get(key)
    errors: list[FieldError] = []

    def invalid(where: str, value: Quantity, detail: str) -> None:
        errors.append(field.invalid((*path, where, key), str(value), detail))

    if mn is not None and mx is not None and mn.value > mx.value:
        invalid("min", mn, f"min value {mn} is greater than max value {mx}")
    if request is not None and mn is not None and mn.value > request.value:
        invalid(
            "defaultRequest",
            request,
            f"min value {mn} is greater than default request value {request}",
        )
    if request is not None and mx is not None and request.value > mx.value:
        invalid(
            "defaultRequest",
            request,
            f"default request value {request} is greater than max value {mx}",
        )
    if request is not None and default is not None and request.value > default.value:
        invalid(
            "defaultRequest",
            request,
            f"default request value {request} is greater than default limit value {default}",
        )
    if default is not None and mn is not None and mn.value > default.value:
        invalid("default", mn, f"min value {mn} is greater than default value {default}")
    if default is not None and mx is not None and default.value > mx.value:
        invalid("default", mx, f"default value {default} is greater than max value {mx}")
    if ratio is not None and ratio.value < 1:
        invalid("maxLimitRequestRatio", ratio, f"ratio {ratio} is less than 1")
    if ratio is not None and mn is not None and mx is not None:
        ratio_value, limit = _ratio_and_limit(ratio, mn, mx)
        if ratio_value > limit:
            invalid(
                "maxLimitRequestRatio", ratio, f"ratio {ratio} is greater than max/min = {limit:f}"
            )
    overcommit = ("/" not in key or "kubernetes.io/" in key) and not key.startswith(
        HUGEPAGES_PREFIX
    )
    if (
        not overcommit
        and default is not None
        and request is not None
        and default.value != request.value
    ):
        invalid(
            "defaultRequest",
            request,
            f"default value {default} must equal to defaultRequest value {request} in {key}",
        )
    return errors


def _value(q: Quantity) -> int:
    """`Quantity.Value()`: rounded up (away from zero) to a whole number."""
    return math.ceil(q.value) if q.value >= 0 else math.floor(q.value)


def _milli(q: Quantity) -> int:
    scaled = q.value * 1000
    return math.ceil(scaled) if scaled >= 0 else math.floor(scaled)


def _ratio_and_limit(ratio: Quantity, mn: Quantity, mx: Quantity) -> tuple[float, float]:
    """The float comparison of ValidateLimitRange: milli values when all fit, whole values
    otherwise; max/min is +Inf for a zero min, as in Go."""
    ratio_value = float(_value(ratio))
    low, high = _value(mn), _value(mx)
    if _value(ratio) < _MAX_MILLI and low < _MAX_MILLI and high < _MAX_MILLI:
        ratio_value = float(_milli(ratio)) / 1000
        low, high = _milli(mn), _milli(mx)
    limit = float(high) / float(low) if low else math.copysign(math.inf, high) if high else math.nan
    return ratio_value, limit
