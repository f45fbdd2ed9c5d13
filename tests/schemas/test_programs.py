"""External programs are never taken from the content being checked.

A repository carries executables named git, kustomize, kubectl and helm that leave a marker
file when run, and PATH holds `.`, an empty entry, a relative entry and the repository's own
bin folder before the real ones: kubeplan, run from the repository through its console entry
point, must run the real programs only and say which under --verbose.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow  # every test runs kubeplan as a process
PROGRAMS = ("git", "kustomize", "kubectl", "helm")
REAL_GIT = shutil.which("git")


def _plant(folder: Path, marker: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in PROGRAMS:
        script = folder / name
        script.write_text(f"#!/bin/sh\necho {name} >> '{marker}'\nexit 1\n")
        script.chmod(0o755)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        [REAL_GIT or "git", *args], cwd=repo, check=True, capture_output=True, env=_git_env()
    )


def _git_env() -> dict[str, str]:
    return {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }


@pytest.fixture
def hostile_repo(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """(repository, marker file, environment with a hostile PATH)."""
    repo = tmp_path / "repo"
    marker = tmp_path / "ran-from-the-repository"
    _plant(repo, marker)  # found through `.` and the empty entry
    _plant(repo / "bin", marker)  # an absolute entry inside the repository
    _plant(repo / "tools", marker)  # a relative entry
    app = repo / "app"
    app.mkdir()
    (app / "kustomization.yaml").write_text("resources:\n  - cm.yaml\n")
    (app / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    chart = repo / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\n"
    )
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "init")
    path = os.pathsep.join([".", "", "tools", str(repo / "bin"), os.environ["PATH"]])
    env = {**_git_env(), "PATH": path, "PYTHONPATH": str(ROOT)}
    return repo, marker, env


def _kubeplan(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kubeplan", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(REAL_GIT is None, reason="git is not installed")
@pytest.mark.parametrize(
    "args",
    [
        ("validate", "-v", "app"),
        ("check", "-v", "chart"),
        ("validate", "-v", "git:HEAD"),
        ("check", "-v", "--changed-since", "HEAD", "app/cm.yaml"),
        ("diff", "app/cm.yaml", "--base", "HEAD"),
        ("plan", "app/cm.yaml", "--base", "HEAD"),
    ],
)
def test_no_program_of_the_repository_runs(
    hostile_repo: tuple[Path, Path, dict[str, str]], args: tuple[str, ...]
) -> None:
    repo, marker, env = hostile_repo
    done = _kubeplan(env, repo, *args)
    assert "Traceback" not in done.stderr, done.stderr
    # `check chart` with no helm outside the repository validates nothing: exit 2, said
    allowed = (0, 1, 2) if args[-1] == "chart" else (0, 1)
    assert done.returncode in allowed, done.stdout + done.stderr
    assert not marker.exists(), marker.read_text()


@pytest.mark.skipif(REAL_GIT is None, reason="git is not installed")
def test_verbose_names_the_program_that_ran(
    hostile_repo: tuple[Path, Path, dict[str, str]],
) -> None:
    repo, marker, env = hostile_repo
    done = _kubeplan(env, repo, "validate", "-v", "git:HEAD")
    assert done.returncode == 1, done.stdout + done.stderr  # Chart.yaml is no manifest
    expected = os.path.abspath(REAL_GIT or "")
    assert f"note: git: runs {expected}" in done.stdout
    assert not marker.exists()


def test_a_renderer_only_in_the_repository_is_not_installed(
    hostile_repo: tuple[Path, Path, dict[str, str]],
) -> None:
    """With no helm outside the repository, the chart is not rendered, and the message says
    which helm was refused and why."""
    repo, marker, env = hostile_repo
    outside = [
        p for p in os.environ["PATH"].split(os.pathsep) if p and not os.path.exists(f"{p}/helm")
    ]
    env = {**env, "PATH": os.pathsep.join([".", str(repo / "bin"), *outside])}
    done = _kubeplan(env, repo, "validate", "--format", "json", "chart")
    assert not marker.exists()
    assert '"render-unavailable"' in done.stdout
    assert f"{repo / 'bin' / 'helm'} (inside {repo}, which is checked)" in done.stdout
    assert "relative PATH entry" in done.stdout  # ./helm


def test_a_symlink_out_of_an_outside_folder_into_the_repository_is_refused(
    tmp_path: Path,
) -> None:
    from kubeplan.schemas import programs

    repo = tmp_path / "repo"
    marker = tmp_path / "marker"
    _plant(repo / "bin", marker)
    (repo / ".git").mkdir()
    outside = tmp_path / "outside-bin"
    outside.mkdir()
    (outside / "kustomize").symlink_to(repo / "bin" / "kustomize")
    programs.reset()
    programs.note_inputs([str(repo)])
    old = os.environ["PATH"]
    os.environ["PATH"] = str(outside)
    try:
        found = programs.resolve("kustomize")
    finally:
        os.environ["PATH"] = old
        programs.reset()
    assert found.path is None
    assert found.skipped == [(str(outside / "kustomize"), f"inside {repo}, which is checked")]


def test_every_subprocess_goes_through_programs() -> None:
    """One module starts programs: a new call site cannot skip the resolution."""
    starters = ("subprocess.run(", "subprocess.Popen(", "shutil.which(", "os.system(", "os.exec")
    users = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "kubeplan").rglob("*.py")
        if any(s in path.read_text("utf-8") for s in starters)
    )
    assert users == ["kubeplan/schemas/programs.py"]
