"""The result types of the rollout model (see kubeplan/planner/rollout.py for how they are made)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kubeplan.model import Resource

# A simulation never needs more steps than this for a sane manifest (5,000 replicas rolled one
# pod at a time); past it kubeplan stops and says so rather than loop (a guard, not a controller
# rule).
MAX_STEPS = 10_000


@dataclass
class RolloutStep:
    """One reconcile action of the controller, assuming new pods are ready at once and old ones
    terminate at once."""

    message: str  # like the controller's event: "Scaled up replica set web-<hash> to 2"
    old: int | None = None  # Deployment: old ReplicaSet(s) replicas after this step
    new: int | None = None  # Deployment: new ReplicaSet replicas after this step
    ordinals: list[int] | None = None  # StatefulSet: ordinals acted on in this step
    nodes: int | None = None  # DaemonSet: nodes updated in this step
    action: str | None = None  # StatefulSet: create | delete | update
    available: int | None = None  # pods available right after the step (not in JSON)

    def to_json(self) -> dict[str, Any]:
        """Only the fields of its kind: `{old, new}`, `{ordinals, action}` or `{nodes}`."""
        out: dict[str, Any] = {}
        if self.old is not None or self.new is not None:
            if self.old is not None:
                out["old"] = self.old
            if self.new is not None:
                out["new"] = self.new
        elif self.ordinals is not None:
            out["ordinals"] = list(self.ordinals)
            if self.action:
                out["action"] = self.action
        elif self.nodes is not None:
            out["nodes"] = self.nodes
        return out


@dataclass
class Rollout:
    resource: Resource
    strategy: str  # RollingUpdate | Recreate | OnDelete | Paused | Rejected | NextRun | NoRollout
    replicas: int | None  # desired (new) replicas; DaemonSet: nodes
    max_surge: int | None  # resolved absolute numbers
    max_unavailable: int | None
    steps: list[RolloutStep] = field(default_factory=list)
    summary: str = ""
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "resource": self.resource.ref(),
            "strategy": self.strategy,
            "replicas": self.replicas,
            "max_surge": self.max_surge,
            "max_unavailable": self.max_unavailable,
            "steps": [step.to_json() for step in self.steps],
            "summary": self.summary,
            "notes": list(self.notes),
        }
