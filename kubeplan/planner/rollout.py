"""The rollout that applying a workload starts, as the sequence of actions its controller takes.

`plan_rollout(old, new, kubernetes_version=..., nodes=..., autoscaled=...)` compares the two
revisions as the API server stores them (`normalise`: server defaults such as 25%/25% and
replicas 1 applied) and replays the controller:

- Deployment: kubeplan/planner/rollout_deployment.py (rolling.go, recreate.go, sync.go);
- StatefulSet: kubeplan/planner/rollout_statefulset.py (stateful_set_control.go);
- DaemonSet: kubeplan/planner/rollout_daemonset.py (daemon/update.go);
- ReplicaSet / ReplicationController, Job, CronJob: what the change does, here.

The model assumes every new pod becomes ready at once and every old one terminates at once, and
that the old revision had finished rolling out. Paths cited are in kubernetes/kubernetes.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from kubeplan.model import Resource
from kubeplan.planner import rollout_daemonset, rollout_statefulset
from kubeplan.planner import rollout_math as rm
from kubeplan.planner.normalise import normalise
from kubeplan.planner.rollout_deployment import DeploymentSpec, ReplicaSetState, Simulation
from kubeplan.planner.rollout_model import MAX_STEPS, Rollout, RolloutStep

__all__ = ["DEFAULT_NODES", "Rollout", "RolloutStep", "plan_rollout", "replica_set_name"]

# Nodes assumed for a DaemonSet when the caller does not say (`--nodes N`); every rollout that
# uses it says so in its notes.
DEFAULT_NODES = 3

# MaxUnavailableStatefulSet: alpha (off by default) in 1.24, beta (on by default) in 1.35
# (pkg/features/kube_features.go, versioned feature specs).
STATEFULSET_MAX_UNAVAILABLE_DEFAULT_ON = (1, 35)
# DaemonSetUpdateSurge: GA (locked on) in 1.25 (pkg/features/kube_features.go).
DAEMONSET_SURGE_GA = (1, 25)

_APPS_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")

_HASH_ALPHABET = (
    "bcdfghjklmnpqrstvwxz2456789"  # the safe-encoding alphabet of rand.SafeEncodeString
)


def replica_set_name(name: str, template: Any) -> str:
    """`<name>-<hash>` for the ReplicaSet of a pod template.

    A stable placeholder, NOT the cluster's pod-template-hash: that one is FNV-32a over Go's `%v`
    dump of the PodTemplateSpec (pkg/controller/controller_utils.go ComputeHash) and cannot be
    reproduced offline. This one is 10 characters from a SHA-256 of the template's canonical JSON,
    in the same alphabet, so equal templates get equal names and different ones differ."""
    text = json.dumps(template, sort_keys=True, separators=(",", ":"), default=str)
    digest = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    chars = []
    for _ in range(10):
        digest, index = divmod(digest, len(_HASH_ALPHABET))
        chars.append(_HASH_ALPHABET[index])
    return f"{name}-{''.join(chars)}"


def parse_version(text: str) -> tuple[int, int]:
    """`1.33`, `v1.33.2` -> (1, 33); anything unreadable counts as the newest."""
    match = re.match(r"^v?(\d+)\.(\d+)", text.strip())
    return (int(match[1]), int(match[2])) if match else (1, 99)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _ordinals(values: list[int]) -> str:
    """`ordinal 2`, `ordinals 0, 1`."""
    word = "ordinal" if len(values) == 1 else "ordinals"
    return f"{word} {', '.join(str(v) for v in values)}"


def _verb(values: list[int], verb: str) -> str:
    """The verb agreeing with `_ordinals(values)`: `waits` / `wait`."""
    return f"{verb}s" if len(values) == 1 else verb


def plan_rollout(
    old: Resource | None,
    new: Resource,
    *,
    kubernetes_version: str,
    nodes: int | None = None,
    autoscaled: bool = False,
    old_body: dict[str, Any] | None = None,
    new_body: dict[str, Any] | None = None,
) -> Rollout | None:
    """The rollout that applying `new` over `old` starts, or None when its pods do not change.

    Whether pods change is decided by the caller (the diff says the template changed); this
    function is called for a Deployment/StatefulSet/DaemonSet/ReplicaSet/Job/CronJob whose pod
    template changed, or whose replicas changed (a pure scale: steps show the scale). `old` is
    None when the object is created. A StatefulSet whose partition is lowered also rolls pods
    (those between the new and the old partition), with an unchanged template.

    `old_body`/`new_body` may pass the bodies already normalised (a diff `Pair` has them), which
    saves normalising them again; by default they are computed from the resources."""
    version = parse_version(kubernetes_version)
    if old_body is None and old is not None:
        old_body = normalise(old)
    if new_body is None:
        new_body = normalise(new)
    kind = new.kind
    if (new.group, kind) not in _CONTROLLED:
        return None  # a custom resource of the same kind name: its controller is unknown
    status = live_status(old)
    if kind == "Deployment":
        rollout = _deployment(old_body, new_body, new)
        if rollout is not None and old_body is not None:
            _deployment_status_note(rollout, old_body, status)
    elif kind == "StatefulSet":
        rollout = _statefulset(old_body, new_body, new, version)
        current, update = status.get("currentRevision"), status.get("updateRevision")
        if rollout is not None and current and update and current != update:
            rollout.notes.append(
                _unfinished_note(
                    "StatefulSet", f"currentRevision {current}, updateRevision {update}"
                )
            )
    elif kind == "DaemonSet":
        rollout = _daemonset(old_body, new_body, new, version, nodes, status)
    elif kind in ("ReplicaSet", "ReplicationController"):
        rollout = _replicaset(old_body, new_body, new)
    elif kind == "Job":
        rollout = _job(old_body, new_body, new)
    else:
        rollout = _cronjob(old_body, new_body, new)
    if rollout is not None and autoscaled and kind in _SCALABLE:
        rollout.notes.append(_hpa_note(new))
    return rollout


# (group, kind) of the objects whose controller kubeplan replays; extensions/v1beta1 workloads
# are still read (older dumps) with the same controllers.
_CONTROLLED = frozenset(
    {(group, kind) for group in ("apps", "extensions") for kind in _APPS_KINDS}
    | {("", "ReplicationController"), ("batch", "Job"), ("batch", "CronJob")}
)
_SCALABLE = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")


def _hpa_note(new: Resource) -> str:
    spec = _dict(new.body.get("spec"))
    if "replicas" in spec:
        return (
            f"a HorizontalPodAutoscaler targets this workload: applying spec.replicas"
            f" ({spec['replicas']}) resets the count the autoscaler chose, and the two fight over"
            " it; leave replicas out of the manifest"
        )
    return (
        "a HorizontalPodAutoscaler targets this workload; the manifest leaves replicas to it, so"
        " the pod counts above are the manifest's default, not the live count"
    )


def live_status(resource: Resource | None) -> dict[str, Any]:
    """The status of an object read from the cluster (a `kubectl get -o yaml` dump as the base),
    which the loader sets aside; empty for a manifest."""
    if resource is None:
        return {}
    status = resource.server_fields.get("status")
    if not isinstance(status, dict):
        status = resource.body.get("status")
    return status if isinstance(status, dict) else {}


def _unfinished_note(kind: str, detail: str) -> str:
    return (
        f"the live {kind} has not finished its previous rollout ({detail}); the steps above"
        " assume it had, so the first ones may differ"
    )


def _template(body: dict[str, Any] | None, *path: str) -> Any:
    node: Any = body
    for key in path:
        node = _dict(node).get(key)
    return node


def _timing_notes(spec: dict[str, Any], deadline: bool) -> list[str]:
    min_ready = _int(spec.get("minReadySeconds"), 0)
    notes = [
        f"minReadySeconds {min_ready}: a new pod counts as available {min_ready}s after it is"
        " ready, and each step waits for that"
        if min_ready
        else "minReadySeconds 0: a new pod counts as available as soon as it is ready"
    ]
    if deadline:
        pds = _int(spec.get("progressDeadlineSeconds"), 600)
        notes.append(
            f"progressDeadlineSeconds {pds}: if no step completes for {pds}s the Deployment is"
            " marked ProgressDeadlineExceeded; nothing is rolled back"
            " (pkg/controller/deployment/progress.go)"
        )
    return notes


# -- Deployment -----------------------------------------------------------------------------------


def _rs_annotation_max(replicas: int, strategy: str, surge: Any, unavailable: Any) -> int:
    try:
        return replicas + rm.deployment_max_surge(strategy, replicas, surge, unavailable)
    except rm.IntOrStringError:
        return replicas


def _deployment(
    old: dict[str, Any] | None, new: dict[str, Any], resource: Resource
) -> Rollout | None:
    spec = _dict(new.get("spec"))
    name = resource.name or "deployment"
    replicas = _int(spec.get("replicas"), 1)
    strategy_block = _dict(spec.get("strategy"))
    strategy = strategy_block.get("type") or "RollingUpdate"
    rolling = _dict(strategy_block.get("rollingUpdate"))
    surge_raw, unavailable_raw = rolling.get("maxSurge"), rolling.get("maxUnavailable")
    paused = spec.get("paused") is True
    new_template = _template(new, "spec", "template")
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
            old_spec = _dict(old.get("spec"))
            old_replicas = _int(old_spec.get("replicas"), 1)
            old_strategy = _dict(old_spec.get("strategy"))
            old_rolling = _dict(old_strategy.get("rollingUpdate"))
            annotated_max = _rs_annotation_max(
                old_replicas,
                old_strategy.get("type") or "RollingUpdate",
                old_rolling.get("maxSurge"),
                old_rolling.get("maxUnavailable"),
            )
            old_template = _template(old, "spec", "template")
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
    except rm.IntOrStringError as error:
        rollout.summary = "cannot plan: the API server rejects this strategy"
        rollout.notes.append(f"spec.strategy.rollingUpdate: {error}")
        return rollout
    sim.run()
    rollout.max_surge, rollout.max_unavailable = sim.max_surge, sim.max_unavailable
    rollout.steps = sim.steps
    if sim.truncated:
        rollout.notes.append(f"stopped after {MAX_STEPS} steps: the rollout did not converge")
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
    rollout.notes.extend(_timing_notes(spec, deadline=True))
    return rollout


def _percent_number(value: Any) -> int | None:
    """An int-or-percent taken by its number (`25%` -> 25), as `getIntOrPercentValue` does."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        return int(value[:-1])
    return None


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
    rolling = _dict(rolling)
    surge = _percent_number(rolling.get("maxSurge"))
    unavailable = _percent_number(rolling.get("maxUnavailable"))
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


