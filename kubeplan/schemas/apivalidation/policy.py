"""Hand-written validation of the policy API group's kinds (pkg/apis/policy/validation/validation.go)."""

from __future__ import annotations

from typing import Any

from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.apps import not_more_than_100_percent, positive_int_or_percent
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.registry import validates
from kubeplan.schemas.apivalidation.selector import d, validate_label_selector

_EVICTION_POLICIES = ("AlwaysAllow", "IfHealthyBudget")  # sorted, as supported...List() gives them


@validates("policy", "PodDisruptionBudget")
def validate_pod_disruption_budget(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    """`ValidatePodDisruptionBudgetSpec` (on create the selector is validated strictly)."""
    spec = d(body.get("spec"))
    path = ("spec",)
    errors: list[FieldError] = []
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        # Go prints the internal PodDisruptionBudgetSpec struct here; the spec as written stands in.
        errors.append(
            field.invalid(path, spec, "minAvailable and maxUnavailable cannot be both set")
        )
    for name in ("minAvailable", "maxUnavailable"):
        value = spec.get(name)
        if value is not None:
            errors.extend(positive_int_or_percent(value, (*path, name)))
            errors.extend(not_more_than_100_percent(value, (*path, name)))
    errors.extend(validate_label_selector(spec.get("selector"), (*path, "selector"), ctx))
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in _EVICTION_POLICIES:
        errors.append(
            field.not_supported((*path, "unhealthyPodEvictionPolicy"), policy, _EVICTION_POLICIES)
        )
    return errors
