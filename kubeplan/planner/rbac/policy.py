"""The RBAC policy a request is checked against: roles, bindings, aggregation, defaults.

Where the policy comes from, and why. The identity that runs `kubectl apply` is authorized by
the cluster as it is *before* the apply: the API server evaluates each request against the
RBAC objects stored at that moment (plugin/pkg/auth/authorizer/rbac/rbac.go reads them through
listers). So for `plan` the policy is built from the cluster's RBAC: the default roles of the
target version, then the `--rbac` dump, then the RBAC objects of the BASE revision (what was
applied last) — never from the objects the plan has not applied yet. A Role the plan creates
does not help the deployer that applies it. `can-i` and `who-can` answer for the manifests given,
so there the given PATHs play the part of the base.

Later sources override earlier ones object by object (same kind, namespace and name): defaults <
`--rbac` dump < input. Aggregated ClusterRoles get their rules from the roles their selectors
pick, computed to a fixpoint as the aggregation controller does over several syncs
(pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go: selectors in order,
matching roles in name order, the role itself skipped, exact duplicate rules dropped).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from kubeplan.datafiles import read_yaml
from kubeplan.kube.selectors import matches
from kubeplan.kube.versions import minor
from kubeplan.model import Finding, Resource, Severity, finding_for
from kubeplan.planner.rbac.model import (
    RBAC_GROUP,
    Binding,
    Identity,
    Role,
    RoleRef,
    Rule,
    Subject,
)

_DATA = os.path.join(os.path.dirname(__file__), "data")
ROLE_KINDS = ("Role", "ClusterRole")
BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")
SUBJECT_KINDS = ("User", "Group", "ServiceAccount")


def _load(name: str) -> Any:
    return read_yaml(os.path.join(_DATA, name))


@cache
def known_verbs() -> frozenset[str]:
    return frozenset(row["verb"] for row in _load("verbs.yaml")["verbs"])


def _in_range(row: dict[str, Any], version: str) -> bool:
    current = minor(version)
    since, until = row.get("since"), row.get("until")
    if since and current < minor(str(since)):
        return False
    return not (until and current >= minor(str(until)))


def _subjects(rows: list[dict[str, Any]]) -> tuple[Subject, ...]:
    return tuple(Subject(s["kind"], s["name"], s.get("namespace", "")) for s in rows)


@cache
def default_policy(kubernetes_version: str) -> tuple[tuple[Role, ...], tuple[Binding, ...]]:
    """The default roles and bindings of a version (data/default_policy.yaml)."""
    data = _load("default_policy.yaml")
    roles = []
    for kind, key in (("ClusterRole", "clusterroles"), ("Role", "roles")):
        for row in data[key]:
            rules = tuple(
                Rule.from_body(r)
                for r in row.get("rules") or ()
                if _in_range(r, kubernetes_version)
            )
            labels = {"kubernetes.io/bootstrapping": "rbac-defaults", **(row.get("labels") or {})}
            aggregation = row.get("aggregationRule")
            selectors = tuple(aggregation["clusterRoleSelectors"]) if aggregation else None
            namespace = row.get("namespace", "")
            roles.append(
                Role(kind, row["name"], namespace, rules, labels, selectors, origin="default")
            )
    bindings = [
        Binding(
            "ClusterRoleBinding",
            row["name"],
            "",
            RoleRef("ClusterRole", row["roleRef"]),
            _subjects(row["subjects"]),
            origin="default",
        )
        for row in data["clusterrolebindings"]
    ]
    bindings += [
        Binding(
            "RoleBinding",
            row["name"],
            row["namespace"],
            RoleRef("Role", row["roleRef"]),
            _subjects(row["subjects"]),
            origin="default",
        )
        for row in data["rolebindings"]
    ]
    return tuple(roles), tuple(bindings)


@cache
def _unmodelled() -> tuple[frozenset[str], tuple[str, ...]]:
    data = _load("default_policy.yaml")["unmodelled"]
    return frozenset(data["names"]), tuple(data["prefixes"])


def unmodelled_default(ref: RoleRef) -> bool:
    """A default ClusterRole whose rules kubeplan does not carry (data: `unmodelled`)."""
    names, prefixes = _unmodelled()
    return ref.kind == "ClusterRole" and (ref.name in names or ref.name.startswith(prefixes))


@dataclass(frozen=True, slots=True)
class Grant:
    """A rule an identity holds, and the binding and role it holds it through."""

    rule: Rule
    binding: Binding
    role: Role


@dataclass
class Policy:
    cluster_roles: dict[str, Role] = field(default_factory=dict)
    roles: dict[tuple[str, str], Role] = field(default_factory=dict)
    # by name (ClusterRoleBindings) and by namespace, then name (RoleBindings); a later source
    # replaces an earlier binding of the same name in place
    cluster_bindings: dict[str, Binding] = field(default_factory=dict)
    role_bindings: dict[str, dict[str, Binding]] = field(default_factory=dict)
    # (group, kind) -> (resource, namespaced) for the custom resources of CRDs in the input.
    custom_kinds: dict[tuple[str, str], tuple[str, bool]] = field(default_factory=dict)
    kubernetes_version: str = ""

    # ---------------------------------------------------------------------------- building

    @classmethod
    def build(
        cls, resources: list[Resource], extra: list[Resource], kubernetes_version: str
    ) -> tuple[Policy, list[Finding]]:
        """The policy of `resources` over `extra` (a --rbac dump) over the version's defaults.

        Returns the findings on the RBAC objects read: malformed roles or bindings, unknown
        verbs, bindings whose role does not exist (they grant nothing, rbac.go VisitRulesFor).
        """
        policy = cls(kubernetes_version=kubernetes_version)
        findings: list[Finding] = []
        roles, bindings = default_policy(kubernetes_version)
        for role in roles:  # copied: aggregation rewrites the rules of a policy's own roles
            policy._add_role(
                Role(
                    role.kind,
                    role.name,
                    role.namespace,
                    role.rules,
                    role.labels,
                    role.aggregation,
                    None,
                    "default",
                )
            )
        for binding in bindings:
            policy._add_binding(binding)
        for origin, group in (("rbac", extra), ("input", resources)):
            for resource in group:
                policy._read(resource, origin, findings)
        policy._aggregate()
        findings.extend(policy._missing_roles())
        return policy, findings

    def _read(self, resource: Resource, origin: str, findings: list[Finding]) -> None:
        if resource.kind == "CustomResourceDefinition" and resource.group == "apiextensions.k8s.io":
            self._read_crd(resource)
            return
        if resource.group != RBAC_GROUP:
            return
        if resource.kind in ROLE_KINDS:
            role = _read_role(resource, origin, findings)
            if role is not None:
                self._add_role(role)
        elif resource.kind in BINDING_KINDS:
            binding = _read_binding(resource, origin, findings)
            if binding is not None:
                self._add_binding(binding)

    def _read_crd(self, resource: Resource) -> None:
        spec = resource.body.get("spec")
        if not isinstance(spec, dict) or not isinstance(spec.get("names"), dict):
            return
        group, names = spec.get("group"), spec["names"]
        kind, plural = names.get("kind"), names.get("plural")
        if isinstance(group, str) and isinstance(kind, str) and isinstance(plural, str):
            self.custom_kinds[(group, kind)] = (
                plural,
                spec.get("scope", "Namespaced") != "Cluster",
            )

    def _add_role(self, role: Role) -> None:
        if role.kind == "ClusterRole":
            self.cluster_roles[role.name] = role
        else:
            self.roles[(role.namespace, role.name)] = role

    def _add_binding(self, binding: Binding) -> None:
        if binding.kind == "ClusterRoleBinding":
            self.cluster_bindings[binding.name] = binding
        else:
            self.role_bindings.setdefault(binding.namespace, {})[binding.name] = binding

    def _aggregate(self) -> None:
        aggregated = [r for r in self.cluster_roles.values() if r.aggregation is not None]
        if not aggregated:
            return
        ordered = sorted(self.cluster_roles.values(), key=lambda r: r.name)
        for _ in range(len(aggregated) + 1):
            changed = False
            for role in aggregated:
                rules: list[Rule] = []
                seen: set[Rule] = set()
                for selector in role.aggregation or ():
                    for other in ordered:
                        if other is role or not matches(selector, other.labels):
                            continue
                        for rule in other.rules:
                            if rule not in seen:
                                seen.add(rule)
                                rules.append(rule)
                if tuple(rules) != role.rules:
                    role.rules = tuple(rules)
                    changed = True
            if not changed:
                return

    def _missing_roles(self) -> Iterator[Finding]:
        for binding in self.all_bindings():
            if binding.source is None or self.role(binding.role_ref, binding.namespace):
                continue
            ref = binding.role_ref
            if unmodelled_default(ref):
                yield finding_for(
                    binding.source,
                    "rbac-role-not-modelled",
                    Severity.INFO,
                    f"{binding.kind} {binding.name} refers to the default ClusterRole {ref.name},"
                    " whose rules kubeplan does not carry: it grants nothing offline",
                    ("roleRef", "name"),
                    hint="pass the cluster's RBAC with --rbac (kubectl get clusterroles,"
                    "clusterrolebindings,roles,rolebindings -A -o yaml)",
                )
                continue
            where = f' in namespace "{binding.namespace}"' if ref.kind == "Role" else ""
            yield finding_for(
                binding.source,
                "rbac-binding-missing-role",
                Severity.WARNING,
                f"{binding.kind} {binding.name} refers to {ref.kind} {ref.name}{where}, which"
                " does not exist: it grants nothing until that role is created",
                ("roleRef", "name"),
                hint="create the role, or fix roleRef (it is immutable: delete and recreate"
                " the binding)",
            )

    # ---------------------------------------------------------------------------- lookups

    def all_bindings(self) -> Iterator[Binding]:
        yield from self.cluster_bindings.values()
        for listed in self.role_bindings.values():
            yield from listed.values()

    def all_roles(self) -> Iterator[Role]:
        yield from self.cluster_roles.values()
        yield from self.roles.values()

    def role(self, ref: RoleRef, namespace: str) -> Role | None:
        """rule.go GetRoleReferenceRules: a Role in the binding's namespace, or a ClusterRole."""
        if ref.kind == "ClusterRole":
            return self.cluster_roles.get(ref.name)
        if ref.kind == "Role" and namespace:
            return self.roles.get((namespace, ref.name))
        return None

    def bindings_in(self, namespace: str) -> Iterator[Binding]:
        """rule.go VisitRulesFor: every ClusterRoleBinding, then (namespace set) its RoleBindings."""
        yield from self.cluster_bindings.values()
        if namespace and namespace in self.role_bindings:
            yield from self.role_bindings[namespace].values()

    def grants(self, identity: Identity, namespace: str) -> Iterator[Grant]:
        """Every rule `identity` holds for requests in `namespace` ("" = cluster-wide only)."""
        for binding in self.bindings_in(namespace):
            if not binding.applies_to(identity):
                continue
            role = self.role(binding.role_ref, binding.namespace)
            if role is None:
                continue
            for rule in role.rules:
                yield Grant(rule, binding, role)

    def namespaces(self) -> list[str]:
        return sorted(self.role_bindings)


