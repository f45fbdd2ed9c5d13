"""plan_rollout end to end: fixtures/rollout/<case>/{old,new} loaded with the real loader.

The expected step sequences follow from the controllers' code (cited in kubeplan/planner/
rollout/*.py); tests/planner/rollout/test_rollout_math.py replays the Kubernetes unit tests'
own tables.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import corpus, fixture

from kubeplan.model import Resource
from kubeplan.planner.diff.normalise import normalise
from kubeplan.planner.rollout.plan import DEFAULT_NODES, plan_rollout, replica_set_name
from kubeplan.schemas import loader


def _load(*parts: str) -> list[Resource]:
    return loader.load([fixture(*parts)]).resources


def _pick(resources: list[Resource], kind: str) -> Resource:
    (found,) = [r for r in resources if r.kind == kind]
    return found


def revisions(case: str, kind: str) -> tuple[Resource, Resource]:
    return (
        _pick(_load("rollout", case, "old"), kind),
        _pick(_load("rollout", case, "new"), kind),
    )


def plan(case: str, kind: str = "Deployment", version: str = "1.33", **options):
    old, new = revisions(case, kind)
    return plan_rollout(old, new, kubernetes_version=version, **options)


def rs_name(resource: Resource) -> str:
    """The ReplicaSet name kubeplan gives the template as the API server stores it."""
    return replica_set_name(resource.name, normalise(resource)["spec"]["template"])


def pairs(rollout) -> list[tuple[int, int]]:
    return [(step.old, step.new) for step in rollout.steps]


def assert_within_bounds(rollout, old_replicas: int) -> None:
    """The RollingUpdate guarantees: never more than replicas + maxSurge pods, never fewer than
    replicas - maxUnavailable available (or than the pods running before a scale-up), and it ends
    with every pod new."""
    r, surge, unavailable = rollout.replicas, rollout.max_surge, rollout.max_unavailable
    for step in rollout.steps:
        assert step.old + step.new <= max(r, old_replicas) + surge, step
        assert step.available >= min(r - unavailable, old_replicas), step
    assert pairs(rollout)[-1] == (0, r)


# -- Deployment ------------------------------------------------------------------------------------


def test_default_strategy_three_replicas_one_pod_at_a_time():
    rollout = plan("deployment-default")
    # 25%/25% of 3: surge rounds up to 1, unavailable rounds down to 0 (ResolveFenceposts).
    assert (rollout.strategy, rollout.replicas, rollout.max_surge, rollout.max_unavailable) == (
        "RollingUpdate",
        3,
        1,
        0,
    )
    assert pairs(rollout) == [(3, 1), (2, 1), (2, 2), (1, 2), (1, 3), (0, 3)]
    assert_within_bounds(rollout, 3)
    old, new = revisions("deployment-default", "Deployment")
    new_rs, old_rs = rs_name(new), rs_name(old)
    assert rollout.steps[0].message == f"Scaled up replica set {new_rs} to 1"
    assert rollout.steps[1].message == f"Scaled down replica set {old_rs} to 2 from 3"
    assert rollout.steps[-1].message == f"Scaled down replica set {old_rs} to 0 from 1"
    assert re.fullmatch(r"web-[bcdfghjklmnpqrstvwxz2456789]{10}", new_rs)
    assert rollout.summary.startswith("rolls 3 pods in 6 steps: surge 1")


def test_ten_replicas_surge_three_unavailable_two():
    rollout = plan("deployment-surge-3-unavailable-2")
    assert (rollout.max_surge, rollout.max_unavailable) == (3, 2)
    # The worked example in rolling.go reconcileOldReplicaSets: the new ReplicaSet starts at 3,
    # the old one goes to 8, the new one to 5.
    assert pairs(rollout) == [(10, 3), (8, 3), (8, 5), (3, 5), (3, 10), (0, 10)]
    assert_within_bounds(rollout, 10)


def test_percentages_round_seven_replicas():
    rollout = plan("deployment-percent-7")
    # 25% of 7 = 1.75: surge ceil -> 2, unavailable floor -> 1.
    assert (rollout.max_surge, rollout.max_unavailable) == (2, 1)
    assert pairs(rollout) == [(7, 2), (6, 2), (6, 3), (3, 3), (3, 6), (0, 6), (0, 7)]
    assert_within_bounds(rollout, 7)


def test_percentages_round_to_zero_one_replica_fencepost():
    rollout = plan("deployment-percent-1")
    # 0% surge -> 0, 10% of 1 unavailable -> 0: both zero, so unavailable becomes 1.
    assert (rollout.max_surge, rollout.max_unavailable) == (0, 1)
    assert pairs(rollout) == [(0, 0), (0, 1)]
    assert rollout.steps[0].available == 0


def test_recreate_stops_every_old_pod_first():
    rollout = plan("deployment-recreate")
    assert (rollout.strategy, rollout.max_surge, rollout.max_unavailable) == ("Recreate", 0, 0)
    assert pairs(rollout) == [(0, 0), (0, 3)]
    assert rollout.steps[0].message.startswith("Scaled down replica set db-migrator-")
    assert rollout.steps[0].message.endswith(" to 0 from 3")
    assert re.fullmatch(r"Scaled up replica set db-migrator-\w{10} to 3", rollout.steps[1].message)
    assert any("Recreate: all 3 old pods stop" in note for note in rollout.notes)


def test_paused_deployment_moves_nothing():
    rollout = plan("deployment-paused")
    assert rollout.steps == []
    assert rollout.summary.startswith("paused: no pod is replaced")
    assert any("rollout resume" in note for note in rollout.notes)


def test_replicas_and_template_change_scale_first_then_roll():
    rollout = plan("deployment-scale-and-image")
    # isScalingEvent (sync.go): the running ReplicaSet is scaled to 5 first, then the rollout.
    assert pairs(rollout)[0] == (5, 0)
    assert "Scaled up replica set web-" in rollout.steps[0].message
    assert rollout.steps[0].message.endswith("to 5 from 3")
    assert_within_bounds(rollout, 3)
    assert any("first scales the running ReplicaSet" in note for note in rollout.notes)


def test_pure_scale_scales_the_current_replica_set():
    rollout = plan("deployment-scale-only")
    old, _ = revisions("deployment-scale-only", "Deployment")
    current = rs_name(old)
    assert [s.to_json() for s in rollout.steps] == [{"old": 0, "new": 6}]
    assert rollout.steps[0].message == f"Scaled up replica set {current} to 6 from 3"
    assert rollout.summary == "scales from 3 to 6 pods; no pod is replaced"


def test_min_ready_and_progress_deadline_are_shown():
    rollout = plan("deployment-timing")
    assert any(note.startswith("minReadySeconds 10:") for note in rollout.timing)
    assert any("; progressDeadlineSeconds 300:" in note for note in rollout.timing)
    default = plan("deployment-default")
    assert any("; progressDeadlineSeconds 600:" in note for note in default.timing)


def test_autoscaled_workload_warns_that_replicas_fights_the_hpa():
    assert not any("HorizontalPodAutoscaler" in n for n in plan("deployment-hpa").notes)
    rollout = plan("deployment-hpa", autoscaled=True)
    note = next(n for n in rollout.notes if "HorizontalPodAutoscaler" in n)
    assert "spec.replicas (4)" in note


def test_created_deployment_scales_its_first_replica_set_up():
    _, new = revisions("deployment-default", "Deployment")
    rollout = plan_rollout(None, new, kubernetes_version="1.33")
    assert [s.to_json() for s in rollout.steps] == [{"old": 0, "new": 3}]
    assert rollout.summary == "creates 3 pods"


def test_unchanged_deployment_has_no_rollout():
    _, new = revisions("deployment-default", "Deployment")
    assert plan_rollout(new, new, kubernetes_version="1.33") is None


def test_invalid_int_or_string_cannot_be_planned():
    text = Path(fixture("rollout", "deployment-default", "new", "web.yaml")).read_text()
    bad = text.replace(
        "  replicas: 3\n", '  replicas: 3\n  strategy:\n    rollingUpdate:\n      maxSurge: "5"\n'
    )
    old = _pick(_load("rollout", "deployment-default", "old"), "Deployment")
    new = _pick(loader.load_text("bad.yaml", bad).resources, "Deployment")
    rollout = plan_rollout(old, new, kubernetes_version="1.33")
    assert rollout.steps == []
    assert rollout.summary.startswith("cannot plan")
    assert "'5'" in rollout.notes[0]


@pytest.mark.parametrize("replicas", [1, 2, 3, 5, 7, 10, 13])
@pytest.mark.parametrize(
    ("surge", "unavailable"),
    [(None, None), (0, 1), (1, 0), (3, 2), ("50%", "50%"), ("100%", 0), (0, "100%"), ("0%", "10%")],
)
def test_rolling_update_bounds_hold_for_every_combination(replicas, surge, unavailable):
    text = Path(fixture("rollout", "deployment-default", "new", "web.yaml")).read_text()
    strategy = "  strategy:\n    rollingUpdate:\n"
    if surge is not None:
        strategy += f"      maxSurge: {json.dumps(surge)}\n"
    if unavailable is not None:
        strategy += f"      maxUnavailable: {json.dumps(unavailable)}\n"
    if surge is None and unavailable is None:
        strategy = ""
    new_text = text.replace("  replicas: 3\n", f"  replicas: {replicas}\n{strategy}")
    old_text = new_text.replace("web:1.5.0", "web:1.4.0")
    old = loader.load_text("old.yaml", old_text).resources[0]
    new = loader.load_text("new.yaml", new_text).resources[0]
    rollout = plan_rollout(old, new, kubernetes_version="1.33")
    assert_within_bounds(rollout, replicas)
    # one ReplicaSet moves per step
    previous = (replicas, 0)
    for step in rollout.steps:
        assert (step.old == previous[0]) != (step.new == previous[1]) or step is rollout.steps[0]
        previous = (step.old, step.new)


# -- StatefulSet -----------------------------------------------------------------------------------


def sts_steps(rollout) -> list[dict]:
    return [step.to_json() for step in rollout.steps]


def test_statefulset_template_change_held_by_partition_three():
    rollout = plan("statefulset-partition-staged", "StatefulSet")
    assert rollout.steps == []
    assert "ordinals 0, 1, 2 wait for the partition (3)" in rollout.summary
    note = next(n for n in rollout.notes if n.startswith("partition 3:"))
    assert note == (
        "partition 3: ordinals 0, 1, 2 keep the old template until the partition is lowered to 0"
    )


def test_statefulset_partition_three_to_two_updates_ordinal_two():
    rollout = plan("statefulset-partition-3-to-2", "StatefulSet")
    assert sts_steps(rollout) == [{"ordinals": [2], "action": "update"}]
    assert "ordinals 0, 1 wait for the partition (2)" in rollout.summary
    assert any("partition lowered from 3 to 2" in n for n in rollout.notes)


def test_statefulset_partition_two_to_zero_updates_one_then_zero():
    rollout = plan("statefulset-partition-2-to-0", "StatefulSet")
    assert sts_steps(rollout) == [
        {"ordinals": [1], "action": "update"},
        {"ordinals": [0], "action": "update"},
    ]
    assert "wait" not in rollout.summary


def test_statefulset_default_rolls_highest_ordinal_first_one_at_a_time():
    rollout = plan("statefulset-default", "StatefulSet")
    assert [s.ordinals for s in rollout.steps] == [[2], [1], [0]]
    assert rollout.max_unavailable == 1
    assert rollout.summary == "updates ordinals 2, 1, 0, highest first, one at a time"


def test_statefulset_on_delete_replaces_nothing():
    rollout = plan("statefulset-ondelete", "StatefulSet")
    assert (rollout.strategy, rollout.steps) == ("OnDelete", [])
    assert "wait to be deleted (OnDelete)" in rollout.summary


@pytest.mark.parametrize(
    ("version", "batches", "ignored"),
    [
        # MaxUnavailableStatefulSet: alpha, off by default, from 1.24; beta, on, in 1.35.
        ("1.34", [[4], [3], [2], [1], [0]], True),
        ("1.35", [[4, 3], [2, 1], [0]], False),
    ],
)
def test_statefulset_max_unavailable_by_version(version, batches, ignored):
    rollout = plan("statefulset-max-unavailable", "StatefulSet", version=version)
    assert [s.ordinals for s in rollout.steps] == batches
    assert any("is ignored" in n for n in rollout.notes) == ignored


@pytest.mark.parametrize("version", ["1.33", "1.35"])
def test_statefulset_default_max_unavailable_is_never_called_ignored(version):
    """The normaliser fills maxUnavailable 1 (the 1.35 server default); before 1.35 that 1 is
    what the controller does anyway, so no note says it is ignored."""
    rollout = plan("statefulset-default", "StatefulSet", version=version)
    assert [s.ordinals for s in rollout.steps] == [[2], [1], [0]]
    assert not any("is ignored" in n for n in rollout.notes)


def test_statefulset_scale_up_ordered_ready_creates_one_by_one_then_updates():
    rollout = plan("statefulset-scale-up", "StatefulSet")
    assert sts_steps(rollout) == [
        {"ordinals": [3], "action": "create"},
        {"ordinals": [4], "action": "create"},
        {"ordinals": [2], "action": "update"},
        {"ordinals": [1], "action": "update"},
        {"ordinals": [0], "action": "update"},
    ]
    assert rollout.steps[0].message == "create Pod db-3"


def test_statefulset_scale_down_parallel_deletes_at_once():
    rollout = plan("statefulset-scale-down-parallel", "StatefulSet")
    assert sts_steps(rollout) == [{"ordinals": [4, 3, 2], "action": "delete"}]
    assert rollout.summary == "scales from 5 to 2 pods (Parallel)"


def test_unchanged_statefulset_has_no_rollout():
    old, _ = revisions("statefulset-default", "StatefulSet")
    assert plan_rollout(old, old, kubernetes_version="1.33") is None


# -- DaemonSet -------------------------------------------------------------------------------------


def test_daemonset_five_nodes_max_unavailable_two():
    rollout = plan("daemonset-unavailable-2", "DaemonSet", nodes=5)
    assert (rollout.replicas, rollout.max_surge, rollout.max_unavailable) == (5, 0, 2)
    assert [s.to_json() for s in rollout.steps] == [{"nodes": 2}, {"nodes": 2}, {"nodes": 1}]
    assert not any("assumed" in n for n in rollout.notes)


def test_daemonset_five_nodes_max_surge_one():
    rollout = plan("daemonset-surge-1", "DaemonSet", nodes=5)
    assert (rollout.max_surge, rollout.max_unavailable) == (1, 0)
    assert [s.nodes for s in rollout.steps] == [1, 1, 1, 1, 1]
    assert "next to the old one" in rollout.steps[0].message


def test_daemonset_percent_rounds_up_unlike_a_deployment():
    rollout = plan("daemonset-percent", "DaemonSet", nodes=5)
    assert rollout.max_unavailable == 3  # 50% of 5 = 2.5 -> 3 (UnavailableCount rounds up)
    assert [s.nodes for s in rollout.steps] == [3, 2]


def test_daemonset_without_nodes_says_what_it_assumed():
    rollout = plan("daemonset-unavailable-2", "DaemonSet")
    assert rollout.replicas == DEFAULT_NODES
    assert any(n.startswith(f"assumed {DEFAULT_NODES} nodes") for n in rollout.notes)


def test_daemonset_surge_with_defaulted_unavailable_is_rejected():
    rollout = plan("daemonset-surge-without-zero-unavailable", "DaemonSet", nodes=5)
    assert rollout.steps == []
    assert rollout.summary.startswith("rejected by the API server")


def test_daemonset_on_delete():
    rollout = plan("daemonset-ondelete", "DaemonSet", nodes=4)
    assert (rollout.strategy, rollout.steps) == ("OnDelete", [])
    assert "keep the old template until deleted" in rollout.summary


# -- ReplicaSet, Job, CronJob ----------------------------------------------------------------------


def test_replicaset_template_change_replaces_no_pod_but_scales():
    rollout = plan("replicaset-template", "ReplicaSet")
    assert rollout.strategy == "NoRollout"
    assert [s.to_json() for s in rollout.steps] == [{"old": 0, "new": 3}]
    assert rollout.steps[0].message == "Scaled up replica set legacy to 3 from 2"


def test_job_template_change_is_rejected():
    rollout = plan("job-template", "Job")
    assert (rollout.strategy, rollout.steps) == ("Rejected", [])
    assert "immutable" in rollout.summary


def test_cronjob_template_change_applies_to_the_next_run():
    rollout = plan("cronjob-template", "CronJob")
    assert rollout.strategy == "NextRun"
    assert rollout.summary.startswith("next run only")


# -- JSON ------------------------------------------------------------------------------------------


def test_rollout_json_shape():
    data = plan("deployment-surge-3-unavailable-2").to_json()
    assert set(data) == {
        "resource",
        "strategy",
        "replicas",
        "max_surge",
        "max_unavailable",
        "steps",
        "step_count",
        "steps_elided",
        "summary",
        "notes",
    }
    assert data["resource"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "namespace": "shop",
        "name": "api",
    }
    assert data["steps"][0] == {"old": 10, "new": 3}
    json.dumps(data)  # plain JSON types only
    ds = plan("daemonset-unavailable-2", "DaemonSet", nodes=5).to_json()
    assert ds["steps"][0] == {"nodes": 2}


# -- Corpus ----------------------------------------------------------------------------------------


def test_microservices_demo_release_rollouts_stay_within_bounds():
    base = corpus("microservices-demo", "revisions", "v0.10.5")
    head = corpus("microservices-demo", "release")
    old = {r.name: r for r in loader.load([str(base)]).resources if r.kind == "Deployment"}
    new = [r for r in loader.load([str(head)]).resources if r.kind == "Deployment"]
    planned = 0
    for resource in new:
        rollout = plan_rollout(old.get(resource.name), resource, kubernetes_version="1.33")
        if rollout is None:
            continue
        planned += 1
        assert_within_bounds(rollout, rollout.replicas)
    assert planned >= 10


def test_statefulset_ordinals_start_shifts_the_partition():
    # getStartOrdinal (stateful_set_utils.go): ordinals run from spec.ordinals.start, and the
    # partition counts from it (newVersionedStatefulSetPod: ordinal < start + partition).
    shift = "  ordinals:\n    start: 5\n  updateStrategy:\n    rollingUpdate:\n      partition: 1\n"
    texts = [
        Path(fixture("rollout", "statefulset-default", rev, "db.yaml")).read_text()
        for rev in ("old", "new")
    ]
    old, new = (
        loader.load_text(
            f"{rev}.yaml", text.replace("  replicas: 3\n", "  replicas: 3\n" + shift)
        ).resources[0]
        for rev, text in zip(("old", "new"), texts, strict=True)
    )
    rollout = plan_rollout(old, new, kubernetes_version="1.33")
    assert [s.ordinals for s in rollout.steps] == [[7], [6]]
    assert "ordinal 5 waits for the partition (1)" in rollout.summary
    assert any("lowered to 0; ordinals 6 and up" in n for n in rollout.notes)


def test_created_paused_deployment_creates_nothing():
    _, new = revisions("deployment-paused", "Deployment")
    rollout = plan_rollout(None, new, kubernetes_version="1.33")
    assert rollout.steps == []
    assert rollout.summary == "paused: creates no ReplicaSet and no pod until it is resumed"


def test_normalised_bodies_passed_in_give_the_same_rollout():
    old, new = revisions("deployment-surge-3-unavailable-2", "Deployment")
    plain = plan_rollout(old, new, kubernetes_version="1.33")
    given = plan_rollout(
        old, new, kubernetes_version="1.33", old_body=normalise(old), new_body=normalise(new)
    )
    assert given.to_json() == plain.to_json()


@pytest.mark.parametrize(
    ("strategy", "message"),
    [
        pytest.param(
            '    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: "0%"\n',
            "may not be 0 when `maxSurge` is 0",
            id="ValidateRollingUpdateDeployment/both zero",
        ),
        pytest.param(
            '    rollingUpdate:\n      maxUnavailable: "150%"\n',
            "must not be greater than 100%",
            id="ValidateRollingUpdateDeployment/over 100%",
        ),
        pytest.param(
            "    type: Recreate\n    rollingUpdate:\n      maxSurge: 1\n",
            "may not be specified when strategy `type` is 'Recreate'",
            id="ValidateDeploymentStrategy/Recreate with rollingUpdate",
        ),
    ],
)
def test_deployment_strategy_the_api_server_rejects_has_no_steps(strategy, message):
    text = Path(fixture("rollout", "deployment-default", "new", "web.yaml")).read_text()
    new_text = text.replace("  replicas: 3\n", "  replicas: 3\n  strategy:\n" + strategy)
    old = _pick(_load("rollout", "deployment-default", "old"), "Deployment")
    new = loader.load_text("new.yaml", new_text).resources[0]
    rollout = plan_rollout(old, new, kubernetes_version="1.33")
    assert rollout.steps == []
    assert rollout.summary.startswith("rejected by the API server")
    assert message in rollout.notes[0]


def test_a_custom_resource_named_deployment_is_not_planned():
    text = Path(fixture("rollout", "deployment-default", "new", "web.yaml")).read_text()
    custom = loader.load_text("x.yaml", text.replace("apps/v1", "example.com/v1")).resources[0]
    assert plan_rollout(None, custom, kubernetes_version="1.33") is None


# -- a live base (kubectl get -o yaml) -------------------------------------------------------------


def test_daemonset_nodes_come_from_the_live_status():
    # DaemonSetStatus.desiredNumberScheduled: the nodes that should run the pod.
    rollout = plan("daemonset-live", "DaemonSet")
    assert rollout.replicas == 7
    assert [s.nodes for s in rollout.steps] == [2, 2, 2, 1]
    assert any(n.startswith("7 nodes: the live status") for n in rollout.notes)
    assert not any(n.startswith("assumed") for n in rollout.notes)
    given = plan("daemonset-live", "DaemonSet", nodes=3)
    assert [s.nodes for s in given.steps] == [2, 1]


def test_a_live_deployment_still_rolling_is_said_to_be():
    rollout = plan("deployment-live-unfinished")
    note = next(n for n in rollout.notes if n.startswith("the live Deployment"))
    assert "2 of 4 pods updated, 5 running, 4 available" in note
    assert not any(n.startswith("the live") for n in plan("deployment-default").notes)


def test_a_live_statefulset_mid_update_is_said_to_be():
    old, new = revisions("statefulset-default", "StatefulSet")
    old.server_fields = {"status": {"currentRevision": "db-5d8f", "updateRevision": "db-7c9a"}}
    rollout = plan_rollout(old, new, kubernetes_version="1.33")
    assert any("currentRevision db-5d8f, updateRevision db-7c9a" in n for n in rollout.notes)


def test_a_pod_template_hash_label_is_not_a_template_change():
    # EqualIgnoreHash (deployment_util.go, TestEqualIgnoreHash): a template that differs only in
    # the pod-template-hash label (copied from a live object) is the same template.
    path = Path(fixture("rollout", "deployment-scale-only", "old", "web.yaml"))
    hashed = path.read_text().replace(
        "      labels:\n        app: web\n",
        "      labels:\n        app: web\n        pod-template-hash: 5d59d67564\n",
    )
    assert "pod-template-hash" in hashed
    old = loader.load_text("old.yaml", hashed).resources[0]
    _, new = revisions("deployment-scale-only", "Deployment")
    rollout = plan_rollout(old, new, kubernetes_version="1.33")
    assert rollout.summary == "scales from 3 to 6 pods; no pod is replaced"
