"""The arithmetic the workload controllers use to bound a rollout, as pure functions.

Each function names the Go function it mirrors (paths in kubernetes/kubernetes). The unit tests in
tests/test_rollout_math.py replay the Go unit tests' tables case by case.
"""

from __future__ import annotations

import math
from typing import Any

from kubeplan.kube.intstr import scaled_value


def resolve_fenceposts(max_surge: Any, max_unavailable: Any, desired: int) -> tuple[int, int]:
    """`ResolveFenceposts` (pkg/controller/deployment/util/deployment_util.go).

    A nil value counts as 0; surge rounds up, unavailable rounds down; both 0 makes unavailable 1
    (so that a rollout can always make progress)."""
    surge = scaled_value(0 if max_surge is None else max_surge, desired, round_up=True)
    unavailable = scaled_value(0 if max_unavailable is None else max_unavailable, desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def deployment_max_unavailable(
    strategy: str, replicas: int, max_surge: Any, max_unavailable: Any
) -> int:
    """`MaxUnavailable` (deployment_util.go): 0 unless RollingUpdate with replicas > 0, and never
    more than replicas."""
    if strategy != "RollingUpdate" or replicas == 0:
        return 0
    _, unavailable = resolve_fenceposts(max_surge, max_unavailable, replicas)
    return min(unavailable, replicas)


def deployment_max_surge(strategy: str, replicas: int, max_surge: Any, max_unavailable: Any) -> int:
    """`MaxSurge` (deployment_util.go): 0 unless RollingUpdate; not clamped."""
    if strategy != "RollingUpdate":
        return 0
    surge, _ = resolve_fenceposts(max_surge, max_unavailable, replicas)
    return surge


def deployment_min_available(
    strategy: str, replicas: int, max_surge: Any, max_unavailable: Any
) -> int:
    """`MinAvailable` (deployment_util.go): replicas - MaxUnavailable for RollingUpdate, else 0."""
    if strategy != "RollingUpdate":
        return 0
    return replicas - deployment_max_unavailable(strategy, replicas, max_surge, max_unavailable)


def new_rs_new_replicas(
    strategy: str, replicas: int, max_surge: Any, all_rs_replicas: int, new_rs_replicas: int
) -> int:
    """`NewRSNewReplicas` (deployment_util.go): how far the new ReplicaSet may grow now.

    RollingUpdate: up to `replicas + maxSurge` pods in total (`all_rs_replicas` is the sum of
    spec.replicas over every ReplicaSet), never past `replicas`. Recreate: straight to replicas.
    maxSurge is resolved directly here (rounding up), as the Go code does."""
    if strategy == "Recreate":
        return replicas
    surge = scaled_value(0 if max_surge is None else max_surge, replicas, round_up=True)
    max_total = replicas + surge
    if all_rs_replicas >= max_total:
        return new_rs_replicas
    scale_up = min(max_total - all_rs_replicas, replicas - new_rs_replicas)
    return new_rs_replicas + scale_up


def round_half_away(value: float) -> int:
    """`integer.RoundToInt32` (k8s.io/utils/integer): math.Round, half away from zero.

    Python's round() rounds half to even and would differ on .5."""
    return math.floor(value + 0.5) if value >= 0 else -math.floor(-value + 0.5)


def replica_set_fraction(
    rs_replicas: int,
    deployment_replicas: int,
    max_surge: int,
    annotated_max: int | None,
    status_replicas: int,
) -> int:
    """`getReplicaSetFraction` (deployment_util.go): the share of a scaling event one ReplicaSet takes.

    `annotated_max` is the ReplicaSet's `deployment.kubernetes.io/max-replicas` annotation (None
    when missing); `max_surge` is the resolved MaxSurge of the scaled Deployment."""
    if deployment_replicas == 0:
        return -rs_replicas
    deployment_max = deployment_replicas + max_surge
    before = annotated_max
    if not before:
        # Missing or zero annotation: fall back to the Deployment's status.replicas.
        before = status_replicas
        if before == 0:
            return 0
    return round_half_away(rs_replicas * deployment_max / before) - rs_replicas


def proportion(rs_replicas: int, fraction: int, to_add: int, added: int) -> int:
    """`GetProportion` (deployment_util.go): the fraction, clamped to what is left to add/remove."""
    if rs_replicas == 0 or to_add == 0 or to_add == added:
        return 0
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def daemonset_counts(max_surge: Any, max_unavailable: Any, desired: int) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) of a DaemonSet rollout over `desired` nodes.

    `SurgeCount`/`UnavailableCount` (pkg/controller/daemon/util/daemonset_util.go) both round UP,
    unlike a Deployment; `updatedDesiredNodeCounts` (pkg/controller/daemon/update.go) falls back to
    unavailable 1 when both are 0 and there is a node to run on."""
    surge = scaled_value(0 if max_surge is None else max_surge, desired, round_up=True)
    unavailable = scaled_value(
        0 if max_unavailable is None else max_unavailable, desired, round_up=True
    )
    if desired > 0 and surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def statefulset_max_unavailable(max_unavailable: Any, replicas: int) -> int:
    """`getStatefulSetMaxUnavailable` (pkg/controller/statefulset/stateful_set_utils.go).

    nil means 1; a percentage rounds DOWN; the result is never below 1."""
    value = 1 if max_unavailable is None else max_unavailable
    resolved = scaled_value(value, replicas, round_up=False)
    return max(resolved, 1)
