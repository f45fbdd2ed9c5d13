"""Rendering that would reach the network is refused, unless the user opts in; rendering can be
switched off.

A stand-in kustomize (outside the checked folder, first on PATH) leaves a marker and its
environment when it runs: the marker says whether kubeplan rendered, the environment whether the
network was closed to it. Remote references point at a socket this test listens on.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import corpus

from kubeplan.schemas import renderguard

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow  # every test runs kubeplan as a process


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


@pytest.fixture
def fake_kustomize(tmp_path: Path) -> tuple[Path, Path]:
    """(bin folder, marker): the marker holds the environment the renderer was given."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "rendered-env"
    script = bin_dir / "kustomize"
    script.write_text(
        f"#!/bin/sh\nenv > '{marker}'\n"
        "printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: rendered\\n'\n"
    )
    script.chmod(0o755)
    return bin_dir, marker


def _run(
    tmp_path: Path, bin_dir: Path, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """kubeplan run from `cwd`, by default the folder holding the manifests (not `tmp_path`:
    bin_dir is in it, and a renderer inside the working directory is never run)."""
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(bin_dir), "/usr/bin", "/bin"]),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "kubeplan", *args],
        capture_output=True,
        text=True,
        cwd=cwd or (tmp_path / "repo" if (tmp_path / "repo").is_dir() else tmp_path),
        env=env,
        timeout=120,
        check=False,
    )


def _app(tmp_path: Path, kustomization: str) -> Path:
    app = tmp_path / "repo" / "app"
    app.mkdir(parents=True)
    (app / "kustomization.yaml").write_text(kustomization)
    (app / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n")
    return app


def _findings(done: subprocess.CompletedProcess[str]) -> list[dict]:
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)["findings"]


def test_remote_resource_is_refused_at_its_line_and_nothing_runs(
    tmp_path: Path, fake_kustomize: tuple[Path, Path], listener: socket.socket
) -> None:
    bin_dir, marker = fake_kustomize
    port = listener.getsockname()[1]
    app = _app(
        tmp_path,
        f"resources:\n  - cm.yaml\n  - http://127.0.0.1:{port}/remote.yaml\n"
        f"patches:\n  - path: http://127.0.0.1:{port}/patch.yaml\n",
    )
    done = _run(tmp_path, bin_dir, "validate", "--format", "json", str(app))
    assert done.returncode == 1
    refused = [f for f in _findings(done) if f["rule"] == "render-remote-refused"]
    assert [(f["file"], f["line"], f["severity"]) for f in refused] == [
        (str(app / "kustomization.yaml"), 3, "error"),
        (str(app / "kustomization.yaml"), 5, "error"),
    ]
    assert f"http://127.0.0.1:{port}/remote.yaml" in refused[0]["message"]
    assert "--allow-remote" in refused[0]["hint"]
    assert not marker.exists()
    with pytest.raises(BlockingIOError):
        listener.accept()


def test_a_remote_base_of_a_local_base_is_found(
    tmp_path: Path, fake_kustomize: tuple[Path, Path]
) -> None:
    bin_dir, marker = fake_kustomize
    app = _app(tmp_path, "resources:\n  - ../base\n  - cm.yaml\n")
    base = app.parent / "base"
    base.mkdir()
    (base / "kustomization.yaml").write_text("components:\n  - ../component\n")
    component = app.parent / "component"
    component.mkdir()
    (component / "kustomization.yaml").write_text(
        "kind: Component\nresources:\n  - github.com/example/repo//deploy?ref=v1.0.0\n"
    )
    done = _run(tmp_path, bin_dir, "validate", "--format", "json", str(app))
    (refused,) = [f for f in _findings(done) if f["rule"] == "render-remote-refused"]
    assert (refused["file"], refused["line"]) == (str(component / "kustomization.yaml"), 3)
    assert not marker.exists()


def test_a_remote_file_in_a_transformer_config_is_found(
    tmp_path: Path, fake_kustomize: tuple[Path, Path]
) -> None:
    bin_dir, marker = fake_kustomize
    app = _app(tmp_path, "resources:\n  - cm.yaml\ntransformers:\n  - patch.yaml\n")
    (app / "patch.yaml").write_text(
        "apiVersion: builtin\nkind: PatchTransformer\nmetadata:\n  name: p\n"
        "path: https://example.com/patch.yaml\n"
    )
    done = _run(tmp_path, bin_dir, "validate", "--format", "json", str(app))
    (refused,) = [f for f in _findings(done) if f["rule"] == "render-remote-refused"]
    assert (refused["file"], refused["line"]) == (str(app / "patch.yaml"), 5)
    assert not marker.exists()


