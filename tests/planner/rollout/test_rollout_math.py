"""The controllers' arithmetic, replayed against the Kubernetes unit tests' own tables.

Each parametrised case carries the Go test and case name (paths in kubernetes/kubernetes):
- pkg/controller/deployment/util/deployment_util_test.go: TestResolveFenceposts,
  TestNewRSNewReplicas, TestMaxUnavailable, TestMinAvailable, TestGetReplicaSetFraction;
- pkg/controller/deployment/rolling_test.go: reconcileNewReplicaSet, reconcileOldReplicaSets,
  cleanupUnhealthyReplicas, scaleDownOldReplicaSetsForRollingUpdate;
- pkg/controller/deployment/sync_test.go: TestScale (proportional scaling);
- pkg/controller/statefulset/stateful_set_utils_test.go: TestGetStatefulSetMaxUnavailable;
- pkg/controller/daemon/update_test.go: TestGetUnavailableNumbers, TestDaemonSetUpdatesPods,
  TestDaemonSetUpdatesPodsWithMaxSurge, TestDaemonSetUpdatesWhenNewPodIsNotReady.
"""

from __future__ import annotations

import random

import pytest

from kubeplan.kube import intstr
from kubeplan.planner.rollout import daemonset, statefulset
from kubeplan.planner.rollout import math as rm
from kubeplan.planner.rollout.deployment import DeploymentSpec, ReplicaSetState, Simulation

# -- deployment_util_test.go -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("surge", "unavailable", "desired", "expected"),
    [
        pytest.param("0%", "0%", 0, (0, 1), id="TestResolveFenceposts/0"),
        pytest.param("39%", "39%", 10, (4, 3), id="TestResolveFenceposts/1"),
        pytest.param(None, "39%", 10, (0, 3), id="TestResolveFenceposts/4"),
        pytest.param("39%", None, 10, (4, 0), id="TestResolveFenceposts/5"),
        pytest.param(None, None, 10, (0, 1), id="TestResolveFenceposts/6"),
    ],
)
def test_resolve_fenceposts(surge, unavailable, desired, expected):
    assert rm.resolve_fenceposts(surge, unavailable, desired) == expected


@pytest.mark.parametrize(
    ("surge", "unavailable"),
    [
        pytest.param("oops", "39%", id="TestResolveFenceposts/2"),
        pytest.param("55%", "urg", id="TestResolveFenceposts/3"),
        # TestResolveFenceposts in older trees: the string "5" is not a percentage.
        pytest.param("5", "1", id="TestResolveFenceposts/string-not-percent"),
    ],
)
def test_resolve_fenceposts_rejects_non_percent_strings(surge, unavailable):
    with pytest.raises(intstr.IntOrStringError):
        rm.resolve_fenceposts(surge, unavailable, 10)


@pytest.mark.parametrize(
    ("strategy", "dep_replicas", "new_rs_replicas", "max_surge", "expected"),
    [
        pytest.param("RollingUpdate", 1, 5, 1, 5, id="TestNewRSNewReplicas/can not scale up"),
        pytest.param("RollingUpdate", 6, 2, 10, 6, id="TestNewRSNewReplicas/scale up"),
        pytest.param("Recreate", 3, 1, 1, 3, id="TestNewRSNewReplicas/recreate"),
    ],
)
def test_new_rs_new_replicas(strategy, dep_replicas, new_rs_replicas, max_surge, expected):
    # The Go test passes allRSs = [rs5]: a single ReplicaSet of 5 replicas.
    got = rm.new_rs_new_replicas(strategy, dep_replicas, max_surge, 5, new_rs_replicas)
    assert got == expected


