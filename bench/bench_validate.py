"""Benchmark ``kubeplan validate`` against its peer ``kubernetes-validate --strict``.

What is measured
    For each set built by ``bench/make_sets.py`` (``single``, ``r1000``, ``r10000``), in one run
    and side by side (the two tools alternate on every repetition):

    * kubeplan: ``kubeplan validate <set folder> --kubernetes-version 1.33 --format json``
      (the ``kubeplan`` console script, else ``python -m kubeplan``); for ``single`` the one file
      is passed instead of the folder, so that row is the "single small file end to end" figure
      (interpreter start-up, imports, schema load, parse, validate, report);
    * peer: ``kubernetes-validate --strict -k 1.33.0 <files...>`` (the PyPI package's console
      script). It takes files, not folders, so the set's file list is passed; a list too long
      for one command line is split into batches whose times are added up (and whose peak RSS
      is the largest of them).

    Figures: wall time (best and median of ``--repeat`` runs, default 3) from ``perf_counter``
    around spawn-to-exit, and peak RSS of the child (the median over the runs; the JSON also has
    the maximum and every run) from the ``ru_maxrss`` that ``os.wait4`` returns for that child
    (Linux: KiB; it covers the child and any descendants it waited for, each process on its own,
    not a sum). ``getrusage(RUSAGE_CHILDREN)`` is not used since it only keeps the largest
    child so far, and ``/usr/bin/time`` is not needed.

    Exit codes 0 and 1 (1 = findings) count as a successful run; anything else (or a Python
    traceback on stderr, a timeout, a missing command) is reported as a failure of that tool on
    that set, and its further repetitions there are skipped.

Run
    python bench/make_sets.py && python bench/bench_validate.py
    python bench/bench_validate.py --repeat 5 --sets single,r1000 --json /tmp/bench.json
    python bench/bench_validate.py --kubeplan "python -m kubeplan" --peer /venv/bin/kubernetes-validate

If ``kubernetes-validate`` is not installed the script says how to install it
(``pip install kubernetes-validate``) and still times kubeplan.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SETS_DIR = REPO_ROOT / "bench" / ".sets"
SET_ORDER = ("single", "r1000", "r10000")
KUBEPLAN = "kubeplan"
PEER = "kubernetes-validate"
SINGLE_TARGET_S = 0.3
LARGE_SET = "r10000"
LARGE_TARGET_S = 6.0
LARGE_TARGET_RATIO = 5.0


@dataclass
class Tool:
    """A command to benchmark; ``argv`` is None when it could not be found."""

    name: str
    argv: list[str] | None
    how: str
    cwd: Path = REPO_ROOT


@dataclass
class BenchSet:
    """A set folder and the files and resources it holds."""

    name: str
    folder: Path
    files: list[Path]
    resources: int


@dataclass
class Run:
    """One invocation (all batches) of a tool on a set."""

    wall_s: float
    peak_rss_kib: int
    exit_codes: list[int]
    ok: bool
    note: str = ""


@dataclass
class Result:
    """All runs of one tool on one set."""

    set: str
    resources: int
    files: int
    tool: str
    command: list[str]
    batches: int = 0
    runs: list[Run] = field(default_factory=list)
    status: str = "ok"

    def good_runs(self) -> list[Run]:
        return [run for run in self.runs if run.ok]

    def best_s(self) -> float | None:
        good = self.good_runs()
        return min(run.wall_s for run in good) if good else None

    def median_s(self) -> float | None:
        good = self.good_runs()
        return statistics.median(run.wall_s for run in good) if good else None

    def peak_rss_mb(self) -> float | None:
        """Median over the runs of each run's peak RSS (robust to one cold or disturbed run)."""
        good = self.good_runs()
        return statistics.median(run.peak_rss_kib for run in good) / 1024 if good else None

    def max_rss_mb(self) -> float | None:
        good = self.good_runs()
        return max(run.peak_rss_kib for run in good) / 1024 if good else None

    def worst_s(self) -> float | None:
        good = self.good_runs()
        return max(run.wall_s for run in good) if good else None


def find_kubeplan(override: str | None) -> Tool:
    """The kubeplan command: ``--kubeplan``, the console script, or ``python -m kubeplan``."""
    if override:
        return Tool(KUBEPLAN, shlex.split(override), "--kubeplan")
    script = shutil.which(KUBEPLAN) or _beside_interpreter(KUBEPLAN)
    if script:
        return Tool(KUBEPLAN, [script], f"console script {script}")
    if importlib.util.find_spec("kubeplan") is not None or (
        (REPO_ROOT / "kubeplan" / "__main__.py").is_file()
    ):
        return Tool(KUBEPLAN, [sys.executable, "-m", "kubeplan"], "python -m kubeplan")
    return Tool(KUBEPLAN, None, "not found: no `kubeplan` on PATH and no runnable kubeplan module")


