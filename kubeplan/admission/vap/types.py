"""The request the policies see and the outcomes they give (the interface for check and plan)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

DENY, WARN, AUDIT = "Deny", "Warn", "Audit"
# Not one of the API server's validationActions: kubeplan could not evaluate the policy (an
# authorizer answer it does not know, a function it does not implement, no CEL engine...).
NOT_EVALUATED = "NotEvaluated"


@dataclass(frozen=True)
class Request:
    """One create/update/delete as admission sees it (admission.Attributes)."""

    operation: str  # CREATE | UPDATE | DELETE | CONNECT
    group: str
    version: str
    kind: str
    resource: str  # the plural, e.g. "deployments"
    subresource: str
    namespace: str | None
    name: str
    object: Mapping | None
    old_object: Mapping | None
    user: str
    groups: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    policy: str
    binding: str
    action: str  # "Deny" | "Warn" | "Audit" | "NotEvaluated"
    message: str  # the API server's own text (for NotEvaluated: why kubeplan could not say)
    reason: str  # the status reason of a denial (Invalid by default), "" otherwise
    expression_index: int | None  # the validation's index, when one validation gave it
    path: tuple  # best field path for the finding (() when unknown)
    error: bool  # an evaluation or configuration error handled by failurePolicy
