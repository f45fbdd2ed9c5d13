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

from dataclasses import dataclass
from typing import Any

from kubeplan.model import Resource
from kubeplan.planner import rollout_math as rm
from kubeplan.planner.rollout_common import (
    as_dict,
    int_or,
    ordinals,
    plural,
    template_of,
    timing_notes,
    verb,
)
from kubeplan.planner.rollout_model import Rollout, RolloutStep

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


def _span(ordinals: list[int]) -> str:
    names = ", ".join(str(o) for o in ordinals)
    return f"ordinal {names}" if len(ordinals) == 1 else f"ordinals {names}"


def _batches(ordinals: list[int], parallel: bool) -> list[list[int]]:
    """Parallel pod management creates or deletes all at once, OrderedReady one by one
    (pkg/controller/statefulset/stateful_set_control.go: monotonic = !allowsBurst(set))."""
    if not ordinals:
        return []
    return [ordinals] if parallel else [[o] for o in ordinals]


def _pod_step(action: str, plan: StatefulSetPlan, group: list[int]) -> RolloutStep:
    pods = ", ".join(f"{plan.name}-{o}" for o in group)
    noun = "Pod" if len(group) == 1 else "Pods"
    return RolloutStep(message=f"{action} {noun} {pods}", ordinals=group, action=action)


def simulate(plan: StatefulSetPlan, pods: dict[int, str]) -> tuple[list[RolloutStep], list[int]]:
    """Steps for the pods `pods` (ordinal -> UPDATED/OUTDATED) to reach `plan`.

    The replicas are the ordinals start .. start + replicas - 1; any other existing ordinal is
    condemned.

    Returns the steps and the ordinals left out of date (held by the partition or OnDelete)."""
    steps: list[RolloutStep] = []
    pods = dict(pods)
    rolling = plan.strategy == "RollingUpdate"
    # Scale up: the missing ordinals, lowest first.
    wanted = range(plan.start, plan.start + plan.replicas)
    held_below = plan.start + plan.partition  # ordinals below it stay at the current revision
    missing = [o for o in wanted if o not in pods]
    for o in missing:
        pods[o] = OUTDATED if rolling and o < held_below else UPDATED
    steps += [_pod_step("create", plan, group) for group in _batches(missing, plan.parallel)]
    # Scale down: condemned ordinals, highest first.
    condemned = sorted((o for o in pods if o not in wanted), reverse=True)
    for group in _batches(condemned, plan.parallel):
        for o in group:
            del pods[o]
        steps.append(_pod_step("delete", plan, group))
    # Rolling update: highest ordinal first, down to the partition.
    if rolling:
        targets = [o for o in sorted(pods, reverse=True) if o >= held_below and pods[o] == OUTDATED]
        size = max(plan.batch, 1)
        for start in range(0, len(targets), size):
            group = targets[start : start + size]
            for o in group:
                pods[o] = UPDATED
            steps.append(
                RolloutStep(
                    message=f"update {_span(group)}: delete and recreate with the new template",
                    ordinals=group,
                    action="update",
                )
            )
    waiting = sorted(o for o, revision in pods.items() if revision == OUTDATED)
    return steps, waiting


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
        except rm.IntOrStringError as error:
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
    pods: dict[int, str] = {}
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
        for ordinal in range(old_start, old_start + old_replicas):
            outdated = template_changed or (lowered and ordinal < old_start + old_partition)
            pods[ordinal] = OUTDATED if outdated else UPDATED
        if not template_changed and lowered:
            notes.append(
                f"partition lowered from {old_partition} to {partition}: kubeplan assumes the"
                f" ordinals below {old_partition} still run the previous template"
            )
    plan = StatefulSetPlan(name, replicas, strategy, partition, parallel, batch, start)
    steps, waiting = simulate(plan, pods)
    if old is not None and not steps and not waiting and old_replicas == replicas:
        return None
    rollout = Rollout(
        resource,
        strategy,
        replicas,
        None,
        batch if strategy == "RollingUpdate" else None,
        steps=steps,
        notes=notes,
    )
    updated = [o for step in steps if step.action == "update" for o in step.ordinals or []]
    policy = "Parallel" if parallel else "OrderedReady"
    parts: list[str] = []
    if old is None:
        parts.append(f"creates {plural(replicas, 'pod')} ({policy})")
    elif old_replicas != replicas:
        parts.append(f"scales from {old_replicas} to {replicas} pods ({policy})")
    if updated:
        how = "one at a time" if batch == 1 else f"{batch} at a time"
        order = f", highest first, {how}" if len(updated) > 1 else ""
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
            lowest = waiting[0] - start
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
    rollout.notes.extend(timing_notes(spec, deadline=False))
    return rollout
