"""The Deployment controller's reconcile loop, replayed offline over ReplicaSet sizes.

Each turn of `Simulation.run` is one `syncDeployment` (pkg/controller/deployment/deployment_controller.go):
paused or a scaling event -> `sync` (proportional `scale`, sync.go); otherwise `rolloutRecreate`
(recreate.go) or `rolloutRolling` (rolling.go: `reconcileNewReplicaSet`, else
`reconcileOldReplicaSets` = `cleanupUnhealthyReplicas` + `scaleDownOldReplicaSetsForRollingUpdate`).
The bounds come from deployment_util.go (`NewRSNewReplicas`, `MaxUnavailable`, `ResolveFenceposts`,
`IsSaturated`, `GetProportion`), in kubeplan/planner/rollout/math.py.

The model: between two syncs every new pod becomes available and every scaled-down pod is gone;
within one sync the controller sees the status it started with (a ReplicaSet created in this sync
has no available pod yet). Every scale the controller makes is one step, worded like its
`ScalingReplicaSet` event.

`plan_deployment` reads the two revisions into this state (the old ReplicaSet at the old
replicas, the new one absent) and builds the Rollout.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from kubeplan.kube import intstr
from kubeplan.kube.values import as_dict
from kubeplan.model import Resource
from kubeplan.planner.rollout import math as rm
from kubeplan.planner.rollout.common import (
    int_or,
    plural,
    replica_set_name,
    template_of,
    timing_notes,
    unfinished_note,
)
from kubeplan.planner.rollout.model import (
    MAX_STEPS,
    STEPS_HEAD,
    STEPS_TAIL,
    Rollout,
    RolloutStep,
    StepLog,
)


@dataclass
class ReplicaSetState:
    name: str
    spec: int  # spec.replicas
    available: int  # status.availableReplicas
    created: int  # creation order: lower is older (creationTimestamp, then name)
    desired: int | None = None  # annotation deployment.kubernetes.io/desired-replicas
    max_replicas: int | None = None  # annotation deployment.kubernetes.io/max-replicas


@dataclass
class DeploymentSpec:
    replicas: int
    strategy: str  # RollingUpdate | Recreate
    max_surge: Any  # raw int-or-percent (None for Recreate)
    max_unavailable: Any
    paused: bool = False


class Simulation:
    """The ReplicaSets of one Deployment and the steps taken so far."""

    def __init__(
        self,
        spec: DeploymentSpec,
        old: list[ReplicaSetState],
        new: ReplicaSetState | None,
        new_name: str,
    ) -> None:
        self.spec = spec
        self.old = old
        self.new = new
        self.new_name = new_name
        self.log = StepLog()
        self.truncated = False
        # The scales of the current sync: (ReplicaSet, operation, change in size).
        self._moves: list[tuple[str, str, int]] = []
        r = spec.replicas
        self.max_surge = rm.deployment_max_surge(
            spec.strategy, r, spec.max_surge, spec.max_unavailable
        )
        self.max_unavailable = rm.deployment_max_unavailable(
            spec.strategy, r, spec.max_surge, spec.max_unavailable
        )
        # rolling.go: minAvailable = replicas - maxUnavailable (deployment_util.go MinAvailable)
        self.min_available = rm.deployment_min_available(
            spec.strategy, r, spec.max_surge, spec.max_unavailable
        )

    # -- helpers ---------------------------------------------------------------------------------

    @property
    def steps(self) -> list[RolloutStep]:
        """The listed steps (all of them unless the rollout is long: StepLog)."""
        return self.log.listed()

    def all_rs(self) -> list[ReplicaSetState]:
        return [*self.old, self.new] if self.new is not None else list(self.old)

    def _record(self, message: str) -> None:
        rs_list = self.all_rs()
        self.log.append(
            RolloutStep(
                message=message,
                old=sum(rs.spec for rs in self.old),
                new=self.new.spec if self.new is not None else 0,
                available=sum(min(rs.spec, rs.available) for rs in rs_list),
            )
        )

    def _scale(self, rs: ReplicaSetState, size: int, operation: str | None = None) -> bool:
        """`scaleReplicaSet` (sync.go): set the size and the replicas annotations; an event when
        the size changes."""
        old_size = rs.spec
        rs.desired = self.spec.replicas
        rs.max_replicas = self.spec.replicas + self.max_surge
        if old_size == size:
            return False
        rs.spec = size
        rs.available = min(rs.available, size)  # scaled-down pods are gone at once
        if operation is None:
            operation = "up" if old_size < size else "down"
        self._moves.append((rs.name, operation, size - old_size))
        self._record(f"Scaled {operation} replica set {rs.name} to {size} from {old_size}")
        return True

    # -- the loop --------------------------------------------------------------------------------

    def _signature(self) -> tuple[tuple[str, int, int | None], ...]:
        return tuple((rs.name, rs.spec, rs.desired) for rs in self.all_rs())

    def run(self) -> None:
        """Sync until a sync changes nothing (the rollout is complete or cannot move)."""
        history: list[tuple[str, tuple[tuple[str, str, int], ...]]] = []
        for _ in range(MAX_STEPS):
            before = (self.log.total, self._signature())
            record = self._sync_once()
            if (self.log.total, self._signature()) == before or self.spec.paused:
                return
            history.append(record)
            if self._fast_forward(history):
                history.clear()
        self.truncated = True

    def _sync_once(self) -> tuple[str, tuple[tuple[str, str, int], ...]]:
        """One sync, after the pods started by the previous one became available: what it did
        (`scale`, `recreate` or `rolling`) and the scales it made."""
        for rs in self.all_rs():
            rs.available = rs.spec
        self._moves = []
        kind = self.sync_deployment()
        return kind, tuple(self._moves)

    # -- long rollouts in closed form ------------------------------------------------------------

    def _fast_forward(self, history: list[tuple[str, tuple[tuple[str, str, int], ...]]]) -> bool:
        """Count a long regular stretch of the rollout instead of replaying it.

        Once the head of the step list is filled and the last `period` syncs repeat the same
        rolling syncs before them (the same scales of the same ReplicaSets by the same amounts:
        with maxSurge 1 and maxUnavailable 0, one pod up then one down), the stretch is skipped
        by as many whole cycles as keep every ReplicaSet in range, checked by replaying the cycle
        from the state after the jump. The check is exact: between syncs the state is the
        ReplicaSet sizes, every decision of rolling.go is a comparison of sums and differences of
        them with constants, and along the jump those move linearly, so a comparison that comes
        out the same before and after the jump comes out the same at every cycle between."""
        if self.log.total < STEPS_HEAD:
            return False
        for period in (1, 2, 3, 4):
            if len(history) < 2 * period:
                return False
            cycle = history[-period:]
            if cycle != history[-2 * period : -period]:
                continue
            if any(kind != "rolling" for kind, _ in cycle):
                return False
            delta: dict[str, int] = {}
            for _, moves in cycle:
                for name, _, change in moves:
                    delta[name] = delta.get(name, 0) + change
            if not any(delta.values()):
                return False
            per_cycle = sum(len(moves) for _, moves in cycle)
            cycles = self._cycles_in_range(delta) - (STEPS_TAIL // per_cycle + 2)
            while cycles > 0:
                if self._cycle_after(delta, cycles, period) == cycle:
                    self._jump(delta, cycles)
                    self.log.skip(cycles * per_cycle)
                    return True
                cycles //= 2
            return False
        return False

    def _cycles_in_range(self, delta: dict[str, int]) -> int:
        """Whole cycles of `delta` that keep every ReplicaSet between 0 and `replicas`."""
        bounds = []
        for rs in self.all_rs():
            change = delta.get(rs.name, 0)
            if change < 0:
                bounds.append(rs.spec // -change)
            elif change > 0:
                bounds.append(max(self.spec.replicas - rs.spec, 0) // change)
        return min(bounds, default=0)

    def _jump(self, delta: dict[str, int], cycles: int) -> None:
        for rs in self.all_rs():
            rs.spec += delta.get(rs.name, 0) * cycles
            rs.available = rs.spec

    def _cycle_after(
        self, delta: dict[str, int], cycles: int, period: int
    ) -> list[tuple[str, tuple[tuple[str, str, int], ...]]]:
        """The `period` syncs a copy of this simulation makes after jumping `cycles` cycles."""
        log, self.log = self.log, StepLog()
        try:
            probe = copy.deepcopy(self)
        finally:
            self.log = log
        probe._jump(delta, cycles)
        return [probe._sync_once() for _ in range(period)]

    def sync_deployment(self) -> str:
        """`syncDeployment`: paused or scaling event -> sync(); otherwise the strategy's rollout.
        Returns which of the three it ran."""
        if self.spec.paused or self.is_scaling_event():
            self.scale()
            return "scale"
        if self.spec.strategy == "Recreate":
            self.rollout_recreate()
            return "recreate"
        self.rollout_rolling()
        return "rolling"

    def is_scaling_event(self) -> bool:
        """`isScalingEvent` (sync.go): an active ReplicaSet annotated with another desired count."""
        return any(
            rs.desired is not None and rs.desired != self.spec.replicas
            for rs in self.all_rs()
            if rs.spec > 0
        )

    # -- sync.go scale ---------------------------------------------------------------------------

    def _active_or_latest(self) -> ReplicaSetState | None:
        """`FindActiveOrLatest` (deployment_util.go)."""
        if self.new is None and not self.old:
            return None
        newest_first = sorted(self.old, key=lambda rs: -rs.created)
        active = [rs for rs in [*newest_first, self.new] if rs is not None and rs.spec > 0]
        if not active:
            return self.new if self.new is not None else newest_first[0]
        return active[0] if len(active) == 1 else None

    def _is_saturated(self) -> bool:
        """`IsSaturated` (deployment_util.go)."""
        rs = self.new
        r = self.spec.replicas
        return rs is not None and rs.spec == r and rs.desired == r and rs.available == r

    def scale(self) -> None:
        """`scale` (sync.go): proportional scaling of every active ReplicaSet."""
        r = self.spec.replicas
        target = self._active_or_latest()
        if target is not None:
            if target.spec != r:
                self._scale(target, r)
            else:
                target.desired = r  # kubeplan: the next turn sees no scaling event (no pod moves)
            return
        if self._is_saturated():
            for rs in self.old:
                if rs.spec > 0:
                    self._scale(rs, 0)
            return
        if self.spec.strategy != "RollingUpdate":
            return
        active = [rs for rs in self.all_rs() if rs.spec > 0]
        allowed = r + self.max_surge if r > 0 else 0
        to_add = allowed - sum(rs.spec for rs in active)
        operation = ""
        if to_add > 0:  # ReplicaSetsBySizeNewer: larger first, newer first on ties
            active.sort(key=lambda rs: (-rs.spec, -rs.created))
            operation = "up"
        elif to_add < 0:  # ReplicaSetsBySizeOlder: larger first, older first on ties
            active.sort(key=lambda rs: (-rs.spec, rs.created))
            operation = "down"
        status_replicas = sum(rs.spec for rs in self.all_rs())
        sizes: dict[int, int] = {}
        added = 0
        for rs in active:
            if to_add != 0:
                fraction = rm.replica_set_fraction(
                    rs.spec, r, self.max_surge, rs.max_replicas, status_replicas
                )
                share = rm.proportion(rs.spec, fraction, to_add, added)
                sizes[id(rs)] = rs.spec + share
                added += share
            else:
                sizes[id(rs)] = rs.spec
        for index, rs in enumerate(active):
            size = sizes[id(rs)]
            if index == 0 and to_add != 0:  # the leftover goes to the first, floored at 0
                size = max(size + to_add - added, 0)
            self._scale(rs, size, operation or None)

    # -- recreate.go -----------------------------------------------------------------------------

    def rollout_recreate(self) -> None:
        """`rolloutRecreate`: every old ReplicaSet to 0; once their pods are gone, the new one."""
        scaled = False
        for rs in self.old:
            if rs.spec > 0:
                scaled = self._scale(rs, 0) or scaled
        if scaled:
            return  # the old pods terminate before the next sync (oldPodsRunning)
        if self.new is None:
            self._create_new_rs()
        if self.new is not None:
            self._scale(self.new, self.spec.replicas)

    # -- rolling.go ------------------------------------------------------------------------------

    def _create_new_rs(self) -> None:
        """`getNewReplicaSet` with createIfNotExisted: the new ReplicaSet starts at NewRSNewReplicas."""
        created = max((rs.created for rs in self.old), default=-1) + 1
        rs = ReplicaSetState(self.new_name, 0, 0, created)
        all_replicas = sum(r.spec for r in self.old)
        size = rm.new_rs_new_replicas(
            self.spec.strategy, self.spec.replicas, self.spec.max_surge, all_replicas, 0
        )
        rs.spec = size
        rs.desired = self.spec.replicas
        rs.max_replicas = self.spec.replicas + self.max_surge
        self.new = rs
        if size > 0:
            self._moves.append((rs.name, "create", size))
            self._record(f"Scaled up replica set {rs.name} to {size}")

    def rollout_rolling(self) -> None:
        """`rolloutRolling`: scale the new ReplicaSet up if it may; otherwise old ones down."""
        if self.new is None:
            self._create_new_rs()
        if self.reconcile_new_replica_set():
            return
        self.reconcile_old_replica_sets()

    def reconcile_new_replica_set(self) -> bool:
        assert self.new is not None
        r = self.spec.replicas
        if self.new.spec == r:
            return False
        if self.new.spec > r:
            return self._scale(self.new, r)
        size = rm.new_rs_new_replicas(
            self.spec.strategy,
            r,
            self.spec.max_surge,
            sum(rs.spec for rs in self.all_rs()),
            self.new.spec,
        )
        return self._scale(self.new, size)

    def reconcile_old_replica_sets(self) -> bool:
        assert self.new is not None
        active_old = [rs for rs in self.old if rs.spec > 0]
        if sum(rs.spec for rs in active_old) == 0:
            return False
        all_pods = sum(rs.spec for rs in self.all_rs())
        min_available = self.min_available
        new_unavailable = self.new.spec - self.new.available
        max_scaled_down = all_pods - min_available - new_unavailable
        if max_scaled_down <= 0:
            return False
        cleaned = self.cleanup_unhealthy_replicas(active_old, max_scaled_down)
        scaled = self.scale_down_old_replica_sets(active_old)
        return cleaned + scaled > 0

    def cleanup_unhealthy_replicas(self, old: list[ReplicaSetState], max_cleanup: int) -> int:
        """`cleanupUnhealthyReplicas`: cut unavailable old pods first, oldest ReplicaSet first."""
        total = 0
        for rs in sorted(old, key=lambda rs: rs.created):
            if total >= max_cleanup:
                break
            if rs.spec == 0 or rs.spec == rs.available:
                continue
            cut = min(max_cleanup - total, rs.spec - rs.available)
            status_available = rs.available
            self._scale(rs, rs.spec - cut)
            rs.available = status_available  # the controller still sees the old status
            total += cut
        return total

    def scale_down_old_replica_sets(self, old: list[ReplicaSetState]) -> int:
        """`scaleDownOldReplicaSetsForRollingUpdate`: keep at least replicas - maxUnavailable
        available, oldest ReplicaSet first."""
        min_available = self.min_available
        available = sum(rs.available for rs in self.all_rs())
        if available <= min_available:
            return 0
        total_to_cut = available - min_available
        total = 0
        for rs in sorted(old, key=lambda rs: rs.created):
            if total >= total_to_cut:
                break
            if rs.spec == 0:
                continue
            cut = min(rs.spec, total_to_cut - total)
            self._scale(rs, rs.spec - cut)
            total += cut
        return total


# -- From manifests ------------------------------------------------------------------------------


HASH_LABEL = "pod-template-hash"  # apps.DefaultDeploymentUniqueLabelKey


def _template_ignoring_hash(body: dict[str, Any]) -> Any:
    """The pod template without the pod-template-hash label: `EqualIgnoreHash`
    (deployment_util.go) compares templates this way to find the new ReplicaSet."""
    template = template_of(body, "spec", "template")
    labels = as_dict(as_dict(template).get("metadata")).get("labels")
    if not isinstance(labels, dict) or HASH_LABEL not in labels:
        return template
    metadata = {
        **template["metadata"],
        "labels": {k: v for k, v in labels.items() if k != HASH_LABEL},
    }
    return {**template, "metadata": metadata}


def _rs_annotation_max(replicas: int, strategy: str, surge: Any, unavailable: Any) -> int:
    try:
        return replicas + rm.deployment_max_surge(strategy, replicas, surge, unavailable)
    except intstr.IntOrStringError:
        return replicas


def plan_deployment(
    old: dict[str, Any] | None, new: dict[str, Any], resource: Resource
) -> Rollout | None:
    spec = as_dict(new.get("spec"))
    name = resource.name or "deployment"
    replicas = int_or(spec.get("replicas"), 1)
    strategy_block = as_dict(spec.get("strategy"))
    strategy = strategy_block.get("type") or "RollingUpdate"
    rolling = as_dict(strategy_block.get("rollingUpdate"))
    surge_raw, unavailable_raw = rolling.get("maxSurge"), rolling.get("maxUnavailable")
    paused = spec.get("paused") is True
    new_template = _template_ignoring_hash(new)
    new_name = replica_set_name(name, new_template)
    rollout = Rollout(resource, strategy, replicas, None, None)
    rejection = _deployment_strategy_rejection(strategy_block)
    if rejection is not None:
        rollout.summary = "rejected by the API server: invalid strategy"
        rollout.notes.append(rejection)
        return rollout
    try:
        d_spec = DeploymentSpec(replicas, strategy, surge_raw, unavailable_raw, paused)
        sim_old: list[ReplicaSetState] = []
        sim_new: ReplicaSetState | None = None
        old_replicas = 0
        template_changed = True
        if old is not None:
            old_spec = as_dict(old.get("spec"))
            old_replicas = int_or(old_spec.get("replicas"), 1)
            old_strategy = as_dict(old_spec.get("strategy"))
            old_rolling = as_dict(old_strategy.get("rollingUpdate"))
            annotated_max = _rs_annotation_max(
                old_replicas,
                old_strategy.get("type") or "RollingUpdate",
                old_rolling.get("maxSurge"),
                old_rolling.get("maxUnavailable"),
            )
            old_template = _template_ignoring_hash(old)
            template_changed = old_template != new_template
            state = ReplicaSetState(
                replica_set_name(name, old_template),
                old_replicas,
                old_replicas,
                0,
                desired=old_replicas,
                max_replicas=annotated_max,
            )
            if template_changed:
                sim_old = [state]
            else:
                sim_new = state  # FindNewReplicaSet: the existing ReplicaSet has this template
        if old is not None and not template_changed and old_replicas == replicas:
            return None
        sim = Simulation(d_spec, sim_old, sim_new, new_name)
    except intstr.IntOrStringError as error:
        rollout.summary = "cannot plan: the API server rejects this strategy"
        rollout.notes.append(f"spec.strategy.rollingUpdate: {error}")
        return rollout
    sim.run()
    rollout.max_surge, rollout.max_unavailable = sim.max_surge, sim.max_unavailable
    rollout.set_steps(sim.log)
    if sim.truncated:
        rollout.notes.append(
            f"stopped after {MAX_STEPS} controller syncs: the rollout did not converge"
        )
    rollout.summary = _deployment_summary(
        sim, old is not None, old_replicas, template_changed, paused
    )
    if paused and template_changed and old is not None:
        rollout.notes.append(
            "paused: the new template is held; no ReplicaSet is created and no pod replaced until"
            " `kubectl rollout resume` (pkg/controller/deployment/sync.go sync)"
        )
    if template_changed and old is not None and not paused and old_replicas != replicas:
        rollout.notes.append(
            f"replicas change from {old_replicas} to {replicas} together with the template: the"
            " controller first scales the running ReplicaSet (a scaling event, sync.go scale),"
            " then rolls out"
        )
    if strategy == "Recreate" and template_changed and old is not None and not paused:
        rollout.notes.append(
            f"Recreate: all {old_replicas} old pods stop before any new pod starts; the workload"
            " is down in between (pkg/controller/deployment/recreate.go)"
        )
    rollout.timing.extend(timing_notes(spec, deadline=True))
    return rollout


def _deployment_strategy_rejection(strategy: dict[str, Any]) -> str | None:
    """The rules of `ValidateDeploymentStrategy` / `ValidateRollingUpdateDeployment`
    (pkg/apis/apps/validation/validation.go) that leave the controller nothing to roll."""
    rolling = strategy.get("rollingUpdate")
    if strategy.get("type") == "Recreate":
        if rolling is not None:
            return (
                "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy"
                " `type` is 'Recreate'"
            )
        return None
    rolling = as_dict(rolling)
    surge = intstr.int_or_percent_value(rolling.get("maxSurge"))
    unavailable = intstr.int_or_percent_value(rolling.get("maxUnavailable"))
    if surge == 0 and unavailable == 0:
        return (
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: may not be 0 when"
            " `maxSurge` is 0"
        )
    value = rolling.get("maxUnavailable")
    if isinstance(value, str) and unavailable is not None and unavailable > 100:
        return (
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: must not be greater"
            " than 100%"
        )
    return None


def deployment_status_note(rollout: Rollout, old: dict[str, Any], status: dict[str, Any]) -> None:
    """Say so when the live status shows the previous rollout still under way."""
    if not status:
        return
    wanted = int_or(as_dict(old.get("spec")).get("replicas"), 1)
    current = int_or(status.get("replicas"), wanted)
    updated = int_or(status.get("updatedReplicas"), wanted)
    available = int_or(status.get("availableReplicas"), wanted)
    if updated < wanted or current > wanted or available < wanted:
        rollout.notes.append(
            unfinished_note(
                "Deployment",
                f"{updated} of {wanted} pods updated, {current} running, {available} available",
            )
        )


def _deployment_summary(
    sim: Simulation, existed: bool, old_replicas: int, template_changed: bool, paused: bool
) -> str:
    r = sim.spec.replicas
    steps = plural(sim.log.total, "step")
    if paused:
        if not existed:
            return "paused: creates no ReplicaSet and no pod until it is resumed"
        moved = f"; scales to {r} pods" if sim.log.total else ""
        return f"paused: no pod is replaced until it is resumed{moved}"
    if not existed:
        return f"creates {plural(r, 'pod')}"
    if not template_changed:
        return f"scales from {old_replicas} to {r} pods; no pod is replaced"
    if sim.spec.strategy == "Recreate":
        return f"recreates {plural(r, 'pod')} in {steps}: every old pod stops first"
    return (
        f"rolls {plural(r, 'pod')} in {steps}: surge {sim.max_surge} (at most"
        f" {plural(r + sim.max_surge, 'pod')}), unavailable {sim.max_unavailable} (at least"
        f" {r - sim.max_unavailable} available)"
    )