@pytest.mark.parametrize(
    ("strategy", "replicas", "max_unavailable", "expected"),
    [
        pytest.param("RollingUpdate", 10, 5, 5, id="TestMaxUnavailable/less than replicas"),
        pytest.param("RollingUpdate", 10, 10, 10, id="TestMaxUnavailable/equal replicas"),
        pytest.param("RollingUpdate", 5, 10, 5, id="TestMaxUnavailable/greater than replicas"),
        pytest.param("RollingUpdate", 0, 10, 0, id="TestMaxUnavailable/replicas is 0"),
        pytest.param("Recreate", 0, None, 0, id="TestMaxUnavailable/Recreate"),
        pytest.param("RollingUpdate", 10, "50%", 5, id="TestMaxUnavailable/percents less"),
        pytest.param("RollingUpdate", 10, "100%", 10, id="TestMaxUnavailable/percents equal"),
        pytest.param("RollingUpdate", 5, "100%", 5, id="TestMaxUnavailable/percents greater"),
    ],
)
def test_max_unavailable(strategy, replicas, max_unavailable, expected):
    assert rm.deployment_max_unavailable(strategy, replicas, 1, max_unavailable) == expected


@pytest.mark.parametrize(
    ("strategy", "replicas", "max_unavailable", "expected"),
    [
        pytest.param("RollingUpdate", 10, 5, 5, id="TestMinAvailable/greater than"),
        pytest.param("RollingUpdate", 10, 10, 0, id="TestMinAvailable/equal"),
        pytest.param("RollingUpdate", 5, 10, 0, id="TestMinAvailable/less than"),
        pytest.param("RollingUpdate", 0, 10, 0, id="TestMinAvailable/replicas is 0"),
        pytest.param("Recreate", 10, None, 0, id="TestMinAvailable/Recreate"),
        pytest.param("RollingUpdate", 10, "60%", 4, id="TestMinAvailable/percents greater"),
        pytest.param("RollingUpdate", 10, "100%", 0, id="TestMinAvailable/percents equal"),
        pytest.param("RollingUpdate", 5, "100%", 0, id="TestMinAvailable/percents less"),
    ],
)
def test_min_available(strategy, replicas, max_unavailable, expected):
    assert rm.deployment_min_available(strategy, replicas, 1, max_unavailable) == expected


@pytest.mark.parametrize(
    ("dep_replicas", "status_replicas", "max_surge", "rs_replicas", "annotated_max", "expected"),
    [
        pytest.param(0, 0, 0, 10, None, -10, id="TestGetReplicaSetFraction/empty deployment"),
        pytest.param(10, 0, 0, 5, None, 0, id="TestGetReplicaSetFraction/annotation missing"),
        pytest.param(10, 0, 0, 5, 0, 0, id="TestGetReplicaSetFraction/annotation 0"),
        pytest.param(120, 100, 0, 50, None, 10, id="TestGetReplicaSetFraction/up 1/5 missing"),
        pytest.param(120, 100, 0, 50, 0, 10, id="TestGetReplicaSetFraction/up 1/5 annotation 0"),
        pytest.param(120, 0, 0, 50, 100, 10, id="TestGetReplicaSetFraction/up 1/5"),
        pytest.param(120, 0, 10, 50, 110, 9, id="TestGetReplicaSetFraction/up with maxSurge"),
        pytest.param(10, 0, 0, 6, 12, -1, id="TestGetReplicaSetFraction/down 1/6"),
        pytest.param(100, 0, 10, 50, 130, -8, id="TestGetReplicaSetFraction/down with maxSurge"),
    ],
)
def test_replica_set_fraction(
    dep_replicas, status_replicas, max_surge, rs_replicas, annotated_max, expected
):
    got = rm.replica_set_fraction(
        rs_replicas, dep_replicas, max_surge, annotated_max, status_replicas
    )
    assert got == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2.5, 3), (-2.5, -3), (3.5, 4), (0.5, 1), (2.4999, 2), (-0.4, 0)],
)
def test_round_half_away_from_zero_unlike_python_round(value, expected):
    # k8s.io/utils/integer RoundToInt32 uses math.Round; Python's round(2.5) is 2.
    assert rm.round_half_away(value) == expected


# -- rolling_test.go -------------------------------------------------------------------------------


def _sim(replicas, surge, unavailable, old, new=None):
    spec = DeploymentSpec(replicas, "RollingUpdate", surge, unavailable)
    return Simulation(spec, old, new, "foo-new")


