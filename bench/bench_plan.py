"""Benchmark `kubeplan plan` on the 10,000-resource set against a modified copy.

The modified copy is bench_diff.py's (new image tags, replica changes, deleted documents, a few
renames); the set also holds NetworkPolicies (so reachability runs before and after) and RBAC
objects (so newly granted permissions are compared). Run `python bench/make_sets.py` first, then
`python bench/bench_plan.py`. Target (issue: plan): under 5 s wall for r10000. No peer plans
rollouts offline; `kubeplan diff` of the same pair is printed beside it, since the plan is the
diff plus ordering, rollouts, RBAC and reachability.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from bench_diff import revision_pair, timed

HERE = Path(__file__).resolve().parent


def main() -> int:
    args, base, modified = revision_pair(__doc__.splitlines()[0])
    kubeplan = [sys.executable, "-m", "kubeplan"]
    pair = [str(modified), "--base", str(base), "--format", "json"]
    runs = {
        "kubeplan plan": timed([*kubeplan, "plan", *pair], args.repeat),
        "kubeplan plan --as (RBAC per step)": timed(
            [*kubeplan, "plan", *pair, "--as", "system:serviceaccount:ci:deployer"], args.repeat
        ),
        "kubeplan diff": timed([*kubeplan, "diff", *pair], args.repeat),
    }
    print(f"| command ({args.set}, best / median of {args.repeat}) | wall s |")
    print("|---|---:|")
    for name, times in runs.items():
        print(f"| {name} | {min(times):.2f} / {statistics.median(times):.2f} |")
    best = min(runs["kubeplan plan"])
    print(f"target: plan under 5 s: {'MET' if best < 5 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
