"""Time and memory stay bounded on hostile input: rollouts of millions of pods are counted in
closed form (exact totals, a bounded step list), a long ConfigMap line is scanned in linear time,
and the position of every field of a huge mapping is found in linear time."""

from __future__ import annotations

import random
import time
from pathlib import Path

from conftest import kubeplan

from kubeplan.kube import intstr
from kubeplan.planner.netpol import analyse
from kubeplan.planner.netpol.infer import inferred
from kubeplan.planner.rollout import statefulset as sts
from kubeplan.planner.rollout.deployment import DeploymentSpec, ReplicaSetState, Simulation
from kubeplan.planner.rollout.model import STEPS_HEAD, STEPS_TAIL
from kubeplan.schemas.loader import load_text

STATEFULSET = """apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db, namespace: data}}
spec:
  replicas: {replicas}
  serviceName: db
  selector: {{matchLabels: {{app: db}}}}
  template:
    metadata: {{labels: {{app: db}}}}
    spec:
      containers: [{{name: db, image: "registry.example/db:{tag}"}}]
"""

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  replicas: {replicas}
  strategy: {{rollingUpdate: {{maxSurge: 1, maxUnavailable: 0}}}}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: "registry.example/web:{tag}"}}]
"""

DAEMONSET = """apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: agent, namespace: ops}}
spec:
  selector: {{matchLabels: {{app: agent}}}}
  template:
    metadata: {{labels: {{app: agent}}}}
    spec:
      containers: [{{name: agent, image: "registry.example/agent:{tag}"}}]
