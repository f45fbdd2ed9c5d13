"""Pod templates of every workload kind, so a rule about pods covers them all.

Paths follow each kind's schema (k8s.io/api: core/v1 Pod, apps/v1 Deployment/ReplicaSet/
StatefulSet/DaemonSet, batch/v1 Job/CronJob, core/v1 ReplicationController).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubeplan.model import Path, Resource

# kind -> path of the pod template (the object holding `metadata` and `spec`)
POD_TEMPLATE_PATHS: dict[str, Path] = {
    "Pod": (),
    "Deployment": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
WORKLOAD_KINDS = frozenset(POD_TEMPLATE_PATHS)
# The workloads with spec.replicas (and the scale subresource an HPA drives).
SCALABLE_KINDS = frozenset({"Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"})
WORKLOAD_GROUPS = frozenset({"", "apps", "batch", "extensions"})
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


@dataclass(frozen=True, slots=True)
class ContainerRef:
    path: Path  # e.g. ('spec', 'template', 'spec', 'containers', 0)
    container: dict[str, Any]
    list_name: str  # containers, initContainers or ephemeralContainers

    @property
    def name(self) -> str:
        name = self.container.get("name")
        return name if isinstance(name, str) else f"#{self.path[-1]}"


def is_workload(resource: Resource) -> bool:
    return resource.kind in WORKLOAD_KINDS and resource.group in WORKLOAD_GROUPS


def _dig(body: Any, path: Path) -> Any:
    for part in path:
        if isinstance(body, dict) and isinstance(part, str):
            body = body.get(part)
        else:
            return None
    return body


def pod_template(resource: Resource) -> tuple[Path, dict[str, Any]] | None:
    """(path, template) where template has `metadata` and `spec`; a Pod is its own template."""
    memo = resource.memo
    if "pod_template" not in memo:
        found = None
        if is_workload(resource):
            path = POD_TEMPLATE_PATHS[resource.kind]
            template = _dig(resource.body, path)
            found = (path, template) if isinstance(template, dict) else None
        memo["pod_template"] = found
    return memo["pod_template"]


def pod_spec(resource: Resource) -> tuple[Path, dict[str, Any]] | None:
    """(path, spec) of the pod spec of a workload."""
    memo = resource.memo
    if "pod_spec" not in memo:
        found = pod_template(resource)
        spec = found[1].get("spec") if found is not None else None
        memo["pod_spec"] = ((*found[0], "spec"), spec) if isinstance(spec, dict) else None
    return memo["pod_spec"]


def pod_labels(resource: Resource) -> dict[str, str]:
    found = pod_template(resource)
    if found is None:
        return {}
    metadata = found[1].get("metadata")
    labels = metadata.get("labels") if isinstance(metadata, dict) else None
    return (
        {k: v for k, v in labels.items() if isinstance(v, str)} if isinstance(labels, dict) else {}
    )


def pod_annotations(resource: Resource) -> dict[str, Any]:
    found = pod_template(resource)
    if found is None:
        return {}
    metadata = found[1].get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    return annotations if isinstance(annotations, dict) else {}


def containers(
    resource: Resource, lists: tuple[str, ...] = CONTAINER_LISTS
) -> tuple[ContainerRef, ...]:
    """Every container of the pod template, init and ephemeral ones included by default.

    Computed once per object and per choice of lists: some forty rules ask for them."""
    memo = resource.memo
    key = f"containers:{','.join(lists)}"
    found: tuple[ContainerRef, ...] | None = memo.get(key)
    if found is not None:
        return found
    if lists != CONTAINER_LISTS:
        everything = containers(resource)
        found = tuple(ref for ref in everything if ref.list_name in lists)
    else:
        refs: list[ContainerRef] = []
        spec_found = pod_spec(resource)
        if spec_found is not None:
            path, spec = spec_found
            for list_name in CONTAINER_LISTS:
                items = spec.get(list_name)
                if isinstance(items, list):
                    refs.extend(
                        ContainerRef((*path, list_name, index), container, list_name)
                        for index, container in enumerate(items)
                        if isinstance(container, dict)
                    )
        found = tuple(refs)
    memo[key] = found
    return found


def replicas(resource: Resource) -> int | None:
    """Desired pod count of a scalable workload (defaulted to 1 as the API server does)."""
    if resource.kind in SCALABLE_KINDS:
        spec = resource.body.get("spec")
        value = spec.get("replicas", 1) if isinstance(spec, dict) else 1
        return value if isinstance(value, int) else None
    return None
