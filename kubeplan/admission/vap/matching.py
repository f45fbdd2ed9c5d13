"""Does a policy's matchConstraints, or a binding's matchResources, select a request?

Sources (k8s.io/apiserver):
- pkg/admission/plugin/policy/matching/matching.go `Matcher.Matches`, `matchesResourceRules`:
  namespaceSelector, then objectSelector, then excludeResourceRules (exclusion wins), then
  resourceRules (none: everything), then selector errors; resourceNames compare the name.
- pkg/admission/plugin/webhook/predicates/rules/rules.go `Matcher.Matches`: scope, operation
  (`*` or the operation), apiGroups and apiVersions (`*` or exact), resources `res/sub`
  (`*` matches requests without a subresource only; `*/*` everything; `*/status`, `pods/*`).
  A Namespace object counts as cluster-scoped.
- predicates/namespace/matcher.go `MatchNamespaceSelector`: a cluster-scoped object other than
  a Namespace always passes; a Namespace is matched on its own labels; an empty selector
  matches all. predicates/object/matcher.go `MatchObjectSelector`: the new or the old object.
- matchPolicy Equivalent (the default): a rule that names the same group and resource in
  another version matches through conversion. kubeplan does not convert objects between
  versions, so such a match is reported as not evaluated, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kubeplan.admission.vap.types import Request
from kubeplan.kube.selectors import matches as selector_matches
from kubeplan.kube.values import object_labels

NAMESPACES = ("", "v1", "namespaces")


@dataclass(frozen=True)
class Match:
    matched: bool
    unknown: str = ""  # why kubeplan cannot say whether it matches (or evaluate it)
    error: str = ""  # a configuration error (failurePolicy decides)


NO = Match(False)
YES = Match(True)


# Resources served under several groups (k8s.io/apiserver EquivalentResourceRegistry, filled by
# each group's storage: pkg/registry/*/rest/storage_*.go): events are stored once for core/v1
# and events.k8s.io; the extensions/v1beta1 copies of apps and networking kinds are only
# served by releases older than 1.16/1.22 but are kept for rules that still name them.
_EQUIVALENT_GROUPS = {
    "events": ("", "events.k8s.io"),
    "deployments": ("apps", "extensions"),
    "daemonsets": ("apps", "extensions"),
    "replicasets": ("apps", "extensions"),
    "ingresses": ("networking.k8s.io", "extensions"),
    "networkpolicies": ("networking.k8s.io", "extensions"),
}


def rule_matches(
    rule: Mapping[str, Any], request: Request, group: str | None = None, version: str | None = None
) -> bool:
    """rules.Matcher.Matches for one RuleWithOperations (`group`/`version` override the
    request's: an equivalent resource)."""
    return (
        _scope(rule, request)
        and _listed(rule.get("operations"), request.operation)
        and _listed(rule.get("apiGroups"), request.group if group is None else group)
        and _listed(rule.get("apiVersions"), version or request.version)
        and _resource(rule.get("resources"), request.resource, request.subresource)
    )


def _listed(items: Any, requested: str) -> bool:
    return isinstance(items, list) and any(item in ("*", requested) for item in items)


def _is_namespace(request: Request) -> bool:
    return (request.group, request.version, request.resource) == NAMESPACES


def _scope(rule: Mapping[str, Any], request: Request) -> bool:
    scope = rule.get("scope") or "*"
    if scope == "*":
        return True
    if scope == "Namespaced":
        return not _is_namespace(request) and bool(request.namespace)
    if scope == "Cluster":
        return _is_namespace(request) or not request.namespace
    return False


def _resource(resources: Any, resource: str, subresource: str) -> bool:
    for item in resources if isinstance(resources, list) else []:
        res, _, sub = str(item).partition("/")
        if res in ("*", resource) and sub in ("*", subresource):
            return True
    return False


def _named(rule: Mapping[str, Any], name: str) -> bool:
    names = rule.get("resourceNames")
    return not names or name in names


def _rules_match(rules: Any, request: Request, policy: str) -> Match:
    """matchesResourceRules: exact first, then (Equivalent) the same resource in another
    version of its group."""
    listed = [rule for rule in rules if isinstance(rule, dict)] if isinstance(rules, list) else []
    for rule in listed:
        if rule_matches(rule, request) and _named(rule, request.name):
            return YES
    if policy == "Exact":
        return NO
    groups = _EQUIVALENT_GROUPS.get(request.resource, (request.group,))
    for rule in listed:
        listed_versions = rule.get("apiVersions")
        versions = (
            [v for v in listed_versions if v != "*"] if isinstance(listed_versions, list) else []
        )
        for group in dict.fromkeys((request.group, *groups)):
            for version in dict.fromkeys((*versions, request.version)):
                if (group, version) == (request.group, request.version):
                    continue
                if rule_matches(rule, request, group, version) and _named(rule, request.name):
                    return Match(
                        True,
                        unknown=f"matched as {group or 'core'}/{version} {request.resource}"
                        " (matchPolicy Equivalent): kubeplan does not convert objects between"
                        " versions",
                    )
    return NO


def _labels(obj: Mapping[str, Any] | None) -> dict[str, str] | None:
    return object_labels(obj) if isinstance(obj, Mapping) else None


def _namespace_selector(
    selector: Any, request: Request, namespace_labels: Mapping[str, str] | None
) -> Match:
    if not request.namespace and not _is_namespace(request):
        return YES
    if not selector:  # nil or {} : everything
        return YES
    if _is_namespace(request):
        obj = request.object if request.operation != "DELETE" else request.old_object
        labels = _labels(obj) or {}
    elif namespace_labels is None:
        return Match(
            True,
            unknown=f"the labels of namespace {request.namespace} are not known"
            " (no Namespace object, base or config names them)",
        )
    else:
        labels = dict(namespace_labels)
    return YES if selector_matches(selector, labels) else NO


def _object_selector(selector: Any, request: Request) -> Match:
    if not selector:
        return YES
    for obj in (request.object, request.old_object):
        labels = _labels(obj)
        if labels is not None and selector_matches(selector, labels):
            return YES
    return NO


def matches(
    criteria: Mapping[str, Any] | None,
    request: Request,
    namespace_labels: Mapping[str, str] | None,
) -> Match:
    """Matcher.Matches. A binding without matchResources, or with no resourceRules, selects
    everything its policy matched."""
    criteria = criteria or {}
    namespace = _namespace_selector(criteria.get("namespaceSelector"), request, namespace_labels)
    if not namespace.matched:
        return NO
    if not _object_selector(criteria.get("objectSelector"), request).matched:
        return NO
    policy = str(criteria.get("matchPolicy") or "Equivalent")
    excluded = _rules_match(criteria.get("excludeResourceRules"), request, policy)
    if excluded.matched:  # through an equivalent resource too: no conversion is needed
        return NO
    rules = criteria.get("resourceRules")
    found = _rules_match(rules, request, policy) if rules else YES
    if not found.matched:
        return NO
    return namespace if namespace.unknown else found