@pytest.mark.parametrize(
    ("replicas", "max_surge", "old_replicas", "new_replicas", "expected"),
    [
        pytest.param(10, 0, 10, 0, None, id="reconcileNewReplicaSet/0 should not scale up"),
        pytest.param(10, 2, 10, 0, 2, id="reconcileNewReplicaSet/1"),
        pytest.param(10, 2, 5, 0, 7, id="reconcileNewReplicaSet/2"),
        pytest.param(10, 2, 10, 2, None, id="reconcileNewReplicaSet/3"),
        pytest.param(10, 2, 2, 11, 10, id="reconcileNewReplicaSet/4 should scale down"),
    ],
)
def test_reconcile_new_replica_set(replicas, max_surge, old_replicas, new_replicas, expected):
    old = ReplicaSetState("foo-v1", old_replicas, 0, 0)
    new = ReplicaSetState("foo-v2", new_replicas, 0, 1)
    sim = _sim(replicas, max_surge, 0, [old], new)
    scaled = sim.reconcile_new_replica_set()
    assert scaled == (expected is not None)
    if expected is not None:
        assert new.spec == expected
        assert len(sim.steps) == 1


@pytest.mark.parametrize(
    ("max_unavailable", "old_replicas", "new_replicas", "ready_old", "ready_new", "expected"),
    [
        pytest.param(0, 10, 0, 10, 0, 9, id="reconcileOldReplicaSets/0"),
        pytest.param(2, 10, 0, 10, 0, 8, id="reconcileOldReplicaSets/1"),
        pytest.param(2, 10, 0, 8, 0, 8, id="reconcileOldReplicaSets/2 unhealthy cleaned up"),
        pytest.param(2, 10, 0, 9, 0, 8, id="reconcileOldReplicaSets/3 cleanup and scale down"),
        pytest.param(2, 8, 2, 8, 0, None, id="reconcileOldReplicaSets/4 new unavailable"),
    ],
)
def test_reconcile_old_replica_sets(
    max_unavailable, old_replicas, new_replicas, ready_old, ready_new, expected
):
    old = ReplicaSetState("foo-old", old_replicas, ready_old, 0)
    new = ReplicaSetState("foo-new", new_replicas, ready_new, 1)
    sim = _sim(10, 0, max_unavailable, [old], new)
    scaled = sim.reconcile_old_replica_sets()
    assert scaled == (expected is not None)
    assert old.spec == (old_replicas if expected is None else expected)


@pytest.mark.parametrize(
    ("ready", "max_cleanup", "expected"),
    [
        pytest.param(8, 1, 1, id="cleanupUnhealthyReplicas/0"),
        pytest.param(8, 3, 2, id="cleanupUnhealthyReplicas/1"),
        pytest.param(8, 0, 0, id="cleanupUnhealthyReplicas/2"),
        pytest.param(10, 3, 0, id="cleanupUnhealthyReplicas/3"),
    ],
)
def test_cleanup_unhealthy_replicas(ready, max_cleanup, expected):
    old = ReplicaSetState("foo-v2", 10, ready, 0)
    sim = _sim(10, 2, 2, [old])
    assert sim.cleanup_unhealthy_replicas([old], max_cleanup) == expected
    assert old.spec == 10 - expected


@pytest.mark.parametrize(
    ("max_unavailable", "ready", "old_replicas", "expected"),
    [
        pytest.param(0, 10, 10, 9, id="scaleDownOldReplicaSetsForRollingUpdate/0"),
        pytest.param(2, 10, 10, 8, id="scaleDownOldReplicaSetsForRollingUpdate/1"),
        pytest.param(2, 8, 10, None, id="scaleDownOldReplicaSetsForRollingUpdate/2"),
        pytest.param(2, 10, 0, None, id="scaleDownOldReplicaSetsForRollingUpdate/3"),
        pytest.param(2, 1, 10, None, id="scaleDownOldReplicaSetsForRollingUpdate/4"),
    ],
)
def test_scale_down_old_replica_sets(max_unavailable, ready, old_replicas, expected):
    old = ReplicaSetState("foo-v2", old_replicas, ready, 0)
    sim = _sim(10, 0, max_unavailable, [old])  # allRSs = [oldRS], as in the Go test
    scaled = sim.scale_down_old_replica_sets([old])
    if expected is None:
        assert scaled == 0
        assert old.spec == old_replicas
    else:
        assert old.spec == expected
        assert scaled == old_replicas - expected


# -- sync_test.go TestScale ------------------------------------------------------------------------

