"""RoleBindings and ClusterRoleBindings: the role they bind and the ServiceAccounts they name.

Sources for the semantics are in the YAML file beside this module, one per rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube import refs
from kubeplan.kube.values import as_dict as _dict
from kubeplan.kube.values import as_list as _list
from kubeplan.kube.values import as_str as _str
from kubeplan.kube.values import namespace_of as _namespace
from kubeplan.model import Resource
from kubeplan.rules.builtin.reference.index import (
    missing_text,
    reference_index,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

# ---------------------------------------------------------------------------------------------
# RBAC bindings


@check("rolebinding-role-missing")
def rolebinding_role_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    ref = _dict(resource.body.get("roleRef"))
    kind, name = _str(ref.get("kind")), _str(ref.get("name"))
    if not kind or not name:
        return
    if resource.kind == "ClusterRoleBinding" and kind != "ClusterRole":
        yield Violation(
            ("roleRef", "kind"),
            f"roleRef kind {kind} is invalid in a ClusterRoleBinding (only ClusterRole)",
        )
        return
    if kind == "Role":
        namespace = _namespace(resource)
        if not ctx.exists("Role", namespace, name):
            yield Violation(
                ("roleRef", "name"),
                f'roleRef: Role "{name}" does not exist in namespace "{namespace}"; the binding'
                " grants nothing",
            )
    elif kind == "ClusterRole":
        if not ctx.exists("ClusterRole", None, name):
            yield Violation(
                ("roleRef", "name"),
                f'roleRef: ClusterRole "{name}" does not exist; the binding grants nothing',
            )
    else:
        yield Violation(
            ("roleRef", "kind"), f"roleRef kind {kind} is invalid (Role or ClusterRole)"
        )


@check("rolebinding-subject-missing")
def rolebinding_subject_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if resource.kind == "ClusterRoleBinding":
        for i, subject in enumerate(_list(resource.body.get("subjects"))):
            subject = _dict(subject)
            name = _str(subject.get("name"))
            namespace = _str(subject.get("namespace"))
            if subject.get("kind") == "ServiceAccount" and name and namespace is None:
                yield Violation(
                    ("subjects", i),
                    f'ServiceAccount subject "{name}" has no namespace (required in a'
                    " ClusterRoleBinding)",
                )
    # The subjects as kube/refs.py reads them: a RoleBinding's namespace by default.
    for ref in refs.references(resource):
        if ref.why == "subject" and not ctx.exists("ServiceAccount", ref.namespace, ref.name):
            missing = missing_text(reference_index(ctx), "ServiceAccount", ref.namespace, ref.name)
            yield Violation(ref.path, f"subject {missing}")
