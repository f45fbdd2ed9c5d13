"""What a change grants: risky permissions the new revision gives a subject the base did not.

Both revisions are turned into policies (each with the target version's default roles), and
for every binding of the new revision, every risk of data/risks.yaml its role grants in its
scope is checked against the base: if the subject could already do it, nothing new is granted.
A finding sits on the object that grants: the binding when it is new or changed, otherwise the
role whose rules grew. Aggregated ClusterRoles are compared rule by rule, each added rule
reported on the ClusterRole that contributes it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from kubeplan.datafiles import read_yaml
from kubeplan.kube.selectors import matches
from kubeplan.model import Finding, Resource, Severity, finding_for
from kubeplan.planner.rbac.authorizer import authorize
from kubeplan.planner.rbac.escalation import FULL_AUTHORITY, covers
from kubeplan.planner.rbac.matching import rules_allow
from kubeplan.planner.rbac.model import SA_PREFIX, Binding, Identity, Request, Rule, Subject
from kubeplan.planner.rbac.policy import Policy

_DATA = os.path.join(os.path.dirname(__file__), "data", "risks.yaml")


@dataclass(frozen=True)
class Risk:
    id: str
    severity: Severity
    scope: str
    requests: tuple[Request, ...]
    what: str
    source: str
    wildcard: bool = False
    aggregate: bool = False


def _request(text: str) -> Request:
    verb, group, combined = text.split(" ", 2)
    resource, _, sub = combined.strip().partition("/")
    return Request(verb, group, resource, sub)


@cache
def risks() -> tuple[Risk, ...]:
    rows = read_yaml(_DATA)["risks"]
    return tuple(
        Risk(
            row["id"],
            Severity(row["severity"]),
            row["scope"],
            tuple(_request(r) for r in row.get("requests") or ()),
            row["what"],
            row["source"],
            bool(row.get("wildcard")),
            bool(row.get("aggregate")),
        )
        for row in rows
    )


def subject_identity(subject: Subject, binding_namespace: str) -> Identity:
    """An identity only this subject matches (no groups added), to ask what it holds."""
    if subject.kind == "User":
        return Identity(subject.name)
    if subject.kind == "Group":
        return Identity("", (subject.name,))
    namespace = subject.namespace or binding_namespace
    return Identity(f"{SA_PREFIX}{namespace}:{subject.name}")


def _in_scope(risk: Risk, binding: Binding) -> bool:
    if risk.scope == "cluster":
        return binding.kind == "ClusterRoleBinding"
    if risk.scope == "kube-system":
        return binding.kind == "ClusterRoleBinding" or binding.namespace == "kube-system"
    return True


def _scoped(request: Request, binding: Binding, risk: Risk) -> Request:
    namespace = binding.namespace or ("kube-system" if risk.scope == "kube-system" else "")
    return Request(request.verb, request.group, request.resource, request.subresource, namespace)


def _wild(rule: Rule) -> bool:
    return any("*" in values for values in (rule.verbs, rule.resources, rule.api_groups))


def _same(a: Binding | None, b: Binding) -> bool:
    return a is not None and a.role_ref == b.role_ref and set(a.subjects) == set(b.subjects)


def granted_risks(
    base: list[Resource], new: list[Resource], kubernetes_version: str
) -> list[Finding]:
    """Findings for the risky permissions `new` grants that `base` did not."""
    before, _ = Policy.build(base, [], kubernetes_version)
    after, _ = Policy.build(new, [], kubernetes_version)
    old_bindings = {b.id: b for b in before.all_bindings()}
    reported: dict[tuple[int, str], tuple[Resource, Risk, Any, list[str], list[str]]] = {}
    for binding in after.all_bindings():
        role = after.role(binding.role_ref, binding.namespace)
        if role is None:
            continue
        unchanged = _same(old_bindings.get(binding.id), binding)
        if unchanged:
            old_role = before.role(binding.role_ref, binding.namespace)
            if old_role is not None and old_role.rules == role.rules:
                continue  # the same binding of the same rules: nothing it grants is new
        anchor = role.source if unchanged else binding.source
        path: Any = ("roleRef", "name") if anchor is binding.source else ("rules",)
        if anchor is None:
            continue
        for risk in risks():
            if risk.aggregate or not _in_scope(risk, binding):
                continue
            namespace = binding.namespace or ("kube-system" if risk.scope == "kube-system" else "")
            for subject in binding.subjects:
                identity = subject_identity(subject, binding.namespace)
                new_grants = _granted(risk, role.rules, binding, before, identity, namespace)
                if not new_grants:
                    continue
                key = (id(anchor), risk.id)
                entry = reported.setdefault(key, (anchor, risk, path, [], []))
                if str(subject) not in entry[3]:
                    entry[3].append(str(subject))
                for what in new_grants:
                    if what not in entry[4]:
                        entry[4].append(what)
    findings = [_finding(*entry) for entry in reported.values()]
    findings.extend(_aggregate_changes(before, after))
    return findings


def _granted(
    risk: Risk,
    rules: tuple[Rule, ...],
    binding: Binding,
    before: Policy,
    identity: Identity,
    namespace: str,
) -> list[str]:
    """What of `risk` the role grants that `identity` did not hold before (empty: nothing new)."""
    old = [g.rule for g in before.grants(identity, namespace)]
    if risk.wildcard:
        return [str(rule) for rule in rules if _wild(rule) and not covers(old, [rule])]
    if risk.id == "rbac-grants-cluster-admin":
        if covers(rules, FULL_AUTHORITY[:1]) and not covers(old, FULL_AUTHORITY[:1]):
            return ["* on * in every API group"]
        return []
    out = []
    for request in risk.requests:
        scoped = _scoped(request, binding, risk)
        if rules_allow(rules, scoped) and not authorize(before, identity, scoped).allowed:
            out.append(f"{request.verb} {request.combined}")
    return out


def _finding(
    anchor: Resource, risk: Risk, path: Any, subjects: list[str], grants: list[str]
) -> Finding:
    who = ", ".join(subjects[:3]) + (f" and {len(subjects) - 3} more" if len(subjects) > 3 else "")
    where = " cluster-wide" if risk.scope == "cluster" else ""
    if risk.scope == "kube-system":
        where = " in kube-system"
    return finding_for(
        anchor,
        risk.id,
        risk.severity,
        f"newly grants {who} {'; '.join(grants)}{where}: {risk.what}",
        path,
        hint=f"source: {risk.source}",
    )


def _aggregate_changes(before: Policy, after: Policy) -> list[Finding]:
    """Rules an aggregated ClusterRole gains, on each input ClusterRole that contributes them."""
    risk = next(r for r in risks() if r.aggregate)
    contributors = [
        r
        for r in after.cluster_roles.values()
        if r.source is not None
        and r.aggregation is None
        and any(
            matches(s, r.labels)
            for a in after.cluster_roles.values()
            if a.aggregation
            for s in a.aggregation
        )
    ]
    # source id -> (source, rules it adds, aggregated roles that gain them)
    by_source: dict[int, tuple[Resource, list[Rule], list[str]]] = {}
    for role in sorted(after.cluster_roles.values(), key=lambda r: r.name):
        if role.aggregation is None:
            continue
        old = before.cluster_roles.get(role.name)
        old_rules = set(old.rules) if old is not None else set()
        for rule in role.rules:
            if rule in old_rules:
                continue
            for other in contributors:
                if rule not in other.rules or other.source is None:
                    continue
                entry = by_source.setdefault(id(other.source), (other.source, [], []))
                if rule not in entry[1]:
                    entry[1].append(rule)
                if role.name not in entry[2]:
                    entry[2].append(role.name)
    findings = []
    for source, rules, roles in by_source.values():
        shown = "; ".join(str(r) for r in rules[:3]) + (
            f" and {len(rules) - 3} more rules" if len(rules) > 3 else ""
        )
        findings.append(
            finding_for(
                source,
                risk.id,
                risk.severity,
                f"adds to aggregated ClusterRole {', '.join(roles)}: {shown}: {risk.what}",
                ("metadata", "labels"),
                hint=f"source: {risk.source}",
            )
        )
    return findings
