"""The external programs kubeplan runs (git, kustomize, kubectl, helm), found so that the
content being checked can never supply one.

`shutil.which` searches PATH in order, so with `.`, an empty entry (which means `.`), a relative
entry, or an entry inside the repository under check, a repository's own executable named
`git` or `kustomize` is what would run: a pull request could run code in CI. Here a program is
resolved to an absolute path, skipping

- empty and relative PATH entries;
- entries inside the repository of the working directory (or the working directory itself
  when it is in no repository), inside any input path, or inside the repository of one;
- a candidate whose real path (symlinks resolved) lies inside one of those.

Every subprocess kubeplan starts goes through `run`, which also gives it an environment that
cannot reach the network unless the caller allows it (see `offline_environment`), and records
which program ran (shown under --verbose).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

PROGRAMS = ("git", "kustomize", "kubectl", "helm")


class ProgramMissing(Exception):
    """No trustworthy executable of that name on PATH."""


@dataclass
class Resolution:
    name: str
    path: str | None
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (candidate, why)

    def why_missing(self) -> str:
        """`kustomize is not installed`, or which candidates were refused and why."""
        if not self.skipped:
            return f"{self.name} is not installed"
        shown = "; ".join(f"{path} ({why})" for path, why in self.skipped[:3])
        return f"no {self.name} outside the checked content on PATH (skipped {shown})"


@dataclass
class _State:
    inputs: set[str] = field(default_factory=set)  # real paths of the input PATHs
    notes: list[str] = field(default_factory=list)
    noted: set[str] = field(default_factory=set)


_STATE = _State()


def reset() -> None:
    """Forget the inputs and notes of a previous command (one process may run several)."""
    global _STATE
    _STATE = _State()


def note_inputs(paths: Iterable[str]) -> None:
    """Input PATHs (files, folders): no program is taken from inside them."""
    for path in paths:
        if path and path != "-" and not path.startswith("git:") and os.path.exists(path):
            _STATE.inputs.add(os.path.realpath(path))


def take_notes() -> list[str]:
    """`git: /usr/bin/git`, once per program, for --verbose."""
    taken, _STATE.notes = _STATE.notes, []
    return taken


def resolve(name: str) -> Resolution:
    """The first executable `name` on PATH that the checked content cannot have supplied."""
    untrusted = _untrusted_roots()
    resolution = Resolution(name, None)
    for entry in os.environ.get("PATH", os.defpath).split(os.pathsep):
        candidate = os.path.join(entry, name)
        if not _is_executable(candidate):
            continue
        why = _refusal(entry, candidate, untrusted)
        if why:
            resolution.skipped.append((candidate, why))
            continue
        resolution.path = os.path.abspath(candidate)
        break
    return resolution


def run(args: list[str], *, network: bool = False, **kwargs: Any) -> subprocess.CompletedProcess:
    """`subprocess.run` of `args` with args[0] resolved (raises ProgramMissing)."""
    resolution = resolve(args[0])
    if resolution.path is None:
        raise ProgramMissing(resolution.why_missing())
    if args[0] not in _STATE.noted:
        _STATE.noted.add(args[0])
        _STATE.notes.append(f"{args[0]}: runs {resolution.path}")
    env = os.environ.copy() if network else offline_environment()
    return subprocess.run([resolution.path, *args[1:]], env=env, **kwargs)


# An address where nothing listens (the discard port of the loopback): a proxy there refuses
# every connection at once, without a DNS look-up of the real host.
_NOWHERE = "http://127.0.0.1:9"


def offline_environment() -> dict[str, str]:
    """The environment with every network path closed that the programs honour.

    - Go's net/http (kustomize, helm) and git's curl send HTTP(S) through *_PROXY: pointed at
      a closed port, with NO_PROXY emptied (Go still connects directly to loopback addresses);
    - git refuses every transport not in GIT_ALLOW_PROTOCOL (a name no transport has), so
      https, ssh, git:// and file:// clones all fail; GIT_TERMINAL_PROMPT=0 never waits for a
      password; GIT_SSH_COMMAND=false fails ssh at once.
    """
    env = os.environ.copy()
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env[key] = env[key.lower()] = _NOWHERE
    env["NO_PROXY"] = env["no_proxy"] = ""
    env["GIT_ALLOW_PROTOCOL"] = "kubeplan-offline"
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_SSH_COMMAND"] = "false"
    return env


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _refusal(entry: str, candidate: str, untrusted: list[str]) -> str | None:
    if not entry:
        return "empty PATH entry, the working directory"
    if not os.path.isabs(entry):
        return "relative PATH entry"
    for root in untrusted:
        if _inside(os.path.realpath(entry), root) or _inside(os.path.realpath(candidate), root):
            return f"inside {root}, which is checked"
    return None


def _untrusted_roots() -> list[str]:
    roots = {_repository_root(os.getcwd()) or os.path.realpath(os.getcwd())}
    for path in _STATE.inputs:
        roots.add(path)
        folder = path if os.path.isdir(path) else os.path.dirname(path)
        top = _repository_root(folder)
        if top:
            roots.add(top)
    roots.discard(os.sep)  # run from / or given /: refusing every program helps no one
    return sorted(roots)


def _repository_root(folder: str) -> str | None:
    """The nearest folder at or above `folder` holding `.git` (a folder, or a file for a
    worktree or submodule), found without running git."""
    current = os.path.realpath(folder)
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
