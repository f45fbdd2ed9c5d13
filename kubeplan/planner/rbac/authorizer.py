"""can-i and who-can over a `Policy`, as the RBAC authorizer and its subject locator answer.

Sources: plugin/pkg/auth/authorizer/rbac/rbac.go (Authorize: visit the rules of every binding
that applies, stop at the first rule that allows; RBAC never denies, no match is NoOpinion and
the API server answers 403), plugin/pkg/auth/authorizer/rbac/subject_locator.go
(AllowedSubjects: system:masters first, then the subjects of every ClusterRoleBinding whose role
allows the request, then those of the RoleBindings of the request's namespace). system:masters is
allowed everything before RBAC is asked (website authorization.md; rbac.md §1.5).

The Node authorizer runs before RBAC on clusters set up as kubeadm and most installers set them
up (--authorization-mode=Node,RBAC). It answers only for a node's identity (node.py), so an RBAC
"no" for a `system:node:NAME` user in group `system:nodes` is not the cluster's answer: node.py
says what that authorizer decides, or that it depends on objects kubeplan cannot see.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kubeplan.planner.rbac import node
from kubeplan.planner.rbac.matching import rule_allows, rules_allow
from kubeplan.planner.rbac.model import MASTERS, Binding, Identity, Request, Role, Subject
from kubeplan.planner.rbac.policy import Grant, Policy, component_subjects


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    binding: Binding | None = None  # the binding (and role) that allowed it
    role: Role | None = None
    superuser: bool = False
    # "Node" when the Node authorizer allows it; `depends` says why the answer is not known
    # offline (the Node authorizer decides from objects kubeplan cannot see)
    authorizer: str = "RBAC"
    depends: str | None = None

    @property
    def via(self) -> str | None:
        if self.superuser:
            return f"Group {MASTERS}"
        if self.authorizer == "Node" and self.allowed:
            return "Node authorizer (the rules of ClusterRole system:node)"
        if self.binding is None or self.role is None:
            return None
        return f"{self.binding.id} -> {self.role.id}"


def authorize(policy: Policy, identity: Identity, request: Request) -> Decision:
    if identity.superuser:
        return Decision(True, superuser=True)
    for grant in policy.grants(identity, request.namespace):
        if rule_allows(grant.rule, request):
            return Decision(True, grant.binding, grant.role)
    verdict = node.decide(identity, request, policy.kubernetes_version)
    if verdict is node.ALLOWED:
        return Decision(True, authorizer="Node")
    if isinstance(verdict, str):
        return Decision(False, authorizer="Node", depends=verdict)
    return Decision(False)


@dataclass
class Allowed:
    subject: Subject
    via: list[str] = field(default_factory=list)
    # a control-plane identity of the default policy (policy.component_subjects)
    component: bool = False

    def to_json(self) -> dict[str, object]:
        return {**self.subject.to_json(), "via": self.via, "component": self.component}


def who_can(policy: Policy, request: Request) -> list[Allowed]:
    """Every subject allowed, each once, with the bindings that allow it (in locator order).

    Unlike the upstream locator, which returns a subject once per binding, subjects are merged
    and their bindings collected in `via`. A ServiceAccount subject of a RoleBinding without a
    namespace gets the binding's (rule.go appliesToUser); in a ClusterRoleBinding it matches
    nobody and is left out. Group system:masters always comes
    first, `via` ["system:masters"] when no binding names it. The control-plane identities the
    default bindings name (the scheduler, the controller manager, kube-system's controller
    ServiceAccounts) are listed like any subject and marked `component`.
    """
    out: dict[Subject, Allowed] = {}
    masters = Subject("Group", MASTERS)
    out[masters] = Allowed(masters)
    allows: dict[int, bool] = {}
    for binding in policy.bindings_in(request.namespace):
        role = policy.role(binding.role_ref, binding.namespace)
        if role is None:
            continue
        key = id(role)
        if key not in allows:
            allows[key] = rules_allow(role.rules, request)
        if not allows[key]:
            continue
        for subject in binding.subjects:
            if subject.kind == "ServiceAccount" and not subject.namespace:
                if not binding.namespace:
                    continue
                subject = Subject(subject.kind, subject.name, binding.namespace)
            entry = out.setdefault(subject, Allowed(subject))
            if binding.id not in entry.via:
                entry.via.append(binding.id)
    if not out[masters].via:
        out[masters].via.append(MASTERS)
    components = component_subjects(policy)
    for entry in out.values():
        entry.component = entry.subject in components
    return list(out.values())


def list_grants(policy: Policy, identity: Identity, namespace: str) -> list[Grant]:
    """What `identity` may do in `namespace` (`kubectl auth can-i --list`), rule by rule."""
    return list(policy.grants(identity, namespace))
