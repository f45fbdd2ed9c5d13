"""Adversarial inputs: every command and format on real manifests mutated in structure and in
bytes (tests/e2e/fuzz_mutations.py). What must hold whatever the input (docs/security.md):

- no traceback: exit 0, 1 or 2, and exit 2 only with a one-line message on stderr;
- every format still is what it says: JSON and SARIF parse, JUnit is XML, and no human format
  carries an ESC byte, a bidi override or a line that GitHub would read as a workflow command
  other than kubeplan's own annotations;
- bounded time (an alarm in-process, a timeout for the subprocess sample) and bounded memory
  (RLIMIT_AS on the subprocess sample).

Runs in-process through typer's CliRunner for speed, and a sample as real subprocesses. The
default profile runs in the normal suite (well under a minute); `KUBEPLAN_FUZZ=slow` runs about
six times as many inputs, in a few minutes (`.ci/run` does). Each test prints how many inputs it ran (`-s`).

A crash outside the report layer is kept as an `xfail(strict=True)` reproducer in
tests/e2e/test_fuzz_found.py; `KNOWN` below names its signature so that the property tests keep
looking for new ones. Drop the entry when its reproducer passes.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import traceback
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzz_mutations import hostile_manifest, seeds, suffix
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kubeplan.cli import app

SLOW = os.environ.get("KUBEPLAN_FUZZ") == "slow"
EXAMPLES = {"in_process": 600 if SLOW else 100, "subprocess": 60 if SLOW else 8}
RUN_SECONDS = 30  # one command on one small mutated file; a real run takes well under 1 s
MEMORY_BYTES = 2 * 1024**3  # RLIMIT_AS of a subprocess run: a bomb fails instead of swapping
SETTINGS = settings(
    deadline=None,
    derandomize=not SLOW,  # the normal suite is reproducible; the slow profile explores
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# What GitHub's runner reads as a command: `::name ...::` after leading white space (TryParseV2
# in actions/runner src/Runner.Common/ActionCommand.cs), and `##[` anywhere (TryParse).
RUNNER_COMMAND = re.compile(r"::[A-Za-z][A-Za-z-]*(?:[ ,][^\n]*?)?::")
ANNOTATION = re.compile(r"::(error|warning|notice) file=[^:,]*,line=\d+,col=\d+,title=[^:,]*::")
# Signatures of crashes found here whose fix belongs to another layer: (exception type, the
# kubeplan frame that raised) -> the reproducer test in tests/e2e/test_fuzz_found.py.
KNOWN: dict[tuple[str, str], str] = {}
COUNTS: Counter[str] = Counter()

NEW, BASE = "{new}", "{base}"
MANIFEST_FORMATS = ("text", "json", "sarif", "junit", "markdown", "github")
COMMANDS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("validate", NEW), MANIFEST_FORMATS),
    (("lint", NEW), MANIFEST_FORMATS),
    (("check", NEW), MANIFEST_FORMATS),
    (("diff", NEW, "--base", BASE), MANIFEST_FORMATS),
    (("plan", NEW, "--base", BASE), MANIFEST_FORMATS),
    (("reach", NEW), ("text", "json", "mermaid", "dot")),
    (("reach", NEW, "--base", BASE), ("text", "json")),
    (("can-i", "get", "pods", "-n", "default", "--as", "alice", NEW), ("text", "json")),
    (("can-i", "--list", "--as", "system:serviceaccount:default:default", NEW), ("text", "json")),
    (("who-can", "get", "secrets", "-A", NEW), ("text", "json")),
)


@st.composite
def invocation(draw) -> tuple[tuple[str, bytes, bytes], tuple[str, ...], str]:
    manifest = draw(hostile_manifest())
    command, formats = draw(st.sampled_from(COMMANDS))
    return manifest, command, draw(st.sampled_from(formats))


@contextlib.contextmanager
def _sets(name: str, seed: bytes, mutated: bytes) -> Iterator[tuple[Path, Path]]:
    """A folder with the mutated file and one with the seed (the base of diff, plan, reach)."""
    with tempfile.TemporaryDirectory() as tmp:
        new, base = Path(tmp, "new"), Path(tmp, "base")
        new.mkdir()
        base.mkdir()
        (new / f"input{suffix(name)}").write_bytes(mutated)
        (base / f"input{suffix(name)}").write_bytes(seed)
        yield new, base


def _args(command: tuple[str, ...], fmt: str, new: Path, base: Path) -> list[str]:
    args = [a.replace(NEW, str(new)).replace(BASE, str(base)) for a in command]
    return [*args, "--format", fmt]


def check_output(fmt: str, stdout: str, stderr: str) -> None:
    """The format is what it says, and no human format can inject anything."""
    if fmt in ("json", "sarif") and stdout:
        json.loads(stdout)
    if fmt == "junit" and stdout:
        ET.fromstring(stdout)
    for stream, text in (("stdout", stdout), ("stderr", stderr)):
        if fmt in ("json", "sarif") and stream == "stdout":
            continue
        assert "\x1b" not in text, f"ESC in {fmt} {stream}"
        assert "\u202e" not in text, f"U+202E in {fmt} {stream}"
        assert "##[" not in text, f"legacy command in {fmt} {stream}"
        for line in text.split("\n"):
            if RUNNER_COMMAND.match(line.lstrip()):
                assert fmt == "github" and stream == "stdout", f"command in {stream}: {line!r}"
                assert ANNOTATION.match(line), f"malformed annotation: {line!r}"


def check_exit(code: int, stderr: str) -> None:
    assert code in (0, 1, 2), f"exit {code}"
    if code == 2:
        lines = stderr.strip().split("\n")
        assert len(lines) == 1 and lines[0], f"exit 2 with {len(lines)} lines: {stderr[:500]!r}"
    assert "Traceback (most recent call last)" not in stderr, stderr[-2000:]


def _signature(error: BaseException) -> tuple[str, str]:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/kubeplan/" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].name}" if frames else "?"
    return type(error).__name__, where


class _Timeout(Exception):
    pass


def _alarm(signum, frame):  # type: ignore[no-untyped-def]
    raise _Timeout(f"a run took more than {RUN_SECONDS} s")


def run_in_process(args: list[str]) -> tuple[int, str, str]:
    """The CLI in this process under an alarm; a Python exception is a finding unless KNOWN."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(RUN_SECONDS)
    try:
        result = CliRunner().invoke(app, args)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    error = result.exception
    if error is not None and not isinstance(error, SystemExit):
        signature = _signature(error)
        if signature in KNOWN:
            COUNTS[f"known {KNOWN[signature]}"] += 1
            return 2, "", "kubeplan: known internal error"
        detail = "".join(traceback.format_exception(error))
        raise AssertionError(f"kubeplan {' '.join(args)} raised:\n{detail}")
    return result.exit_code, result.stdout, result.stderr


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def run_subprocess(args: list[str]) -> tuple[int, str, str]:
    """`python -m kubeplan` with bounded time and address space, not on a terminal."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "kubeplan", *args],
        capture_output=True,
        timeout=RUN_SECONDS,
        preexec_fn=_limits,
        env=env,
        check=False,
    )
    stdout = done.stdout.decode("utf-8")  # kubeplan writes UTF-8: a decode error is a finding
    stderr = done.stderr.decode("utf-8")
    return done.returncode, stdout, stderr


@pytest.fixture(scope="module", autouse=True)
def _counts(request: pytest.FixtureRequest) -> Iterator[None]:
    """How many inputs each test ran, on the terminal (the closing note quotes them)."""
    yield
    profile = "slow" if SLOW else "default"
    line = f"fuzz ({profile} profile): " + ", ".join(f"{k} {v}" for k, v in sorted(COUNTS.items()))
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print(f"\n{line}")


def test_there_are_seeds():
    names = [name for name, _ in seeds()]
    assert any(name.startswith("fixtures/") for name in names)
    assert len(names) >= 30


@settings(SETTINGS, max_examples=EXAMPLES["in_process"])
@given(invocation())
def test_every_command_and_format_in_process(case) -> None:
    (name, seed, mutated), command, fmt = case
    with _sets(name, seed, mutated) as (new, base):
        code, stdout, stderr = run_in_process(_args(command, fmt, new, base))
    COUNTS["in-process inputs"] += 1
    check_exit(code, stderr)
    check_output(fmt, stdout, stderr)


@settings(SETTINGS, max_examples=EXAMPLES["subprocess"])
@given(invocation())
def test_every_command_and_format_as_a_subprocess(case) -> None:
    (name, seed, mutated), command, fmt = case
    with _sets(name, seed, mutated) as (new, base):
        code, stdout, stderr = run_subprocess(_args(command, fmt, new, base))
    COUNTS["subprocess inputs"] += 1
    check_exit(code, stderr)
    check_output(fmt, stdout, stderr)


def test_the_checks_catch_what_they_claim():
    """The oracle is live: raw text with a command and an ESC fails check_output."""
    bad = "ok\n::error file=x::pwned\x1b[2J\n"
    with pytest.raises(AssertionError):
        check_output("text", bad, "")
    with pytest.raises(AssertionError):
        check_exit(2, "kubeplan: one\nand another line\n")
    with pytest.raises(AssertionError):
        check_exit(3, "")
    with pytest.raises(AssertionError):
        check_output("github", "::error file=x::pwned\n", "")
    check_output("github", "::error file=a.yaml,line=1,col=1,title=r (P/x)::m%0Ahint\n", "")
