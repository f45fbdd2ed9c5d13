"""The pod spec wherever it sits: Pod, PodTemplate and every pod template of a workload.

Source: pkg/apis/core/validation/validation.go (`ValidatePodSpec`, `ValidatePodTemplateSpec`,
`validateContainers`, `validateVolumes`, ...).
"""

from __future__ import annotations

from typing import Any

from kubeplan.model import Path
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError


def validate_pod_template_spec(template: Any, path: Path, ctx: Context) -> list[FieldError]:
    """`ValidatePodTemplateSpec`: the template's labels and annotations, and its pod spec."""
    return []


def validate_pod_spec(spec: Any, path: Path, ctx: Context) -> list[FieldError]:
    """`ValidatePodSpec` on `spec` found at `path`."""
    return []