# ------------------------------------------------------------------------------------ reading


def _read_rules(resource: Resource, findings: list[Finding]) -> tuple[Rule, ...]:
    raw = resource.body.get("rules")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        findings.append(
            finding_for(
                resource, "rbac-malformed", Severity.ERROR, "rules is not a list", ("rules",)
            )
        )
        return ()
    rules = []
    verbs = known_verbs()
    for index, body in enumerate(raw):
        if not isinstance(body, dict):
            findings.append(
                finding_for(
                    resource,
                    "rbac-malformed",
                    Severity.ERROR,
                    f"rules[{index}] is not a mapping",
                    ("rules", index),
                )
            )
            continue
        rule = Rule.from_body(body)
        if not rule.verbs:
            findings.append(
                finding_for(
                    resource,
                    "rbac-malformed",
                    Severity.ERROR,
                    f"rules[{index}] has no verbs: the API server rejects the object",
                    ("rules", index),
                )
            )
        for position, verb in enumerate(rule.verbs):
            if verb not in verbs:
                findings.append(
                    finding_for(
                        resource,
                        "rbac-unknown-verb",
                        Severity.WARNING,
                        f'rules[{index}] verb "{verb}" is never requested by the API server, so'
                        " it grants nothing (verbs are exact and case-sensitive)",
                        ("rules", index, "verbs", position),
                        hint="use get, list, watch, create, update, patch, delete,"
                        " deletecollection, or a special verb (bind, escalate, impersonate, ...)",
                    )
                )
        if rule.non_resource_urls and resource.kind == "Role":
            findings.append(
                finding_for(
                    resource,
                    "rbac-malformed",
                    Severity.ERROR,
                    f"rules[{index}] has nonResourceURLs, which a namespaced Role cannot hold",
                    ("rules", index, "nonResourceURLs"),
                )
            )
            continue
        rules.append(rule)
    return tuple(rules)