# (name, new replicas, old deployment replicas, new surge, old surge, newRS, oldRSs, expected new,
# expected old). ReplicaSets are (spec.replicas, age) with age 2 = newTimestamp, 1 = old, 0 = older;
# their status is empty (no available pod), as the Go helper `rs` leaves it.
SCALE_CASES = [
    ("normal scaling event: 10 -> 12", 12, 10, 0, 0, (10, 2), [], 12, []),
    ("normal scaling event: 10 -> 5", 5, 10, 0, 0, (10, 2), [], 5, []),
    ("proportional scaling: 5 -> 10", 10, 5, 0, 0, (2, 2), [(3, 1)], 4, [6]),
    ("proportional scaling: 5 -> 3", 3, 5, 0, 0, (2, 2), [(3, 1)], 1, [2]),
    ("proportional scaling: 9 -> 4", 4, 9, 0, 0, (8, 2), [(1, 1)], 4, [0]),
    ("proportional scaling: 7 -> 10", 10, 7, 0, 0, (2, 2), [(3, 1), (2, 0)], 3, [4, 3]),
    ("proportional scaling: 13 -> 8", 8, 13, 0, 0, (2, 2), [(8, 1), (3, 0)], 1, [5, 2]),
    ("leftover distribution: 3 -> 4", 4, 3, 0, 0, (1, 2), [(1, 1), (1, 0)], 2, [1, 1]),
    ("leftover distribution: 3 -> 2", 2, 3, 0, 0, (1, 2), [(1, 1), (1, 0)], 1, [1, 0]),
    ("proportional scaling (no new rs): 4 -> 5", 5, 4, 0, 0, None, [(2, 1), (2, 0)], None, [3, 2]),
    ("proportional scaling: 6 -> 0", 0, 6, 0, 0, (3, 2), [(2, 1), (1, 0)], 0, [0, 0]),
    ("proportional scaling: 0 -> 6", 6, 6, 0, 0, (0, 2), [(0, 1), (0, 0)], 6, [0, 0]),
    ("deployment with surge pods", 20, 10, 2, 2, (6, 2), [(6, 1)], 11, [11]),
    ("change both surge and size", 50, 10, 6, 3, (5, 2), [(8, 1)], 22, [34]),
    ("change both size and template", 14, 10, 0, 0, None, [(7, 2), (3, 1)], None, [10, 4]),
]


@pytest.mark.parametrize(
    ("replicas", "old_replicas", "surge", "old_surge", "new", "old", "want_new", "want_old"),
    [pytest.param(*case[1:], id=f"TestScale/{case[0]}") for case in SCALE_CASES],
)
def test_proportional_scale(replicas, old_replicas, surge, old_surge, new, old, want_new, want_old):
    def state(name, spec_age):
        spec, age = spec_age
        # SetReplicasAnnotations(rs, old replicas, old replicas + MaxSurge(old deployment))
        return ReplicaSetState(name, spec, 0, age, old_replicas, old_replicas + old_surge)

    old_states = [state(f"foo-old{i}", rs) for i, rs in enumerate(old)]
    new_state = state("foo-new", new) if new is not None else None
    sim = _sim(replicas, surge, 0, old_states, new_state)
    sim.scale()
    if want_new is not None:
        assert new_state is not None and new_state.spec == want_new
    assert [rs.spec for rs in old_states] == want_old


def test_proportional_scale_leaves_a_saturated_but_broken_new_replica_set_alone():
    # TestScale/"saturated but broken new replica set does not affect old pods"
    new = ReplicaSetState("foo-v2", 2, 0, 2, 2, 3)
    old = ReplicaSetState("foo-v1", 1, 0, 1, 2, 3)
    sim = _sim(2, 1, 1, [old], new)
    sim.scale()
    assert (new.spec, old.spec, sim.steps) == (2, 1, [])


