"""`ignore-paths` in `.kubeplan.yaml`: gitignore patterns, matched by the `pathspec` library.

Patterns follow .gitignore (https://git-scm.com/docs/gitignore), relative to the folder holding
the config: `vendor/` leaves out every file under a `vendor` folder at any depth, `*.gen.yaml`
any such file, `/charts/*/templates/` only at the top, `!keep.yaml` takes one back. pathspec is
imported only when the config has patterns (start-up time of every other run).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

Matcher = Callable[[str], bool]


def matcher(patterns: Sequence[str], config_path: str | None) -> Matcher | None:
    """A test `ignored(file)` for the files kubeplan reads, or None when there are no patterns."""
    if not patterns:
        return None
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    base = os.path.dirname(os.path.abspath(config_path)) if config_path else os.getcwd()

    def ignored(file: str) -> bool:
        name = _relative(file, base)
        return name is not None and bool(spec.match_file(name))

    return ignored


def _relative(file: str, base: str) -> str | None:
    """The path a pattern is matched against: relative to the config's folder (a git revision's
    files are already relative to the repository root); None for standard input."""
    if file.startswith("git:"):
        parts = file.split(":", 2)
        return parts[2] if len(parts) == 3 else None
    if file.startswith("<"):
        return None
    relative = os.path.relpath(os.path.abspath(file), base)
    if relative.startswith(".."):  # outside the config's folder: the path as given
        relative = os.path.normpath(file).lstrip(os.sep)
    return relative.replace(os.sep, "/")


def leave_out(loaded: Any, ignored: Matcher | None) -> Any:
    """A loader.LoadResult without the resources and findings of ignored files (in place)."""
    if ignored is not None:
        loaded.resources = [r for r in loaded.resources if not ignored(r.origin.file)]
        loaded.findings = [f for f in loaded.findings if not ignored(f.file)]
    return loaded
