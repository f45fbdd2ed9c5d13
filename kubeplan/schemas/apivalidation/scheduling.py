"""Hand-written validation of the scheduling API group's kinds (pkg/apis/scheduling/validation/validation.go).

Ported: `ValidatePriorityClass`'s bound on a user-defined value. The `system-` names
(`IsKnownSystemPriorityClass`) and preemptionPolicy are not ported.
"""

from __future__ import annotations

from typing import Any

from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.registry import validates
from kubeplan.schemas.apivalidation.selector import d, is_int

# pkg/apis/scheduling/types.go: HighestUserDefinablePriority; SystemPriorityClassPrefix.
HIGHEST_USER_DEFINABLE_PRIORITY = 1000000000
SYSTEM_PREFIX = "system-"


@validates("scheduling.k8s.io", "PriorityClass")
def validate_priority_class(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    name = d(body.get("metadata")).get("name")
    if isinstance(name, str) and name.startswith(SYSTEM_PREFIX):
        return []
    value = body.get("value")
    if is_int(value) and value > HIGHEST_USER_DEFINABLE_PRIORITY:
        return [
            field.forbidden(
                ("value",),
                f"maximum allowed value of a user defined priority is {HIGHEST_USER_DEFINABLE_PRIORITY}",
            )
        ]
    return []
