"""Hand-written validation of the autoscaling API group's kinds (pkg/apis/autoscaling/validation/validation.go).

Ported: `validateHorizontalPodAutoscalerSpec`'s replica bounds (minReplicas defaults to 1,
SetDefaults_HorizontalPodAutoscaler; 0 only with the HPAScaleToZero alpha gate, off) and
`ValidateCrossVersionObjectReference`. `validateMetrics` and `validateBehavior` are not ported.
"""

from __future__ import annotations

from typing import Any

from kubeplan.kube import names
from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.registry import validates
from kubeplan.schemas.apivalidation.selector import d, is_int

MIN_REPLICAS_LOWER_BOUND = 1


@validates("autoscaling", "HorizontalPodAutoscaler")
def validate_hpa(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    spec = d(body.get("spec"))
    path = ("spec",)
    errors: list[FieldError] = []
    low = spec.get("minReplicas")
    low = 1 if low is None else low
    high = spec.get("maxReplicas")
    if is_int(low) and low < MIN_REPLICAS_LOWER_BOUND:
        errors.append(
            field.invalid(
                (*path, "minReplicas"),
                low,
                f"must be greater than or equal to {MIN_REPLICAS_LOWER_BOUND}",
            )
        )
    if is_int(high) and high < 1:
        errors.append(field.invalid((*path, "maxReplicas"), high, "must be greater than 0"))
    if is_int(high) and is_int(low) and high < low:
        errors.append(
            field.invalid(
                (*path, "maxReplicas"), high, "must be greater than or equal to `minReplicas`"
            )
        )
    errors.extend(_reference(d(spec.get("scaleTargetRef")), (*path, "scaleTargetRef")))
    return errors


def _reference(ref: dict[str, Any], path: Path) -> list[FieldError]:
    """`ValidateCrossVersionObjectReference`: kind and name, each a path segment name."""
    errors: list[FieldError] = []
    for key in ("kind", "name"):
        value = ref.get(key)
        if not value:
            errors.append(field.required((*path, key)))
        elif isinstance(value, str):
            errors.extend(
                field.invalid((*path, key), value, m)
                for m in names.is_valid_path_segment_name(value)
            )
    return errors
