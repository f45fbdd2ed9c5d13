"""How a rule of a Role grants a request, and one finding per rule that grants a risky one.

A rule grants a request when its verbs, apiGroups and resources all match, exactly as the RBAC
authorizer matches them (pkg/apis/rbac/v1/evaluation_helpers.go; /work/shared/reference/rbac.md
§1.3): a verb or apiGroup matches itself or `*`; a resource matches itself, `*`, or `*/<sub>`
when it is a subresource. There is no other globbing (`pods/*` is a literal). So `verbs: ["*"]`
on `resources: ["*"]` grants everything below, and each check says so.

The rules of an aggregated ClusterRole (one with `aggregationRule`) are overwritten by the
control plane (website content/en/docs/reference/access-authn-authz/rbac.md, "Aggregated
ClusterRoles"), so they are not checked here; the ClusterRoles it aggregates are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kubeplan.kube import rbac_match
from kubeplan.model import Resource
from kubeplan.rules.registry import Violation

CORE = ""
RBAC = "rbac.authorization.k8s.io"


@dataclass(frozen=True, slots=True)
class Grant:
    """A (verbs, group, resource) pattern a check looks for."""

    verbs: tuple[str, ...]
    group: str
    resource: str


def strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def role_rules(resource: Resource) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, rule) of every resource rule that the object really carries."""
    body = resource.body
    if resource.kind == "ClusterRole" and isinstance(body.get("aggregationRule"), dict):
        return
    rules = body.get("rules")
    if not isinstance(rules, list):
        return
    for index, rule in enumerate(rules):
        if isinstance(rule, dict):
            yield index, rule


def _resource_matches(rule_resources: list[str], resource: str) -> bool:
    return rbac_match.resource_matches(rule_resources, resource, resource.partition("/")[2])


def _match(rule: dict[str, Any], grants: Iterable[Grant]) -> tuple[list[str], list[str], int]:
    """The verbs and resources of `grants` this rule grants, and the index of the first verb."""
    verbs = strings(rule.get("verbs"))
    groups = strings(rule.get("apiGroups"))
    resources = strings(rule.get("resources"))
    got_verbs: list[str] = []
    got_resources: list[str] = []
    for grant in grants:
        if not rbac_match.api_group_matches(groups, grant.group):
            continue
        if not _resource_matches(resources, grant.resource):
            continue
        matched = [v for v in grant.verbs if rbac_match.verb_matches(verbs, v)]
        if not matched:
            continue
        got_verbs.extend(v for v in matched if v not in got_verbs)
        if grant.resource not in got_resources:
            got_resources.append(grant.resource)
    first = 0
    raw = rule.get("verbs")
    if isinstance(raw, list):
        for i, verb in enumerate(raw):
            if verb == "*" or verb in got_verbs:
                first = i
                break
    return got_verbs, got_resources, first


def _via(rule: dict[str, Any]) -> str:
    wild = [key for key in ("verbs", "apiGroups", "resources") if "*" in strings(rule.get(key))]
    return f' (through "*" in {", ".join(wild)})' if wild else ""


def _scope(resource: Resource) -> str:
    if resource.kind == "ClusterRole":
        return " in every namespace when bound by a ClusterRoleBinding"
    return f' in namespace "{resource.namespace}"'


def report_grants(
    resource: Resource,
    grants: Iterable[Grant],
    what: Callable[[list[str], list[str]], str],
    scoped: bool = False,
    skip_named: bool = False,
) -> Iterator[Violation]:
    """One finding per rule that grants any of `grants`.

    skip_named: a rule limited by resourceNames is the least-privilege form of the grant (it
    never matches a plain create, whose request carries no name: rbac.md §1.3), so it is not
    reported.
    """
    grants = tuple(grants)
    for index, rule in role_rules(resource):
        if skip_named and strings(rule.get("resourceNames")):
            continue
        verbs, resources, first = _match(rule, grants)
        if not verbs:
            continue
        where = _scope(resource) if scoped else ""
        yield Violation(
            ("rules", index, "verbs", first)
            if isinstance(rule.get("verbs"), list)
            else ("rules", index),
            f"rules[{index}] grants {', '.join(verbs)} on {', '.join(resources)}{where}"
            f"{_via(rule)}: {what(verbs, resources)}",
        )
