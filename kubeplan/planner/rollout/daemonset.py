"""The DaemonSet controller's rolling update, replayed offline over a number of nodes.

`rollingUpdate` (pkg/controller/daemon/update.go), with every new pod available at once:
- maxSurge 0: each sync deletes the old pods of up to `maxUnavailable - numUnavailable` nodes, and
  the manage loop starts the new pod on each of those nodes;
- maxSurge > 0: each sync starts a new pod next to the old one on up to `maxSurge - numSurge`
  nodes, and deletes the old pod of every node whose new pod is available.
The counts come from `updatedDesiredNodeCounts` (kubeplan/planner/rollout/math.py daemonset_counts).

`plan_daemonset` reads the two revisions (nodes from `--nodes`, else the live status, else
`DEFAULT_NODES`, said in the notes) and builds the Rollout.
"""

from __future__ import annotations

from typing import Any

from kubeplan.kube import intstr
from kubeplan.kube.values import as_dict
from kubeplan.model import Resource
from kubeplan.planner.rollout import math as rm
from kubeplan.planner.rollout.common import template_of, timing_notes, unfinished_note
from kubeplan.planner.rollout.model import Rollout, RolloutStep, StepLog

# Nodes assumed for a DaemonSet when neither the caller (`--nodes N`) nor a live status says;
# every rollout that uses it says so in its notes.
DEFAULT_NODES = 3
# DaemonSetUpdateSurge: GA (locked on) in 1.25 (pkg/features/kube_features.go).
SURGE_GA = (1, 25)


def _nodes(count: int) -> str:
    return f"{count} node" if count == 1 else f"{count} nodes"


def simulate(nodes: int, max_surge: int, max_unavailable: int) -> StepLog:
    """Steps that move `nodes` nodes from the old pod to the new one: every step takes the next
    `maxSurge` (surging) or `maxUnavailable` nodes, the last one what is left, so the steps are
    computed in closed form and only the listed ones are built (StepLog)."""
    batch = max_unavailable if max_surge == 0 else max_surge
    if batch <= 0 or nodes <= 0:
        return StepLog()

    def step_at(index: int) -> RolloutStep:
        size = min(batch, nodes - index * batch)
        if max_surge == 0:
            message = f"delete the old pod on {_nodes(size)}; the new pod starts there"
        else:
            message = (
                f"start the new pod next to the old one on {_nodes(size)};"
                " each old pod is deleted once its new pod is available"
            )
        return RolloutStep(message=message, nodes=size)

    return StepLog.indexed(-(-nodes // batch), step_at)


def plan_daemonset(
    old: dict[str, Any] | None,
    new: dict[str, Any],
    resource: Resource,
    version: tuple[int, int],
    nodes: int | None,
    status: dict[str, Any] | None = None,
) -> Rollout | None:
    spec = as_dict(new.get("spec"))
    update = as_dict(spec.get("updateStrategy"))
    strategy = update.get("type") or "RollingUpdate"
    rolling = as_dict(update.get("rollingUpdate"))
    notes: list[str] = []
    status = status or {}
    desired = status.get("desiredNumberScheduled")
    if nodes is None and isinstance(desired, int) and not isinstance(desired, bool):
        nodes = desired
        notes.append(
            f"{nodes} nodes: the live status's desiredNumberScheduled (pass --nodes N to override)"
        )
    updated = status.get("updatedNumberScheduled")
    if isinstance(desired, int) and isinstance(updated, int) and updated < desired:
        notes.append(
            unfinished_note("DaemonSet", f"{updated} of {desired} nodes run the current pod")
        )
    if nodes is None:
        nodes = DEFAULT_NODES
        notes.append(
            f"assumed {nodes} nodes run this DaemonSet (pass --nodes N for your cluster);"
            " percentages are resolved against that"
        )
    if old is not None and template_of(old, "spec", "template") == template_of(
        new, "spec", "template"
    ):
        return None
    rollout = Rollout(resource, strategy, nodes, None, None, notes=notes)
    if old is None:
        rollout.steps = [RolloutStep(f"start a pod on each of {nodes} nodes", nodes=nodes)]
        rollout.summary = f"creates a pod on each of {nodes} nodes"
        rollout.timing.extend(timing_notes(spec, deadline=False))
        return rollout
    if strategy == "OnDelete":
        rollout.summary = f"OnDelete: the {nodes} pods keep the old template until deleted"
        rollout.notes.append(
            "OnDelete: the controller replaces no pod for an update; a node gets the new pod only"
            " when its old pod is deleted (pkg/controller/daemon/update.go)"
        )
        return rollout
    surge_raw, unavailable_raw = rolling.get("maxSurge"), rolling.get("maxUnavailable")
    try:
        surge, unavailable = rm.daemonset_counts(surge_raw, unavailable_raw, nodes)
        raw_surge_n = intstr.scaled_value(surge_raw or 0, 100, True)
        raw_unavailable_n = intstr.scaled_value(unavailable_raw or 0, 100, True)
    except intstr.IntOrStringError as error:
        rollout.summary = "cannot plan: the API server rejects this strategy"
        rollout.notes.append(f"spec.updateStrategy.rollingUpdate: {error}")
        return rollout
    if raw_surge_n and raw_unavailable_n:
        rollout.summary = "rejected by the API server: maxSurge and maxUnavailable both non-zero"
        rollout.notes.append(
            "spec.updateStrategy.rollingUpdate.maxSurge: may not be set when maxUnavailable is"
            " non-zero (pkg/apis/apps/validation/validation.go ValidateRollingUpdateDaemonSet);"
            " maxUnavailable defaults to 1, so set it to 0 explicitly to surge"
        )
        return rollout
    if surge and version < SURGE_GA:
        notes.append("maxSurge needs the DaemonSetUpdateSurge feature, GA only from 1.25")
    rollout.max_surge, rollout.max_unavailable = surge, unavailable
    rollout.set_steps(simulate(nodes, surge, unavailable))
    if surge:
        rollout.summary = (
            f"updates {nodes} nodes, {surge} at a time: surge {surge} (new pod next to the old"
            " one), no node without a ready pod"
        )
    else:
        rollout.summary = (
            f"updates {nodes} nodes, {unavailable} at a time: unavailable {unavailable}"
            f" (at most {unavailable} nodes without a ready pod)"
        )
    rollout.timing.extend(timing_notes(spec, deadline=False))
    return rollout
