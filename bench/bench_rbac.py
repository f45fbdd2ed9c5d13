"""Benchmark `kubeplan who-can` over a generated policy of 5,000 bindings.

The policy looks like a large multi-tenant cluster's `kubectl get clusterroles,
clusterrolebindings,roles,rolebindings -A -o yaml` dump: 300 ClusterRoles (some aggregated into
view/edit/admin by label), 500 namespaces with two Roles each, 4,500 RoleBindings (to Roles, to
the default edit/view, to custom ClusterRoles) and 500 ClusterRoleBindings, one to three subjects
each (users, groups, ServiceAccounts). It is written to bench/.sets/rbac5000/ (git-ignored).

Run: `python bench/bench_rbac.py` (options: --repeat N, --bindings N).
Target (issue 7): who-can over 5,000 bindings under 2 s.

Figures: the whole command (`kubeplan who-can ... --rbac DUMP`, a fresh process: start-up,
YAML parse, policy build, query), then its parts in-process: reading the YAML (the shared
loader, with line numbers for findings), building the policy, and one who-can query on the built
policy (the median over a set of requests). The machine is shared: the best run is the figure.

Peers: `kubectl auth can-i`, kubectl-who-can (aquasecurity), rakkess and rbac-tool's who-can all
ask a live API server (they list the RBAC objects or send SubjectAccessReviews); none reads a dump
offline, so none is timed here (no cluster in this environment).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"]
RESOURCES = [
    ("", "pods"),
    ("", "configmaps"),
    ("", "secrets"),
    ("", "services"),
    ("apps", "deployments"),
    ("apps", "statefulsets"),
    ("batch", "jobs"),
    ("networking.k8s.io", "ingresses"),
    ("example.com", "widgets"),
]


def _rule(rng: random.Random) -> str:
    group, resource = rng.choice(RESOURCES)
    verbs = ", ".join(rng.sample(VERBS, rng.randint(1, 4)))
    return f'  - apiGroups: ["{group}"]\n    resources: [{resource}]\n    verbs: [{verbs}]\n'


def _subjects(rng: random.Random, index: int, namespace: str) -> str:
    out = []
    for n in range(rng.randint(1, 3)):
        kind = rng.choice(["User", "Group", "ServiceAccount"])
        if kind == "ServiceAccount":
            out.append(
                f"  - kind: ServiceAccount\n    name: sa-{index}-{n}\n    namespace: {namespace or 'ns-0'}\n"
            )
        else:
            name = f"{kind.lower()}-{rng.randint(0, 999)}"
            out.append(
                f"  - kind: {kind}\n    apiGroup: rbac.authorization.k8s.io\n    name: {name}\n"
            )
    return "".join(out)


def make_policy(target: Path, bindings: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    docs = []
    for i in range(300):
        label = ""
        if i % 30 == 0:
            label = '  labels:\n    rbac.authorization.k8s.io/aggregate-to-view: "true"\n'
        rules = "".join(_rule(rng) for _ in range(rng.randint(1, 5)))
        docs.append(
            f"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr-{i}\n{label}rules:\n{rules}"
        )
    namespaces = [f"ns-{n}" for n in range(500)]
    for ns in namespaces:
        for r in range(2):
            rules = "".join(_rule(rng) for _ in range(rng.randint(1, 4)))
            docs.append(
                f"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: role-{r}\n"
                f"  namespace: {ns}\nrules:\n{rules}"
            )
    cluster_bindings = bindings // 10
    for i in range(bindings):
        if i < cluster_bindings:
            ref = f"cr-{rng.randrange(300)}"
            docs.append(
                f"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: crb-{i}\n"
                f"roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: {ref}\n"
                f"subjects:\n{_subjects(rng, i, '')}"
            )
            continue
        ns = rng.choice(namespaces)
        choices = [("Role", "role-0"), ("Role", "role-1"), ("ClusterRole", "edit")]
        choices += [("ClusterRole", "view"), ("ClusterRole", f"cr-{rng.randrange(300)}")]
        kind, ref = rng.choice(choices)
        docs.append(
            f"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb-{i}\n"
            f"  namespace: {ns}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: {kind}\n"
            f"  name: {ref}\nsubjects:\n{_subjects(rng, i, ns)}"
        )
    target.mkdir(parents=True, exist_ok=True)
    path = target / "rbac-dump.yaml"
    path.write_text("---\n".join(docs))
    return path


def _kubeplan() -> list[str]:
    script = Path(sys.executable).with_name("kubeplan")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kubeplan"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bindings", type=int, default=5000)
    args = parser.parse_args()
    dump = make_policy(HERE / ".sets" / f"rbac{args.bindings}", args.bindings)

    sys.path.insert(0, str(ROOT))
    from kubeplan.planner.rbac import Policy, Request, who_can
    from kubeplan.schemas.loader import load

    command = [
        *_kubeplan(),
        "who-can",
        "get",
        "secrets",
        "-n",
        "ns-7",
        "--rbac",
        str(dump),
        "--format",
        "json",
    ]
    walls = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        walls.append(time.perf_counter() - start)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
    gc.disable()  # as kubeplan's main() does
    loads, builds = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        loaded = load([str(dump)])
        loads.append(time.perf_counter() - start)
        start = time.perf_counter()
        policy, _ = Policy.build([], loaded.resources, "1.33")
        builds.append(time.perf_counter() - start)
    bindings = sum(1 for _ in policy.all_bindings())
    requests = [
        Request(verb, group, resource, namespace=f"ns-{n}")
        for n in (0, 7, 99, 250, 499)
        for verb in ("get", "create")
        for group, resource in RESOURCES[:5]
    ] + [Request("list", "", "secrets"), Request("get", "", "nodes")]
    queries = []
    for request in requests:
        start = time.perf_counter()
        who_can(policy, request)
        queries.append(time.perf_counter() - start)

    print(
        f"policy: {bindings:,} bindings (defaults included), {len(policy.cluster_roles)} ClusterRoles, "
        f"{len(policy.roles)} Roles; {dump.stat().st_size / 1e6:.1f} MB dump"
    )
    print(
        f"kubeplan who-can (whole command)  best {min(walls):.2f} s  median {statistics.median(walls):.2f} s"
        f"  (target < 2 s)"
    )
    print(f"  of which: YAML load (in-process) best {min(loads) * 1000:.0f} ms")
    print(f"  policy build (in-process)       best {min(builds) * 1000:.0f} ms")
    print(
        f"  one who-can query (in-process)  median {statistics.median(queries) * 1000:.2f} ms"
        f"  max {max(queries) * 1000:.2f} ms over {len(queries)} requests"
    )
    print(
        "peers: kubectl auth can-i, kubectl-who-can, rakkess, rbac-tool need a live cluster: not timed"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