def _deployment_status_note(rollout: Rollout, old: dict[str, Any], status: dict[str, Any]) -> None:
    """Say so when the live status shows the previous rollout still under way."""
    if not status:
        return
    wanted = _int(_dict(old.get("spec")).get("replicas"), 1)
    current = _int(status.get("replicas"), wanted)
    updated = _int(status.get("updatedReplicas"), wanted)
    available = _int(status.get("availableReplicas"), wanted)
    if updated < wanted or current > wanted or available < wanted:
        rollout.notes.append(
            _unfinished_note(
                "Deployment",
                f"{updated} of {wanted} pods updated, {current} running, {available} available",
            )
        )


def _deployment_summary(
    sim: Simulation, existed: bool, old_replicas: int, template_changed: bool, paused: bool
) -> str:
    r = sim.spec.replicas
    steps = _plural(len(sim.steps), "step")
    if paused:
        if not existed:
            return "paused: creates no ReplicaSet and no pod until it is resumed"
        moved = f"; scales to {r} pods" if sim.steps else ""
        return f"paused: no pod is replaced until it is resumed{moved}"
    if not existed:
        return f"creates {_plural(r, 'pod')}"
    if not template_changed:
        return f"scales from {old_replicas} to {r} pods; no pod is replaced"
    if sim.spec.strategy == "Recreate":
        return f"recreates {_plural(r, 'pod')} in {steps}: every old pod stops first"
    return (
        f"rolls {_plural(r, 'pod')} in {steps}: surge {sim.max_surge} (at most"
        f" {_plural(r + sim.max_surge, 'pod')}), unavailable {sim.max_unavailable} (at least"
        f" {r - sim.max_unavailable} available)"
    )


