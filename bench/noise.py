"""Measure the noise of ``kubeplan check`` on the real manifest sets of ``../shared/corpus``.

For every set listed in ``bench/corpus_outputs.py`` this runs
``kubeplan check --format json --fail-on never SET`` through the installed ``kubeplan``
and prints errors and warnings per resource, and the rules that fire most:

    python bench/noise.py                 # table on stdout
    python bench/noise.py --json out.json # also keep the figures to compare later
    python bench/noise.py --top 8         # how many rules to list per set

A careful team keeps the rules at the top of these lists; a rule that fires often and
is wrong on real manifests is a defect.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_outputs import CORPUS, SETS


def measure(target: str) -> dict[str, object]:
    """Run ``kubeplan check`` on one set and count its findings by severity and rule."""
    proc = subprocess.run(
        ["kubeplan", "check", "--format", "json", "--fail-on", "never", str(CORPUS / target)],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return {"failed": f"exit {proc.returncode}: {proc.stderr.strip()[-200:]}"}
    summary = report["summary"]
    rules: collections.Counter[str] = collections.Counter()
    for finding in report["findings"]:
        if finding["severity"] in ("error", "warning"):
            rules[f"{finding['rule']} ({finding['severity']})"] += 1
    return {
        "resources": summary["resources"],
        "errors": summary["errors"],
        "warnings": summary["warnings"],
        "infos": summary["infos"],
        "rules": dict(rules.most_common()),
    }


def per_resource(count: int, resources: int) -> str:
    """Format a count per resource, two decimals."""
    return f"{count / resources:.2f}" if resources else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--top", type=int, default=5, help="rules listed per set")
    args = parser.parse_args()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(SETS, pool.map(measure, SETS.values()), strict=True))
    print(f"{'set':32} {'res':>5} {'err':>5} {'err/res':>8} {'warn':>5} {'warn/res':>8}")
    for name, result in results.items():
        if "failed" in result:
            print(f"{name:32} failed: {result['failed']}")
            continue
        res, err, warn = result["resources"], result["errors"], result["warnings"]
        print(
            f"{name:32} {res:>5} {err:>5} {per_resource(err, res):>8} "
            f"{warn:>5} {per_resource(warn, res):>8}"
        )
    for name, result in results.items():
        if "rules" in result:
            top = list(result["rules"].items())[: args.top]
            print(f"\n{name}: " + ", ".join(f"{rule} {count}" for rule, count in top))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