# -- stateful_set_utils_test.go --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_unavailable", "replicas", "expected"),
    [
        pytest.param(None, 10, 1, id="TestGetStatefulSetMaxUnavailable/case 0"),
        pytest.param(3, 10, 3, id="TestGetStatefulSetMaxUnavailable/case 1"),
        pytest.param(3, 0, 3, id="TestGetStatefulSetMaxUnavailable/case 2"),
        pytest.param(0, 0, 1, id="TestGetStatefulSetMaxUnavailable/case 3"),
        pytest.param("10%", 25, 2, id="TestGetStatefulSetMaxUnavailable/case 4"),
        pytest.param("100%", 5, 5, id="TestGetStatefulSetMaxUnavailable/case 5"),
        pytest.param("50%", 5, 2, id="TestGetStatefulSetMaxUnavailable/case 6"),
        pytest.param("10%", 5, 1, id="TestGetStatefulSetMaxUnavailable/case 7"),
        pytest.param("1%", 0, 1, id="TestGetStatefulSetMaxUnavailable/case 8"),
        pytest.param("0%", 0, 1, id="TestGetStatefulSetMaxUnavailable/case 9"),
    ],
)
def test_statefulset_max_unavailable(max_unavailable, replicas, expected):
    assert rm.statefulset_max_unavailable(max_unavailable, replicas) == expected


# -- daemon/update_test.go -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("surge", "unavailable", "nodes", "expected"),
    [
        pytest.param(0, 0, 0, (0, 0), id="TestGetUnavailableNumbers/No nodes"),
        pytest.param(0, 1, 2, (0, 1), id="TestGetUnavailableNumbers/Two nodes with ready pods"),
        pytest.param(0, 0, 2, (0, 1), id="TestGetUnavailableNumbers/one node without pods"),
        pytest.param(0, 0, 2, (0, 1), id="TestGetUnavailableNumbers/without pods, surge"),
        pytest.param(0, "50%", 2, (0, 1), id="TestGetUnavailableNumbers/percents"),
        pytest.param("50%", 0, 2, (1, 0), id="TestGetUnavailableNumbers/percents, surge"),
        pytest.param("100%", 0, 2, (2, 0), id="TestGetUnavailableNumbers/100%, surge"),
        pytest.param(0, "50%", 3, (0, 2), id="TestGetUnavailableNumbers/pod terminating"),
    ],
)
def test_daemonset_counts(surge, unavailable, nodes, expected):
    assert rm.daemonset_counts(surge, unavailable, nodes) == expected


@pytest.mark.parametrize(
    ("nodes", "surge", "unavailable", "batches"),
    [
        pytest.param(5, 0, 2, [2, 2, 1], id="TestDaemonSetUpdatesPods"),
        pytest.param(5, 2, 0, [2, 2, 1], id="TestDaemonSetUpdatesPodsWithMaxSurge"),
        pytest.param(5, 0, 3, [3, 2], id="TestDaemonSetUpdatesWhenNewPodIsNotReady (all ready)"),
        pytest.param(100, 0, 10, [10] * 10, id="TestDaemonSetUpdatesAllOldNotReadyPods (ready)"),
    ],
)
def test_daemonset_batches(nodes, surge, unavailable, batches):
    steps = daemonset.simulate(nodes, surge, unavailable)
    assert [step.nodes for step in steps] == batches


# -- stateful_set_control_test.go ------------------------------------------------------------------


def _sts_final(replicas, old_replicas, partition, parallel, strategy="RollingUpdate"):
    plan = statefulset.StatefulSetPlan("foo", replicas, strategy, partition, parallel, batch=1)
    pods = dict.fromkeys(range(old_replicas), statefulset.OUTDATED)
    steps, waiting = statefulset.simulate(plan, pods)
    present = set(range(old_replicas))
    for step in steps:
        if step.action == "create":
            present |= set(step.ordinals)
        elif step.action == "delete":
            present -= set(step.ordinals)
    return steps, waiting, present


@pytest.mark.parametrize(
    ("replicas", "parallel"),
    [
        pytest.param(3, False, id="TestStatefulSetControlRollingUpdateWithPartition/monotonic"),
        pytest.param(5, False, id="...WithPartition/monotonic image update and scale up"),
        pytest.param(3, True, id="TestStatefulSetControlRollingUpdateWithPartition/burst"),
        pytest.param(5, True, id="...WithPartition/burst image update and scale up"),
    ],
)
def test_statefulset_partition_two_keeps_ordinals_below_it(replicas, parallel):
    # Every case starts from 3 pods and sets partition 2: pods 0 and 1 keep the original image,
    # the others (2, and the scaled-up 3 and 4) get the new one.
    steps, waiting, present = _sts_final(replicas, 3, 2, parallel)
    assert waiting == [0, 1]
    assert present == set(range(replicas))
    assert [s.ordinals for s in steps if s.action == "update"] == [[2]]


