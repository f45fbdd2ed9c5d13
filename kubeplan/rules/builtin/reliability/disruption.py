"""Replicas, PodDisruptionBudgets and spreading: what a node drain or a node failure does
to a workload.

Kubernetes semantics these checks rely on (sources also in the YAML file beside this
module, per rule):
- PodDisruptionBudget (pkg/controller/disruption/disruption.go getExpectedPodCount):
  maxUnavailable and a percentage minAvailable are scaled with GetScaledValueFromIntOrPercent
  rounding UP, against the summed scale of the controllers of the selected pods; an integer
  minAvailable is compared with the number of selected pods. disruptionsAllowed =
  currentHealthy - desiredHealthy, forced to 0 when the expected count is 0 (updatePdbStatus),
  which is what a PDB with neither field gets (policy/v1 defaults neither), and what
  maxUnavailable or a percentage gets over bare Pods only (getExpectedScale skips unmanaged
  pods).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kubeplan.kube import selectors, workloads
from kubeplan.kube.intstr import parse_int_or_percent
from kubeplan.kube.values import as_dict as _dict
from kubeplan.kube.values import as_int as _int
from kubeplan.kube.values import as_list as _list
from kubeplan.kube.values import namespace_of as _namespace
from kubeplan.model import Path, Resource
from kubeplan.rules.builtin.reliability.common import (
    hpa_for,
    hpa_range,
    max_replicas,
    spec_of,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

_SHOWN = 3


@dataclass
class _PdbIndex:
    by_namespace: dict[str, list[Resource]] = field(default_factory=lambda: defaultdict(list))
    selected: dict[int, list[Resource]] = field(default_factory=dict)  # id(pdb) -> workloads
    covered: dict[int, Resource] = field(default_factory=dict)  # id(workload) -> first PDB


def _pdb_selector(pdb: Resource) -> dict[str, Any] | None:
    """The selector of a PDB, or None when it selects nothing (null; v1beta1 empty)."""
    selector = spec_of(pdb).get("selector")
    if not isinstance(selector, dict):
        return None
    empty = not selector.get("matchLabels") and not selector.get("matchExpressions")
    if pdb.version == "v1beta1" and empty:
        return None  # policy/v1beta1: an empty selector selects no pods
    return selector


def _build_pdbs(ctx: LintContext) -> _PdbIndex:
    index = _PdbIndex()
    pdbs = [p for p in ctx.of_kind("PodDisruptionBudget") if p.group == "policy"]
    if not pdbs:
        return index
    # namespace -> (label pair -> workloads), to select by the rarest matchLabels pair
    by_pair: dict[str, dict[tuple[str, str], list[Resource]]] = {}
    labels_of: dict[int, dict[str, str]] = {}
    for pdb in pdbs:
        namespace = _namespace(pdb)
        index.by_namespace[namespace].append(pdb)
        if namespace not in by_pair:
            table: dict[tuple[str, str], list[Resource]] = defaultdict(list)
            for workload in ctx.workloads_in(namespace):
                labels = workloads.pod_labels(workload)
                labels_of[id(workload)] = labels
                for pair in labels.items():
                    table[pair].append(workload)
            by_pair[namespace] = table
    for pdb in pdbs:
        namespace = _namespace(pdb)
        selector = _pdb_selector(pdb)
        chosen: list[Resource] = []
        if selector is not None:
            pairs = _dict(selector.get("matchLabels"))
            candidates: Iterable[Resource]
            if pairs:
                lists = [  # a value that is no string selects nothing (selectors.matches)
                    by_pair[namespace].get((k, v), []) if isinstance(v, str) else []
                    for k, v in pairs.items()
                ]
                candidates = min(lists, key=len)
            else:
                candidates = ctx.workloads_in(namespace)
            chosen = [
                w
                for w in candidates
                if selectors.matches(selector, labels_of.get(id(w), workloads.pod_labels(w)))
            ]
        index.selected[id(pdb)] = chosen
        for workload in chosen:
            index.covered.setdefault(id(workload), pdb)
    return index


# ---------------------------------------------------------------------------------------------
# replicas, disruption budgets, spreading


def _replicas_text(resource: Resource) -> str:
    if "replicas" not in spec_of(resource):
        return "replicas is unset (defaults to 1)"
    return f"replicas is {spec_of(resource).get('replicas')}"


@check("single-replica")
def single_replica(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    minimum = _int(options.get("min_replicas")) or 2
    replicas = workloads.replicas(resource)
    if replicas is None or replicas == 0 or replicas >= minimum:
        return  # 0 is a deliberate scale-down
    if hpa_for(ctx, resource) is not None:
        return
    yield Violation(
        ("spec", "replicas"),
        f"{_replicas_text(resource)}, fewer than {minimum}: the workload is down while its"
        " pod is rescheduled (node drain, eviction, node failure)",
    )


def _scale_text(ctx: LintContext, resource: Resource) -> str:
    hpa = hpa_for(ctx, resource)
    if hpa is not None:
        return f'up to {hpa_range(hpa)[1]} replicas (HorizontalPodAutoscaler "{hpa.name}")'
    return f"{workloads.replicas(resource)} replicas"


@check("pdb-missing")
def pdb_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if workloads.pod_template(resource) is None:
        return
    most = max_replicas(ctx, resource)
    if most is None or most < 2:
        return
    index = ctx.index(_build_pdbs)
    if id(resource) in index.covered:
        return
    yield Violation(
        (),
        f"{_scale_text(ctx, resource)} and no PodDisruptionBudget in namespace"
        f' "{_namespace(resource)}" selects its pods: a node drain may evict them all at once',
    )


def _budget_scale(ctx: LintContext, chosen: list[Resource]) -> tuple[int, int, list[str]] | None:
    """(largest summed scale of the selected controllers, number of bare Pods, names), or None
    when a selected workload's pod count is not in the manifests."""
    total = bare = 0
    names: list[str] = []
    for workload in chosen:
        if workload.kind in workloads.SCALABLE_KINDS:
            count = max_replicas(ctx, workload)
            if count is None:
                return None
            total += count
        elif workload.kind == "Pod":
            bare += 1  # unmanaged: counted as a pod, never as a controller's scale
        else:
            return None  # DaemonSet, Job, CronJob: the pod count is not in the manifest
        label = f"{workload.kind} {workload.name}"
        if label not in names:
            names.append(label)
    return total, bare, names


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


