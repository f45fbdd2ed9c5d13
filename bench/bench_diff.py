"""Benchmark `kubeplan diff` on the 10,000-resource set against a modified copy.

The modified copy changes what real revisions change: every tenth workload gets a new image tag,
every fiftieth Deployment a new replica count, every hundredth document is dropped and a few
objects are renamed. Run `python bench/make_sets.py` first, then `python bench/bench_diff.py`.
Target (issue: diff): under 3 s wall for r10000. No peer tool computes per-field rollout effects
offline, so kubeplan is timed alone; `kubeplan validate` of the same set is printed beside it as
the floor (reading and parsing both revisions is most of the work).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def make_modified(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    document = 0
    for path in sorted(source.rglob("*.yaml")):
        out = []
        for doc in path.read_text().split("\n---\n"):
            document += 1
            if document % 100 == 0:
                continue  # deleted
            if document % 10 == 0:
                doc = re.sub(r"(image: \S+?):([\w.-]+)", r"\1:\2-next", doc, count=1)
            if document % 50 == 0:
                doc = re.sub(r"replicas: (\d+)", lambda m: f"replicas: {int(m.group(1)) + 1}", doc)
            if document % 333 == 0:
                doc = re.sub(r"(\n  name: )(\S+)", r"\1\2-renamed", doc, count=1)
            out.append(doc)
        (target / path.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
        (target / path.relative_to(source)).write_text("\n---\n".join(out))


def timed(command: list[str], repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
        runs.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            sys.exit(f"{' '.join(command)} failed: {done.stderr.decode()[-500:]}")
    return runs


def revision_pair(description: str) -> tuple[argparse.Namespace, Path, Path]:
    """Parse --sets-dir/--set/--repeat; make the modified copy of the set. (args, base, new)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sets-dir", type=Path, default=HERE / ".sets")
    parser.add_argument("--set", default="r10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    base = args.sets_dir / args.set
    if not base.exists():
        sys.exit(f"{base} is missing: run python bench/make_sets.py first")
    modified = args.sets_dir / f"{args.set}-modified"
    make_modified(base, modified)
    return args, base, modified


def main() -> int:
    args, base, modified = revision_pair(__doc__.splitlines()[0])
    kubeplan = [sys.executable, "-m", "kubeplan"]
    diff = timed(
        [*kubeplan, "diff", str(modified), "--base", str(base), "--format", "json"], args.repeat
    )
    validate = timed([*kubeplan, "validate", str(modified), "--format", "json"], args.repeat)
    print(f"| command ({args.set}, best / median of {args.repeat}) | wall s |")
    print("|---|---:|")
    print(f"| kubeplan diff (both revisions) | {min(diff):.2f} / {statistics.median(diff):.2f} |")
    print(
        f"| kubeplan validate (one revision) | {min(validate):.2f} / {statistics.median(validate):.2f} |"
    )
    print(f"target: diff under 3 s: {'MET' if min(diff) < 3 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
