"""Does a rule allow a request? The matchers of the RBAC authorizer, one function each.

Source: pkg/apis/rbac/v1/evaluation_helpers.go (VerbMatches, APIGroupMatches, ResourceMatches,
ResourceNameMatches, NonResourceURLMatches) and plugin/pkg/auth/authorizer/rbac/rbac.go
(RuleAllows); /work/shared/reference/rbac.md §1.3. Everything is exact, case-sensitive string
equality, plus:
- `*` in verbs, apiGroups or resources matches anything (a resource `*` every subresource too);
- `*/<sub>` in resources matches that subresource of every resource;
- resourceNames: empty matches any name; otherwise the request must name one of them exactly
  (so create, deletecollection and list/watch without a name field selector never match);
- nonResourceURLs: `*`, exact, or a trailing `*` as a prefix (`/apis/*` covers `/apis/v1`, not
  `/apis`).
"""

from __future__ import annotations

from kubeplan.planner.rbac.model import Request, Rule


def verb_matches(rule: Rule, verb: str) -> bool:
    return "*" in rule.verbs or verb in rule.verbs


def api_group_matches(rule: Rule, group: str) -> bool:
    return "*" in rule.api_groups or group in rule.api_groups


def resource_matches(rule: Rule, combined: str, subresource: str) -> bool:
    for candidate in rule.resources:
        if candidate == "*" or candidate == combined:
            return True
        if (
            subresource
            and len(candidate) == len(subresource) + 2
            and candidate.startswith("*/")
            and candidate.endswith(subresource)
        ):
            return True
    return False


def resource_name_matches(rule: Rule, name: str) -> bool:
    if not rule.resource_names:
        return True
    return name in rule.resource_names


def non_resource_url_matches(rule: Rule, path: str) -> bool:
    for candidate in rule.non_resource_urls:
        if candidate == "*" or candidate == path:
            return True
        if candidate.endswith("*") and path.startswith(candidate.rstrip("*")):
            return True
    return False


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
