"""Risky grants in Roles and ClusterRoles, and bindings to cluster-admin.

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

from kubeplan.model import Resource
from kubeplan.rules import rbac_match
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

CORE = ""
RBAC = "rbac.authorization.k8s.io"


@dataclass(frozen=True, slots=True)
class _Grant:
    """A (verbs, group, resource) pattern a check looks for."""

    verbs: tuple[str, ...]
    group: str
    resource: str


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _rules(resource: Resource) -> Iterator[tuple[int, dict[str, Any]]]:
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


def _match(rule: dict[str, Any], grants: Iterable[_Grant]) -> tuple[list[str], list[str], int]:
    """The verbs and resources of `grants` this rule grants, and the index of the first verb."""
    verbs = _strings(rule.get("verbs"))
    groups = _strings(rule.get("apiGroups"))
    resources = _strings(rule.get("resources"))
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
    wild = [key for key in ("verbs", "apiGroups", "resources") if "*" in _strings(rule.get(key))]
    return f' (through "*" in {", ".join(wild)})' if wild else ""


def _scope(resource: Resource) -> str:
    if resource.kind == "ClusterRole":
        return " in every namespace when bound by a ClusterRoleBinding"
    return f' in namespace "{resource.namespace}"'


def _report(
    resource: Resource,
    grants: Iterable[_Grant],
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
    for index, rule in _rules(resource):
        if skip_named and _strings(rule.get("resourceNames")):
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


# ---------------------------------------------------------------------------------------------


@check("rbac-wildcard")
def rbac_wildcard(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for index, rule in _rules(resource):
        for key in ("verbs", "apiGroups", "resources"):
            values = rule.get(key)
            if not isinstance(values, list):
                continue
            for position, value in enumerate(values):
                if value == "*":
                    covers = {
                        "verbs": "every verb, including escalate, bind and impersonate",
                        "apiGroups": "every API group, including ones added later by CRDs",
                        "resources": "every resource and subresource of the listed groups",
                    }[key]
                    yield Violation(
                        ("rules", index, key, position),
                        f'rules[{index}].{key} contains "*": {covers}',
                    )
                elif key == "resources" and isinstance(value, str) and value.startswith("*/"):
                    yield Violation(
                        ("rules", index, key, position),
                        f'rules[{index}].resources contains "{value}": that subresource of'
                        " every resource",
                    )


_ESCALATION = (
    _Grant(("escalate", "bind"), RBAC, "roles"),
    _Grant(("escalate", "bind"), RBAC, "clusterroles"),
    _Grant(("impersonate",), CORE, "users"),
    _Grant(("impersonate",), CORE, "groups"),
    _Grant(("impersonate",), CORE, "serviceaccounts"),
    _Grant(("impersonate",), "authentication.k8s.io", "uids"),
)


def _userextras(rule: dict[str, Any]) -> bool:
    """impersonate on userextras/<key> (the extra key is the subresource)."""
    verbs = _strings(rule.get("verbs"))
    groups = _strings(rule.get("apiGroups"))
    if "impersonate" not in verbs and "*" not in verbs:
        return False
    if "authentication.k8s.io" not in groups and "*" not in groups:
        return False
    return any(
        r.startswith("userextras/") or r.startswith("*/") for r in _strings(rule.get("resources"))
    )


def _explain_escalation(verbs: list[str], resources: list[str]) -> str:
    parts = []
    if "escalate" in verbs:
        parts.append("escalate lets the holder write roles with permissions it does not have")
    if "bind" in verbs:
        parts.append("bind lets it bind roles whose permissions it does not have")
    if "impersonate" in verbs:
        parts.append("impersonate lets it act as the users, groups or ServiceAccounts it names")
    return "; ".join(parts)


@check("rbac-escalation-verbs")
def rbac_escalation_verbs(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    reported = set()
    for violation in _report(resource, _ESCALATION, _explain_escalation, skip_named=True):
        reported.add(violation.path[:2])
        yield violation
    for index, rule in _rules(resource):
        if _strings(rule.get("resourceNames")) or ("rules", index) in reported:
            continue
        if _userextras(rule):
            yield Violation(
                ("rules", index, "verbs"),
                f"rules[{index}] grants impersonate on userextras: the holder can claim any extra"
                " attribute (scopes, ...) of the identity it acts as",
            )


@check("rbac-secrets-access")
def rbac_secrets_access(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    def explain(verbs: list[str], resources: list[str]) -> str:
        if "list" in verbs or "watch" in verbs:
            return (
                "list and watch return every Secret with its data, ServiceAccount tokens included"
            )
        return "get returns the Secret data of any Secret it names"

    grant = (_Grant(("get", "list", "watch"), CORE, "secrets"),)
    yield from _report(resource, grant, explain, scoped=True, skip_named=True)


@check("rbac-pod-exec")
def rbac_pod_exec(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    def explain(verbs: list[str], resources: list[str]) -> str:
        parts = []
        if any(r.startswith("pods/") for r in resources):
            parts.append(
                "runs commands in, or attaches to, containers and so gets their ServiceAccount"
                " tokens and Secrets"
            )
        if "nodes/proxy" in resources:
            parts.append("nodes/proxy reaches the kubelet API, and through it every pod of a node")
        return "; ".join(parts)

    grants = (
        _Grant(("create", "get"), CORE, "pods/exec"),
        _Grant(("create", "get"), CORE, "pods/attach"),
        _Grant(("create", "get"), CORE, "nodes/proxy"),
    )
    yield from _report(resource, grants, explain, scoped=True)


_CONTROLLERS = (
    _Grant(("create",), CORE, "pods"),
    _Grant(("create",), CORE, "replicationcontrollers"),
    _Grant(("create",), "apps", "deployments"),
    _Grant(("create",), "apps", "replicasets"),
    _Grant(("create",), "apps", "statefulsets"),
    _Grant(("create",), "apps", "daemonsets"),
    _Grant(("create",), "batch", "jobs"),
    _Grant(("create",), "batch", "cronjobs"),
)


@check("rbac-create-pods")
def rbac_create_pods(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    def explain(verbs: list[str], resources: list[str]) -> str:
        return "a pod can run as any ServiceAccount of its namespace and mount any of its Secrets"

    yield from _report(resource, _CONTROLLERS, explain, scoped=True)


_ADMISSION = "admissionregistration.k8s.io"
_CERTIFICATES = "certificates.k8s.io"
_CONTROL = (
    _Grant(("create", "update", "patch"), _ADMISSION, "mutatingwebhookconfigurations"),
    _Grant(("create", "update", "patch"), _ADMISSION, "validatingwebhookconfigurations"),
    # PATCH works too: the approval storage has Get "to support Patch"
    # (pkg/registry/certificates/certificates/storage/storage.go ApprovalREST).
    _Grant(("update", "patch"), _CERTIFICATES, "certificatesigningrequests/approval"),
    _Grant(("approve",), _CERTIFICATES, "signers"),
)


@check("rbac-webhook-or-csr-control")
def rbac_webhook_or_csr_control(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    def explain(verbs: list[str], resources: list[str]) -> str:
        parts = []
        if any(r.endswith("webhookconfigurations") for r in resources):
            parts.append(
                "a webhook configuration sees, and can rewrite or wave through, every object"
                " it matches"
            )
        if "certificatesigningrequests/approval" in resources or "signers" in resources:
            parts.append("CSR approval issues certificates, e.g. client certificates for any user")
        return "; ".join(parts)

    yield from _report(resource, _CONTROL, explain, skip_named=True)


@check("rbac-token-create")
def rbac_token_create(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    def explain(verbs: list[str], resources: list[str]) -> str:
        return "mints tokens for ServiceAccounts, and so gains their permissions"

    grant = (_Grant(("create",), CORE, "serviceaccounts/token"),)
    yield from _report(resource, grant, explain, scoped=True, skip_named=True)


@check("rbac-cluster-admin-binding")
def rbac_cluster_admin_binding(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    ref = resource.body.get("roleRef")
    if not isinstance(ref, dict):
        return
    if ref.get("kind") != "ClusterRole" or ref.get("name") != "cluster-admin":
        return
    subjects = []
    raw = resource.body.get("subjects")
    for subject in raw if isinstance(raw, list) else []:
        if isinstance(subject, dict):
            namespace = subject.get("namespace")
            name = f"{namespace}/{subject.get('name')}" if namespace else subject.get("name")
            subjects.append(f"{subject.get('kind')} {name}")
    who = ", ".join(subjects[:3]) + (f" and {len(subjects) - 3} more" if len(subjects) > 3 else "")
    if resource.kind == "ClusterRoleBinding":
        scope = "full control of the whole cluster"
    else:
        scope = (
            f'full control of namespace "{resource.namespace}", its Roles and RoleBindings included'
        )
    yield Violation(
        ("roleRef", "name"),
        f"binds ClusterRole cluster-admin ({scope}) to {who or 'no subject'}",
    )
