"""action.yml: the composite action's kubeplan step, run with bash as the runner runs it
(`bash -e {0}` with the inputs in the environment and GITHUB_STEP_SUMMARY / GITHUB_OUTPUT files)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import ROOT, fixture

ACTION = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
STEP = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "run")


def _run_step(tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    defaults = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values = {**defaults, **inputs}
    env = {**os.environ}
    for key, template in STEP["env"].items():
        name = template.removeprefix("${{ inputs.").removesuffix(" }}")
        env[key] = values[name]
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    env.update(
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_OUTPUT=str(output),
        PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
    )
    script = tmp_path / "step.sh"
    script.write_text(STEP["run"], "utf-8")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return done, summary, output


def test_inputs_reach_kubeplan_and_every_report_is_written(tmp_path):
    done, summary, output = _run_step(
        tmp_path,
        paths=f"{fixture('shop')} {fixture('helm', 'rendered.yaml')}",
        sarif="out.sarif",
        **{"fail-on": "error", "kubernetes-version": "1.33"},
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("::")  # annotations in the log
    assert "::error file=" in done.stdout and "schema-unknown-field" in done.stdout
    sarif = json.loads((tmp_path / "out.sarif").read_text("utf-8"))
    assert sarif["runs"][0]["properties"]["kubernetesVersion"] == "1.33"
    assert summary.read_text("utf-8").startswith("## kubeplan check: ❌ 1 error")
    assert output.read_text("utf-8") == "sarif=out.sarif\n"


def test_fail_on_never_reports_without_failing(tmp_path):
    done, summary, _ = _run_step(
        tmp_path, paths=fixture("helm", "rendered.yaml"), sarif="", **{"fail-on": "never"}
    )
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "kubeplan.sarif").exists()
    assert "❌ 1 error" in summary.read_text("utf-8")
