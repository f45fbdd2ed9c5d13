"""Scheduling: affinity, topology spread constraints and tolerations
(pkg/apis/core/validation/validation.go).
"""

from __future__ import annotations

from typing import Any

from kubeplan.kube import names
from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.pod.common import (
    _NODE_INCLUSION_POLICIES,
    _SCHEDULE_ACTIONS,
    _TAINT_EFFECTS,
    _d,
    _l,
    _s,
)
from kubeplan.schemas.apivalidation.selector import validate_label_selector

# ---------------------------------------------------------------------------------------------
# Scheduling


def _validate_affinity(affinity: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    """`validateAffinity`: node affinity terms and weights, pod (anti-)affinity terms."""
    errors: list[FieldError] = []
    node = _d(affinity.get("nodeAffinity"))
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution")
    node_path = (*path, "nodeAffinity")
    if isinstance(required, dict):
        req_path = (*node_path, "requiredDuringSchedulingIgnoredDuringExecution")
        terms = _l(required.get("nodeSelectorTerms"))
        if not terms:
            errors.append(
                field.required(
                    (*req_path, "nodeSelectorTerms"), "must have at least one node selector term"
                )
            )
        for index, term in enumerate(terms):
            errors.extend(
                _node_selector_term(_d(term), (*req_path, "nodeSelectorTerms", index), False, ctx)
            )
    preferred_path = (*node_path, "preferredDuringSchedulingIgnoredDuringExecution")
    for index, term in enumerate(_l(node.get("preferredDuringSchedulingIgnoredDuringExecution"))):
        term = _d(term)
        errors.extend(_weight(term, (*preferred_path, index, "weight")))
        errors.extend(
            _node_selector_term(
                _d(term.get("preference")), (*preferred_path, index, "preference"), True, ctx
            )
        )
    for key in ("podAffinity", "podAntiAffinity"):
        pod = _d(affinity.get(key))
        base = (*path, key)
        req_key = "requiredDuringSchedulingIgnoredDuringExecution"
        for index, term in enumerate(_l(pod.get(req_key))):
            errors.extend(_pod_affinity_term(_d(term), (*base, req_key, index), ctx))
        pref_key = "preferredDuringSchedulingIgnoredDuringExecution"
        for index, term in enumerate(_l(pod.get(pref_key))):
            term = _d(term)
            errors.extend(_weight(term, (*base, pref_key, index, "weight")))
            errors.extend(
                _pod_affinity_term(
                    _d(term.get("podAffinityTerm")),
                    (*base, pref_key, index, "podAffinityTerm"),
                    ctx,
                )
            )
    return errors


def _weight(term: dict[str, Any], path: Path) -> list[FieldError]:
    weight = term.get("weight")
    if isinstance(weight, int) and not 0 < weight <= 100:
        return [field.invalid(path, weight, "must be in the range 1-100")]
    return []


def _node_selector_term(
    term: dict[str, Any], path: Path, allow_invalid_values: bool, ctx: Context
) -> list[FieldError]:
    """`ValidateNodeSelectorTerm`."""
    errors: list[FieldError] = []
    for index, req in enumerate(_l(term.get("matchExpressions"))):
        req = _d(req)
        at = (*path, "matchExpressions", index)
        operator = _s(req.get("operator"))
        values = _l(req.get("values"))
        if operator in ("In", "NotIn"):
            if not values:
                errors.append(
                    field.required(
                        (*at, "values"), "must be specified when `operator` is 'In' or 'NotIn'"
                    )
                )
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                errors.append(
                    field.forbidden(
                        (*at, "values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    )
                )
        elif operator in ("Gt", "Lt"):
            if len(values) != 1:
                errors.append(
                    field.required(
                        (*at, "values"),
                        "must be specified single value when `operator` is 'Lt' or 'Gt'",
                    )
                )
        else:
            errors.append(
                field.invalid((*at, "operator"), operator, "not a valid selector operator")
            )
        key = _s(req.get("key"))
        errors.extend(
            field.invalid((*at, "key"), key, m) for m in names.is_qualified_name(key, ctx.minor)
        )
        if not allow_invalid_values:
            for v_index, value in enumerate(values):
                if isinstance(value, str):
                    errors.extend(
                        field.invalid((*at, "values", v_index), value, m)
                        for m in names.is_valid_label_value(value)
                    )
    for index, req in enumerate(_l(term.get("matchFields"))):
        req = _d(req)
        at = (*path, "matchFields", index)
        operator = _s(req.get("operator"))
        values = _l(req.get("values"))
        if operator in ("In", "NotIn"):
            if len(values) != 1:
                errors.append(
                    field.required(
                        (*at, "values"),
                        "must be only one value when `operator` is 'In' or 'NotIn' for node field"
                        " selector",
                    )
                )
        else:
            errors.append(
                field.invalid((*at, "operator"), operator, "not a valid selector operator")
            )
        key = _s(req.get("key"))
        if key != "metadata.name":
            errors.append(field.invalid((*at, "key"), key, "not a valid field selector key"))
        else:
            for v_index, value in enumerate(values):
                if isinstance(value, str):
                    errors.extend(
                        field.invalid((*at, "values", v_index), value, m)
                        for m in names.is_dns1123_subdomain(value)
                    )
    return errors


def _pod_affinity_term(term: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    """`validatePodAffinityTerm`: namespaces are DNS labels; topologyKey required and a
    qualified name."""
    errors: list[FieldError] = []
    errors.extend(
        validate_label_selector(_d(term.get("labelSelector")), (*path, "labelSelector"), ctx)
    )
    for name in _l(term.get("namespaces")):
        if isinstance(name, str):
            errors.extend(
                field.invalid((*path, "namespace"), name, m)
                for m in names.name_is_dns_label(name, False)
            )
    key = _s(term.get("topologyKey"))
    if not key:
        errors.append(field.required((*path, "topologyKey"), "can not be empty"))
    errors.extend(
        field.invalid((*path, "topologyKey"), key, m)
        for m in names.is_qualified_name(key, ctx.minor)
    )
    return errors


def _validate_topology_spread(constraints: list[Any], path: Path, ctx: Context) -> list[FieldError]:
    """`validateTopologySpreadConstraints`."""
    errors: list[FieldError] = []
    for index, constraint in enumerate(constraints):
        constraint = _d(constraint)
        at = (*path, index)
        skew = constraint.get("maxSkew")
        if isinstance(skew, int) and skew <= 0:
            errors.append(field.invalid((*at, "maxSkew"), skew, "must be greater than zero"))
        if not _s(constraint.get("topologyKey")):
            errors.append(field.required((*at, "topologyKey"), "can not be empty"))
        action = _s(constraint.get("whenUnsatisfiable"))
        if action not in _SCHEDULE_ACTIONS:
            errors.append(
                field.not_supported((*at, "whenUnsatisfiable"), action, _SCHEDULE_ACTIONS)
            )
        for later in constraints[index + 1 :]:
            later = _d(later)
            if later.get("topologyKey") == constraint.get("topologyKey") and later.get(
                "whenUnsatisfiable"
            ) == constraint.get("whenUnsatisfiable"):
                key = f"{{{_s(constraint.get('topologyKey'))}, {action}}}"
                errors.append(field.duplicate((*at, "{topologyKey, whenUnsatisfiable}"), key))
                break
        min_domains = constraint.get("minDomains")
        if isinstance(min_domains, int):
            if min_domains <= 0:
                errors.append(
                    field.invalid((*at, "minDomains"), min_domains, "must be greater than zero")
                )
            if action != "DoNotSchedule":
                errors.append(
                    field.invalid(
                        (*at, "minDomains"),
                        min_domains,
                        f"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {action}",
                    )
                )
        for key in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            policy = constraint.get(key)
            if isinstance(policy, str) and policy not in _NODE_INCLUSION_POLICIES:
                errors.append(field.not_supported((*at, key), policy, _NODE_INCLUSION_POLICIES))
        selector = constraint.get("labelSelector")
        if isinstance(selector, dict):
            errors.extend(validate_label_selector(selector, (*at, "labelSelector"), ctx))
    return errors


def _validate_tolerations(tolerations: list[Any], path: Path, ctx: Context) -> list[FieldError]:
    """`ValidateTolerations`."""
    errors: list[FieldError] = []
    for index, toleration in enumerate(tolerations):
        toleration = _d(toleration)
        at = (*path, index)
        key = _s(toleration.get("key"))
        operator = _s(toleration.get("operator"))
        effect = _s(toleration.get("effect"))
        value = _s(toleration.get("value"))
        if key:
            errors.extend(
                field.invalid((*at, "key"), key, m) for m in names.is_qualified_name(key, ctx.minor)
            )
        if not key and operator != "Exists":
            errors.append(
                field.invalid(
                    (*at, "operator"),
                    operator,
                    'operator must be Exists when `key` is empty, which means "match all values'
                    ' and all keys"',
                )
            )
        if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
            errors.append(
                field.invalid(
                    (*at, "effect"),
                    effect,
                    "effect must be 'NoExecute' when `tolerationSeconds` is set",
                )
            )
        if operator in ("Equal", ""):
            msgs = names.is_valid_label_value(value)
            if msgs:
                errors.append(field.invalid((*at, "operator"), value, ";".join(msgs)))
        elif operator == "Exists":
            if value:
                errors.append(
                    field.invalid(
                        (*at, "operator"), value, "value must be empty when `operator` is 'Exists'"
                    )
                )
        else:
            errors.append(field.not_supported((*at, "operator"), operator, ("Equal", "Exists")))
        if effect and effect not in _TAINT_EFFECTS:
            errors.append(field.not_supported((*at, "effect"), effect, _TAINT_EFFECTS))
    return errors
