"""Hand-written validation of the rbac API group's kinds (pkg/apis/rbac/validation/validation.go).

`ValidateRole`, `ValidateClusterRole`, `ValidatePolicyRule`, `ValidateRoleBinding`,
`ValidateClusterRoleBinding` and `ValidateRoleBindingSubject`, on the defaulted object
(pkg/apis/rbac/v1/defaults.go: an empty `roleRef.apiGroup` becomes rbac.authorization.k8s.io; an
empty subject `apiGroup` becomes it for User and Group, "" for ServiceAccount).
"""

from __future__ import annotations

from typing import Any

from kubeplan.kube import names
from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.registry import validates
from kubeplan.schemas.apivalidation.selector import converts, d, lst, validate_label_selector

GROUP = "rbac.authorization.k8s.io"
_SUBJECT_KINDS = ("ServiceAccount", "User", "Group")


@validates(GROUP, "Role")
def validate_role(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    return _rules(body, namespaced=True)


@validates(GROUP, "ClusterRole")
def validate_cluster_role(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    errors = _rules(body, namespaced=False)
    aggregation = body.get("aggregationRule")
    if aggregation is not None:
        path = ("aggregationRule", "clusterRoleSelectors")
        selectors = lst(d(aggregation).get("clusterRoleSelectors"))
        if not selectors:
            errors.append(
                field.required(
                    path, "at least one clusterRoleSelector required if aggregationRule is non-nil"
                )
            )
        for index, selector in enumerate(selectors):
            errors.extend(validate_label_selector(selector, (*path, index), ctx))
            if not converts(selector, ctx):
                errors.append(field.invalid((*path, index), selector, "invalid label selector."))
    return errors


def _rules(body: dict[str, Any], namespaced: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    for index, rule in enumerate(lst(body.get("rules"))):
        errors.extend(_policy_rule(d(rule), namespaced, ("rules", index)))
    return errors


def _policy_rule(rule: dict[str, Any], namespaced: bool, path: Path) -> list[FieldError]:
    """`ValidatePolicyRule`."""
    errors: list[FieldError] = []
    if not lst(rule.get("verbs")):
        errors.append(field.required((*path, "verbs"), "verbs must contain at least one value"))
    urls = lst(rule.get("nonResourceURLs"))
    if urls:
        if namespaced:
            errors.append(
                field.invalid(
                    (*path, "nonResourceURLs"),
                    urls,
                    "namespaced rules cannot apply to non-resource URLs",
                )
            )
        if (
            lst(rule.get("apiGroups"))
            or lst(rule.get("resources"))
            or lst(rule.get("resourceNames"))
        ):
            errors.append(
                field.invalid(
                    (*path, "nonResourceURLs"),
                    urls,
                    "rules cannot apply to both regular resources and non-resource URLs",
                )
            )
        return errors
    if not lst(rule.get("apiGroups")):
        errors.append(
            field.required(
                (*path, "apiGroups"), "resource rules must supply at least one api group"
            )
        )
    if not lst(rule.get("resources")):
        errors.append(
            field.required((*path, "resources"), "resource rules must supply at least one resource")
        )
    return errors


@validates(GROUP, "RoleBinding")
def validate_role_binding(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    return _binding(body, ("Role", "ClusterRole"), namespaced=True)


@validates(GROUP, "ClusterRoleBinding")
def validate_cluster_role_binding(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    return _binding(body, ("ClusterRole",), namespaced=False)


def _binding(body: dict[str, Any], kinds: tuple[str, ...], namespaced: bool) -> list[FieldError]:
    ref = d(body.get("roleRef"))
    errors: list[FieldError] = []
    group = ref.get("apiGroup") or GROUP
    if group != GROUP:
        errors.append(field.not_supported(("roleRef", "apiGroup"), group, [GROUP]))
    kind = ref.get("kind")
    if kind not in kinds:
        errors.append(
            field.not_supported(("roleRef", "kind"), kind if kind is not None else "", kinds)
        )
    name = ref.get("name")
    if not name:
        errors.append(field.required(("roleRef", "name")))
    elif isinstance(name, str):
        errors.extend(
            field.invalid(("roleRef", "name"), name, m)
            for m in names.is_valid_path_segment_name(name)
        )
    for index, subject in enumerate(lst(body.get("subjects"))):
        errors.extend(_subject(d(subject), namespaced, ("subjects", index)))
    return errors


def _subject(subject: dict[str, Any], namespaced: bool, path: Path) -> list[FieldError]:
    """`ValidateRoleBindingSubject` after SetDefaults_Subject."""
    errors: list[FieldError] = []
    name = subject.get("name")
    if not name:
        errors.append(field.required((*path, "name")))
    kind = subject.get("kind")
    group = subject.get("apiGroup") or ""
    if kind == "ServiceAccount":
        if isinstance(name, str) and name:
            errors.extend(
                field.invalid((*path, "name"), name, m) for m in names.is_dns1123_subdomain(name)
            )
        if group:
            errors.append(field.not_supported((*path, "apiGroup"), group, [""]))
        if not namespaced and not subject.get("namespace"):
            errors.append(field.required((*path, "namespace")))
    elif kind in ("User", "Group"):
        group = group or GROUP
        if group != GROUP:
            errors.append(field.not_supported((*path, "apiGroup"), group, [GROUP]))
    else:
        errors.append(
            field.not_supported((*path, "kind"), kind if kind is not None else "", _SUBJECT_KINDS)
        )
    return errors
