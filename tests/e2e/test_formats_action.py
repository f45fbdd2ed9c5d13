"""action.yml: the composite action's steps, run with bash as the runner runs them.

The run step is `bash "$GITHUB_ACTION_PATH/action/run.sh"` with the inputs in KUBEPLAN_*
variables (mapped in action.yml) and the files and variables GitHub sets (GITHUB_OUTPUT,
GITHUB_STEP_SUMMARY, GITHUB_WORKSPACE, GITHUB_ACTION_PATH), in a temporary git repository that
stands for the checkout: kubeplan itself runs for real.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, fixture

ACTION = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
STEPS = {step.get("id") or step.get("name"): step for step in ACTION["runs"]["steps"]}
STEP = STEPS["run"]
INSTALL = STEPS["Install kubeplan"]

# A Service whose selector matches no pod: one warning, no error.
WARNING_ONLY = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  selector:
    app: nothing-has-this-label
  ports:
    - port: 80
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A checkout: deploy/shop (clean), deploy/broken.yaml (3 schema errors), deploy/warn.yaml
    (1 warning), 'deploy/with space/broken.yaml', committed, with a first commit holding only
    deploy/shop for `base`."""
    root = tmp_path / "checkout"
    shutil.copytree(fixture("shop"), root / "deploy" / "shop")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "shop")
    shutil.copy(fixture("broken", "schema-errors.yaml"), root / "deploy" / "broken.yaml")
    (root / "deploy" / "with space").mkdir()
    shutil.copy(
        fixture("broken", "schema-errors.yaml"), root / "deploy" / "with space" / "broken.yaml"
    )
    (root / "deploy" / "warn.yaml").write_text(WARNING_ONLY, "utf-8")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "more")
    return root


def _step_env(step: dict, values: dict[str, str]) -> dict[str, str]:
    """The step's `env:` with each `${{ inputs.NAME }}` replaced by the input's value."""
    env = {}
    for key, template in step["env"].items():
        match = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", template)
        env[key] = values[match.group(1)] if match else values.get(template, "")
    return env


def _run_step(
    repo: Path, step: dict = STEP, extra_env: dict[str, str] | None = None, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, str], Path]:
    """Runs one step of action.yml in `repo` (the workspace, the runner's working directory).

    Returns the finished process, the outputs the step wrote to GITHUB_OUTPUT, and the step
    summary file."""
    defaults = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    unknown = set(inputs) - set(defaults)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    runner = repo.parent / "runner"
    runner.mkdir(exist_ok=True)
    summary, output = runner / "summary.md", runner / "output"
    output.write_text("", "utf-8")
    env = {
        **os.environ,
        **_step_env(step, {**defaults, **inputs}),
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_WORKSPACE": str(repo),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "example/manifests",
        "GITHUB_SHA": "0123abc",
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        **(extra_env or {}),
    }
    script = runner / "step.sh"
    script.write_text(step["run"], "utf-8")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    outputs = dict(
        line.split("=", 1) for line in output.read_text("utf-8").splitlines() if "=" in line
    )
    return done, outputs, summary


def _annotated_files(stdout: str) -> set[str]:
    return set(re.findall(r"^::(?:error|warning|notice) file=([^,]+),", stdout, re.MULTILINE))


