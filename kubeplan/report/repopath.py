"""File paths as GitHub annotations and SARIF readers place them: from the repository's root.

GitHub puts an annotation (`::error file=F`) on the line of `F` taken from the root of the
repository, and code scanning resolves a SARIF `artifactLocation.uri` against `%SRCROOT%`, the
checkout. kubeplan names files as they were given, relative to the working directory, which is
the root only when it runs there: under `working-directory: deploy` a finding in
`deploy/app.yaml` would say `app.yaml`, which GitHub cannot place. So these two formats name
files from the root of the git work tree around the working directory (`git rev-parse
--show-toplevel`), or, where git does not answer (not installed, a container's "dubious
ownership"), from `GITHUB_WORKSPACE` when the working directory is inside it. Outside both, and
for files outside the root, the path is the one the other formats print.
"""

from __future__ import annotations

import functools
import os

from kubeplan.report.document import display_path
from kubeplan.schemas import programs


@functools.cache
def repository_root(cwd: str) -> str | None:
    """The root that contains `cwd`: the git work tree's, else GITHUB_WORKSPACE's, else None."""
    try:  # git as every program kubeplan runs: never one the repository supplies
        done = programs.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
    except (OSError, programs.ProgramMissing):  # git is not installed, or only in the input
        done = None
    if done is not None and done.returncode == 0 and done.stdout.strip():
        return done.stdout.strip()
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace and _inside(cwd, os.path.realpath(workspace)):
        return os.path.realpath(workspace)
    return None


def _inside(path: str, root: str) -> bool:
    relative = os.path.relpath(path, root)
    return relative == "." or not relative.startswith("..")


def repository_path(file: str) -> str:
    """`display_path(file)`, but from the repository root rather than the working directory."""
    path = display_path(file)
    if not path or file.startswith("git:") or file in ("-", "<stdin>"):
        return path  # a git revision's paths are repository paths already
    cwd = os.getcwd()
    root = repository_root(cwd)
    if root is None or os.path.realpath(root) == cwd:
        return path
    absolute = os.path.join(cwd, path) if not os.path.isabs(path) else path
    if not _inside(absolute, root):
        return path
    return os.path.relpath(absolute, root).replace(os.sep, "/")