# -- StatefulSet ----------------------------------------------------------------------------------


def _statefulset(
    old: dict[str, Any] | None, new: dict[str, Any], resource: Resource, version: tuple[int, int]
) -> Rollout | None:
    spec = _dict(new.get("spec"))
    name = resource.name or "statefulset"
    replicas = _int(spec.get("replicas"), 1)
    update = _dict(spec.get("updateStrategy"))
    strategy = update.get("type") or "RollingUpdate"
    rolling = _dict(update.get("rollingUpdate"))
    partition = _int(rolling.get("partition"), 0)
    parallel = spec.get("podManagementPolicy") == "Parallel"
    start = _int(_dict(spec.get("ordinals")).get("start"), 0)
    notes: list[str] = []
    batch = 1
    raw_unavailable = rolling.get("maxUnavailable")
    gate_on = version >= STATEFULSET_MAX_UNAVAILABLE_DEFAULT_ON
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
        elif raw_unavailable is not None:
            notes.append(
                f"maxUnavailable {raw_unavailable} is ignored: the MaxUnavailableStatefulSet"
                " feature is alpha and off by default before 1.35, so pods update one at a time"
            )
    pods: dict[int, str] = {}
    old_replicas = 0
    template_changed = True
    if old is not None:
        old_spec = _dict(old.get("spec"))
        old_replicas = _int(old_spec.get("replicas"), 1)
        template_changed = _template(old, "spec", "template") != _template(new, "spec", "template")
        old_partition = _int(
            _dict(_dict(old_spec.get("updateStrategy")).get("rollingUpdate")).get("partition"), 0
        )
        old_start = _int(_dict(old_spec.get("ordinals")).get("start"), 0)
        lowered = strategy == "RollingUpdate" and partition < old_partition
        for ordinal in range(old_start, old_start + old_replicas):
            outdated = template_changed or (lowered and ordinal < old_start + old_partition)
            pods[ordinal] = (
                rollout_statefulset.OUTDATED if outdated else rollout_statefulset.UPDATED
            )
        if not template_changed and lowered:
            notes.append(
                f"partition lowered from {old_partition} to {partition}: kubeplan assumes the"
                f" ordinals below {old_partition} still run the previous template"
            )
    plan = rollout_statefulset.StatefulSetPlan(
        name, replicas, strategy, partition, parallel, batch, start
    )
    steps, waiting = rollout_statefulset.simulate(plan, pods)
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
        parts.append(f"creates {_plural(replicas, 'pod')} ({policy})")
    elif old_replicas != replicas:
        parts.append(f"scales from {old_replicas} to {replicas} pods ({policy})")
    if updated:
        how = "one at a time" if batch == 1 else f"{batch} at a time"
        order = f", highest first, {how}" if len(updated) > 1 else ""
        parts.append(f"updates {_ordinals(updated)}{order}")
    if waiting:
        if strategy == "OnDelete":
            parts.append(f"{_ordinals(waiting)} {_verb(waiting, 'wait')} to be deleted (OnDelete)")
            rollout.notes.append(
                "OnDelete: the controller replaces no pod for an update; a pod gets the new"
                " template only when it is deleted (by hand) or created by a scale-up"
            )
        else:
            parts.append(
                f"{_ordinals(waiting)} {_verb(waiting, 'wait')} for the partition ({partition})"
            )
            lowest = waiting[0] - start
            rollout.notes.append(
                f"partition {partition}: {_ordinals(waiting)} {_verb(waiting, 'keep')} the old"
                f" template until the partition is lowered to {lowest}"
                + (" or below" if lowest else "")
                + (
                    f"; ordinals {start + partition} and up are updated now"
                    if partition < replicas
                    else ""
                )
            )
    rollout.summary = "; ".join(parts) if parts else "no pod changes"
    rollout.notes.extend(_timing_notes(spec, deadline=False))
    return rollout


