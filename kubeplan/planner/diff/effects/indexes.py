"""Views of a whole revision that classification reads for every object (who consumes what,
which autoscaler scales a workload, the StorageClasses, whether a workload rolls), each built
once per resource list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubeplan.kube import autoscaling
from kubeplan.model import Resource
from kubeplan.planner.diff.effects.bodies import get
from kubeplan.planner.diff.effects.consumers import use_index
from kubeplan.planner.diff.pairing import pair_key


class _ListCache:
    """Derived views of a resource list, rebuilt when another list comes (the identity of the
    list object is kept alive with the entry, so it cannot be reused by another list)."""

    def __init__(self, build: Callable[[list[Resource]], Any]) -> None:
        self._build = build
        self._entries: list[tuple[list[Resource], int, Any]] = []

    def get(self, resources: list[Resource]) -> Any:
        for source, size, value in self._entries:
            if source is resources and size == len(resources):
                return value
        value = self._build(resources)
        self._entries = [*self._entries[-1:], (resources, len(resources), value)]
        return value


def _key_index(resources: list[Resource]) -> dict[Any, Resource]:
    return {pair_key(resource): resource for resource in resources if resource.name}


def _storage_class_index(resources: list[Resource]) -> dict[str, Resource]:
    out = {}
    for resource in resources:
        if resource.kind == "StorageClass" and resource.name:
            out[resource.name] = resource
            annotations = get(resource.body, "metadata.annotations")
            if isinstance(annotations, dict) and any(
                str(annotations.get(key)).lower() == "true"
                for key in (
                    "storageclass.kubernetes.io/is-default-class",
                    "storageclass.beta.kubernetes.io/is-default-class",
                )
            ):
                out.setdefault("", resource)  # the default class
    return out


USES = _ListCache(use_index)
HPAS = _ListCache(autoscaling.hpa_targets)
BY_KEY = _ListCache(_key_index)


def hpa_targets(resources: list[Resource]) -> dict[autoscaling.TargetKey, Resource]:
    """(namespace, kind, name) of each workload an HPA scales -> the HPA, built once per list
    (classification has usually built it already)."""
    return HPAS.get(resources)


STORAGE_CLASSES = _ListCache(_storage_class_index)
_ROLLS = _ListCache(lambda resources: {})


def rolls_memo(new: list[Resource], base: list[Resource]) -> dict[int, bool]:
    """id(workload) -> whether it rolls, shared by every object classified against the same two
    revisions (a Deployment that mounts thirty ConfigMaps is normalised once)."""
    by_base: dict[int, tuple[list[Resource], dict[int, bool]]] = _ROLLS.get(new)
    entry = by_base.get(id(base))
    if entry is None or entry[0] is not base:
        entry = by_base[id(base)] = (base, {})
    return entry[1]
