"""The StatefulSet controller's update order, replayed offline over pod ordinals.

`updateStatefulSet` (pkg/controller/statefulset/stateful_set_control.go) first makes every
ordinal below spec.replicas exist (creating a missing one at the update revision unless its ordinal
is below the partition, `newVersionedStatefulSetPod`), then deletes condemned pods (ordinals at or
above spec.replicas, highest first), then, for RollingUpdate only, deletes out-of-date pods from the
highest ordinal down to the partition: one at a time waiting for each to be healthy
(`updateStatefulSetAfterInvariantEstablished` without MaxUnavailableStatefulSet), or up to
maxUnavailable at a time with it. With podManagementPolicy OrderedReady (the default) creations and
deletions for scaling go one pod at a time; Parallel does them all at once. A deleted out-of-date
pod is recreated at the update revision. OnDelete never deletes a pod for an update.

`plan_statefulset` reads the two revisions (partition, podManagementPolicy, ordinals.start,
maxUnavailable gated by the Kubernetes version) and builds the Rollout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubeplan.kube import intstr
from kubeplan.kube.values import as_dict
from kubeplan.model import Resource
from kubeplan.planner.rollout import math as rm
from kubeplan.planner.rollout.common import (
    int_or,
    ordinals,
    plural,
    template_of,
    timing_notes,
    verb,
)
from kubeplan.planner.rollout.model import (
    ORDINALS_LISTED,
    Rollout,
    RolloutStep,
    Runs,
    StepLog,
    runs_count,
    runs_list,
    runs_slice,
)

# MaxUnavailableStatefulSet: alpha (off by default) in 1.24, beta (on by default) in 1.35
# (pkg/features/kube_features.go, versioned feature specs).
MAX_UNAVAILABLE_DEFAULT_ON = (1, 35)

UPDATED = "updated"
OUTDATED = "outdated"


@dataclass
class StatefulSetPlan:
    name: str
    replicas: int  # spec.replicas of the new revision
    strategy: str  # RollingUpdate | OnDelete
    partition: int
    parallel: bool  # podManagementPolicy: Parallel
    batch: int  # pods updated per step (maxUnavailable when the feature applies, else 1)
    start: int = 0  # spec.ordinals.start (getStartOrdinal); the partition counts from it


# Pods of one revision with ordinals lo .. hi - 1. The pods are held as a few such segments, not
# one entry per pod, so that a StatefulSet of ten million replicas costs what one of three does.
Segment = tuple[int, int, str]


def _names(name: str, runs: Runs) -> str:
    if runs_count(runs) <= ORDINALS_LISTED:
        return ", ".join(f"{name}-{o}" for o in runs_list(runs))
    spans = ", ".join(f"{name}-{a} to {name}-{b}" if a != b else f"{name}-{a}" for a, b in runs)
    return f"{spans} ({runs_count(runs)} pods)"


def _pod_step(action: str, plan: StatefulSetPlan, group: Runs) -> RolloutStep:
    count = runs_count(group)
    noun = "Pod" if count == 1 else "Pods"
    return RolloutStep(
        message=f"{action} {noun} {_names(plan.name, group)}",
        ordinals=runs_list(group) if count <= ORDINALS_LISTED else None,
        ordinal_runs=group,
        action=action,
    )


def _update_step(group: Runs) -> RolloutStep:
    count = runs_count(group)
    return RolloutStep(
        message=f"update {ordinals(group)}: delete and recreate with the new template",
        ordinals=runs_list(group) if count <= ORDINALS_LISTED else None,
        ordinal_runs=group,
        action="update",
    )


def _outside(lo: int, hi: int, cut_lo: int, cut_hi: int) -> list[tuple[int, int]]:
    """The parts of [lo, hi) outside [cut_lo, cut_hi), ascending."""
    parts = [(lo, min(hi, cut_lo)), (max(lo, cut_hi), hi)]
    return [(a, b) for a, b in parts if a < b]


def _inside(segments: list[Segment], lo: int, hi: int) -> list[Segment]:
    return [(max(a, lo), min(b, hi), r) for a, b, r in segments if max(a, lo) < min(b, hi)]


def _ascending(intervals: list[tuple[int, int]]) -> Runs:
    return tuple((a, b - 1) for a, b in sorted(intervals) if a < b)


def _descending(intervals: list[tuple[int, int]]) -> Runs:
    return tuple((b - 1, a) for a, b in sorted(intervals, reverse=True) if a < b)


def segments_of(pods: dict[int, str]) -> list[Segment]:
    """Pods given one by one (ordinal -> UPDATED/OUTDATED) as segments."""
    out: list[Segment] = []
    for ordinal in sorted(pods):
        if out and out[-1][1] == ordinal and out[-1][2] == pods[ordinal]:
            out[-1] = (out[-1][0], ordinal + 1, pods[ordinal])
        else:
            out.append((ordinal, ordinal + 1, pods[ordinal]))
    return out


@dataclass
class StatefulSetSteps:
    """What `simulate_segments` finds: the steps, the ordinals updated (highest first) and the
    ordinals left out of date (held by the partition or OnDelete), lowest first."""

    log: StepLog
    updated: Runs
    waiting: Runs


def simulate_segments(plan: StatefulSetPlan, existing: list[Segment]) -> StatefulSetSteps:
    """Steps for the pods `existing` to reach `plan`, in closed form over ordinal segments.

    The replicas are the ordinals start .. start + replicas - 1; any other existing ordinal is
    condemned. Scale-up creates the missing ordinals lowest first, scale-down deletes the
    condemned highest first (one per step, or all in one step with Parallel), then RollingUpdate
    updates the out-of-date ordinals from the highest down to the partition, `batch` per step."""
    rolling = plan.strategy == "RollingUpdate"
    lo, hi = plan.start, plan.start + max(plan.replicas, 0)
    held_below = plan.start + plan.partition  # ordinals below it stay at the current revision
    missing = [(lo, hi)] if lo < hi else []
    for a, b, _ in existing:
        missing = [part for m_lo, m_hi in missing for part in _outside(m_lo, m_hi, a, b)]
    created: list[Segment] = []
    for a, b in missing:  # created below the partition at the current revision, else updated
        for c, d in _outside(a, b, held_below, b):
            created.append((c, d, OUTDATED if rolling else UPDATED))
        created += [(c, d, UPDATED) for c, d in _outside(a, b, a, held_below)]
    condemned = [part for a, b, _ in existing for part in _outside(a, b, lo, hi)]
    pods = sorted(_inside(existing, lo, hi) + created)
    outdated = [(a, b) for a, b, r in pods if r == OUTDATED]
    targets = [(max(a, held_below), b) for a, b in outdated if rolling and b > held_below]
    if rolling:
        waiting = [(a, min(b, held_below)) for a, b in outdated if a < held_below]
    else:
        waiting = outdated
    phases: list[tuple[int, Callable[[int], RolloutStep]]] = []
    for action, runs in (("create", _ascending(missing)), ("delete", _descending(condemned))):
        if not runs:
            continue
        if plan.parallel:  # allowsBurst: all at once (stateful_set_control.go monotonic)
            phases.append((1, lambda _, a=action, r=runs: _pod_step(a, plan, r)))
        else:
            phases.append(
                (
                    runs_count(runs),
                    lambda i, a=action, r=runs: _pod_step(a, plan, runs_slice(r, i, 1)),
                )
            )
    updated = _descending(targets)
    if updated:
        size = max(plan.batch, 1)
        phases.append(
            (
                -(-runs_count(updated) // size),
                lambda i: _update_step(runs_slice(updated, i * size, size)),
            )
        )

    def step_at(index: int) -> RolloutStep:
        for count, make in phases:
            if index < count:
                return make(index)
            index -= count
        raise IndexError(index)

    log = StepLog.indexed(sum(count for count, _ in phases), step_at)
    return StatefulSetSteps(log, updated, _ascending(waiting))


def simulate(plan: StatefulSetPlan, pods: dict[int, str]) -> tuple[list[RolloutStep], list[int]]:
    """`simulate_segments` for pods given one by one (ordinal -> UPDATED/OUTDATED): the listed
    steps and the ordinals left out of date."""
    found = simulate_segments(plan, segments_of(pods))
    return found.log.listed(), runs_list(found.waiting)


def _old_pods(
    start: int, replicas: int, template_changed: bool, lowered: bool, partition: int
) -> list[Segment]:
    """The pods of the old revision: all out of date when the template changed; when only the
    partition was lowered, those below the old partition (they never took the template)."""
    end = start + max(replicas, 0)
    if start >= end:
        return []
    if template_changed:
        return [(start, end, OUTDATED)]
    if not lowered:
        return [(start, end, UPDATED)]
    split = min(max(start + partition, start), end)
    parts = [(start, split, OUTDATED), (split, end, UPDATED)]
    return [(a, b, r) for a, b, r in parts if a < b]


def plan_statefulset(
    old: dict[str, Any] | None, new: dict[str, Any], resource: Resource, version: tuple[int, int]
) -> Rollout | None:
    spec = as_dict(new.get("spec"))
    name = resource.name or "statefulset"
    replicas = int_or(spec.get("replicas"), 1)
    update = as_dict(spec.get("updateStrategy"))
    strategy = update.get("type") or "RollingUpdate"
    rolling = as_dict(update.get("rollingUpdate"))
    partition = int_or(rolling.get("partition"), 0)
    parallel = spec.get("podManagementPolicy") == "Parallel"
    start = int_or(as_dict(spec.get("ordinals")).get("start"), 0)
    notes: list[str] = []
    batch = 1
    raw_unavailable = rolling.get("maxUnavailable")
    gate_on = version >= MAX_UNAVAILABLE_DEFAULT_ON
    if strategy == "RollingUpdate":
        try:
            resolved = rm.statefulset_max_unavailable(raw_unavailable, replicas)
        except intstr.IntOrStringError as error:
            rollout = Rollout(resource, strategy, replicas, None, None)
            rollout.summary = "cannot plan: the API server rejects this strategy"
            rollout.notes.append(f"spec.updateStrategy.rollingUpdate.maxUnavailable: {error}")
            return rollout
        if gate_on:
            batch = resolved
        elif resolved > 1:  # an explicit 1 (or the 1.35 server default) changes nothing
            notes.append(
                f"maxUnavailable {raw_unavailable} is ignored: the MaxUnavailableStatefulSet"
                " feature is alpha and off by default before 1.35, so pods update one at a time"
            )
    pods: list[Segment] = []
    old_replicas = 0
    template_changed = True
    if old is not None:
        old_spec = as_dict(old.get("spec"))
        old_replicas = int_or(old_spec.get("replicas"), 1)
        template_changed = template_of(old, "spec", "template") != template_of(
            new, "spec", "template"
        )
        old_partition = int_or(
            as_dict(as_dict(old_spec.get("updateStrategy")).get("rollingUpdate")).get("partition"),
            0,
        )
        old_start = int_or(as_dict(old_spec.get("ordinals")).get("start"), 0)
        lowered = strategy == "RollingUpdate" and partition < old_partition
        pods = _old_pods(old_start, old_replicas, template_changed, lowered, old_partition)
        if not template_changed and lowered:
            notes.append(
                f"partition lowered from {old_partition} to {partition}: kubeplan assumes the"
                f" ordinals below {old_partition} still run the previous template"
            )
    plan = StatefulSetPlan(name, replicas, strategy, partition, parallel, batch, start)
    found = simulate_segments(plan, pods)
    updated, waiting = found.updated, found.waiting
    if old is not None and not found.log.total and not waiting and old_replicas == replicas:
        return None
    rollout = Rollout(
        resource,
        strategy,
        replicas,
        None,
        batch if strategy == "RollingUpdate" else None,
        notes=notes,
    )
    rollout.set_steps(found.log)
    policy = "Parallel" if parallel else "OrderedReady"
    parts: list[str] = []
    if old is None:
        parts.append(f"creates {plural(replicas, 'pod')} ({policy})")
    elif old_replicas != replicas:
        parts.append(f"scales from {old_replicas} to {replicas} pods ({policy})")
    if updated:
        how = "one at a time" if batch == 1 else f"{batch} at a time"
        order = f", highest first, {how}" if runs_count(updated) > 1 else ""
        parts.append(f"updates {ordinals(updated)}{order}")
    if waiting:
        if strategy == "OnDelete":
            parts.append(f"{ordinals(waiting)} {verb(waiting, 'wait')} to be deleted (OnDelete)")
            rollout.notes.append(
                "OnDelete: the controller replaces no pod for an update; a pod gets the new"
                " template only when it is deleted (by hand) or created by a scale-up"
            )
        else:
            parts.append(
                f"{ordinals(waiting)} {verb(waiting, 'wait')} for the partition ({partition})"
            )
            lowest = waiting[0][0] - start
            rollout.notes.append(
                f"partition {partition}: {ordinals(waiting)} {verb(waiting, 'keep')} the old"
                f" template until the partition is lowered to {lowest}"
                + (" or below" if lowest else "")
                + (
                    f"; ordinals {start + partition} and up are updated now"
                    if partition < replicas
                    else ""
                )
            )
    rollout.summary = "; ".join(parts) if parts else "no pod changes"
    rollout.timing.extend(timing_notes(spec, deadline=False))
    return rollout