# -- DaemonSet ------------------------------------------------------------------------------------


def _daemonset(
    old: dict[str, Any] | None,
    new: dict[str, Any],
    resource: Resource,
    version: tuple[int, int],
    nodes: int | None,
    status: dict[str, Any] | None = None,
) -> Rollout | None:
    spec = _dict(new.get("spec"))
    update = _dict(spec.get("updateStrategy"))
    strategy = update.get("type") or "RollingUpdate"
    rolling = _dict(update.get("rollingUpdate"))
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
            _unfinished_note("DaemonSet", f"{updated} of {desired} nodes run the current pod")
        )
    if nodes is None:
        nodes = DEFAULT_NODES
        notes.append(
            f"assumed {nodes} nodes run this DaemonSet (pass --nodes N for your cluster);"
            " percentages are resolved against that"
        )
    if old is not None and _template(old, "spec", "template") == _template(new, "spec", "template"):
        return None
    rollout = Rollout(resource, strategy, nodes, None, None, notes=notes)
    if old is None:
        rollout.steps = [RolloutStep(f"start a pod on each of {nodes} nodes", nodes=nodes)]
        rollout.summary = f"creates a pod on each of {nodes} nodes"
        rollout.notes.extend(_timing_notes(spec, deadline=False))
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
        raw_surge_n = rm.scaled_value(surge_raw or 0, 100, True)
        raw_unavailable_n = rm.scaled_value(unavailable_raw or 0, 100, True)
    except rm.IntOrStringError as error:
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
    if surge and version < DAEMONSET_SURGE_GA:
        notes.append("maxSurge needs the DaemonSetUpdateSurge feature, GA only from 1.25")
    rollout.max_surge, rollout.max_unavailable = surge, unavailable
    rollout.steps = rollout_daemonset.simulate(nodes, surge, unavailable)
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
    rollout.notes.extend(_timing_notes(spec, deadline=False))
    return rollout


