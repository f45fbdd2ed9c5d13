"""Benchmark the rollout model (`plan_rollout`) in process, without loading or diffing.

`kubeplan plan` calls plan_rollout once per workload whose pods change, so its cost adds to every
plan. This times: 3,000 workload pairs (1,000 Deployments with replicas 1..50 and a spread of
maxSurge/maxUnavailable, 1,000 StatefulSets, 1,000 DaemonSets on 50 nodes), each with a new image;
and the worst single case, a Deployment of 5,000 replicas rolled one pod at a time (10,000 steps).
Run `python bench/bench_rollout.py`. No peer tool plans rollouts offline, so kubeplan is timed alone.
"""

from __future__ import annotations

import argparse
import statistics
import time

from kubeplan.planner.diff.normalise import normalise
from kubeplan.planner.rollout.plan import plan_rollout
from kubeplan.schemas.loader import load_text

STRATEGIES = [None, (1, 0), (3, 2), ('"50%"', '"50%"'), ('"0%"', '"10%"'), ('"100%"', 0)]


def _deployment(replicas: int, image: str, strategy: tuple | None) -> str:
    block = ""
    if strategy is not None:
        block = (
            "  strategy:\n    rollingUpdate:\n"
            f"      maxSurge: {strategy[0]}\n      maxUnavailable: {strategy[1]}\n"
        )
    return f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  replicas: {replicas}
{block}  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: "{image}"}}]
"""


def _statefulset(replicas: int, image: str, partition: int) -> str:
    return f"""apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db, namespace: data}}
spec:
  replicas: {replicas}
  serviceName: db
  updateStrategy: {{rollingUpdate: {{partition: {partition}}}}}
  selector: {{matchLabels: {{app: db}}}}
  template:
    metadata: {{labels: {{app: db}}}}
    spec:
      containers: [{{name: db, image: "{image}"}}]
"""


def _daemonset(image: str, unavailable: str) -> str:
    return f"""apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: logs, namespace: kube-system}}
spec:
  updateStrategy: {{rollingUpdate: {{maxUnavailable: {unavailable}}}}}
  selector: {{matchLabels: {{app: logs}}}}
  template:
    metadata: {{labels: {{app: logs}}}}
    spec:
      containers: [{{name: logs, image: "{image}"}}]
"""


def _pair(make, *args):
    old = load_text("old.yaml", make(*args[:1], "img:1", *args[1:])).resources[0]
    new = load_text("new.yaml", make(*args[:1], "img:2", *args[1:])).resources[0]
    return old, new


def workloads(count: int) -> list[tuple]:
    pairs = []
    for i in range(count):
        pairs.append(_pair(_deployment, 1 + i % 50, STRATEGIES[i % len(STRATEGIES)]))
        replicas = 1 + i % 20
        old = load_text("old.yaml", _statefulset(replicas, "img:1", i % 3)).resources[0]
        new = load_text("new.yaml", _statefulset(replicas, "img:2", i % 3)).resources[0]
        pairs.append((old, new))
        unavailable = ["1", '"25%"', "5"][i % 3]
        old = load_text("old.yaml", _daemonset("img:1", unavailable)).resources[0]
        new = load_text("new.yaml", _daemonset("img:2", unavailable)).resources[0]
        pairs.append((old, new))
    return pairs


def timed(pairs: list[tuple], repeat: int, bodies: list[tuple] | None = None) -> list[float]:
    """Wall time of plan_rollout over `pairs`; with `bodies`, the normalised bodies are passed in
    (as a diff Pair holds them) instead of computed."""
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        for index, (old, new) in enumerate(pairs):
            given = {}
            if bodies is not None:
                given = {"old_body": bodies[index][0], "new_body": bodies[index][1]}
            plan_rollout(old, new, kubernetes_version="1.33", nodes=50, **given)
        runs.append(time.perf_counter() - began)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="workloads of each kind")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pairs = workloads(args.count)
    runs = timed(pairs, args.repeat)
    steps = sum(
        len(plan_rollout(o, n, kubernetes_version="1.33", nodes=50).steps) for o, n in pairs
    )
    print(
        f"{len(pairs)} workloads, {steps} steps: best {min(runs) * 1000:.0f} ms,"
        f" median {statistics.median(runs) * 1000:.0f} ms"
        f" ({min(runs) / len(pairs) * 1e6:.0f} µs per workload)"
    )
    bodies = [(normalise(old), normalise(new)) for old, new in pairs]
    runs = timed(pairs, args.repeat, bodies)
    print(
        f"  with the normalised bodies passed in: best {min(runs) * 1000:.0f} ms"
        f" ({min(runs) / len(pairs) * 1e6:.0f} µs per workload)"
    )
    worst = [_pair(_deployment, 5000, (1, 0))]
    runs = timed(worst, args.repeat)
    rollout = plan_rollout(*worst[0], kubernetes_version="1.33")
    print(
        f"Deployment of 5,000 replicas, surge 1 / unavailable 0: {len(rollout.steps)} steps,"
        f" best {min(runs) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