@pytest.mark.parametrize(
    ("replicas", "old_replicas", "parallel"),
    [
        pytest.param(3, 3, False, id="TestStatefulSetControlRollback/monotonic image update"),
        pytest.param(5, 3, False, id="TestStatefulSetControlRollback/monotonic and scale up"),
        pytest.param(3, 5, False, id="TestStatefulSetControlRollback/monotonic and scale down"),
        pytest.param(3, 3, True, id="TestStatefulSetControlRollback/burst image update"),
        pytest.param(5, 3, True, id="TestStatefulSetControlRollback/burst and scale up"),
        pytest.param(3, 5, True, id="TestStatefulSetControlRollback/burst and scale down"),
    ],
)
def test_statefulset_rolling_update_reaches_every_pod(replicas, old_replicas, parallel):
    steps, waiting, present = _sts_final(replicas, old_replicas, 0, parallel)
    assert waiting == []
    assert present == set(range(replicas))
    creates = [s for s in steps if s.action == "create"]
    deletes = [s for s in steps if s.action == "delete"]
    # OrderedReady: one pod per step; Parallel: the whole scale in one step.
    if replicas != old_replicas:
        assert len(creates + deletes) == (1 if parallel else abs(replicas - old_replicas))


@pytest.mark.parametrize(
    ("replicas", "old_replicas", "parallel", "waiting"),
    [
        pytest.param(3, 3, False, [0, 1, 2], id="TestStatefulSetControlOnDeleteUpdate/monotonic"),
        pytest.param(5, 3, False, [0, 1, 2], id="...OnDeleteUpdate/monotonic and scale up"),
        pytest.param(3, 5, False, [0, 1, 2], id="...OnDeleteUpdate/monotonic and scale down"),
        pytest.param(3, 3, True, [0, 1, 2], id="TestStatefulSetControlOnDeleteUpdate/burst"),
        pytest.param(5, 3, True, [0, 1, 2], id="...OnDeleteUpdate/burst and scale up"),
        pytest.param(3, 5, True, [0, 1, 2], id="...OnDeleteUpdate/burst and scale down"),
    ],
)
def test_statefulset_on_delete_update_replaces_nothing_but_scales(
    replicas, old_replicas, parallel, waiting
):
    # With OnDelete, existing pods keep the original image (validateUpdate); ordinals created by a
    # scale-up get the new one.
    steps, still_old, present = _sts_final(replicas, old_replicas, 0, parallel, "OnDelete")
    assert still_old == waiting
    assert present == set(range(replicas))
    assert not [s for s in steps if s.action == "update"]


# -- termination -----------------------------------------------------------------------------------


def test_every_valid_deployment_rollout_converges_to_the_new_replica_set():
    """Any valid strategy, any old and new size: the replayed loop ends with every pod in the new
    ReplicaSet, within the step cap (a fixed seed keeps the cases the same on every run)."""
    values = [0, 1, 2, 3, 5, "0%", "10%", "25%", "50%", "100%"]
    rng = random.Random(7)
    checked = 0
    for _ in range(3000):
        replicas, old_replicas = rng.randint(0, 30), rng.randint(0, 30)
        strategy = rng.choice(["RollingUpdate", "Recreate"])
        surge, unavailable = rng.choice([*values, "150%"]), rng.choice(values)
        both_zero = (
            intstr.scaled_value(surge, 100, True)
            == intstr.scaled_value(unavailable, 100, True)
            == 0
        )
        if strategy == "RollingUpdate" and both_zero:
            continue  # the API server rejects it
        old = ReplicaSetState("old", old_replicas, old_replicas, 0, old_replicas, old_replicas)
        sim = Simulation(DeploymentSpec(replicas, strategy, surge, unavailable), [old], None, "new")
        sim.run()
        assert not sim.truncated
        assert (old.spec, sim.new.spec if sim.new else 0) == (0, replicas)
        checked += 1
    assert checked > 2000