def test_allow_remote_renders_with_the_network_open(
    tmp_path: Path, fake_kustomize: tuple[Path, Path]
) -> None:
    bin_dir, marker = fake_kustomize
    app = _app(tmp_path, "resources:\n  - https://example.com/app.yaml\n")
    done = _run(
        tmp_path, bin_dir, "validate", "--format", "json", "--allow-remote", "app", cwd=app.parent
    )
    assert [f for f in _findings(done) if f["rule"].startswith("render-")] == []
    assert "HTTPS_PROXY=http://127.0.0.1:9" not in marker.read_text()


def test_config_allow_remote_opts_in_too(tmp_path: Path, fake_kustomize: tuple[Path, Path]) -> None:
    bin_dir, marker = fake_kustomize
    app = _app(tmp_path, "resources:\n  - https://example.com/app.yaml\n")
    (tmp_path / "repo" / ".kubeplan.yaml").write_text("allow-remote: true\n")
    done = _run(tmp_path, bin_dir, "check", "--format", "json", "app", cwd=app.parent)
    assert [f for f in _findings(done) if f["rule"].startswith("render-")] == []
    assert marker.exists()


def test_a_local_kustomization_renders_with_the_network_closed(
    tmp_path: Path, fake_kustomize: tuple[Path, Path]
) -> None:
    bin_dir, marker = fake_kustomize
    app = _app(tmp_path, "resources:\n  - cm.yaml\n")
    done = _run(tmp_path, bin_dir, "validate", "--format", "json", "app", cwd=app.parent)
    assert [f for f in _findings(done) if f["rule"].startswith("render-")] == []
    env = dict(line.split("=", 1) for line in marker.read_text().splitlines() if "=" in line)
    assert env["HTTPS_PROXY"] == env["https_proxy"] == "http://127.0.0.1:9"
    assert env["NO_PROXY"] == ""
    assert env["GIT_ALLOW_PROTOCOL"] == "kubeplan-offline"
    assert env["GIT_TERMINAL_PROMPT"] == "0"


@pytest.mark.parametrize("how", ["flag", "config"])
def test_rendering_switched_off_reads_the_folder_as_plain_yaml(
    tmp_path: Path, fake_kustomize: tuple[Path, Path], how: str
) -> None:
    bin_dir, marker = fake_kustomize
    app = _app(tmp_path, "resources:\n  - cm.yaml\n  - https://example.com/app.yaml\n")
    args = ["check", "--format", "json", "app"]
    if how == "flag":
        args.append("--no-render")
    else:
        (tmp_path / "repo" / ".kubeplan.yaml").write_text("render: false\n")
    done = _run(tmp_path, bin_dir, *args, cwd=app.parent)
    got = _findings(done)
    (disabled,) = [f for f in got if f["rule"].startswith("render-")]
    assert (disabled["rule"], disabled["severity"]) == ("render-disabled", "info")
    assert disabled["file"] == "app/kustomization.yaml"
    assert json.loads(done.stdout)["summary"]["resources"] == 1  # cm.yaml, read as it is
    assert not marker.exists()


def test_no_render_applies_to_a_helm_chart(tmp_path: Path) -> None:
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    done = _run(
        tmp_path, tmp_path / "nobin", "validate", "--format", "json", "--no-render", "chart"
    )
    rules = [f["rule"] for f in _findings(done)]
    assert "render-disabled" in rules and "render-unavailable" not in rules


def test_more_local_kustomizations_than_the_bound_are_refused(tmp_path: Path) -> None:
    for index in range(renderguard.MAX_KUSTOMIZATIONS + 1):
        folder = tmp_path / f"k{index}"
        folder.mkdir()
        (folder / "kustomization.yaml").write_text(f"resources:\n  - ../k{index + 1}\n")
    (found,) = renderguard.remote_references(str(tmp_path / "k0" / "kustomization.yaml"))
    assert found.value == "" and "more than 100 kustomizations" in found.reason


@pytest.mark.parametrize(
    ("entry", "remote"),
    [
        ("https://example.com/app.yaml", True),
        ("http://127.0.0.1:8080/app.yaml", True),
        ("github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v3.3.1", True),
        ("GitHub.com:org/repo", True),
        ("git@github.com:org/repo.git", True),
        ("git::https://example.com/org/repo", True),
        ("ssh://git@example.com/org/repo.git", True),
        ("file:///srv/git/repo", True),
        ("oci://ghcr.io/org/manifests:v1", True),
        ("gh:org/repo", True),
        ("https://dev.azure.com/org/project/_git/repo", True),
        ("example.com/org/repo?ref=v1", True),
        ("../base", False),
        ("cm.yaml", False),
        ("overlays/prod/deployment.yaml", False),
        ("./components/monitoring", False),
        ("/abs/path/base", False),
    ],
)
def test_what_kustomize_would_fetch(entry: str, remote: bool) -> None:
    assert renderguard.is_remote(entry) is remote


def test_no_corpus_kustomization_is_refused() -> None:
    folders = sorted(corpus().rglob("kustomization.yaml"))
    assert folders
    for path in folders:
        assert renderguard.remote_references(str(path)) == [], path
