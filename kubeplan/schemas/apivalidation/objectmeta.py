"""ObjectMeta as the API server validates it for every kind.

Source: staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go (`ValidateObjectMeta`,
`ValidateObjectMetaAccessor`, `ValidateAnnotations`), pkg/apis/core/validation/validation.go
(`ValidateObjectMeta` and the per-kind name functions such as `ValidateServiceName`).
"""

from __future__ import annotations

from typing import Any

from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError


def validate_metadata(
    group: str, kind: str, body: dict[str, Any], ctx: Context
) -> list[FieldError]:
    """The errors of `body["metadata"]` for an object of `kind` in `group`."""
    return []
