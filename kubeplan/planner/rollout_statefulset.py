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
"""

from __future__ import annotations

from dataclasses import dataclass

from kubeplan.planner.rollout_model import RolloutStep

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
    groups = [missing] if plan.parallel else [[o] for o in missing]
    for group in groups:
        if group:
            steps.append(
                RolloutStep(
                    message=f"create Pod {plan.name}-{group[0]}"
                    if len(group) == 1
                    else f"create Pods {', '.join(f'{plan.name}-{o}' for o in group)}",
                    ordinals=group,
                    action="create",
                )
            )
    # Scale down: condemned ordinals, highest first.
    condemned = sorted((o for o in pods if o not in wanted), reverse=True)
    groups = [condemned] if plan.parallel else [[o] for o in condemned]
    for group in groups:
        if group:
            for o in group:
                del pods[o]
            steps.append(
                RolloutStep(
                    message=f"delete Pod {plan.name}-{group[0]}"
                    if len(group) == 1
                    else f"delete Pods {', '.join(f'{plan.name}-{o}' for o in group)}",
                    ordinals=group,
                    action="delete",
                )
            )
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
