"""Start-up cost: a command imports only what it needs.

`kubeplan reach` on a config-less folder must not pay for the schema validator, the lint
engine or the graph library (they are most of the start-up of the other commands); a pre-commit
hook or a CI step runs kubeplan on every commit, so start-up is felt on every run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow  # every test runs kubeplan as a process

PROBE = """
import json, sys
from kubeplan.cli import main
sys.argv = ["kubeplan", *ARGS]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def modules_after(args: list[str], cwd: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.replace("ARGS", repr(args))],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    last = done.stderr.strip().splitlines()[-1]
    return set(json.loads(last))


HEAVY = {"jsonschema_rs", "networkx", "kubeplan.rules.engine", "kubeplan.schemas.catalog"}


def test_reach_without_config_imports_no_validator_engine_or_graph(tmp_path: Path) -> None:
    folder = ROOT / "fixtures" / "netpol" / "app-foo-nginx.yaml"
    loaded = modules_after(["reach", str(folder), "-o", "json"], tmp_path)
    assert "kubeplan.planner.netpol.engine" in loaded  # the probe really ran the command
    assert loaded & HEAVY == set()


def test_reach_with_a_config_reads_it(tmp_path: Path) -> None:
    """The lean path is only taken without a config: with one, its `connections` count."""
    (tmp_path / ".kubeplan.yaml").write_text("connections: ['a -> b:80']\n")
    folder = ROOT / "fixtures" / "netpol" / "app-foo-nginx.yaml"
    loaded = modules_after(["reach", str(folder), "-o", "json"], tmp_path)
    assert "kubeplan.config.load" in loaded and "jsonschema_rs" in loaded


def test_the_lean_application_answers_as_the_whole_one() -> None:
    """`main` builds only the command being run (kubeplan/cli.py app_for); every command's help
    and an error inside a command read the same as from the whole application."""
    from typer.testing import CliRunner

    from kubeplan.cli import app, app_for, command_name

    runner = CliRunner()
    names = [command_name(c) for c in app.registered_commands]
    assert {"validate", "check", "plan", "reach", "can-i", "who-can"} <= set(names)
    for name in names:
        lean = app_for([name])
        assert lean is not app and [command_name(c) for c in lean.registered_commands] == [name]
        for args in ([name, "--help"], [name, "--no-such-option"]):
            whole, alone = runner.invoke(app, args), runner.invoke(lean, args)
            assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output), args
    for args in ([], ["--help"], ["baseline", "write"], ["rech"]):
        assert app_for(args) is app


def test_a_mistyped_command_gets_one_suggestion() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kubeplan", "rech"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stderr.count("Did you mean 'reach'?") == 1, done.stderr
