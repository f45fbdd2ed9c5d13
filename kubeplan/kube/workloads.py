"""Pod templates of every workload kind, and their containers: one table for lint and plan.

Where each kind keeps its pod template follows k8s.io/api: core/v1 types.go (a Pod is its own
template, `metadata` and `spec` at the root; PodTemplate.template; ReplicationControllerSpec.template),
apps/v1 types.go (DeploymentSpec, StatefulSetSpec, DaemonSetSpec, ReplicaSetSpec `.template`),
extensions/v1beta1 types.go (Deployment, DaemonSet, ReplicaSet; it never had a StatefulSet), and
batch/v1 types.go (JobSpec.template, CronJobSpec.jobTemplate.spec.template).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubeplan.model import Path, Resource

_SPEC_TEMPLATE: Path = ("spec", "template")
# (group, kind) -> path of the pod template (the object holding `metadata` and `spec`).
POD_TEMPLATES: dict[tuple[str, str], Path] = {
    ("", "Pod"): (),
    ("apps", "Deployment"): _SPEC_TEMPLATE,
    ("apps", "ReplicaSet"): _SPEC_TEMPLATE,
    ("apps", "StatefulSet"): _SPEC_TEMPLATE,
    ("apps", "DaemonSet"): _SPEC_TEMPLATE,
    ("extensions", "Deployment"): _SPEC_TEMPLATE,
    ("extensions", "ReplicaSet"): _SPEC_TEMPLATE,
    ("extensions", "DaemonSet"): _SPEC_TEMPLATE,
    ("", "ReplicationController"): _SPEC_TEMPLATE,
    ("batch", "Job"): _SPEC_TEMPLATE,
    ("batch", "CronJob"): ("spec", "jobTemplate", "spec", "template"),
    ("", "PodTemplate"): ("template",),
}
# Kinds whose controllers own pods (a PodTemplate holds a template but runs nothing).
WORKLOAD_KINDS = tuple(dict.fromkeys(kind for _, kind in POD_TEMPLATES if kind != "PodTemplate"))
# The workloads with spec.replicas (and the scale subresource an HPA drives).
SCALABLE_KINDS = frozenset({"Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"})
# core/v1 types.go PodSpec: the three lists of containers, in the order the kubelet starts them.
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
# Field-path prefixes of a pod spec (`spec.template.spec.`), longest first.
POD_SPEC_PREFIXES = tuple(
    sorted(
        {".".join(map(str, (*path, "spec", ""))) for path in POD_TEMPLATES.values() if path},
        key=len,
        reverse=True,
    )
)


def pod_template_path(group: str, kind: str) -> Path | None:
    """Where the pod template of a built-in kind sits (`()` for a Pod), or None."""
    return POD_TEMPLATES.get((group, kind))


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
    """A controller of pods, or a Pod: a kind with a pod template, served in this group."""
    return resource.kind != "PodTemplate" and (resource.group, resource.kind) in POD_TEMPLATES


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
            path = POD_TEMPLATES[(resource.group, resource.kind)]
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