def find_peer(override: str | None) -> Tool:
    """The peer command: ``--peer``, the console script, or ``python -m kubernetes_validate``."""
    if override:
        return Tool(PEER, shlex.split(override), "--peer")
    script = shutil.which(PEER) or _beside_interpreter(PEER)
    if script:
        return Tool(PEER, [script], f"console script {script}")
    if importlib.util.find_spec("kubernetes_validate") is not None:
        return Tool(PEER, [sys.executable, "-m", "kubernetes_validate"], "python -m")
    return Tool(PEER, None, "not installed: `pip install kubernetes-validate`")


def _beside_interpreter(name: str) -> str | None:
    """A console script installed next to this interpreter (an unactivated venv)."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None


def load_sets(sets_dir: Path, names: list[str]) -> list[BenchSet]:
    """The requested sets, with file lists and resource counts (from manifest.json if there)."""
    manifest_path = sets_dir / "manifest.json"
    manifest: dict[str, Any] = {}
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")).get("sets", {})
    sets: list[BenchSet] = []
    for name in names:
        folder = sets_dir / name
        if not folder.is_dir():
            raise SystemExit(
                f"bench_validate: set {name!r} not found in {sets_dir}; "
                "run `python bench/make_sets.py` first"
            )
        info = manifest.get(name)
        if info and all((sets_dir / p).is_file() for p in info["paths"]):
            files = [sets_dir / p for p in info["paths"]]
            resources = int(info["resources"])
        else:
            files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
            resources = count_resources(files)
        sets.append(BenchSet(name, folder, files, resources))
    return sets


def count_resources(files: list[Path]) -> int:
    """Documents that are mappings with ``kind``, over ``files`` (used without manifest.json)."""
    total = 0
    for path in files:
        with path.open(encoding="utf-8") as handle:
            total += sum(
                1
                for doc in yaml.load_all(handle, Loader=yaml.CSafeLoader)
                if isinstance(doc, dict) and "kind" in doc
            )
    return total


def arg_budget() -> int:
    """Bytes of command line a batch may use: a safe share of ARG_MAX less the environment."""
    try:
        arg_max = os.sysconf("SC_ARG_MAX")
    except (ValueError, OSError):
        arg_max = 131_072
    env_size = sum(len(k) + len(v) + 2 for k, v in os.environ.items())
    return max(16_384, min(arg_max // 2, arg_max - env_size - 65_536))


def batches(base: list[str], paths: list[str], budget: int) -> list[list[str]]:
    """Split ``base + paths`` into command lines that fit in ``budget`` bytes each."""
    base_size = sum(len(a) + 1 for a in base)
    result: list[list[str]] = []
    current: list[str] = []
    size = base_size
    for path in paths:
        cost = len(os.fsencode(path)) + 1
        if current and size + cost > budget:
            result.append(base + current)
            current, size = [], base_size
        current.append(path)
        size += cost
    if current or not result:
        result.append(base + current)
    return result


def commands_for(tool: Tool, bench_set: BenchSet) -> list[list[str]]:
    """The command line(s) one run of ``tool`` on ``bench_set`` takes."""
    assert tool.argv is not None
    if tool.name == KUBEPLAN:
        target = bench_set.files[0] if bench_set.name == "single" else bench_set.folder
        return [
            [
                *tool.argv,
                "validate",
                str(target),
                "--kubernetes-version",
                "1.33",
                "--format",
                "json",
            ]
        ]
    base = [*tool.argv, "--strict", "-k", "1.33.0"]
    return batches(base, [str(p) for p in bench_set.files], arg_budget())


def run_once(commands: list[list[str]], cwd: Path, timeout: float, scratch: Path) -> Run:
    """Run the batches one after another; wall time summed, peak RSS the largest."""
    wall = 0.0
    peak = 0
    codes: list[int] = []
    for argv in commands:
        out_path, err_path = scratch / "stdout", scratch / "stderr"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            start = time.perf_counter()
            try:
                proc = subprocess.Popen(
                    argv, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL
                )
            except OSError as exc:  # FileNotFoundError, PermissionError, E2BIG
                return Run(wall, peak, codes, False, f"cannot start {argv[0]}: {exc}")
            timed_out = threading.Event()

            def kill(
                proc: subprocess.Popen[bytes] = proc, flag: threading.Event = timed_out
            ) -> None:
                flag.set()
                proc.kill()

            timer = threading.Timer(timeout, kill)
            timer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                timer.cancel()
            wall += time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code  # reaped by wait4: keep Popen from waiting again
        codes.append(code)
        peak = max(peak, int(usage.ru_maxrss))
        stderr = err_path.read_text(encoding="utf-8", errors="replace")
        if code not in (0, 1):
            why = f"timed out after {timeout:g} s" if timed_out.is_set() else f"exit {code}"
            return Run(wall, peak, codes, False, f"{why}: {tail(stderr)}")
        if "Traceback (most recent call last)" in stderr:
            return Run(wall, peak, codes, False, f"crashed (exit {code}): {tail(stderr)}")
    return Run(wall, peak, codes, True)


def tail(text: str, lines: int = 3) -> str:
    """The last few non-empty lines of ``text``, on one line."""
    kept = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(kept[-lines:]) or "(no stderr)"


def bench(
    sets: list[BenchSet], tools: list[Tool], repeat: int, timeout: float, scratch: Path
) -> list[Result]:
    """Run every available tool on every set, alternating tools on each repetition."""
    results: list[Result] = []
    for bench_set in sets:
        per_tool: dict[str, Result] = {}
        plans: dict[str, list[list[str]]] = {}
        for tool in tools:
            result = Result(
                bench_set.name, bench_set.resources, len(bench_set.files), tool.name, []
            )
            if tool.argv is None:
                result.status = tool.how
            else:
                plans[tool.name] = commands_for(tool, bench_set)
                result.batches = len(plans[tool.name])
                result.command = plans[tool.name][0][:8] + (
                    ["..."] if len(plans[tool.name][0]) > 8 else []
                )
            per_tool[tool.name] = result
        for rep in range(repeat):
            for tool in tools:
                result = per_tool[tool.name]
                if tool.name not in plans or result.status != "ok":
                    continue
                run = run_once(plans[tool.name], tool.cwd, timeout, scratch)
                result.runs.append(run)
                shown = f"{run.wall_s:7.3f} s {run.peak_rss_kib / 1024:7.1f} MB"
                print(
                    f"  {bench_set.name:<7} {tool.name:<20} run {rep + 1}/{repeat}: "
                    + (shown if run.ok else f"FAILED {run.note}"),
                    file=sys.stderr,
                    flush=True,
                )
                if not run.ok:
                    result.status = f"failed: {run.note}"
        results.extend(per_tool.values())
    return results


def fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def ratio_vs_peer(result: Result, results: list[Result]) -> float | None:
    """How many times faster than the peer on the same set (best times); 1.0 for the peer."""
    peer = next((r for r in results if r.set == result.set and r.tool == PEER), None)
    mine, theirs = result.best_s(), peer.best_s() if peer else None
    if mine is None or theirs is None or mine <= 0:
        return None
    return theirs / mine


def markdown_table(results: list[Result]) -> str:
    header = (
        "| set | resources | files | tool | wall s (best / median) | peak RSS MB (median) "
        "| speed vs peer | status |\n"
        "|---|---:|---:|---|---:|---:|---:|---|"
    )
    rows = [header]
    for r in results:
        ratio = ratio_vs_peer(r, results)
        wall = f"{fmt(r.best_s(), '.3f')} / {fmt(r.median_s(), '.3f')}"
        status = r.status if r.status == "ok" else r.status.replace("|", "/")[:160]
        if r.status == "ok" and r.batches > 1:
            status = f"ok ({r.batches} batches)"
        rows.append(
            f"| {r.set} | {r.resources} | {r.files} | {r.tool} | {wall} "
            f"| {fmt(r.peak_rss_mb(), '.1f')} | {fmt(ratio, '.2f') + 'x' if ratio else 'n/a'} "
            f"| {status} |"
        )
    return "\n".join(rows)


def outliers(results: list[Result]) -> list[str]:
    """Runs far slower than the best one (a cold start, or the machine busy with other work)."""
    lines: list[str] = []
    for r in results:
        best, worst = r.best_s(), r.worst_s()
        if best and worst and worst > 2 * best and worst - best > 0.1:
            lines.append(
                f"- {r.tool} on {r.set}: slowest run {worst:.3f} s vs best {best:.3f} s "
                f"(max peak RSS {r.max_rss_mb():.1f} MB); the machine may have been busy"
            )
    return lines


def targets(results: list[Result]) -> list[str]:
    """One line per target of bench/README.md: met, missed, or not measured."""

    def get(set_name: str, tool: str) -> Result | None:
        return next((r for r in results if r.set == set_name and r.tool == tool), None)

    def verdict(ok: bool) -> str:
        return "MET" if ok else "MISSED"

    lines: list[str] = []
    single = get("single", KUBEPLAN)
    best = single.best_s() if single else None
    lines.append(
        f"- single small file end to end < {SINGLE_TARGET_S} s: "
        + ("not measured" if best is None else f"{best:.3f} s, {verdict(best < SINGLE_TARGET_S)}")
    )
    large = get(LARGE_SET, KUBEPLAN)
    best = large.best_s() if large else None
    lines.append(
        f"- {LARGE_SET} under {LARGE_TARGET_S} s: "
        + ("not measured" if best is None else f"{best:.3f} s, {verdict(best < LARGE_TARGET_S)}")
    )
    ratio = ratio_vs_peer(large, results) if large else None
    lines.append(
        f"- {LARGE_SET} at least {LARGE_TARGET_RATIO:g}x faster than `{PEER} --strict`: "
        + (
            "not measured"
            if ratio is None
            else f"{ratio:.2f}x, {verdict(ratio >= LARGE_TARGET_RATIO)}"
        )
    )
    lines.append("- memory linear in resources: " + memory_line(results))
    return lines


def memory_line(results: list[Result]) -> str:
    """kubeplan's RSS growth per 1,000 resources, single->r1000 vs r1000->r10000."""
    points = {
        r.set: (r.resources, r.peak_rss_mb())
        for r in results
        if r.tool == KUBEPLAN and r.peak_rss_mb() is not None
    }
    if not {"single", "r1000", LARGE_SET} <= points.keys():
        return "not measured (needs kubeplan on single, r1000 and r10000)"
    (n0, m0), (n1, m1), (n2, m2) = (points[s] for s in ("single", "r1000", LARGE_SET))
    slope_small = (m1 - m0) / max(n1 - n0, 1) * 1000  # type: ignore[operator]
    slope_large = (m2 - m1) / max(n2 - n1, 1) * 1000  # type: ignore[operator]
    linear = slope_large <= max(1.5 * slope_small, slope_small + 1.0)
    return (
        f"{m0:.1f} / {m1:.1f} / {m2:.1f} MB for single / r1000 / {LARGE_SET}; "
        f"{slope_small:.2f} MB per 1,000 resources up to r1000, {slope_large:.2f} beyond; "
        f"{'MET (at most linear)' if linear else 'MISSED (grows faster than linear)'}"
    )


