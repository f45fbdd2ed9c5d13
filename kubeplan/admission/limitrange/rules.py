"""LimitRange items as the API server stores them, read from LimitRange resources.

Source: pkg/apis/core/v1/defaults.go `SetDefaults_LimitRangeItem` (for `type: Container` only:
a missing `default[r]` takes `max[r]`; then a missing `defaultRequest[r]` takes `default[r]`;
then a still missing `defaultRequest[r]` takes `min[r]`) and `SetDefaults_ResourceList`
(every value rounded up to the milli scale, kube/quantity.py `resource_list_value`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubeplan.kube.podresources import ResourceQuantities, resource_list
from kubeplan.model import Path, Resource

CONTAINER = "Container"
POD = "Pod"
PVC = "PersistentVolumeClaim"


@dataclass(frozen=True)
class LimitRangeRule:
    """One item of `spec.limits`, after `SetDefaults_LimitRangeItem`.

    `limitrange` and `namespace` name its LimitRange; `index` is its position in `spec.limits`
    (`path` is the field path of the item, for a finding's location); `resource` is the
    LimitRange it was read from, when there is one.
    """

    limitrange: str
    namespace: str | None
    index: int
    type: str
    min: ResourceQuantities = field(default_factory=dict)
    max: ResourceQuantities = field(default_factory=dict)
    default: ResourceQuantities = field(default_factory=dict)
    default_request: ResourceQuantities = field(default_factory=dict)
    max_limit_request_ratio: ResourceQuantities = field(default_factory=dict)
    resource: Resource | None = field(default=None, compare=False, repr=False)

    @property
    def path(self) -> Path:
        return ("spec", "limits", self.index)


def limit_rules(limitranges: Sequence[Resource]) -> list[LimitRangeRule]:
    """The items of every LimitRange in `limitranges`, in order (other kinds are skipped).

    The API server applies every LimitRange of the namespace in its lister's order, which is
    not specified; kubeplan keeps the order it was given.
    """
    rules: list[LimitRangeRule] = []
    for resource in limitranges:
        if resource.kind != "LimitRange":
            continue
        spec = resource.body.get("spec")
        items = spec.get("limits") if isinstance(spec, Mapping) else None
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                rules.append(
                    rule_from_item(item, resource.name or "", resource.namespace, index, resource)
                )
    return rules


def rule_from_item(
    item: Mapping[str, Any],
    limitrange: str,
    namespace: str | None = None,
    index: int = 0,
    resource: Resource | None = None,
    *,
    defaulted: bool = True,
) -> LimitRangeRule:
    """One `spec.limits` item, defaulted as `SetDefaults_LimitRangeItem` does (the API server
    does it when the LimitRange is created; `defaulted=False` reads the item as written, as
    upstream's admission tests build their LimitRanges)."""
    kind = item.get("type")
    minimum = resource_list(item.get("min"))
    maximum = resource_list(item.get("max"))
    default = resource_list(item.get("default"))
    default_request = resource_list(item.get("defaultRequest"))
    if defaulted and kind == CONTAINER:
        for key, value in maximum.items():
            default.setdefault(key, value)
        for key, value in default.items():
            default_request.setdefault(key, value)
        for key, value in minimum.items():
            default_request.setdefault(key, value)
    return LimitRangeRule(
        limitrange=limitrange,
        namespace=namespace,
        index=index,
        type=kind if isinstance(kind, str) else "",
        min=minimum,
        max=maximum,
        default=default,
        default_request=default_request,
        max_limit_request_ratio=resource_list(item.get("maxLimitRequestRatio")),
        resource=resource,
    )


def by_limitrange(rules: Sequence[LimitRangeRule]) -> list[list[LimitRangeRule]]:
    """The rules grouped per LimitRange, in the order the LimitRanges first appear: the
    plugin handles one LimitRange at a time (`runLimitFunc`)."""
    groups: dict[tuple[str | None, str], list[LimitRangeRule]] = {}
    for rule in rules:
        groups.setdefault((rule.namespace, rule.limitrange), []).append(rule)
    return list(groups.values())