def _read_role(resource: Resource, origin: str, findings: list[Finding]) -> Role | None:
    if not resource.name:
        return None
    metadata = resource.body.get("metadata")
    raw_labels = metadata.get("labels") if isinstance(metadata, dict) else None
    labels = {str(k): str(v) for k, v in raw_labels.items()} if isinstance(raw_labels, dict) else {}
    rules = _read_rules(resource, findings)
    aggregation = None
    if resource.kind == "ClusterRole" and isinstance(resource.body.get("aggregationRule"), dict):
        selectors = resource.body["aggregationRule"].get("clusterRoleSelectors")
        aggregation = tuple(selectors) if isinstance(selectors, list) else ()
    namespace = resource.namespace or "" if resource.kind == "Role" else ""
    return Role(
        resource.kind, resource.name, namespace, rules, labels, aggregation, resource, origin
    )


def _read_binding(resource: Resource, origin: str, findings: list[Finding]) -> Binding | None:
    if not resource.name:
        return None
    raw_ref = resource.body.get("roleRef")
    allowed = ("ClusterRole",) if resource.kind == "ClusterRoleBinding" else ROLE_KINDS
    if (
        not isinstance(raw_ref, dict)
        or raw_ref.get("kind") not in allowed
        or not isinstance(raw_ref.get("name"), str)
    ):
        findings.append(
            finding_for(
                resource,
                "rbac-malformed",
                Severity.ERROR,
                f"roleRef must name a {' or '.join(allowed)} (kind and name); the API server"
                " rejects this binding",
                ("roleRef",),
            )
        )
        return None
    namespace = resource.namespace or "" if resource.kind == "RoleBinding" else ""
    subjects = []
    raw = resource.body.get("subjects")
    for index, body in enumerate(raw if isinstance(raw, list) else []):
        kind = body.get("kind") if isinstance(body, dict) else None
        if kind not in SUBJECT_KINDS or not isinstance(body.get("name"), str):
            findings.append(
                finding_for(
                    resource,
                    "rbac-malformed",
                    Severity.ERROR,
                    f"subjects[{index}] must be a User, Group or ServiceAccount with a name",
                    ("subjects", index),
                )
            )
            continue
        subject_ns = body.get("namespace") if isinstance(body.get("namespace"), str) else ""
        if kind == "ServiceAccount" and not subject_ns and not namespace:
            findings.append(
                finding_for(
                    resource,
                    "rbac-malformed",
                    Severity.ERROR,
                    f"subjects[{index}] is a ServiceAccount without namespace in a"
                    " ClusterRoleBinding: it matches nobody (and the API server rejects it)",
                    ("subjects", index),
                )
            )
        subjects.append(Subject(kind, body["name"], subject_ns))
    return Binding(
        resource.kind,
        resource.name,
        namespace,
        RoleRef(raw_ref["kind"], raw_ref["name"]),
        tuple(subjects),
        resource,
        origin,
    )