def tool_version(tool: Tool) -> str:
    if tool.argv is None:
        return "n/a"
    try:
        done = subprocess.run(
            [*tool.argv, "--version"],
            cwd=tool.cwd,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"n/a ({exc})"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if done.returncode == 0 and text else f"n/a (exit {done.returncode})"


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
    parser.add_argument("--peer", help="kubernetes-validate command to use")
    parser.add_argument("--no-peer", action="store_true", help="time kubeplan only")
    parser.add_argument("--json", type=Path, help="also write the raw numbers to this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.repeat < 1:
        raise SystemExit("bench_validate: --repeat must be at least 1")
    names = [n.strip() for n in args.sets.split(",") if n.strip()]
    sets = load_sets(args.sets_dir.resolve(), names)

    kubeplan = find_kubeplan(args.kubeplan)
    tools = [kubeplan]
    if not args.no_peer:
        peer = find_peer(args.peer)
        tools.append(peer)
        if peer.argv is None:
            print(
                f"note: `{PEER}` is not installed, so only kubeplan is timed. Install the peer "
                f"with `pip install kubernetes-validate` (or pass --peer CMD).",
                file=sys.stderr,
            )
    if kubeplan.argv is None:
        print(f"note: kubeplan {kubeplan.how}; it is reported as missing.", file=sys.stderr)

    versions = {tool.name: tool_version(tool) for tool in tools}
    print(
        f"python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; best of {args.repeat}; peak RSS via os.wait4 ru_maxrss",
        file=sys.stderr,
    )
    for tool in tools:
        print(f"{tool.name}: {tool.how}; version {versions[tool.name]}", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="kubeplan-bench-") as tmp:
        results = bench(sets, tools, args.repeat, args.timeout, Path(tmp))

    print()
    print(markdown_table(results))
    noisy = outliers(results)
    if noisy:
        print("\nUneven runs (best-of-N hides them; rerun with a larger --repeat):")
        print("\n".join(noisy))
    print()
    print("Targets (kubeplan):")
    print("\n".join(targets(results)))

    if args.json:
        payload = {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "repeat": args.repeat,
            "rss_source": "os.wait4 ru_maxrss (KiB) of each child; max over batches of a run",
            "tools": {t.name: {"how": t.how, "version": versions[t.name]} for t in tools},
            "results": [
                {
                    **asdict(r),
                    "best_s": r.best_s(),
                    "median_s": r.median_s(),
                    "peak_rss_mb_median": r.peak_rss_mb(),
                    "peak_rss_mb_max": r.max_rss_mb(),
                    "speed_vs_peer": ratio_vs_peer(r, results),
                }
                for r in results
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"\nraw numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