"""


def _plan(tmp_path: Path, old: str, new: str, *extra: str) -> tuple[dict, float]:
    (tmp_path / "base").mkdir()
    (tmp_path / "head").mkdir()
    (tmp_path / "base" / "w.yaml").write_text(old)
    (tmp_path / "head" / "w.yaml").write_text(new)
    start = time.perf_counter()
    run = kubeplan(
        "plan", str(tmp_path / "head"), "--base", str(tmp_path / "base"), "--format", "json", *extra
    )
    elapsed = time.perf_counter() - start
    assert run.exit_code == 0, run.stdout + run.stderr
    (rollout,) = run.json()["rollouts"]
    return rollout, elapsed


def _bounded(rollout: dict, total: int) -> None:
    assert rollout["step_count"] == total
    assert len(rollout["steps"]) == STEPS_HEAD + STEPS_TAIL
    assert rollout["steps_elided"] == {
        "after": STEPS_HEAD,
        "count": total - STEPS_HEAD - STEPS_TAIL,
    }


def test_statefulset_of_ten_million_replicas_is_planned_in_closed_form(tmp_path: Path) -> None:
    old = STATEFULSET.format(replicas=3, tag="1")
    rollout, elapsed = _plan(tmp_path, old, STATEFULSET.format(replicas=10_000_000, tag="2"))
    assert elapsed < 20  # pod by pod, this took minutes and gigabytes
    # OrderedReady: 9,999,997 creations one by one, then ordinals 2, 1, 0 updated.
    _bounded(rollout, 10_000_000)
    steps = rollout["steps"]
    assert steps[0] == {"ordinals": [3], "action": "create"}
    assert steps[STEPS_HEAD - 1] == {"ordinals": [STEPS_HEAD + 2], "action": "create"}
    assert steps[STEPS_HEAD] == {"ordinals": [10_000_000 - STEPS_TAIL + 3], "action": "create"}
    assert steps[-3:] == [{"ordinals": [o], "action": "update"} for o in (2, 1, 0)]
    assert "scales from 3 to 10000000 pods" in rollout["summary"]


def test_deployment_of_ten_million_replicas_counts_every_step(tmp_path: Path) -> None:
    old = DEPLOYMENT.format(replicas=3, tag="1")
    rollout, elapsed = _plan(tmp_path, old, DEPLOYMENT.format(replicas=10_000_000, tag="2"))
    assert elapsed < 20
    # A scaling event to 10,000,000, the new ReplicaSet at 1, then one pod down and one up per
    # pair of syncs: 1 + 1 + 2 * 9,999,999 + 1 steps. Replayed, it stopped at 10,000 steps and
    # said the rollout did not converge.
    _bounded(rollout, 20_000_001)
    steps = rollout["steps"]
    assert steps[:3] == [
        {"old": 10_000_000, "new": 0},
        {"old": 10_000_000, "new": 1},
        {"old": 9_999_999, "new": 1},
    ]
    assert steps[-2:] == [{"old": 1, "new": 10_000_000}, {"old": 0, "new": 10_000_000}]
    assert "in 20000001 steps" in rollout["summary"]
    assert not any("did not converge" in note for note in rollout["notes"])


def test_daemonset_on_thirty_million_nodes(tmp_path: Path) -> None:
    old, new = DAEMONSET.format(tag="1"), DAEMONSET.format(tag="2")
    rollout, elapsed = _plan(tmp_path, old, new, "--nodes", "30000000")
    assert elapsed < 20
    _bounded(rollout, 30_000_000)  # maxUnavailable 1: one node per step
    assert rollout["steps"][0] == rollout["steps"][-1] == {"nodes": 1}


def _deployment_steps(replicas, old_replicas, strategy, surge, unavailable, closed_form):
    old = ReplicaSetState("old", old_replicas, old_replicas, 0, old_replicas, old_replicas + 1)
    sim = Simulation(DeploymentSpec(replicas, strategy, surge, unavailable), [old], None, "new")
    if not closed_form:
        sim._fast_forward = lambda history: False  # type: ignore[method-assign]
    sim.run()
    listed = [(s.message, s.old, s.new) for s in sim.log.listed()]
    return listed, sim.log.total, sim.log.elided, sim.truncated


def test_deployment_closed_form_equals_the_sync_by_sync_replay() -> None:
    """Counting a regular stretch in closed form lists the same steps and the same total as
    replaying every sync, for any valid strategy and size (fixed seed)."""
    values = [0, 1, 2, 3, 7, "0%", "1%", "3%", "10%", "25%", "50%", "100%"]
    rng = random.Random(11)
    skipped = 0
    for _ in range(400):
        replicas, old_replicas = rng.randint(0, 1500), rng.randint(0, 1500)
        strategy = rng.choice(["RollingUpdate", "RollingUpdate", "Recreate"])
        surge, unavailable = rng.choice(values), rng.choice(values)
        zero = (
            intstr.scaled_value(surge, 100, True)
            == intstr.scaled_value(unavailable, 100, True)
            == 0
        )
        if strategy == "RollingUpdate" and zero:
            continue
        args = (replicas, old_replicas, strategy, surge, unavailable)
        closed = _deployment_steps(*args, closed_form=True)
        assert closed == _deployment_steps(*args, closed_form=False), args
        skipped += closed[2] > 0
    assert skipped > 30  # the comparison covers rollouts long enough to be cut


def _per_pod(plan: sts.StatefulSetPlan, pods: dict[int, str]) -> tuple[list, list[int]]:
    """The StatefulSet update order replayed pod by pod (as kubeplan did before), as reference."""
    steps: list = []
    pods = dict(pods)
    rolling = plan.strategy == "RollingUpdate"
    wanted = range(plan.start, plan.start + plan.replicas)
    held_below = plan.start + plan.partition
    missing = [o for o in wanted if o not in pods]
    for o in missing:
        pods[o] = sts.OUTDATED if rolling and o < held_below else sts.UPDATED
    condemned = sorted((o for o in pods if o not in wanted), reverse=True)
    for action, group in (("create", missing), ("delete", condemned)):
        if group:
            steps += [(action, group)] if plan.parallel else [(action, [o]) for o in group]
    for o in condemned:
        del pods[o]
    if rolling:
        targets = [
            o for o in sorted(pods, reverse=True) if o >= held_below and pods[o] == sts.OUTDATED
        ]
        size = max(plan.batch, 1)
        for start in range(0, len(targets), size):
            steps.append(("update", targets[start : start + size]))
            for o in targets[start : start + size]:
                pods[o] = sts.UPDATED
    return steps, sorted(o for o, r in pods.items() if r == sts.OUTDATED)


def test_statefulset_segments_equal_the_pod_by_pod_replay() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        plan = sts.StatefulSetPlan(
            "foo",
            rng.randint(0, 12),
            rng.choice(["RollingUpdate", "RollingUpdate", "OnDelete"]),
            rng.choice([0, 0, 1, 2, 5, 20, -1]),
            rng.random() < 0.5,
            rng.choice([1, 1, 2, 3, 100]),
            rng.choice([0, 0, 1, 3, 7]),
        )
        old_start = rng.choice([0, 0, 1, 2, 5, 9])
        pods = {
            o: sts.UPDATED if rng.random() < 0.2 else sts.OUTDATED
            for o in range(old_start, old_start + rng.randint(0, 12))
        }
        steps, waiting = sts.simulate(plan, pods)
        assert ([(s.action, s.ordinals) for s in steps], waiting) == _per_pod(plan, pods), plan


CONFIG_SET = """apiVersion: v1
kind: ConfigMap
metadata: {{name: app, namespace: shop}}
data:
  app.properties: |
    payload = {{{line}"end":1}}
    spring.redis.host=cache
