"""The DaemonSet controller's rolling update, replayed offline over a number of nodes.

`rollingUpdate` (pkg/controller/daemon/update.go), with every new pod available at once:
- maxSurge 0: each sync deletes the old pods of up to `maxUnavailable - numUnavailable` nodes, and
  the manage loop starts the new pod on each of those nodes;
- maxSurge > 0: each sync starts a new pod next to the old one on up to `maxSurge - numSurge`
  nodes, and deletes the old pod of every node whose new pod is available.
The counts come from `updatedDesiredNodeCounts` (kubeplan/planner/rollout_math.py daemonset_counts).
"""

from __future__ import annotations

from kubeplan.planner.rollout_model import RolloutStep


def _nodes(count: int) -> str:
    return f"{count} node" if count == 1 else f"{count} nodes"


def simulate(nodes: int, max_surge: int, max_unavailable: int) -> list[RolloutStep]:
    """Steps that move `nodes` nodes from the old pod to the new one."""
    steps: list[RolloutStep] = []
    remaining = nodes
    if max_surge == 0:
        while remaining > 0:
            batch = min(max_unavailable, remaining)
            if batch <= 0:
                break
            remaining -= batch
            steps.append(
                RolloutStep(
                    message=f"delete the old pod on {_nodes(batch)}; the new pod starts there",
                    nodes=batch,
                )
            )
        return steps
    while remaining > 0:
        batch = min(max_surge, remaining)
        remaining -= batch
        steps.append(
            RolloutStep(
                message=f"start the new pod next to the old one on {_nodes(batch)};"
                " each old pod is deleted once its new pod is available",
                nodes=batch,
            )
        )
    return steps
