"""LimitRanger's mutation: default requests and limits filled into a pod's containers.

Source: plugin/pkg/admission/limitranger/admission.go (`PodMutateLimitFunc`,
`defaultContainerResourceRequirements`, `mergePodResourceRequirements`,
`mergeContainerResources`):
- per LimitRange, the defaults are the `defaultRequest` and `default` of its `Container` items,
  a later item overriding an earlier one for the same resource;
- for every container, then every init container (ephemeral containers are untouched), each
  default limit whose resource is missing from `limits` is added, then each default request
  missing from `requests`; a value already set, even by SetDefaults_Pod's copy of a limit into
  the request, is kept;
- the LimitRanges of the namespace are applied one after another, so the first to set a
  resource wins;
- the pod's `kubernetes.io/limit-ranger` annotation is written by each LimitRange that set
  something, replacing the text of an earlier one: `LimitRanger plugin set: <parts>` with, per
  container in order, `<sorted resources> request for container <name>` then
  `<sorted resources> limit for container <name>` (`init container` for init containers),
  joined by `; `.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubeplan.admission.limitrange.rules import CONTAINER, LimitRangeRule, by_limitrange
from kubeplan.kube.quantity import Quantity
from kubeplan.model import Path

ANNOTATION = "kubernetes.io/limit-ranger"
_FIELDS = (("containers", "container"), ("initContainers", "init container"))


@dataclass(frozen=True)
class DefaultedField:
    """One value LimitRanger set: `which` is "request" or "limit"; `container_kind` is
    "container" or "init container"; `path` is relative to the pod."""

    limitrange: str
    item: int  # index of the `spec.limits` item the value came from
    container: str
    container_kind: str
    index: int
    which: str
    resource: str
    value: Quantity

    @property
    def path(self) -> Path:
        field = "containers" if self.container_kind == "container" else "initContainers"
        plural = "requests" if self.which == "request" else "limits"
        return ("spec", field, self.index, "resources", plural, self.resource)

    def describe(self) -> str:
        """`LimitRange X sets cpu request 100m on container app`."""
        return (
            f"LimitRange {self.limitrange} sets {self.resource} {self.which} {self.value} "
            f"on {self.container_kind} {self.container}"
        )


def container_defaults(
    rules: Sequence[LimitRangeRule],
) -> tuple[dict[str, tuple[Quantity, int]], dict[str, tuple[Quantity, int]]]:
    """`defaultContainerResourceRequirements` for the rules of one LimitRange: (requests,
    limits), each resource with its value and the index of the item that gave it."""
    requests: dict[str, tuple[Quantity, int]] = {}
    limits: dict[str, tuple[Quantity, int]] = {}
    for rule in rules:
        if rule.type == CONTAINER:
            for key, value in rule.default_request.items():
                requests[key] = (value, rule.index)
            for key, value in rule.default.items():
                limits[key] = (value, rule.index)
    return requests, limits


def default_containers(
    spec: Mapping[str, Any], rules: Sequence[LimitRangeRule]
) -> tuple[dict[str, Any], list[DefaultedField]]:
    """Admit: a copy of the pod spec with every LimitRange's defaults merged into its
    containers and init containers, and the values set, in the order they were set.

    Apply `kube.podresources.default_pod_spec` first: the API server defaults the pod before
    admission.
    """
    out = copy.deepcopy(dict(spec))
    defaulted: list[DefaultedField] = []
    for group in by_limitrange(rules):
        requests, limits = container_defaults(group)
        if not requests and not limits:
            continue
        for field, kind in _FIELDS:
            items = out.get(field)
            if not isinstance(items, list):
                continue
            for index, container in enumerate(items):
                if isinstance(container, dict):
                    defaulted += _merge(
                        container, index, kind, group[0].limitrange, requests, limits
                    )
    return out, defaulted


def _merge(
    container: dict[str, Any],
    index: int,
    kind: str,
    limitrange: str,
    requests: dict[str, tuple[Quantity, int]],
    limits: dict[str, tuple[Quantity, int]],
) -> list[DefaultedField]:
    """`mergeContainerResources` on one container (limits first, as the plugin does)."""
    resources = container.get("resources")
    if resources is None:
        resources = {}
    if not isinstance(resources, dict):
        return []  # malformed: validation reports it
    # Fresh maps: a YAML alias can share one mapping between containers, which the API
    # server's decoding never does.
    resources = container["resources"] = dict(resources)
    name = container.get("name")
    name = name if isinstance(name, str) else ""
    set_fields: list[DefaultedField] = []
    for which, plural, defaults in (("limit", "limits", limits), ("request", "requests", requests)):
        if not defaults:
            continue
        current = resources.get(plural)
        if current is None:
            current = {}
        if not isinstance(current, dict):
            continue
        current = resources[plural] = dict(current)
        for key, (value, item) in defaults.items():
            if key not in current:
                current[key] = str(value)
                set_fields.append(
                    DefaultedField(limitrange, item, name, kind, index, which, key, value)
                )
    return set_fields


def limit_ranger_annotation(defaulted: Sequence[DefaultedField]) -> str:
    """The `kubernetes.io/limit-ranger` annotation the pod ends up with ("" when nothing was
    set): the text of the last LimitRange that set something, since each one rewrites it."""
    if not defaulted:
        return ""
    last = defaulted[-1].limitrange
    own = [d for d in defaulted if d.limitrange == last]
    parts: list[str] = []
    seen: list[tuple[str, int]] = []
    for d in own:
        if (d.container_kind, d.index) not in seen:
            seen.append((d.container_kind, d.index))
    for kind, index in seen:
        fields = [d for d in own if d.container_kind == kind and d.index == index]
        name = fields[0].container
        for which in ("request", "limit"):
            names = sorted(d.resource for d in fields if d.which == which)
            if names:
                parts.append(f"{', '.join(names)} {which} for {kind} {name}")
    return "LimitRanger plugin set: " + "; ".join(parts)
