"""Which quotas apply to an object: tracked resource names and scopes.

Sources: staging/src/k8s.io/apiserver/pkg/quota/v1/generic/evaluator.go (`Matches`,
`MatchesNoScopeFunc`); pkg/quota/v1/evaluator/core/pods.go (`podMatchesScopeFunc`,
`podMatchesSelector`, `usesCrossNamespacePodAffinity`, `IsTerminating`, `isBestEffort`);
.../core/persistent_volume_claims.go (`pvcMatchesScopeFunc`, VolumeAttributesClass feature
on); pkg/apis/core/v1/helper/qos/qos.go (`GetPodQOS`, `ComputePodQOS`, `resourceQOS`).
Services and object counts match no scope: a quota with any scope never counts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubeplan.admission.quota.model import Quota, ScopedRequirement
from kubeplan.admission.quota.usage import (
    defaulted_pod_spec,
    evaluator_of,
    is_terminating,
    matching_resources,
    volume_attributes_class_names,
)
from kubeplan.kube import quantity

BEST_EFFORT, BURSTABLE, GUARANTEED = "BestEffort", "Burstable", "Guaranteed"


def matches(
    quota: Quota,
    group: str,
    kind: str,
    body: Mapping[str, Any],
    *,
    pod_spec: Mapping[str, Any] | None = None,
    resource_name: str | None = None,
) -> bool:
    """generic.Matches: the quota's hard names at least one resource the evaluator tracks,
    and every scope requirement matches the object."""
    if not matching_resources(group, kind, list(quota.hard), resource_name):
        return False
    return all(scope_matches(r, group, kind, body, pod_spec=pod_spec) for r in quota.selectors)


def scope_matches(
    requirement: ScopedRequirement,
    group: str,
    kind: str,
    body: Mapping[str, Any],
    *,
    pod_spec: Mapping[str, Any] | None = None,
) -> bool:
    """The evaluator's scope function for one requirement."""
    which = evaluator_of(group, kind)
    if which == "pods":
        spec = pod_spec if pod_spec is not None else _dict(body.get("spec"))
        return pod_matches_scope(requirement, spec, _dict(body.get("status")))
    if which == "pvcs":
        return pvc_matches_scope(requirement, body)
    return False


def pod_matches_scope(
    requirement: ScopedRequirement, spec: Mapping[str, Any], status: Mapping[str, Any] | None = None
) -> bool:
    """podMatchesScopeFunc (the operator matters only for PriorityClass)."""
    name = requirement.scope_name
    if name == "Terminating":
        return is_terminating(spec)
    if name == "NotTerminating":
        return not is_terminating(spec)
    if name == "BestEffort":
        return qos_class(spec, status) == BEST_EFFORT
    if name == "NotBestEffort":
        return qos_class(spec, status) != BEST_EFFORT
    if name == "PriorityClass":
        priority = spec.get("priorityClassName")
        priority = priority if isinstance(priority, str) else ""
        if requirement.operator == "Exists":
            return priority != ""
        return _selector_matches(requirement, {name: priority} if priority else {})
    if name == "CrossNamespacePodAffinity":
        return uses_cross_namespace_pod_affinity(spec)
    return False


def pvc_matches_scope(requirement: ScopedRequirement, pvc: Mapping[str, Any]) -> bool:
    """pvcMatchesScopeFunc: the VolumeAttributesClass scope over every class the claim names
    (spec, status current, modify target)."""
    if requirement.scope_name != "VolumeAttributesClass":
        return False
    classes = volume_attributes_class_names(pvc)
    if requirement.operator == "Exists":
        return bool(classes)
    if not classes:
        return _selector_matches(requirement, {})
    return any(_selector_matches(requirement, {"VolumeAttributesClass": c}) for c in classes)


def _selector_matches(requirement: ScopedRequirement, labels: dict[str, str]) -> bool:
    """ScopedResourceSelectorRequirementsAsSelector then labels.Selector.Matches: the scope
    name is the label key. An unknown operator is a selector error: no match."""
    key, values = requirement.scope_name, set(requirement.values)
    present = key in labels
    op = requirement.operator
    if op == "In":
        return present and labels[key] in values
    if op == "NotIn":
        return not present or labels[key] not in values
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    return False


def uses_cross_namespace_pod_affinity(spec: Mapping[str, Any]) -> bool:
    """usesCrossNamespacePodAffinity: a required or preferred pod (anti-)affinity term with
    `namespaces` or a `namespaceSelector` (even an empty one)."""
    affinity = _dict(spec.get("affinity"))
    for key in ("podAffinity", "podAntiAffinity"):
        block = _dict(affinity.get(key))
        terms = list(_list(block.get("requiredDuringSchedulingIgnoredDuringExecution")))
        for weighted in _list(block.get("preferredDuringSchedulingIgnoredDuringExecution")):
            terms.append(_dict(weighted).get("podAffinityTerm"))
        for term in terms:
            term = _dict(term)
            if _list(term.get("namespaces")) or term.get("namespaceSelector") is not None:
                return True
    return False


def qos_class(spec: Mapping[str, Any], status: Mapping[str, Any] | None = None) -> str:
    """GetPodQOS: status.qosClass when set, else ComputePodQOS (pod-level resources decide
    when `spec.resources` is set; PodLevelResources is on). Containers are read after the
    API's defaulting (limits fill missing requests)."""
    recorded = (status or {}).get("qosClass")
    if isinstance(recorded, str) and recorded:
        return recorded
    if isinstance(spec.get("resources"), dict):
        return _resource_qos(spec["resources"])
    defaulted = defaulted_pod_spec(spec)
    pod_qos = ""
    containers = _list(defaulted.get("initContainers")) + _list(defaulted.get("containers"))
    for container in containers:
        qos = _resource_qos(_dict(_dict(container).get("resources")))
        if qos == BURSTABLE:
            return qos
        if not pod_qos:
            pod_qos = qos
        elif pod_qos != qos:
            return BURSTABLE
    return pod_qos or BEST_EFFORT


def _resource_qos(resources: Mapping[str, Any]) -> str:
    """resourceQOS: one set of requirements, over cpu and memory."""
    requests, limits = _dict(resources.get("requests")), _dict(resources.get("limits"))
    if not requests and not limits:
        return BEST_EFFORT
    qos = ""
    for name in ("cpu", "memory"):
        request, limit = _value(requests.get(name)), _value(limits.get(name))
        if request != limit:
            return BURSTABLE
        best_effort = request == 0
        if not qos:
            qos = BEST_EFFORT if best_effort else GUARANTEED
        elif best_effort != (qos == BEST_EFFORT):
            return BURSTABLE
    return qos


def _value(text: Any) -> Any:
    parsed = quantity.resource_list_value(text) if text is not None else None
    return 0 if parsed is None else parsed.value


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
