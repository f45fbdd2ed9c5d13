"""kubeplan works offline: over the fixtures and the corpus sets, a run with the network taken
away gives the same output and exit code as a normal run, and tries no connection.

Two ways to take the network away:
- a `sitecustomize` on PYTHONPATH that makes socket.socket, socket.getaddrinfo and every
  connect raise, and records each attempt to a file (Python code only);
- `unshare -rn` (a new user and network namespace with only a down loopback), when the
  machine allows it: it covers the programs kubeplan runs too (git, kustomize, helm).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES, ROOT

GUARD = '''\
"""Injected by tests/e2e/test_offline.py: no network for this process."""
import os
import socket
import traceback

_LOG = os.environ["KUBEPLAN_NETWORK_LOG"]


def _refuse(what):
    def refuse(*args, **kwargs):
        with open(_LOG, "a", encoding="utf-8") as log:
            frames = "".join(traceback.format_stack(limit=8))
            log.write(f"{what}{args!r}\\n{frames}\\n")
        raise OSError(f"network disabled by tests/e2e/test_offline.py: {what}")

    return refuse


class _NoSocket(socket.socket):
    def __init__(self, *args, **kwargs):
        _refuse("socket.socket")(*args)


socket.socket = _NoSocket
socket.getaddrinfo = _refuse("socket.getaddrinfo")
socket.gethostbyname = _refuse("socket.gethostbyname")
socket.create_connection = _refuse("socket.create_connection")
for _name in ("connect", "connect_ex"):
    setattr(socket.socket, _name, _refuse(f"socket.{_name}"))
'''


def _corpus_sets() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(str(p) for p in CORPUS.iterdir() if p.is_dir())


def _commands() -> list[list[str]]:
    fixtures = str(FIXTURES)
    commands = [
        ["check", fixtures, *_corpus_sets(), "--format", "json"],
        ["plan", str(FIXTURES / "shop-next"), "--base", str(FIXTURES / "shop"), "--format", "json"],
        ["reach", str(FIXTURES / "netpol"), "--format", "json"],
        ["who-can", "list", "secrets", "-A", str(FIXTURES / "rbac"), "--format", "json"],
    ]
    demo = CORPUS / "microservices-demo" / "revisions"
    if demo.is_dir():
        new, old = demo / "v0.10.0" / "release", demo / "v0.8.0" / "release"
        commands.append(["plan", str(new), "--base", str(old), "--format", "json"])
        commands.append(["reach", str(new), "--base", str(old), "--format", "json"])
    rbac = CORPUS / "kueue-rbac"
    if rbac.is_dir():
        commands.append(["who-can", "create", "pods", "-A", str(rbac), "--format", "json"])
    return commands


def _run(args: list[str], env: dict[str, str], prefix: tuple[str, ...] = ()) -> tuple[int, str]:
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "kubeplan", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    return done.returncode, done.stdout


_NORMAL: dict[tuple[str, ...], tuple[int, str]] = {}


def _normal(args: list[str]) -> tuple[int, str]:
    """The run with the network, once per command for both variants."""
    key = tuple(args)
    if key not in _NORMAL:
        _NORMAL[key] = _run(args, dict(os.environ))
        assert _NORMAL[key][1], f"kubeplan {' '.join(args)} printed nothing"
    return _NORMAL[key]


@pytest.fixture
def guarded(tmp_path: Path) -> tuple[dict[str, str], Path]:
    (tmp_path / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "network.log"
    log.write_text("")
    path = os.pathsep.join(p for p in (str(tmp_path), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "KUBEPLAN_NETWORK_LOG": str(log)}, log


def test_the_guard_is_live(guarded):
    env, log = guarded
    done = subprocess.run(
        [sys.executable, "-c", "import socket; socket.getaddrinfo('example.com', 443)"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode != 0 and "network disabled" in done.stderr
    assert "socket.getaddrinfo" in log.read_text()


def test_same_output_without_the_network(guarded):
    env, log = guarded
    for args in _commands():
        offline = _run(args, env)
        assert offline == _normal(args), f"kubeplan {' '.join(args)} differs offline"
    assert log.read_text() == "", log.read_text()[:3000]


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    done = subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False)
    return done.returncode == 0


@pytest.mark.skipif(not _unshare_works(), reason="unshare -rn is not permitted here")
def test_same_output_in_a_namespace_without_network():
    probe = subprocess.run(
        [
            "unshare",
            "-rn",
            sys.executable,
            "-c",
            "import socket; socket.create_connection(('1.1.1.1', 53), 2)",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode != 0, "the namespace still has a network"
    for args in _commands():
        offline = _run(args, dict(os.environ), prefix=("unshare", "-rn"))
        assert offline == _normal(args), f"kubeplan {' '.join(args)} differs without a network"
