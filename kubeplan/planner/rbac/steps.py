"""The RBAC verdict on one step of a plan: may the identity make every request of the step?

A step is allowed when every request `kubectl apply` makes for it (requests.py) is allowed by
the policy of the cluster before the apply (policy.py), and, for a step that writes a Role,
ClusterRole or binding, when the API server's privilege-escalation prevention lets it through
(escalation.py). A denied step lists what is missing and, as a hint, which role would grant it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kubeplan.model import Resource
from kubeplan.planner.rbac import escalation
from kubeplan.planner.rbac.authorizer import authorize
from kubeplan.planner.rbac.matching import rules_allow
from kubeplan.planner.rbac.model import RBAC_GROUP, Identity, Request, RoleRef, Rule
from kubeplan.planner.rbac.policy import Policy, _read_rules
from kubeplan.planner.rbac.requests import requests_for


@dataclass
class StepVerdict:
    allowed: bool
    requests: list[dict[str, Any]] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)
    hint: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "allowed": self.allowed,
            "requests": self.requests,
            "missing": self.missing,
        }
        if self.hint:
            out["hint"] = self.hint
        return out

    def summary(self) -> str:
        """One line for people: what is missing."""
        if self.allowed:
            return "allowed"
        parts = [m["message"] for m in self.missing]
        return "denied: " + "; ".join(parts)


def authorize_step(
    policy: Policy,
    identity: Identity,
    action: str,
    resource: Resource,
    *,
    server_side: bool = False,
    roles_after: Policy | None = None,
) -> StepVerdict:
    """Every request of the step against `policy`, plus the escalation checks.

    `roles_after` resolves the roleRef of a binding step: the API server looks the role up when
    the binding is written, so a Role the plan creates in an earlier step counts there (pass the
    policy of the new revision); by default `policy` is used. Client-side apply of an unchanged
    object sends no write, so no escalation check runs for it.
    """
    requests = requests_for(
        action, resource, server_side=server_side, custom_kinds=policy.custom_kinds
    )
    verdict = StepVerdict(True)
    for request in requests:
        decision = authorize(policy, identity, request)
        entry = {**request.to_json(), "allowed": decision.allowed}
        if decision.via:
            entry["via"] = decision.via
        verdict.requests.append(entry)
        if not decision.allowed:
            verdict.allowed = False
            verdict.missing.append(
                {**request.to_json(), "message": f"{request}", "reason": "no rule allows it"}
            )
    writes = action in ("create", "update") or (server_side and action == "unchanged")
    if writes and resource.group == RBAC_GROUP and not identity.superuser:
        _escalation(policy, roles_after or policy, identity, resource, action, verdict)
    if not verdict.allowed:
        verdict.hint = _hint(policy, verdict)
    return verdict


def _escalation(
    policy: Policy,
    after: Policy,
    identity: Identity,
    resource: Resource,
    action: str,
    verdict: StepVerdict,
) -> None:
    name = resource.name or ""
    named = name if action != "create" else ""  # a POST carries no name
    if resource.kind in ("Role", "ClusterRole"):
        namespace = (resource.namespace or "") if resource.kind == "Role" else ""
        waiver = escalation.role_waiver(resource.kind, namespace, named)
        if authorize(policy, identity, waiver).allowed:
            return
        servant = list(_read_rules(resource, []))
        owner = [g.rule for g in policy.grants(identity, namespace)]
        missing = escalation.uncovered(owner, servant)
        aggregated = resource.kind == "ClusterRole" and isinstance(
            resource.body.get("aggregationRule"), dict
        )
        if aggregated:
            missing += [
                r
                for r in escalation.uncovered(owner, escalation.FULL_AUTHORITY)
                if r not in missing
            ]
        if missing:
            _deny(
                verdict,
                waiver,
                missing,
                f"{resource.kind} {name} grants permissions the identity does not hold"
                + (" (an aggregationRule needs cluster-admin privileges)" if aggregated else ""),
            )
    elif resource.kind in ("RoleBinding", "ClusterRoleBinding"):
        ref = resource.body.get("roleRef")
        if not isinstance(ref, dict) or not isinstance(ref.get("name"), str):
            return
        namespace = (resource.namespace or "") if resource.kind == "RoleBinding" else ""
        role_ref = RoleRef(str(ref.get("kind")), ref["name"])
        waiver = escalation.binding_waiver(role_ref.kind, role_ref.name, namespace)
        if authorize(policy, identity, waiver).allowed:
            return
        role = after.role(role_ref, namespace) or policy.role(role_ref, namespace)
        if role is None:
            _deny(
                verdict,
                waiver,
                [],
                f"{role_ref.kind} {role_ref.name} does not exist, so the API server cannot check"
                " that binding it grants nothing more than the identity holds",
            )
            return
        owner = [g.rule for g in policy.grants(identity, namespace)]
        missing = escalation.uncovered(owner, role.rules)
        if missing:
            _deny(
                verdict,
                waiver,
                missing,
                f"{resource.kind} {name} binds {role.id}, which grants permissions the identity"
                " does not hold",
            )


def _deny(verdict: StepVerdict, waiver: Request, missing: list[Rule], message: str) -> None:
    verdict.allowed = False
    shown = ", ".join(str(r) for r in missing[:3])
    if len(missing) > 3:
        shown += f" and {len(missing) - 3} more"
    lacking = f" ({shown})" if shown else ""
    verdict.missing.append(
        {
            **waiver.to_json(),
            "message": f"{message}{lacking}, and may not {waiver}",
            "reason": "escalation",
            "rules": [r.to_json() for r in missing],
        }
    )


def _hint(policy: Policy, verdict: StepVerdict) -> str | None:
    """The smallest-looking role that grants every missing plain request, and how to bind it."""
    plain = [m for m in verdict.missing if m.get("reason") != "escalation"]
    if not plain:
        missing = verdict.missing[0]
        return f"grant {missing['verb']} on {missing['resource']} ({missing['group']}) or hold every listed rule"
    requests = [
        Request(
            m["verb"], m["group"], *_split(m["resource"]), namespace=m["namespace"], name=m["name"]
        )
        for m in plain
    ]
    namespaced = all(r.namespace for r in requests)
    namespaces = sorted({r.namespace for r in requests})
    candidates = []
    for role in policy.all_roles():
        if role.kind == "Role" and (not namespaced or namespaces != [role.namespace]):
            continue
        if all(rules_allow(role.rules, r) for r in requests):
            candidates.append(role)
    if not candidates:
        return None
    role = min(candidates, key=lambda r: (r.name.startswith("system:"), _breadth(r.rules), r.name))
    if namespaced and len(namespaces) == 1:
        how = f'a RoleBinding in namespace "{namespaces[0]}" to {role.id}'
    else:
        how = f"a ClusterRoleBinding to {role.id}"
    return f"{how} would grant it"


def _breadth(rules: tuple[Rule, ...]) -> int:
    """How much a role grants, roughly: a "*" counts as a thousand values."""

    def size(values: tuple[str, ...]) -> int:
        return 1000 if "*" in values else max(1, len(values))

    return sum(
        size(r.verbs) * size(r.api_groups) * size(r.resources) * size(r.non_resource_urls)
        for r in rules
    )


def _split(combined: str) -> tuple[str, str]:
    resource, _, sub = combined.partition("/")
    return resource, sub
