"""What a rule sees besides its resource: every other resource of the input, indexed, and the
objects that exist in a cluster without being in the manifests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from kubeplan.kube import workloads
from kubeplan.kube.cluster import ObjectPattern, cluster_objects
from kubeplan.model import Resource

T = TypeVar("T")


@dataclass
class LintContext:
    resources: list[Resource]
    kubernetes_version: str
    external: tuple[ObjectPattern, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    _indexes: dict[Callable[..., Any], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def index(self, build: Callable[[LintContext], T]) -> T:
        """The index `build` makes of this context, built on first use and kept for every
        other rule and object of the run. An index is named by its builder (a module-level
        function), so two rule modules never share a key by accident, and typed by what the
        builder returns."""
        if build not in self._indexes:
            self._indexes[build] = build(self)
        return self._indexes[build]

    @cached_property
    def _by_kind(self) -> dict[str, list[Resource]]:
        index: dict[str, list[Resource]] = defaultdict(list)
        for resource in self.resources:
            index[resource.kind].append(resource)
        return index

    @cached_property
    def _names(self) -> set[tuple[str, str | None, str]]:
        return {(r.kind, r.namespace, r.name) for r in self.resources if r.name}

    def of_kind(self, *kinds: str) -> list[Resource]:
        """Resources of these kinds, in input order."""
        if len(kinds) == 1:
            return self._by_kind.get(kinds[0], [])
        return [r for kind in kinds for r in self._by_kind.get(kind, [])]

    def in_input(self, kind: str, namespace: str | None, name: str) -> bool:
        return (kind, namespace, name) in self._names

    def exists(self, kind: str, namespace: str | None, name: str) -> bool:
        """In the input, declared external in the config, or present in every cluster."""
        if self.in_input(kind, namespace, name):
            return True
        return any(p.matches(kind, namespace, name) for p in self.external) or any(
            p.matches(kind, namespace, name) for p in cluster_objects()
        )

    @cached_property
    def workloads(self) -> list[Resource]:
        """Workloads that own pods (a Pod owned by nothing, or a controller of pods)."""
        return [r for r in self.resources if workloads.is_workload(r)]

    @cached_property
    def _workloads_by_namespace(self) -> dict[str | None, list[Resource]]:
        index: dict[str | None, list[Resource]] = defaultdict(list)
        for resource in self.workloads:
            index[resource.namespace].append(resource)
        return index

    def workloads_in(self, namespace: str | None) -> list[Resource]:
        return self._workloads_by_namespace.get(namespace, [])