# -- ReplicaSet, Job, CronJob ---------------------------------------------------------------------


def _replicaset(
    old: dict[str, Any] | None, new: dict[str, Any], resource: Resource
) -> Rollout | None:
    spec = _dict(new.get("spec"))
    replicas = _int(spec.get("replicas"), 1)
    old_replicas = _int(_dict(old.get("spec")).get("replicas"), 1) if old is not None else 0
    template_changed = old is None or _template(old, "spec", "template") != _template(
        new, "spec", "template"
    )
    rollout = Rollout(resource, "NoRollout", replicas, None, None)
    kind = "replica set" if resource.kind == "ReplicaSet" else "replication controller"
    if old_replicas != replicas:
        operation = "up" if old_replicas < replicas else "down"
        rollout.steps.append(
            RolloutStep(
                f"Scaled {operation} {kind} {resource.name} to {replicas} from {old_replicas}",
                old=0,  # as a Deployment's pure scale: no old ReplicaSet, this one is scaled
                new=replicas,
            )
        )
    if old is None:
        rollout.summary = f"creates {_plural(replicas, 'pod')}"
    elif template_changed:
        rollout.summary = "running pods keep the old template; no pod is replaced"
        rollout.notes.append(
            f"a {resource.kind} does not roll out: only pods it creates from now on (scale-up,"
            " replacements of failed or deleted pods) use the new template"
            " (pkg/controller/replicaset/replica_set.go only reconciles counts)"
        )
    elif rollout.steps:
        rollout.summary = f"scales from {old_replicas} to {replicas} pods"
    else:
        return None
    return rollout


def _job(old: dict[str, Any] | None, new: dict[str, Any], resource: Resource) -> Rollout:
    spec = _dict(new.get("spec"))
    if old is None:
        rollout = Rollout(resource, "Job", None, None, None)
        completions = spec.get("completions")
        parallelism = _int(spec.get("parallelism"), 1)
        runs = f"{completions} completions" if completions is not None else "until one succeeds"
        rollout.summary = f"creates the Job: runs {runs}, {parallelism} pod(s) at a time"
        return rollout
    rollout = Rollout(resource, "Rejected", None, None, None)
    rollout.summary = "rejected: a Job's spec.template is immutable"
    rollout.notes.append(
        "spec.template: field is immutable (pkg/apis/batch/validation/validation.go"
        " ValidateJobSpecUpdate); delete the Job and create it again"
    )
    rollout.notes.append(
        "exception: while the Job is suspended and has never started, nodeSelector, affinity,"
        " tolerations, schedulingGates and the template's labels and annotations may change"
        " (pkg/registry/batch/job/strategy.go)"
    )
    return rollout


def _cronjob(old: dict[str, Any] | None, new: dict[str, Any], resource: Resource) -> Rollout:
    rollout = Rollout(resource, "NextRun", None, None, None)
    if old is None:
        rollout.summary = "creates the CronJob: its first Job starts at the next scheduled time"
        return rollout
    rollout.summary = "next run only: Jobs already created keep the old template"
    rollout.notes.append(
        "the CronJob controller copies spec.jobTemplate into each Job it creates"
        " (pkg/controller/cronjob/utils.go getJobFromTemplate2); running Jobs are not changed"
    )
    return rollout
