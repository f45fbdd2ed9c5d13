"""Benchmark ``kubeplan check`` against ``kubeplan validate`` and the peer Checkov.

What is measured
    For each scale set built by ``bench/make_sets.py`` (``r1000``, ``r10000``; ``--sets`` to
    choose), in one run and side by side (the three commands alternate on every repetition):

    * ``kubeplan validate <set folder> --kubernetes-version 1.33 --format json`` (schema only);
    * ``kubeplan check <set folder> --kubernetes-version 1.33 --format json`` (validate + lint
      in one pass);
    * ``checkov --framework kubernetes -d <set> --quiet --compact -o json --skip-download``
      (Checkov's Kubernetes scanner, the peer for the lint half), run from the sets folder with
      the set's bare name since Checkov skips paths under a hidden folder such as ``.sets``;
      ``--skip-download`` keeps it offline like kubeplan (no guideline fetch from Prisma Cloud).

    Timing and memory are those of ``bench/bench_validate.py``, whose helpers this script
    imports: wall time from ``perf_counter`` around spawn-to-exit (best and median of
    ``--repeat`` runs, default 3) and the child's peak RSS from the ``ru_maxrss`` that
    ``os.wait4`` returns (the median over the runs). For a tool that forks workers this is the
    largest single process, not a sum. Exit codes 0 and 1 (1 = findings / failed checks) count
    as success; anything else, a Python traceback on stderr, a timeout or a missing command is a
    failure of that tool on that set.

    Ratios (best times on the same set): ``check / validate`` (target at most 1.5: linting on
    top of validation costs at most half again) and ``checkov / check`` (target at least 10:
    kubeplan's validate + lint is at least ten times faster than Checkov alone).

Run
    python bench/make_sets.py && python bench/bench_check.py
    python bench/bench_check.py --sets r1000 --repeat 5 --json /tmp/check.json
    python bench/bench_check.py --checkov /tmp/checkovvenv/bin/checkov

Checkov has many dependencies, so install it in a venv of its own::

    python3 -m venv /tmp/checkovvenv && /tmp/checkovvenv/bin/pip install checkov

``--checkov`` defaults to ``checkov`` on ``PATH``, then ``/tmp/checkovvenv/bin/checkov``. If it
is absent the script says how to install it and still times kubeplan.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_validate import (  # a sibling script, not a package
    DEFAULT_SETS_DIR,
    BenchSet,
    Result,
    Tool,
    find_kubeplan,
    fmt,
    load_sets,
    outliers,
    run_once,
    tool_version,
)

SET_ORDER = ("r1000", "r10000")
VALIDATE = "kubeplan validate"
CHECK = "kubeplan check"
CHECKOV = "checkov"
CHECKOV_VENV = Path("/tmp/checkovvenv/bin/checkov")
CHECKOV_INSTALL = "python3 -m venv /tmp/checkovvenv && /tmp/checkovvenv/bin/pip install checkov"
CHECK_VS_VALIDATE_MAX = 1.5
CHECKOV_VS_CHECK_MIN = 10.0


def find_checkov(override: str | None) -> Tool:
    """``--checkov``, else ``checkov`` on ``PATH``, else the venv of the install hint."""
    if override:
        argv = shlex.split(override)
        found = shutil.which(argv[0]) if argv else None
        if found:
            return Tool(CHECKOV, [found, *argv[1:]], f"--checkov {override}")
        return Tool(CHECKOV, None, f"not found: --checkov {override!r}")
    script = shutil.which(CHECKOV)
    if script:
        return Tool(CHECKOV, [script], f"{script} (PATH)")
    if CHECKOV_VENV.is_file() and os.access(CHECKOV_VENV, os.X_OK):
        return Tool(CHECKOV, [str(CHECKOV_VENV)], str(CHECKOV_VENV))
    return Tool(CHECKOV, None, f"not installed: `{CHECKOV_INSTALL}`")


def command_for(tool: Tool, bench_set: BenchSet) -> tuple[list[str], Path]:
    """The one command line a run of ``tool`` on ``bench_set`` takes, and where it runs.

    Checkov runs in the sets folder on the set's bare name (``-d r1000``): it silently skips
    every file whose path contains ``/.`` (``bench/.sets/...``) unless
    ``CKV_IGNORE_HIDDEN_DIRECTORIES=false``. ``--skip-download`` keeps it offline, like
    kubeplan: without it Checkov first fetches policy guidelines from Prisma Cloud (doc links
    only), which costs network time and, offline, logs tracebacks.
    """
    assert tool.argv is not None
    if tool.name == CHECKOV:
        options = ["--framework", "kubernetes", "-d", bench_set.folder.name, "--quiet"]
        options += ["--compact", "-o", "json", "--skip-download"]
        return [*tool.argv, *options], bench_set.folder.parent
    subcommand = tool.name.split()[1]  # "validate" or "check"
    folder = str(bench_set.folder)
    options = ["--kubernetes-version", "1.33", "--format", "json"]
    return [*tool.argv, subcommand, folder, *options], tool.cwd


def count_findings(tool: str, stdout: Path) -> int | None:
    """Findings in a run's JSON report: kubeplan's findings, Checkov's failed checks."""
    try:
        report: Any = json.loads(stdout.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if tool != CHECKOV:
        findings = report.get("findings") if isinstance(report, dict) else None
        return len(findings) if isinstance(findings, list) else None
    # One report per framework: a dict for one, a list for several; {} or [] when nothing ran.
    reports = report if isinstance(report, list) else [report]
    total = 0
    for item in reports:
        summary = item.get("summary") if isinstance(item, dict) else None
        if isinstance(summary, dict):
            total += int(summary.get("failed", 0))
    return total


def bench(
    sets: list[BenchSet], tools: list[Tool], repeat: int, timeout: float, scratch: Path
) -> tuple[list[Result], dict[tuple[str, str], int | None]]:
    """Run every available tool on every set, alternating tools on each repetition."""
    results: list[Result] = []
    findings: dict[tuple[str, str], int | None] = {}
    for bench_set in sets:
        per_tool: dict[str, Result] = {}
        plans: dict[str, tuple[list[str], Path]] = {}
        for tool in tools:
            result = Result(
                bench_set.name, bench_set.resources, len(bench_set.files), tool.name, []
            )
            if tool.argv is None:
                result.status = tool.how
            else:
                plans[tool.name] = command_for(tool, bench_set)
                result.command = plans[tool.name][0]
                result.batches = 1
            per_tool[tool.name] = result
        for rep in range(repeat):
            for tool in tools:
                result = per_tool[tool.name]
                if tool.name not in plans or result.status != "ok":
                    continue
                argv, cwd = plans[tool.name]
                run = run_once([argv], cwd, timeout, scratch)
                result.runs.append(run)
                if run.ok:
                    findings[(bench_set.name, tool.name)] = count_findings(
                        tool.name, scratch / "stdout"
                    )
                else:
                    result.status = f"failed: {run.note}"
                shown = f"{run.wall_s:8.3f} s {run.peak_rss_kib / 1024:7.1f} MB"
                print(
                    f"  {bench_set.name:<7} {tool.name:<17} run {rep + 1}/{repeat}: "
                    + (shown if run.ok else f"FAILED {run.note}"),
                    file=sys.stderr,
                    flush=True,
                )
        results.extend(per_tool.values())
    return results, findings


@dataclass
class Ratio:
    """A ratio of best times; ``bound`` is ``">"`` or ``"<"`` when one side timed out."""

    value: float
    bound: str = ""

    def show(self, spec: str) -> str:
        return f"{self.bound}{self.value:{spec}}x"


def best_or_timeout(result: Result | None) -> tuple[float | None, bool]:
    """The best wall time, else the time a timed-out run was killed at (a lower bound)."""
    if result is None:
        return None, False
    best = result.best_s()
    if best is not None:
        return best, False
    killed = [run.wall_s for run in result.runs if run.note.startswith("timed out")]
    return (max(killed), True) if killed else (None, False)


def ratio(results: list[Result], set_name: str, numerator: str, denominator: str) -> Ratio | None:
    """Best time of ``numerator`` over best time of ``denominator`` on ``set_name``.

    A tool that timed out counts with the time it was killed at, so the ratio is a bound:
    ``">"`` when the numerator timed out, ``"<"`` when the denominator did.
    """

    def get(tool: str) -> Result | None:
        return next((r for r in results if r.set == set_name and r.tool == tool), None)

    top, top_cut = best_or_timeout(get(numerator))
    bottom, bottom_cut = best_or_timeout(get(denominator))
    if top is None or bottom is None or bottom <= 0 or (top_cut and bottom_cut):
        return None
    return Ratio(top / bottom, ">" if top_cut else "<" if bottom_cut else "")


def wall_cell(result: Result) -> str:
    """``best / median``, or ``> N (timed out)`` when no run finished."""
    value, cut = best_or_timeout(result)
    if cut and value is not None:
        return f"> {value:.0f} (timed out)"
    return f"{fmt(result.best_s(), '.3f')} / {fmt(result.median_s(), '.3f')}"


def markdown_table(results: list[Result], findings: dict[tuple[str, str], int | None]) -> str:
    header = (
        "| set | resources | tool | wall s (best / median) | peak RSS MB "
        "| check / validate | checkov / check | findings | status |\n"
        "|---|---:|---|---:|---:|---:|---:|---:|---|"
    )
    rows = [header]
    for r in results:
        check_vs_validate = ratio(results, r.set, CHECK, VALIDATE) if r.tool == CHECK else None
        checkov_vs_check = ratio(results, r.set, CHECKOV, CHECK) if r.tool == CHECKOV else None
        found = findings.get((r.set, r.tool))
        status = r.status if r.status == "ok" else r.status.replace("|", "/")[:160]
        rows.append(
            f"| {r.set} | {r.resources} | {r.tool} | {wall_cell(r)} "
            f"| {fmt(r.peak_rss_mb(), '.1f')} "
            f"| {check_vs_validate.show('.2f') if check_vs_validate else ''} "
            f"| {checkov_vs_check.show('.1f') if checkov_vs_check else ''} "
            f"| {'' if found is None else found} | {status} |"
        )
    return "\n".join(rows)


def verdict(found: Ratio | None, limit: float, at_most: bool, spec: str) -> str:
    """MET / MISSED for ``found`` against ``limit``; a bound decides only one way."""
    if found is None:
        return "not measured"
    met = found.value <= limit if at_most else found.value >= limit
    # A lower bound (">") can prove "at least" and disprove "at most"; an upper bound the reverse.
    decided = not found.bound or (found.bound == ">") != (met == at_most)
    word = ("MET" if met else "MISSED") if decided else "undecided"
    note = " (lower bound: timed out)" if found.bound == ">" else ""
    note = " (upper bound: timed out)" if found.bound == "<" else note
    return f"{found.show(spec)}, {word}{note}"


def targets(results: list[Result], sets: list[BenchSet]) -> list[str]:
    """One line per target and set: met, missed, or not measured."""
    lines: list[str] = []
    for bench_set in sets:
        name = bench_set.name
        found = ratio(results, name, CHECK, VALIDATE)
        lines.append(
            f"- {name}: check / validate at most {CHECK_VS_VALIDATE_MAX:g}x: "
            + verdict(found, CHECK_VS_VALIDATE_MAX, True, ".2f")
        )
        found = ratio(results, name, CHECKOV, CHECK)
        lines.append(
            f"- {name}: checkov / check at least {CHECKOV_VS_CHECK_MIN:g}x: "
            + verdict(found, CHECKOV_VS_CHECK_MIN, False, ".1f")
        )
    return lines


def asdict_or_none(found: Ratio | None) -> dict[str, Any] | None:
    return asdict(found) if found else None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets-dir", type=Path, default=DEFAULT_SETS_DIR)
    parser.add_argument(
        "--sets",
        default=",".join(SET_ORDER),
        help=f"comma-separated (default {','.join(SET_ORDER)})",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool and set (best of N)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per command")
    parser.add_argument("--kubeplan", help="kubeplan command to use, e.g. 'python -m kubeplan'")
    parser.add_argument(
        "--checkov",
        help=f"checkov command (default: `checkov` on PATH, then {CHECKOV_VENV})",
    )
    parser.add_argument("--no-checkov", action="store_true", help="time kubeplan only")
    parser.add_argument("--json", type=Path, help="also write the raw numbers to this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.repeat < 1:
        raise SystemExit("bench_check: --repeat must be at least 1")
    names = [n.strip() for n in args.sets.split(",") if n.strip()]
    sets = load_sets(args.sets_dir.resolve(), names)

    kubeplan = find_kubeplan(args.kubeplan)
    tools = [
        Tool(VALIDATE, kubeplan.argv, kubeplan.how),
        Tool(CHECK, kubeplan.argv, kubeplan.how),
    ]
    if kubeplan.argv is None:
        print(f"note: kubeplan {kubeplan.how}; it is reported as missing.", file=sys.stderr)
    if not args.no_checkov:
        checkov = find_checkov(args.checkov)
        tools.append(checkov)
        if checkov.argv is None:
            print(
                f"note: Checkov {checkov.how}, so only kubeplan is timed. Install it in a venv of "
                f"its own with `{CHECKOV_INSTALL}` (or pass --checkov PATH).",
                file=sys.stderr,
            )

    versions = {tool.name: tool_version(tool) for tool in tools}
    print(
        f"python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; best of {args.repeat}; peak RSS via os.wait4 ru_maxrss",
        file=sys.stderr,
    )
    for tool in tools:
        print(f"{tool.name}: {tool.how}; version {versions[tool.name]}", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="kubeplan-bench-check-") as tmp:
        results, findings = bench(sets, tools, args.repeat, args.timeout, Path(tmp))

    print()
    print(markdown_table(results, findings))
    noisy = outliers(results)
    if noisy:
        print("\nUneven runs (best-of-N hides them; rerun with a larger --repeat):")
        print("\n".join(noisy))
    print()
    print("Targets:")
    print("\n".join(targets(results, sets)))

    if args.json:
        payload = {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "repeat": args.repeat,
            "rss_source": "os.wait4 ru_maxrss (KiB) of each child",
            "tools": {t.name: {"how": t.how, "version": versions[t.name]} for t in tools},
            "results": [
                {
                    **asdict(r),
                    "best_s": r.best_s(),
                    "median_s": r.median_s(),
                    "peak_rss_mb_median": r.peak_rss_mb(),
                    "peak_rss_mb_max": r.max_rss_mb(),
                    "findings": findings.get((r.set, r.tool)),
                    "check_vs_validate": asdict_or_none(ratio(results, r.set, CHECK, VALIDATE))
                    if r.tool == CHECK
                    else None,
                    "checkov_vs_check": asdict_or_none(ratio(results, r.set, CHECKOV, CHECK))
                    if r.tool == CHECKOV
                    else None,
                }
                for r in results
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"\nraw numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
