"""Where `.kubeplan.yaml` is looked for, apart from the loader so that a command without a config
pays nothing for the schema validator (start-up time).

The search goes upwards from the working directory, as git looks for `.git`, and stops at the
repository root (the folder holding `.git`, a folder or the file of a worktree or submodule) or at
a filesystem boundary (the device changes): a config in a folder above the repository, such as a
shared /tmp, never changes the verdict on it.
"""

from __future__ import annotations

import os

CONFIG_NAMES = (".kubeplan.yaml", ".kubeplan.yml")


def find_config(start: str | None = None) -> str | None:
    """The config file that applies to `start` (default: the working directory), or None."""
    folder = os.path.abspath(start or os.getcwd())
    device = _device(folder)
    while device is not None:
        for name in CONFIG_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                return candidate
        if os.path.lexists(os.path.join(folder, ".git")):
            return None  # the repository root: nothing above it applies
        parent = os.path.dirname(folder)
        if parent == folder or _device(parent) != device:
            return None
        folder = parent
    return None


def search_note(start: str | None = None) -> str:
    """How far the search went, for --verbose when no config was found."""
    folder = os.path.abspath(start or os.getcwd())
    return f"no .kubeplan.yaml from {folder} up to the repository root or filesystem boundary"


def _device(folder: str) -> int | None:
    try:
        return os.stat(folder).st_dev
    except OSError:
        return None
