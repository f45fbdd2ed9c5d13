"""Risky grants in Roles and ClusterRoles, and bindings to cluster-admin. Matching is in
grants.py; sources are in the YAML file beside this module, one per rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.model import Resource
from kubeplan.rules.builtin.rbac.grants import CORE, RBAC, Grant, report_grants, role_rules, strings
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check


@check("rbac-wildcard")
def rbac_wildcard(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for index, rule in role_rules(resource):
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
    Grant(("escalate", "bind"), RBAC, "roles"),
    Grant(("escalate", "bind"), RBAC, "clusterroles"),
    Grant(("impersonate",), CORE, "users"),
    Grant(("impersonate",), CORE, "groups"),
    Grant(("impersonate",), CORE, "serviceaccounts"),
    Grant(("impersonate",), "authentication.k8s.io", "uids"),
)


def _userextras(rule: dict[str, Any]) -> bool:
    """impersonate on userextras/<key> (the extra key is the subresource)."""
    verbs = strings(rule.get("verbs"))
    groups = strings(rule.get("apiGroups"))
    if "impersonate" not in verbs and "*" not in verbs:
        return False
    if "authentication.k8s.io" not in groups and "*" not in groups:
        return False
    return any(
        r.startswith("userextras/") or r.startswith("*/") for r in strings(rule.get("resources"))
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
    for violation in report_grants(resource, _ESCALATION, _explain_escalation, skip_named=True):
        reported.add(violation.path[:2])
        yield violation
    for index, rule in role_rules(resource):
        if strings(rule.get("resourceNames")) or ("rules", index) in reported:
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

    grant = (Grant(("get", "list", "watch"), CORE, "secrets"),)
    yield from report_grants(resource, grant, explain, scoped=True, skip_named=True)


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
        Grant(("create", "get"), CORE, "pods/exec"),
        Grant(("create", "get"), CORE, "pods/attach"),
        Grant(("create", "get"), CORE, "nodes/proxy"),
    )
    yield from report_grants(resource, grants, explain, scoped=True)


_CONTROLLERS = (
    Grant(("create",), CORE, "pods"),
    Grant(("create",), CORE, "replicationcontrollers"),
    Grant(("create",), "apps", "deployments"),
    Grant(("create",), "apps", "replicasets"),
    Grant(("create",), "apps", "statefulsets"),
    Grant(("create",), "apps", "daemonsets"),
    Grant(("create",), "batch", "jobs"),
    Grant(("create",), "batch", "cronjobs"),
)


@check("rbac-create-pods")
def rbac_create_pods(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    def explain(verbs: list[str], resources: list[str]) -> str:
        return "a pod can run as any ServiceAccount of its namespace and mount any of its Secrets"

    yield from report_grants(resource, _CONTROLLERS, explain, scoped=True)


_ADMISSION = "admissionregistration.k8s.io"
_CERTIFICATES = "certificates.k8s.io"
_CONTROL = (
    Grant(("create", "update", "patch"), _ADMISSION, "mutatingwebhookconfigurations"),
    Grant(("create", "update", "patch"), _ADMISSION, "validatingwebhookconfigurations"),
    # PATCH works too: the approval storage has Get "to support Patch"
    # (pkg/registry/certificates/certificates/storage/storage.go ApprovalREST).
    Grant(("update", "patch"), _CERTIFICATES, "certificatesigningrequests/approval"),
    Grant(("approve",), _CERTIFICATES, "signers"),
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

    yield from report_grants(resource, _CONTROL, explain, skip_named=True)


@check("rbac-token-create")
def rbac_token_create(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    def explain(verbs: list[str], resources: list[str]) -> str:
        return "mints tokens for ServiceAccounts, and so gains their permissions"

    grant = (Grant(("create",), CORE, "serviceaccounts/token"),)
    yield from report_grants(resource, grant, explain, scoped=True, skip_named=True)


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
