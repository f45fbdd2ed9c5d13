"""Benchmark the apply-order graph of ``kubeplan plan`` (kubeplan/planner/graph.py).

What is measured
    The time of ``apply_order(changes, new, base)`` alone (loading and pairing are measured by
    ``bench_diff.py``), best and median of ``--repeat`` runs, for two plans over the same set:

    * ``create``: every object is created (an empty base), the largest graph;
    * ``mixed``: every tenth object updated, every tenth deleted, the rest unchanged.

    The set is real manifests: by default the corpus sets kube-prometheus (CRDs, CRs, RBAC,
    APIService), microservices-demo, ingress-nginx (webhook, Jobs, IngressClass) and bookinfo,
    copied ``--copies`` times, each copy in its own namespaces (``monitoring`` -> ``monitoring-c7``)
    with cluster-scoped objects renamed the same way (references to those by name then do not
    resolve and become warnings: more work, not less).
    ``--set DIR`` reads a folder instead (for example ``bench/.sets/r10000`` from
    ``bench/make_sets.py``).

Run
    python bench/bench_apply_order.py                  # 38 copies: about 10,000 objects
    python bench/bench_apply_order.py --copies 40 --repeat 5
    python bench/bench_apply_order.py --set bench/.sets/r10000
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from pathlib import Path

from kubeplan.model import Resource
from kubeplan.planner.graph import apply_order
from kubeplan.schemas import loader

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SETS = (
    "kube-prometheus/manifests",
    "microservices-demo/release",
    "ingress-nginx/deploy/static/provider/cloud",
    "bookinfo",
)


def _copy(resource: Resource, suffix: str) -> Resource:
    out = copy.copy(resource)
    out.memo = {}
    if out.namespace:
        out.namespace = f"{out.namespace}{suffix}"
    elif out.name:
        out.name = f"{out.name}{suffix}"
    return out


def build(args: argparse.Namespace) -> list[Resource]:
    if args.set:
        return loader.load([args.set]).resources
    pool = loader.load([str(CORPUS / s) for s in SETS]).resources
    out = []
    for number in range(args.copies):
        out += [_copy(r, f"-c{number}") for r in pool]
    return out


def measure(label: str, run, repeat: int) -> None:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        order = run()
        times.append(time.perf_counter() - start)
    print(
        f"{label:8} {len(order.steps):6} steps {order.waves:3} waves {len(order.cycles):3} cycles"
        f"  best {min(times):.3f} s  median {statistics.median(times):.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", help="a folder of manifests instead of the corpus copies")
    parser.add_argument("--copies", type=int, default=38)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    resources = build(args)
    print(f"{len(resources)} objects (loaded in {time.perf_counter() - start:.1f} s)")
    creates = [("create", r) for r in resources]
    measure("create", lambda: apply_order(creates, resources, []), args.repeat)
    updates = [("update", r) for r in resources[::10]]
    deleted = resources[5::10]
    kept = [r for i, r in enumerate(resources) if i % 10 != 5]
    mixed = updates + [("delete", r) for r in deleted]
    measure("mixed", lambda: apply_order(mixed, kept, resources), args.repeat)


if __name__ == "__main__":
    main()
