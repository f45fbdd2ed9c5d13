"""Service accounts: the API token a pod mounts, and which account it runs as.

Semantics and sources are cited row by row in the YAML file beside this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube import refs
from kubeplan.kube.values import as_str as _str
from kubeplan.kube.values import namespace_of as _namespace
from kubeplan.model import Resource
from kubeplan.rules.builtin.security.common import (
    pod_view,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

# --------------------------------------------------------------------------------------------
# Service accounts


def _service_account(spec: dict[str, Any]) -> str:
    # serviceAccountName wins; the deprecated serviceAccount is used only when it is empty
    # (pkg/apis/core/v1/conversion.go, Convert_v1_PodSpec_To_core_PodSpec).
    return _str(spec.get("serviceAccountName")) or _str(spec.get("serviceAccount")) or "default"


def _sa_automount(ctx: LintContext) -> dict[tuple[str | None, str], Any]:
    """(namespace, name) of each ServiceAccount -> its automountServiceAccountToken."""
    index = {}
    for sa in ctx.of_kind("ServiceAccount"):
        if sa.name and sa.group == "":
            index[(sa.namespace, sa.name)] = sa.body.get("automountServiceAccountToken")
    return index


def _bound_accounts(ctx: LintContext) -> frozenset[tuple[str, str]]:
    """(namespace, name) of each ServiceAccount a RoleBinding or ClusterRoleBinding of the input
    names as a subject: its pods call the API, so they need the token.

    A subject without a namespace is the RoleBinding's (plugin/pkg/auth/authorizer/rbac/rbac.go
    appliesToUser; kube/refs.py reads subjects that way)."""
    bound = set()
    for binding in ctx.of_kind("RoleBinding", "ClusterRoleBinding"):
        if binding.group != "rbac.authorization.k8s.io":
            continue
        for ref in refs.references(binding):
            if ref.why == "subject" and ref.namespace:
                bound.add((ref.namespace, ref.name))
    return frozenset(bound)


@check("service-account-token-automounted")
def service_account_token_automounted(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = pod_view(resource)
    if pod is None:
        return
    path = (*pod.path, "automountServiceAccountToken")
    value = pod.spec.get("automountServiceAccountToken")
    if value is False:
        return
    account = _service_account(pod.spec)
    if (_namespace(resource), account) in ctx.index(_bound_accounts):
        return  # bound to a role: the workload calls the API, switching the token off breaks it
    if value is True:
        yield Violation(
            path,
            f"the pod sets automountServiceAccountToken: true, so every container gets an API"
            f' token of ServiceAccount "{account}"',
        )
        return
    # The pod's field wins; unset, the ServiceAccount's applies; unset there too, it mounts
    # (plugin/pkg/admission/serviceaccount/admission.go, shouldAutomount).
    index = ctx.index(_sa_automount)
    key = (resource.namespace, account)
    if key in index:
        if index[key] is False:
            return
        where = f'its ServiceAccount "{account}" does not either'
    else:
        where = f'its ServiceAccount "{account}" is not in the input (unset, it mounts)'
    yield Violation(
        path,
        f"the pod does not set automountServiceAccountToken: false and {where}; every container"
        " gets an API token",
    )


@check("default-service-account")
def default_service_account(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = pod_view(resource)
    if pod is None or _service_account(pod.spec) != "default":
        return
    explicit = _str(pod.spec.get("serviceAccountName")) or _str(pod.spec.get("serviceAccount"))
    how = "names it explicitly" if explicit else "sets no serviceAccountName"
    yield Violation(
        (*pod.path, "serviceAccountName"),
        f"the pod runs as the namespace's default ServiceAccount (it {how}); give the workload"
        " its own ServiceAccount",
    )


@check("deprecated-service-account-field")
def deprecated_service_account_field(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pod = pod_view(resource)
    if pod is None:
        return
    old = _str(pod.spec.get("serviceAccount"))
    if old is None:
        return
    new = _str(pod.spec.get("serviceAccountName"))
    if new == old and resource.server_fields:
        return  # the API server writes the alias back into every object it returns
    path = (*pod.path, "serviceAccount")
    if new is None:
        message = f"the pod sets the deprecated serviceAccount: {old}; use serviceAccountName"
    elif new == old:
        message = f"the pod sets the deprecated serviceAccount alongside serviceAccountName: {new}"
    else:
        message = (
            f"the pod sets the deprecated serviceAccount: {old}, which is ignored because"
            f" serviceAccountName is {new}"
        )
    yield Violation(path, message)
