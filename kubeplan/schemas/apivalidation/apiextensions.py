"""apiextensions.k8s.io: CustomResourceDefinition (the rules live in schemas/crdvalidation.py)."""

from __future__ import annotations

from typing import Any

from kubeplan.schemas import crdvalidation
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.registry import validates


@validates("apiextensions.k8s.io", "CustomResourceDefinition")
def validate_crd(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    """ValidateCustomResourceDefinition (apiextensions-apiserver
    pkg/apis/apiextensions/validation/validation.go)."""
    return crdvalidation.field_errors(body)
