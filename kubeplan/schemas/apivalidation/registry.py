"""Run the hand-written validation of a built-in kind and turn its errors into findings.

Each group module registers its kinds with `@validates(group, kind, ...)`; every built-in
object also gets ObjectMeta validation (`objectmeta.validate_metadata`), as the API server's
`ValidateObjectMeta` runs for every kind. Only objects the schema accepted get here: the API
server decodes before it validates, so a wrongly typed object never reaches `validation.go`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from typing import Any

from kubeplan.model import Finding, Resource, Severity, finding_for
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import WARNING_RULE, FieldError

Validator = Callable[[dict[str, Any], Context], list[FieldError]]

_VALIDATORS: dict[tuple[str, str], Validator] = {}

# The modules that register validators, one per API group (imported on first use).
_MODULES = (
    "pod",
    "core",
    "apps",
    "batch",
    "networking",
    "policy",
    "autoscaling",
    "rbac",
    "scheduling",
    "apiextensions",
)


def validates(group: str, *kinds: str) -> Callable[[Validator], Validator]:
    """Register `fn` as the validation of `kinds` in `group` ("" for the core group)."""

    def register(fn: Validator) -> Validator:
        for kind in kinds:
            _VALIDATORS[(group, kind)] = fn
        return fn

    return register


@cache
def _load() -> dict[tuple[str, str], Validator]:
    for name in _MODULES:
        importlib.import_module(f"kubeplan.schemas.apivalidation.{name}")
    return _VALIDATORS


def field_errors(resource: Resource, minor: int) -> list[FieldError]:
    """Every error the API server's validation finds in a built-in object."""
    from kubeplan.schemas.apivalidation.objectmeta import validate_metadata

    body = resource.body
    if not isinstance(body, dict):
        return []
    ctx = Context(minor)
    errors = validate_metadata(resource.group, resource.kind, body, ctx)
    validator = _load().get((resource.group, resource.kind))
    if validator is not None:
        errors.extend(validator(body, ctx))
    return errors


def native_findings(resource: Resource, version: str) -> list[Finding]:
    """`field_errors` as findings, each at the line of its field. `version` is "1.37"."""
    minor = int(version.split(".")[1])
    ref = resource.ref()
    findings = []
    for error in field_errors(resource, minor):
        if error.warning:
            rule, severity = WARNING_RULE, Severity.WARNING
        else:
            rule, severity = error.type.rule, Severity.ERROR
        findings.append(finding_for(resource, rule, severity, error.body(), error.path, ref=ref))
    return findings
