"""Resources: `ValidateContainerResourceRequirements`, resize policy, resource claims
(pkg/apis/core/validation/validation.go).
"""

from __future__ import annotations

from typing import Any

from kubeplan.kube import names, quantity
from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.pod.common import (
    _STANDARD_CONTAINER_RESOURCES,
    _STANDARD_RESOURCES,
    _Common,
    _d,
    _enum,
    _l,
    _s,
)

# ---------------------------------------------------------------------------------------------
# Resources


def _is_native(name: str) -> bool:
    """`helper.IsNativeResource`: no `/`, or a `kubernetes.io/` prefix."""
    return "/" not in name or "kubernetes.io/" in name


def _is_hugepages(name: str) -> bool:
    return name.startswith("hugepages-")


def _overcommit_allowed(name: str) -> bool:
    """`helper.IsOvercommitAllowed`."""
    return _is_native(name) and not _is_hugepages(name)


def _is_extended(name: str) -> bool:
    """`helper.IsExtendedResourceName`."""
    if _is_native(name) or name.startswith("requests."):
        return False
    return not names.is_qualified_name("requests." + name)


def _validate_resource_name(name: str, path: Path, ctx: Context) -> list[FieldError]:
    """`validateContainerResourceName` (and the `validateResourceName` it starts with)."""
    errors = [field.invalid(path, name, m) for m in names.is_qualified_name(name, ctx.minor)]
    if errors:
        return errors
    if "/" not in name:
        if name not in _STANDARD_RESOURCES and not name.startswith(
            ("hugepages-", "requests.hugepages-")
        ):
            errors.append(
                field.invalid(path, name, "must be a standard resource type or fully qualified")
            )
        if name not in _STANDARD_CONTAINER_RESOURCES and not _is_hugepages(name):
            errors.append(field.invalid(path, name, "must be a standard resource for containers"))
    elif not _is_native(name) and not _is_extended(name):
        errors.append(field.invalid(path, name, "doesn't follow extended resource name standard"))
    return errors


def _quantities(values: Any) -> dict[str, quantity.Quantity]:
    out = {}
    for key, value in _d(values).items():
        parsed = quantity.resource_list_value(value)
        if isinstance(key, str) and parsed is not None:
            out[key] = parsed
    return out


def _validate_quantity(name: str, value: quantity.Quantity, path: Path) -> list[FieldError]:
    """`ValidateResourceQuantityValue`: not negative; whole for integer resources."""
    errors = []
    if value.value < 0:
        errors.append(field.invalid(path, str(value), "must be greater than or equal to 0"))
    if _is_extended(name) and value.value.denominator != 1:
        errors.append(field.invalid(path, str(value), "must be an integer"))
    return errors


def _validate_resources(resources: dict[str, Any], path: Path, common: _Common) -> list[FieldError]:
    """`validateResourceRequirements`: names, quantities, requests ≤ limits (= for resources
    that cannot be overcommitted, which also need a limit), hugepages need cpu or memory.
    A Pod's requests default to its limits first (`SetDefaults_Pod`)."""
    limits = _quantities(resources.get("limits"))
    requests = _quantities(resources.get("requests"))
    if common.is_pod:
        requests = {**limits, **requests}
    lim_path, req_path = (*path, "limits"), (*path, "requests")
    errors: list[FieldError] = []
    for name, value in limits.items():
        at = (*lim_path, name)
        errors.extend(_validate_resource_name(name, at, common.ctx))
        errors.extend(_validate_quantity(name, value, at))
        errors.extend(_hugepage_value(name, value, at))
    for name, value in requests.items():
        at = (*req_path, name)
        errors.extend(_validate_resource_name(name, at, common.ctx))
        errors.extend(_validate_quantity(name, value, at))
        limit = limits.get(name)
        if limit is not None:
            if value.value != limit.value and not _overcommit_allowed(name):
                detail = f"must be equal to {name} limit of {limit}"
                errors.append(field.invalid(req_path, str(value), detail))
            elif value.value > limit.value:
                detail = f"must be less than or equal to {name} limit of {limit}"
                errors.append(field.invalid(req_path, str(value), detail))
        elif not _overcommit_allowed(name):
            errors.append(
                field.required(lim_path, "Limit must be set for non overcommitable resources")
            )
        errors.extend(_hugepage_value(name, value, at))
    names_used = set(limits) | set(requests)
    if any(_is_hugepages(n) for n in names_used) and not names_used & {"cpu", "memory"}:
        errors.append(field.forbidden(path, "HugePages require cpu or memory"))
    errors.extend(_validate_claims(_l(resources.get("claims")), (*path, "claims"), common))
    return errors


def _validate_resize_policy(policies: list[Any], path: Path, common: _Common) -> list[FieldError]:
    """`validateResizePolicy`: cpu or memory, once each; NotRequired or RestartContainer, and
    only NotRequired when the pod's restartPolicy is Never. Go reports the unsupported values
    at `resizePolicy`; kubeplan at the entry."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, policy in enumerate(policies):
        policy = _d(policy)
        at = (*path, index)
        name = _s(policy.get("resourceName"))
        restart = _s(policy.get("restartPolicy"))
        if name in seen:
            errors.append(field.duplicate(at, name))
        seen.add(name)
        errors.extend(_enum((*at, "resourceName"), name, ("cpu", "memory")))
        errors.extend(_enum((*at, "restartPolicy"), restart, ("NotRequired", "RestartContainer")))
        if common.restart_policy == "Never" and restart != "NotRequired":
            errors.append(
                field.invalid(
                    (*at, "restartPolicy"),
                    restart,
                    "must be 'NotRequired' when `restartPolicy` is 'Never'",
                )
            )
    return errors


def _hugepage_value(name: str, value: quantity.Quantity, path: Path) -> list[FieldError]:
    """`validateResourceQuantityHugePageValue`: a whole multiple of the page size."""
    if not _is_hugepages(name):
        return []
    page = quantity.parse(name[len("hugepages-") :])
    if page is None or page.value <= 0:
        return []
    ratio = value.value / page.value
    if ratio.denominator == 1 and ratio >= 0:
        return []
    return [field.invalid(path, str(value), f"{value} is not positive integer multiple of {name}")]


def _validate_claims(claims: list[Any], path: Path, common: _Common) -> list[FieldError]:
    """`validateResourceClaimNames` (the plain cases): each names a pod resource claim."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, claim in enumerate(claims):
        name = _s(_d(claim).get("name"))
        if not name:
            errors.append(field.required((*path, index)))
            continue
        if name in seen and not _s(_d(claim).get("request")):
            errors.append(field.duplicate((*path, index), name))
        seen.add(name)
        if name not in common.claim_names:
            detail = "must be one of the names in pod.spec.resourceClaims"
            if common.claim_names:
                detail += ": " + ", ".join(sorted(common.claim_names))
            else:
                detail += " which is empty"
            errors.append(field.FieldError(field.ErrorType.NOT_FOUND, (*path, index), name, detail))
    return errors