def test_inputs_reach_kubeplan_and_every_report_is_written(repo):
    done, outputs, summary = _run_step(
        repo,
        paths="deploy/shop deploy/broken.yaml",
        sarif="out.sarif",
        **{"fail-on": "error", "kubernetes-version": "1.33"},
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("::")  # annotations in the log
    assert "::error file=deploy/broken.yaml," in done.stdout
    sarif = json.loads((repo / "out.sarif").read_text("utf-8"))
    assert sarif["runs"][0]["properties"]["kubernetesVersion"] == "1.33"
    assert summary.read_text("utf-8").startswith("## kubeplan check: ❌ 3 errors")
    assert outputs == {"sarif": "out.sarif"}


def test_fail_on_never_reports_without_failing(repo):
    done, outputs, summary = _run_step(
        repo, paths="deploy/broken.yaml", sarif="", **{"fail-on": "never"}
    )
    assert done.returncode == 0, done.stderr
    assert not (repo / "kubeplan.sarif").exists()
    assert outputs == {}
    assert "❌ 3 errors" in summary.read_text("utf-8")


def test_every_line_of_a_multi_line_paths_input_is_checked(repo):
    # `paths: |` in a workflow: one path per line, the last line ending in a newline. Only the
    # first (clean) line used to be read, and the step passed.
    done, _, _ = _run_step(repo, paths="deploy/shop\ndeploy/broken.yaml\n  deploy/warn.yaml\n")
    assert done.returncode == 1, done.stdout + done.stderr
    assert _annotated_files(done.stdout) == {"deploy/broken.yaml", "deploy/warn.yaml"}
    assert "in 13 resources in 5 files" in done.stdout


def test_a_quoted_path_with_a_space_is_one_path(repo):
    done, _, _ = _run_step(repo, paths="deploy/shop\n'deploy/with space/broken.yaml'")
    assert done.returncode == 1, done.stdout + done.stderr
    assert _annotated_files(done.stdout) == {"deploy/with space/broken.yaml"}


def test_extra_args_keep_a_quoted_argument_whole_and_read_every_line(repo):
    (repo / "ci conf").mkdir()
    (repo / "ci conf" / "kubeplan.yaml").write_text("fail-on: warning\n", "utf-8")
    done, _, _ = _run_step(
        repo,
        paths="deploy/warn.yaml",
        sarif="",
        **{"extra-args": '--config "ci conf/kubeplan.yaml"\n--kubernetes-version 1.31\n'},
    )
    assert done.returncode == 1, done.stdout + done.stderr  # the config's fail-on: warning
    assert "(Kubernetes 1.31)" in done.stdout  # the second line was read too


def test_an_unbalanced_quote_in_an_input_is_a_usage_error(repo):
    done, outputs, _ = _run_step(repo, paths="deploy/shop", **{"extra-args": '--config "a b'})
    assert done.returncode == 2
    assert "input extra-args: No closing quotation" in done.stderr
    assert outputs == {}


def test_the_config_fail_on_is_honoured_when_the_input_is_empty(repo):
    (repo / ".kubeplan.yaml").write_text("fail-on: warning\n", "utf-8")
    done, _, _ = _run_step(repo, paths="deploy/warn.yaml")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "::warning file=deploy/warn.yaml," in done.stdout
    # The input, when set, wins as the command line does.
    done, _, _ = _run_step(repo, paths="deploy/warn.yaml", **{"fail-on": "error"})
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_config_input_names_the_config(repo):
    (repo / "ci.yaml").write_text("fail-on: warning\n", "utf-8")
    done, _, _ = _run_step(repo, paths="deploy/warn.yaml", config="ci.yaml")
    assert done.returncode == 1, done.stdout + done.stderr
    done, _, _ = _run_step(repo, paths="deploy/warn.yaml", config="missing.yaml")
    assert done.returncode == 2


def test_exit_2_sets_no_sarif_output_and_leaves_no_stale_file(repo):
    (repo / "kubeplan.sarif").write_text("{}", "utf-8")  # from an earlier run
    done, outputs, _ = _run_step(repo, paths="deploy/no-such-folder")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "deploy/no-such-folder" in done.stderr
    assert outputs == {}
    assert not (repo / "kubeplan.sarif").exists()


def test_paths_are_repository_relative_under_a_working_directory(repo):
    done, outputs, summary = _run_step(repo, paths="broken.yaml", **{"working-directory": "deploy"})
    assert done.returncode == 1, done.stdout + done.stderr
    assert _annotated_files(done.stdout) == {"deploy/broken.yaml"}
    sarif = json.loads((repo / "deploy" / "kubeplan.sarif").read_text("utf-8"))
    uris = {
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in sarif["runs"][0]["results"]
    }
    assert uris == {"deploy/broken.yaml"}
    assert outputs == {"sarif": "deploy/kubeplan.sarif"}  # where the next step finds it
    # The step summary's links open the file on GitHub.
    links = set(re.findall(r"\]\((https://[^)#]+)#L\d+\)", summary.read_text("utf-8")))
    assert links == {"https://github.com/example/manifests/blob/0123abc/deploy/broken.yaml"}


def test_without_git_the_workspace_is_the_root(tmp_path):
    # git does not answer outside a repository (or in a container that distrusts the checkout's
    # owner): GITHUB_WORKSPACE is the root then.
    workspace = tmp_path / "ws"
    (workspace / "deploy").mkdir(parents=True)
    shutil.copy(fixture("broken", "schema-errors.yaml"), workspace / "deploy" / "broken.yaml")
    env = {
        **os.environ,
        "GITHUB_WORKSPACE": str(workspace),
        "GIT_CEILING_DIRECTORIES": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "kubeplan", "validate", "broken.yaml", "--format", "github"],
        cwd=workspace / "deploy",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert _annotated_files(done.stdout) == {"deploy/broken.yaml"}
    env.pop("GITHUB_WORKSPACE")
    done = subprocess.run(
        [sys.executable, "-m", "kubeplan", "validate", "broken.yaml", "--format", "github"],
        cwd=workspace / "deploy",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert _annotated_files(done.stdout) == {"broken.yaml"}


def test_plan_against_a_base_revision(repo):
    # The first commit already held deploy/shop: against it nothing is created; without a base
    # (an empty cluster) all 11 objects are.
    done, _, summary = _run_step(
        repo, command="plan", paths="deploy/shop", base="HEAD~1", sarif="", **{"fail-on": "never"}
    )
    assert done.returncode == 0, done.stdout + done.stderr
    planned = summary.read_text("utf-8")
    assert planned.startswith("## kubeplan plan against git:HEAD~1: ✅"), planned
    assert "to create" not in planned
    done, _, summary = _run_step(repo, command="plan", paths="deploy/shop", sarif="")
    assert done.returncode == 0, done.stdout + done.stderr
    planned = summary.read_text("utf-8")
    assert planned.startswith("## kubeplan plan against an empty cluster"), planned
    assert "11 to create." in planned


# The install step: pip itself is not run (it would fetch from the package index); a `python` on
# PATH records the command the step gives it.
FAKE_PYTHON = '#!/usr/bin/env bash\nprintf "%s\\n" "$@" > "$ARGS_FILE"\n'


def _install_args(repo: Path, tmp_path: Path, **env: str) -> list[str]:
    shim = tmp_path / "bin"
    shim.mkdir(exist_ok=True)
    (shim / "python").write_text(FAKE_PYTHON, "utf-8")
    (shim / "python").chmod(0o755)
    args_file = tmp_path / "args"
    done, _, _ = _run_step(
        repo,
        step=INSTALL,
        extra_env={
            "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
            "ARGS_FILE": str(args_file),
            **env,
        },
    )
    assert done.returncode == 0, done.stderr
    return args_file.read_text("utf-8").splitlines()


def test_install_pins_everything_to_the_actions_constraints(repo, tmp_path):
    args = _install_args(repo, tmp_path)
    assert args[:2] == ["-m", "pip"]
    assert args[args.index("--constraint") + 1] == str(ROOT / "constraints" / "ci.txt")
    assert args[-1] == str(ROOT)  # the Action's own checkout


def test_install_a_version_of_the_actions_repository(repo, tmp_path):
    args = _install_args(
        repo,
        tmp_path,
        KUBEPLAN_INSTALL="v0.2.0",
        KUBEPLAN_ACTION_REPOSITORY="example/kubeplan",
        GITHUB_SERVER_URL="https://github.com",
    )
    assert args[-1] == "git+https://github.com/example/kubeplan@v0.2.0"
    assert str(ROOT / "constraints" / "ci.txt") in args
    requirement = "git+https://example.org/kubeplan@abc123"
    assert _install_args(repo, tmp_path, KUBEPLAN_INSTALL=requirement)[-1] == requirement