@check("pdb-no-disruption")
def pdb_no_disruption(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    spec = spec_of(resource)
    blocked = "no voluntary eviction of its pods is ever allowed, so node drains block"
    max_unavailable = spec.get("maxUnavailable")
    min_available = spec.get("minAvailable")
    if max_unavailable is None and min_available is None:
        if resource.version == "v1beta1":
            return  # policy/v1beta1 defaulted minAvailable to 1
        yield Violation(
            ("spec",),
            "sets neither minAvailable nor maxUnavailable: the disruption controller expects 0"
            f" pods and allows 0 disruptions; {blocked}",
        )
        return
    scaled_budget = max_unavailable is not None
    if scaled_budget:
        value = parse_int_or_percent(max_unavailable)
        if value is not None and value.number == 0:
            yield Violation(("spec", "maxUnavailable"), f"maxUnavailable is {value}: {blocked}")
            return
        # Any other maxUnavailable rounds up to at least one pod of the controllers' scale.
        path: Path = ("spec", "maxUnavailable")
    else:
        value = parse_int_or_percent(min_available)
        if value is None:
            return
        if value.percent and value.number >= 100:
            yield Violation(("spec", "minAvailable"), f"minAvailable is {value}: {blocked}")
            return
        if value.number == 0:
            return
        scaled_budget = value.percent
        path = ("spec", "minAvailable")
    chosen = ctx.index(_build_pdbs).selected.get(id(resource), [])
    if not chosen:
        return  # pdb-selects-nothing reports it
    scale = _budget_scale(ctx, chosen)
    if scale is None:
        return
    total, bare, names = scale
    if scaled_budget and total == 0:
        # getExpectedScale skips unmanaged pods: with no controller the expected count is 0.
        yield Violation(
            path,
            f"selects only bare Pods ({_names(names)}), which the disruption controller does not"
            f" count for maxUnavailable or a percentage (expected pods 0): {blocked}",
        )
        return
    if value is None or max_unavailable is not None:
        return
    pods = total + bare
    needed = value.scaled(total, round_up=True)
    if needed < pods:
        return
    if value.percent:
        how = f"minAvailable {value} of {total} pods rounds up to {needed}"
    else:
        how = f"minAvailable {value.number} >= the {pods} pods"
    yield Violation(path, f"{how} of the workloads it selects ({_names(names)}): {blocked}")


def _spreads(spec: dict[str, Any]) -> bool:
    anti = _dict(_dict(spec.get("affinity")).get("podAntiAffinity"))
    if _list(anti.get("requiredDuringSchedulingIgnoredDuringExecution")):
        return True
    if _list(anti.get("preferredDuringSchedulingIgnoredDuringExecution")):
        return True
    return bool(_list(spec.get("topologySpreadConstraints")))


@check("anti-affinity-missing")
def anti_affinity_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    found = workloads.pod_spec(resource)
    if found is None:
        return
    path, spec = found
    most = max_replicas(ctx, resource)
    if most is None or most < 2 or _spreads(spec):
        return
    yield Violation(
        (*path, "affinity"),
        f"{_scale_text(ctx, resource)} with neither podAntiAffinity nor"
        " topologySpreadConstraints: the scheduler's default spreading is best-effort, so"
        " several replicas may share one node",
    )
