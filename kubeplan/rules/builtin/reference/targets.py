"""What an autoscaler, a disruption budget and a NetworkPolicy aim at must exist or select
a pod.

Sources for the semantics are in the YAML file beside this module, one per rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube import selectors
from kubeplan.kube.selectors import format_label_selector
from kubeplan.kube.values import as_dict as _dict
from kubeplan.kube.values import as_list as _list
from kubeplan.kube.values import as_str as _str
from kubeplan.kube.values import namespace_of as _namespace
from kubeplan.model import Resource
from kubeplan.rules.builtin.reference.index import (
    ReferenceIndex,
    reference_index,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

# ---------------------------------------------------------------------------------------------
# HPA, PDB, NetworkPolicy


@check("hpa-target-missing")
def hpa_target_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    target = _dict(_dict(resource.body.get("spec")).get("scaleTargetRef"))
    kind, name = _str(target.get("kind")), _str(target.get("name"))
    if not kind or not name:
        return
    namespace = _namespace(resource)
    if not ctx.exists(kind, namespace, name):
        yield Violation(
            ("spec", "scaleTargetRef", "name"),
            f'scaleTargetRef: {kind} "{name}" does not exist in namespace "{namespace}"',
        )


def _selects_a_pod(index: ReferenceIndex, namespace: str, selector: dict[str, Any]) -> bool:
    """Does a metav1.LabelSelector select a pod of the namespace? (malformed: no)"""
    expressions = []
    for expression in _list(selector.get("matchExpressions")):
        expression = _dict(expression)
        if not isinstance(expression.get("key"), str):
            return False  # the API server rejects it; it selects nothing
        expressions.append({**expression, "values": _list(expression.get("values"))})
    pairs = _dict(selector.get("matchLabels"))
    clean = {"matchLabels": pairs, "matchExpressions": expressions}

    def accept(labels: dict[str, str]) -> bool:
        return selectors.matches(clean, labels)

    return bool(index.select(namespace, pairs, expressions, accept, first=True))


@check("pdb-selects-nothing")
def pdb_selects_nothing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    spec = _dict(resource.body.get("spec"))
    selector = spec.get("selector")
    namespace = _namespace(resource)
    if selector is None:
        yield Violation(("spec", "selector"), "has no selector: a null selector selects no pods")
        return
    if not isinstance(selector, dict):
        return
    if (
        resource.version == "v1beta1"
        and not selector.get("matchLabels")
        and not selector.get("matchExpressions")
    ):
        # policy/v1beta1: an empty selector matched no pods (pkg/apis/policy/helper.go).
        yield Violation(("spec", "selector"), "policy/v1beta1 empty selector selects no pods")
        return
    if not _selects_a_pod(reference_index(ctx), namespace, selector):
        yield Violation(
            ("spec", "selector"),
            f"selector {format_label_selector(selector)} matches the pod labels of no workload"
            f' in namespace "{namespace}"',
        )


@check("networkpolicy-selects-nothing")
def networkpolicy_selects_nothing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    selector = _dict(resource.body.get("spec")).get("podSelector")
    if not isinstance(selector, dict):
        return
    namespace = _namespace(resource)
    if _selects_a_pod(reference_index(ctx), namespace, selector):
        return
    text = format_label_selector(selector)
    if text == "<none>":  # FormatLabelSelector of an empty selector
        message = f'podSelector {{}} selects every pod, but namespace "{namespace}" has no workload'
    else:
        message = (
            f'podSelector {text} matches the pod labels of no workload in namespace "{namespace}"'
        )
    yield Violation(("spec", "podSelector"), message)
