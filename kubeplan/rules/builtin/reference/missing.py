"""What a pod template names must exist: ConfigMaps, Secrets, PersistentVolumeClaims,
ServiceAccounts and PriorityClasses.

Sources for the semantics are in the YAML file beside this module, one per rule.

What the input does not hold may still exist when the pods start: an operator or an init
container makes a Secret at runtime, kube-controller-manager its ServiceAccounts. So a missing
object is a warning, and an error only when the input holds a live dump of that kind in that
namespace (objects read with server fields, `kubectl get -o yaml`): there absence is a fact.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube import refs, workloads
from kubeplan.kube.values import as_str as _str
from kubeplan.kube.values import namespace_of as _namespace
from kubeplan.model import Resource, Severity
from kubeplan.rules.builtin.reference.index import (
    ReferenceIndex,
    elsewhere_hint,
    missing_text,
    reference_index,
    runtime_hint,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

# ---------------------------------------------------------------------------------------------
# objects a pod template names


def _dumped(ctx: LintContext) -> frozenset[tuple[str, str | None]]:
    """(kind, namespace) pairs the input holds a live dump of: objects read with the fields the
    API server sets (uid, resourceVersion, status...), so the dump lists every object of that
    kind there. Cluster-scoped kinds have namespace None."""
    return frozenset((r.kind, r.namespace) for r in ctx.resources if r.server_fields)


def _severity(ctx: LintContext, kind: str, namespace: str | None) -> Severity | None:
    """An error when the input shows every `kind` of `namespace`; else the rule's warning."""
    return Severity.ERROR if (kind, namespace) in ctx.index(_dumped) else None


def _missing_refs(resource: Resource, ctx: LintContext, kind: str) -> Iterator[Violation]:
    index: ReferenceIndex | None = None
    namespace = _namespace(resource)
    for ref in refs.pod_refs(resource):  # computed once, five rules read them
        if ref.kind != kind or ref.optional or ctx.exists(kind, namespace, ref.name):
            continue
        index = index or reference_index(ctx)
        if kind == "Secret" and (namespace, ref.name) in index.made_secrets:
            continue
        if kind == "PersistentVolumeClaim" and _statefulset_claim(ref, index, namespace):
            continue
        yield Violation(
            ref.path,
            f'{ref.why} references {kind} "{ref.name}", which does not exist in namespace'
            f' "{namespace}"{elsewhere_hint(index, kind, namespace, ref.name)}'
            f"{runtime_hint(index, namespace, ref.name)}",
            _severity(ctx, kind, namespace),
        )


def _statefulset_claim(ref: refs.Ref, index: ReferenceIndex, namespace: str) -> bool:
    """A claim the StatefulSet controller creates: <template>-<statefulset>-<ordinal>."""
    return refs.statefulset_claim(ref.name, index.claim_templates.get(namespace, []))


@check("missing-configmap")
def missing_configmap(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    yield from _missing_refs(resource, ctx, "ConfigMap")


@check("missing-secret")
def missing_secret(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    yield from _missing_refs(resource, ctx, "Secret")


@check("missing-pvc")
def missing_pvc(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    yield from _missing_refs(resource, ctx, "PersistentVolumeClaim")


@check("missing-service-account")
def missing_service_account(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    found = workloads.pod_spec(resource)
    if found is None:
        return
    base, spec = found
    # serviceAccount is a deprecated alias used only when serviceAccountName is empty
    # (pkg/apis/core/v1/conversion.go); neither set means "default", which always exists.
    key = "serviceAccountName" if _str(spec.get("serviceAccountName")) else "serviceAccount"
    name = _str(spec.get(key))
    namespace = _namespace(resource)
    if name and not ctx.exists("ServiceAccount", namespace, name):
        yield Violation(
            (*base, key),
            f"{key}: {missing_text(reference_index(ctx), 'ServiceAccount', namespace, name)}; pods are"
            " rejected at admission",
            _severity(ctx, "ServiceAccount", namespace),
        )


@check("missing-priority-class")
def missing_priority_class(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    found = workloads.pod_spec(resource)
    if found is None:
        return
    base, spec = found
    name = _str(spec.get("priorityClassName"))
    if name and not ctx.exists("PriorityClass", None, name):
        yield Violation(
            (*base, "priorityClassName"),
            f'PriorityClass "{name}" does not exist; pods are rejected at admission',
            _severity(ctx, "PriorityClass", None),
        )
