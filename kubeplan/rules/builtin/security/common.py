"""What every pod security check starts from: the pod view (built once per object), the
containers' security contexts, capability names, and how messages name containers.

Every check reads the pod template of every workload kind through `workloads`, and applies to
init and ephemeral containers as the Pod Security Standards do (a `target: container` check is
given each of them by the engine). The semantics each check relies on (what a field defaults
to, which level overrides which, what the API server rejects, which sysctls the kubelet treats
as safe) are cited in the YAML file beside each module, row by row.

Linux-only fields (capabilities, allowPrivilegeEscalation, seccomp, AppArmor, procMount,
readOnlyRootFilesystem, runAsUser/runAsGroup, sysctls) cannot be set on a pod whose
`spec.os.name` is `windows` (the API server rejects them), so those checks skip such pods.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kubeplan.kube import workloads
from kubeplan.kube.values import as_dict as _dict
from kubeplan.kube.workloads import ContainerRef
from kubeplan.model import Path, Resource

_LIST_WORDS = {
    "containers": "container",
    "initContainers": "init container",
    "ephemeralContainers": "ephemeral container",
}


def who(ref: ContainerRef) -> str:
    return f'{_LIST_WORDS.get(ref.list_name, "container")} "{ref.name}"'


def names(refs: list[ContainerRef]) -> str:
    quoted = ", ".join(f'"{ref.name}"' for ref in refs)
    return f"container {quoted}" if len(refs) == 1 else f"containers {quoted}"


def verb(refs: list[ContainerRef], singular: str, plural: str) -> str:
    return singular if len(refs) == 1 else plural


def security_context(ref: ContainerRef) -> dict[str, Any]:
    return _dict(ref.container.get("securityContext"))


def sc_path(ref: ContainerRef, *rest: str | int) -> Path:
    return (*ref.path, "securityContext", *rest)


def cap_name(name: str) -> str:
    """Capability names as the runtimes read them: case-insensitive, with or without CAP_."""
    name = name.strip().upper()
    return name[4:] if name.startswith("CAP_") else name


def caps_of(sc: dict[str, Any], key: str) -> list[str]:
    items = _dict(sc.get("capabilities")).get(key)
    return [c for c in items if isinstance(c, str)] if isinstance(items, list) else []


@dataclass(frozen=True, slots=True)
class PodView:
    path: Path  # path of the pod spec
    spec: dict[str, Any]
    sc: dict[str, Any]  # pod-level securityContext
    windows: bool

    def sc_path(self, *rest: str | int) -> Path:
        return (*self.path, "securityContext", *rest)


def pod_view(resource: Resource) -> PodView | None:
    """The pod view every security rule starts from, built once per object."""
    if "security_pod" not in resource.memo:
        found = workloads.pod_spec(resource)
        pod = None
        if found is not None:
            path, spec = found
            os_name = _dict(spec.get("os")).get("name")
            pod = PodView(path, spec, _dict(spec.get("securityContext")), os_name == "windows")
        resource.memo["security_pod"] = pod
    return resource.memo["security_pod"]


def template_annotations(resource: Resource) -> tuple[Path, dict[str, Any]]:
    found = workloads.pod_template(resource)
    path = found[0] if found else ()
    return (*path, "metadata", "annotations"), workloads.pod_annotations(resource)


def container_ports(ref: ContainerRef) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, port) of each port a container declares."""
    ports = ref.container.get("ports")
    if isinstance(ports, list):
        for index, port in enumerate(ports):
            if isinstance(port, dict):
                yield index, port