---
apiVersion: v1
kind: Service
metadata: {{name: cache, namespace: shop}}
spec:
  selector: {{app: cache}}
  ports: [{{port: 6379}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: cache, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: cache}}}}
  template:
    metadata: {{labels: {{app: cache}}}}
    spec:
      containers: [{{name: redis, image: redis:7}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: app}}}}
  template:
    metadata: {{labels: {{app: app}}}}
    spec:
      containers: [{{name: app, image: registry.example/app:1}}]
      volumes: [{{name: config, configMap: {{name: app}}}}]
"""


def test_a_megabyte_config_line_is_scanned_in_linear_time(tmp_path: Path) -> None:
    """A minified line naming the Service a hundred thousand times (none in a host position)
    costs one pass: each token's line is read once, not once per token. The host on the next
    line is still found."""
    item = '"k":"cache",'
    path = tmp_path / "set.yaml"
    path.write_text(CONFIG_SET.format(line=item * (1_000_000 // len(item))))
    start = time.perf_counter()
    run = kubeplan("reach", str(path), "--format", "json")
    assert time.perf_counter() - start < 30  # quadratic before: minutes
    assert run.exit_code == 0, run.stdout
    resources = load_text("set.yaml", path.read_text()).resources
    used = inferred(analyse(resources), resources)
    assert [(r.src, r.dst, r.reason) for r in used] == [
        (
            "shop/app[Deployment]",
            "shop/cache[Deployment]",
            "ConfigMap app: cache",
        )
    ]


def test_every_unknown_field_of_a_huge_mapping_has_its_own_line(tmp_path: Path) -> None:
    """30,000 unknown fields in one mapping: one finding each, at its own line, in linear time
    (each lookup scanned the mapping before: 32 s); "did you mean" for the first 100 only."""
    keys = "  selectr: 1\n" + "".join(f"  bogus{i}: 1\n" for i in range(30_000))
    text = DEPLOYMENT.format(replicas=1, tag="1").replace("spec:\n", "spec:\n" + keys, 1)
    path = tmp_path / "w.yaml"
    path.write_text(text)
    start = time.perf_counter()
    run = kubeplan("validate", str(path), "--format", "json")
    assert time.perf_counter() - start < 30
    unknown = [f for f in run.json()["findings"] if f["rule"] == "schema-unknown-field"]
    assert len(unknown) == 30_001
    typo = unknown.pop(next(i for i, f in enumerate(unknown) if f["path"] == "spec.selectr"))
    assert typo["message"] == 'unknown field "selectr" (did you mean "selector"?)'
    first_key_line = text.splitlines().index("  bogus0: 1") + 1
    assert all(f["line"] == first_key_line + int(f["path"][len("spec.bogus") :]) for f in unknown)


def test_a_helm_source_comment_with_a_long_run_of_spaces_is_read_in_linear_time(
    tmp_path: Path,
) -> None:
    """`# Source: NAME<spaces>` was matched with a lazy name before `\\s*$`: quadratic in the
    spaces (20,000 of them: 10 s). The name is still the text up to the last non-space."""
    path = tmp_path / "out.yaml"
    path.write_text(
        "# Source: chart/templates/cm.yaml" + " " * 200_000 + "\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: a}\ndata: {k: 1}\n"
    )
    start = time.perf_counter()
    (resource,) = load_text("out.yaml", path.read_text()).resources
    assert time.perf_counter() - start < 5
    assert resource.origin.template == "chart/templates/cm.yaml"


def test_a_quantity_with_a_huge_exponent_is_compared_as_written(tmp_path: Path) -> None:
    """`1e999999999` is a valid quantity (quantity.go keeps the exponent as the inf.Dec scale);
    expanding it exactly would take a billion digits. diff and plan finish at once, and an
    equal value written the same way is no change while a changed one is."""
    body = DEPLOYMENT.format(replicas=2, tag="1").replace(
        '"registry.example/web:1"}]',
        '"registry.example/web:1", resources: {limits: {cpu: "%s"}}}]',
    )
    (tmp_path / "base").mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "base" / "app.yaml").write_text(body % "1e999999999")
    (tmp_path / "new" / "app.yaml").write_text(body % "1e999999999")
    started = time.monotonic()
    same = kubeplan("diff", str(tmp_path / "new"), "--base", str(tmp_path / "base"), "-o", "json")
    assert same.exit_code == 0, same.stdout
    assert [c["action"] for c in same.json()["changes"]] == ["unchanged"]
    (tmp_path / "new" / "app.yaml").write_text(body % "2e999999999")
    changed = kubeplan(
        "plan", str(tmp_path / "new"), "--base", str(tmp_path / "base"), "-o", "json"
    )
    assert changed.exit_code == 0, changed.stdout
    assert [s["action"] for s in changed.json()["steps"]] == ["update"]
    assert time.monotonic() - started < 30
