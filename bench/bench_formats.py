"""Benchmark the time each output format adds to ``kubeplan check`` on the 10,000-resource set.

What is measured
    1. End to end: ``kubeplan check <set> --kubernetes-version 1.33 --format F --output FILE``
       for F in text, json, sarif, junit, markdown, github, and all six in one run (``--format
       sarif=FILE --format junit=FILE ...``), spawn to exit, best and median of ``--repeat``
       runs (default 3); the formats alternate on every repetition. The overhead of F is
       ``best(F) / best(text) - 1``; target: under 10 %.
    2. In process: the check runs once, then each renderer alone on its result (best of
       ``--repeat`` renders), which isolates the cost of formatting from the noise of a
       several-second run.

Run
    python bench/make_sets.py && python bench/bench_formats.py
    python bench/bench_formats.py --set r1000 --repeat 5
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SETS = REPO / "bench" / ".sets"
FORMATS = ("text", "json", "sarif", "junit", "markdown", "github")
TARGET = 0.10


def kubeplan_argv() -> list[str]:
    script = shutil.which("kubeplan") or str(Path(sys.executable).parent / "kubeplan")
    return [script] if os.path.exists(script) else [sys.executable, "-m", "kubeplan"]


def end_to_end(folder: Path, repeat: int, scratch: Path) -> dict[str, list[float]]:
    base = [*kubeplan_argv(), "check", str(folder), "--kubernetes-version", "1.33"]
    variants = {f: [*base, "--format", f, "--output", str(scratch / f"out.{f}")] for f in FORMATS}
    variants["all six"] = base + [
        arg for f in FORMATS for arg in ("--format", f"{f}={scratch / f'all.{f}'}")
    ]
    times: dict[str, list[float]] = {name: [] for name in variants}
    env = {**os.environ, "NO_COLOR": "1"}
    for _ in range(repeat):
        for name, argv in variants.items():
            start = time.perf_counter()
            done = subprocess.run(argv, capture_output=True, env=env, check=False)
            times[name].append(time.perf_counter() - start)
            if done.returncode not in (0, 1):
                sys.exit(f"{name}: exit {done.returncode}: {done.stderr.decode()[-400:]}")
    return times


def in_process(folder: Path, repeat: int) -> tuple[dict[str, float], int, float]:
    sys.path.insert(0, str(REPO))
    from kubeplan.commands.pipeline import Options, run
    from kubeplan.report.document import ReportData
    from kubeplan.report.outputs import render

    gc.disable()  # as kubeplan.cli.main does
    start = time.perf_counter()
    result = run([str(folder)], Options(kubernetes_version="1.33"), "check")
    check_s = time.perf_counter() - start
    report = ReportData(
        command="check",
        findings=result.findings,
        resources=result.resources,
        files=result.files,
        kubernetes_version=result.kubernetes_version,
        objects=result.objects,
        config=result.config,
    )
    best: dict[str, float] = {}
    for name in FORMATS:
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            render(report, name)
            runs.append(time.perf_counter() - start)
        best[name] = min(runs)
    return best, len(result.findings), check_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", default="r10000", help="a set of bench/.sets (default r10000)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = SETS / args.set
    if not folder.is_dir():
        sys.exit(f"{folder} is missing: run python bench/make_sets.py first")
    with tempfile.TemporaryDirectory() as scratch:
        times = end_to_end(folder, args.repeat, Path(scratch))
    renders, findings, check_s = in_process(folder, args.repeat)
    text_best = min(times["text"])
    print(f"kubeplan check {args.set} ({findings} findings), best of {args.repeat}\n")
    print("| format | best s | median s | over text | render alone s |")
    print("|---|---:|---:|---:|---:|")
    worst = 0.0
    for name, runs in times.items():
        over = min(runs) / text_best - 1
        if name in FORMATS:
            worst = max(worst, over)
        alone = f"{renders[name]:.3f}" if name in renders else ""
        print(
            f"| {name} | {min(runs):.2f} | {statistics.median(runs):.2f} | {over:+.1%} | {alone} |"
        )
    print(f"\nin process: check {check_s:.2f} s; render of each format as above")
    verdict = "met" if worst < TARGET else "NOT met"
    print(f"largest overhead of one format: {worst:+.1%} (target under {TARGET:.0%}: {verdict})")


if __name__ == "__main__":
    main()
