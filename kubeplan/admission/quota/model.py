"""A ResourceQuota as quota admission reads it.

Admission reads `status.hard` and `status.used` (controller.go `CheckRequest`, `hasUsageStats`;
generic/evaluator.go `Matches`); the quota controller copies `spec.hard` into `status.hard`
(pkg/controller/resourcequota). A manifest has no status: its `hard` is `spec.hard` and its
usage is unknown (`used` None) until the controller computes it. A quota read from a cluster
dump (`kubectl get -o yaml`) keeps its status in `Resource.server_fields["status"]`.

Scopes (`spec.scopes`) are requirements with the operator Exists, followed by
`spec.scopeSelector.matchExpressions` (`getScopeSelectorsFromQuota`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from kubeplan.kube import quantity
from kubeplan.kube.quantity import Quantity
from kubeplan.model import Resource


@dataclass(frozen=True)
class ScopedRequirement:
    """corev1.ScopedResourceSelectorRequirement."""

    scope_name: str
    operator: str = "Exists"
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Quota:
    name: str
    namespace: str
    hard: dict[str, Fraction]
    used: dict[str, Fraction] | None
    scopes: tuple[str, ...] = ()
    scope_selector: tuple[ScopedRequirement, ...] = ()
    resource: Resource | None = None
    # The same amounts with the format they were written in: Kubernetes prints a quantity in
    # its own format (`1Gi`, `1073741824`, `1G` are one amount), so messages need it.
    hard_quantities: Mapping[str, Quantity] = field(default_factory=dict, compare=False)
    used_quantities: Mapping[str, Quantity] = field(default_factory=dict, compare=False)

    @property
    def selectors(self) -> tuple[ScopedRequirement, ...]:
        """`getScopeSelectorsFromQuota`: every scope as Exists, then the scope selector."""
        return tuple(ScopedRequirement(s) for s in self.scopes) + self.scope_selector


def quotas_from(resources: Sequence[Resource]) -> list[Quota]:
    """The ResourceQuotas among `resources`, in input order. Unreadable quantities are left out
    (field validation reports them)."""
    out = []
    for resource in resources:
        if resource.kind != "ResourceQuota" or resource.group != "":
            continue
        out.append(_quota(resource))
    return out


def _quota(resource: Resource) -> Quota:
    body = resource.body
    spec = _dict(body.get("spec"))
    status = _status(resource)
    hard_source = status.get("hard") if isinstance(status.get("hard"), dict) else spec.get("hard")
    hard = _quantities(hard_source)
    used = _quantities(status["used"]) if isinstance(status.get("used"), dict) else None
    return Quota(
        name=resource.name or "",
        namespace=resource.namespace or "",
        hard={k: q.value for k, q in hard.items()},
        used=None if used is None else {k: q.value for k, q in used.items()},
        scopes=tuple(s for s in _list(spec.get("scopes")) if isinstance(s, str)),
        scope_selector=_scope_selector(spec.get("scopeSelector")),
        resource=resource,
        hard_quantities=hard,
        used_quantities=used or {},
    )


def _status(resource: Resource) -> dict[str, Any]:
    """The status of a dumped object (set aside by the loader), or of the body."""
    status = resource.server_fields.get("status")
    if not isinstance(status, dict):
        status = resource.body.get("status")
    return status if isinstance(status, dict) else {}


def _quantities(values: Any) -> dict[str, Quantity]:
    out: dict[str, Quantity] = {}
    for name, text in _dict(values).items():
        parsed = quantity.resource_list_value(text)
        if parsed is not None:
            out[str(name)] = parsed
    return out


def _scope_selector(selector: Any) -> tuple[ScopedRequirement, ...]:
    out = []
    for expression in _list(_dict(selector).get("matchExpressions")):
        if not isinstance(expression, dict):
            continue
        values = tuple(str(v) for v in _list(expression.get("values")))
        out.append(
            ScopedRequirement(
                str(expression.get("scopeName") or ""),
                str(expression.get("operator") or ""),
                values,
            )
        )
    return tuple(out)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
