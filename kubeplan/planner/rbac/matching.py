"""Does a rule allow a request? The RBAC authorizer's matchers over a `Rule`; the matching
itself is kubeplan/kube/rbac_match.py (evaluation_helpers.go), shared with the lint pack.

Source: plugin/pkg/auth/authorizer/rbac/rbac.go (RuleAllows)."""

from __future__ import annotations

from kubeplan.kube import rbac_match as match
from kubeplan.planner.rbac.model import Request, Rule


def verb_matches(rule: Rule, verb: str) -> bool:
    return match.verb_matches(rule.verbs, verb)


def api_group_matches(rule: Rule, group: str) -> bool:
    return match.api_group_matches(rule.api_groups, group)


def resource_matches(rule: Rule, combined: str, subresource: str) -> bool:
    return match.resource_matches(rule.resources, combined, subresource)


def resource_name_matches(rule: Rule, name: str) -> bool:
    return match.resource_name_matches(rule.resource_names, name)


def non_resource_url_matches(rule: Rule, path: str) -> bool:
    return match.non_resource_url_matches(rule.non_resource_urls, path)


def rule_allows(rule: Rule, request: Request) -> bool:
    """rbac.go RuleAllows."""
    if request.is_resource:
        return (
            verb_matches(rule, request.verb)
            and api_group_matches(rule, request.group)
            and resource_matches(rule, request.combined, request.subresource)
            and resource_name_matches(rule, request.name)
        )
    return verb_matches(rule, request.verb) and non_resource_url_matches(rule, request.path)


def rules_allow(rules: tuple[Rule, ...] | list[Rule], request: Request) -> bool:
    return any(rule_allows(rule, request) for rule in rules)
