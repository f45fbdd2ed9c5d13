"""Privilege-escalation prevention, as the RBAC REST storage enforces it.

Sources: pkg/registry/rbac/escalation_check.go (EscalationAllowed, RoleEscalationAuthorized,
BindingAuthorized), pkg/registry/rbac/{role,clusterrole}/policybased/storage.go,
pkg/registry/rbac/{rolebinding,clusterrolebinding}/policybased/storage.go,
pkg/registry/rbac/validation/rule.go ConfirmNoEscalation, and
staging/src/k8s.io/component-helpers/auth/rbac/validation/policy_comparator.go Covers
(rbac.md §2).

- Writing a Role/ClusterRole: system:masters; or `escalate` on roles/clusterroles (with the
  request's name, "" on create); or the writer's own rules in the object's namespace cover every
  rule of the object. A ClusterRole with an aggregationRule also needs full authority.
- Writing a binding: system:masters; or `bind` on the roleRef's role (name = roleRef.name,
  namespace = the binding's); or the writer covers every rule of the referenced role in the
  binding's namespace (an unresolvable role fails the request).
"""

from __future__ import annotations

from collections.abc import Iterable

from kubeplan.planner.rbac.model import RBAC_GROUP, Identity, Request, Rule

FULL_AUTHORITY = (
    Rule(verbs=("*",), api_groups=("*",), resources=("*",)),
    Rule(verbs=("*",), non_resource_urls=("*",)),
)


def _breakdown(rule: Rule) -> list[Rule]:
    """policy_comparator.go BreakdownRule: one rule per group x resource x verb (x name), url x verb."""
    out = []
    for group in rule.api_groups:
        for resource in rule.resources:
            for verb in rule.verbs:
                if rule.resource_names:
                    out.extend(
                        Rule((verb,), (group,), (resource,), (name,))
                        for name in rule.resource_names
                    )
                else:
                    out.append(Rule((verb,), (group,), (resource,)))
    for url in rule.non_resource_urls:
        for verb in rule.verbs:
            out.append(Rule((verb,), non_resource_urls=(url,)))
    return out


def _has(items: tuple[str, ...], item: str) -> bool:
    return "*" in items or item in items


def _resource_covers(owner: Rule, resource: str) -> bool:
    if "*" in owner.resources or resource in owner.resources:
        return True
    _, slash, sub = resource.partition("/")
    return bool(slash) and f"*/{sub}" in owner.resources


def non_resource_url_covers(owner_url: str, url: str) -> bool:
    """policy_comparator.go nonResourceURLCovers: equal, or a trailing "*" as a prefix."""
    if owner_url == url:
        return True
    return owner_url.endswith("*") and url.startswith(owner_url.rstrip("*"))


def _url_covers(owner: Rule, url: str) -> bool:
    return any(non_resource_url_covers(candidate, url) for candidate in owner.non_resource_urls)


def rule_covers(owner: Rule, servant: Rule) -> bool:
    """policy_comparator.go ruleCovers, for a servant already broken down to one value each."""
    if not all(_has(owner.verbs, v) for v in servant.verbs):
        return False
    if not all(_has(owner.api_groups, g) for g in servant.api_groups):
        return False
    if not all(_resource_covers(owner, r) for r in servant.resources):
        return False
    if not all(_url_covers(owner, u) for u in servant.non_resource_urls):
        return False
    if not owner.resource_names:
        return True
    if not servant.resource_names:
        return False
    return all(n in owner.resource_names for n in servant.resource_names)


def uncovered(owner: Iterable[Rule], servant: Iterable[Rule]) -> list[Rule]:
    """policy_comparator.go Covers: the broken-down servant rules no single owner rule covers."""
    owner = list(owner)
    missing = []
    for rule in servant:
        for part in _breakdown(rule):
            if not any(rule_covers(o, part) for o in owner) and part not in missing:
                missing.append(part)
    return missing


def covers(owner: Iterable[Rule], servant: Iterable[Rule]) -> bool:
    return not uncovered(owner, servant)


def role_waiver(kind: str, namespace: str, name: str) -> Request:
    """escalation_check.go RoleEscalationAuthorized: `escalate` with the request's attributes."""
    resource = "clusterroles" if kind == "ClusterRole" else "roles"
    return Request("escalate", RBAC_GROUP, resource, namespace=namespace, name=name)


def binding_waiver(ref_kind: str, ref_name: str, binding_namespace: str) -> Request:
    """escalation_check.go BindingAuthorized: `bind` on the referenced role's name."""
    resource = "clusterroles" if ref_kind == "ClusterRole" else "roles"
    return Request("bind", RBAC_GROUP, resource, namespace=binding_namespace, name=ref_name)


def superuser(identity: Identity) -> bool:
    """escalation_check.go EscalationAllowed: system:masters skips every check."""
    return identity.superuser
