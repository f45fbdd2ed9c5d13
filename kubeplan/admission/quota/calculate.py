"""A quota's usage as the quota controller computes it, for quotas kubeplan reads without a
status (a manifest) or when the objects of the plan replace what the status counted.

Source: staging/src/k8s.io/apiserver/pkg/quota/v1/resources.go `CalculateUsage` and
.../quota/v1/generic/evaluator.go `CalculateUsageStats`: every hard resource some evaluator
tracks starts at zero (so the result always has usage stats for them), each object whose
scopes all match adds its whole usage, and the sum is masked to those resources. The quota
controller (pkg/controller/resourcequota resource_quota_monitor.go) has an object-count
evaluator for every served resource, so every `count/<resource>[.<group>]` name is tracked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from kubeplan.admission.quota import resources as rl
from kubeplan.admission.quota.model import Quota
from kubeplan.admission.quota.resources import ResourceList
from kubeplan.admission.quota.scopes import scope_matches
from kubeplan.admission.quota.usage import LEGACY_ALIASES, matching_resources, usage_quantities

# (group, kind, body)
Object = tuple[str, str, Mapping[str, Any]]


def tracked_resources(quota: Quota) -> list[str]:
    """The hard resources some evaluator tracks (CalculateUsage's matchedResources)."""
    hard = list(quota.hard)
    names = set(matching_resources("", "Pod", hard))
    names |= set(matching_resources("", "Service", hard))
    names |= set(matching_resources("", "PersistentVolumeClaim", hard))
    names |= {n for n in hard if n.startswith("count/") or n in LEGACY_ALIASES.values()}
    return sorted(names)


def calculate_usage(
    quota: Quota,
    objects: Iterable[Object],
    *,
    resource_names: Mapping[tuple[str, str], str] | None = None,
    now: datetime | None = None,
) -> ResourceList:
    """The quota's `status.used` for `objects` (the objects of its namespace)."""
    tracked = tracked_resources(quota)
    total: ResourceList = {name: rl.ZERO for name in tracked}
    names = resource_names or {}
    for group, kind, body in objects:
        if not all(scope_matches(r, group, kind, body) for r in quota.selectors):
            continue
        charge = usage_quantities(
            group, kind, body, resource_name=names.get((group, kind)), now=now
        )
        total = rl.add(total, charge)
    return rl.mask(total, tracked)
