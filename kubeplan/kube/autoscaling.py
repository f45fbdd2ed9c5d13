"""Which HorizontalPodAutoscaler scales which workload.

An HPA's scaleTargetRef (autoscaling/v2 CrossVersionObjectReference: kind, name, apiVersion)
names an object in the HPA's own namespace. When two HPAs select the same pods the HPA
controller scales with neither: it sets ScalingActive=False with reason AmbiguousSelector
on each (pkg/controller/podautoscaler/horizontal.go validateAndParseSelector). The index keeps
the first HPA in input order, so the one a message names is stable and is the one the
reader meets first.
"""

from __future__ import annotations

from collections.abc import Iterable

from kubeplan.kube.values import as_dict, as_str, namespace_of
from kubeplan.model import Resource

TargetKey = tuple[str, str, str]  # (namespace, kind, name)


def target_key(resource: Resource) -> TargetKey:
    """The key under which an HPA on `resource` is indexed."""
    return namespace_of(resource), resource.kind, resource.name or ""


def hpa_targets(resources: Iterable[Resource]) -> dict[TargetKey, Resource]:
    """(namespace, kind, name) of each object an HPA scales -> the first HPA on it."""
    index: dict[TargetKey, Resource] = {}
    for hpa in resources:
        if hpa.kind != "HorizontalPodAutoscaler" or hpa.group != "autoscaling":
            continue
        target = as_dict(as_dict(hpa.body.get("spec")).get("scaleTargetRef"))
        kind, name = as_str(target.get("kind")), as_str(target.get("name"))
        if kind and name:
            index.setdefault((namespace_of(hpa), kind, name), hpa)
    return index