def rbac_objects(resources: Iterable[Resource]) -> list[Resource]:
    """The RBAC objects (and CRDs, for their resource names) of a set of resources."""
    return [
        r
        for r in resources
        if (r.group == RBAC_GROUP and r.kind in ROLE_KINDS + BINDING_KINDS)
        or (r.kind == "CustomResourceDefinition" and r.group == "apiextensions.k8s.io")
    ]


@dataclass
class PlanPolicies:
    """The two policies a `plan --as` needs (see the module docstring for why).

    `before` authorizes every request: the default roles, the `--rbac` dump, the base revision.
    `after` resolves the roleRef of a binding step (the API server looks the role up when the
    binding is written, so a role created by an earlier step counts): `before`'s sources with
    the new revision on top. `findings` are the policy findings on the NEW revision's objects
    (bindings to roles that exist nowhere, unknown verbs, malformed rules).
    """

    before: Policy
    after: Policy
    findings: list[Finding]


def plan_policies(
    base: list[Resource], new: list[Resource], extra: list[Resource], kubernetes_version: str
) -> PlanPolicies:
    before, _ = Policy.build(rbac_objects(base), rbac_objects(extra), kubernetes_version)
    new_rbac = rbac_objects(new)
    after, findings = Policy.build(
        [*rbac_objects(base), *new_rbac], rbac_objects(extra), kubernetes_version
    )
    ours = {id(r) for r in new_rbac}
    mine = [
        f
        for f in findings
        if any(
            id(r) in ours and r.origin.file == f.file and r.ref() == f.resource for r in new_rbac
        )
    ]
    return PlanPolicies(before, after, mine)
