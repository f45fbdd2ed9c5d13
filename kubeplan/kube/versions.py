"""Kubernetes release versions, as (major, minor).

`--kubernetes-version` is checked against the bundled releases before any layer reads it
(schemas/catalog.py normalise_version), so `minor` meets an unreadable version only in a table
row or a direct call: it then counts as the newest release, the documented default when no
version is given (DESIGN.md, "The command line").
"""

from __future__ import annotations

import re
from typing import Any

NEWEST = (1, 10_000)
_MINOR = re.compile(r"v?(\d+)\.(\d+)")
_EXACT = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)?\Z")


def minor(text: Any) -> tuple[int, int]:
    """`1.33`, `v1.33.2` -> (1, 33); anything unreadable counts as the newest."""
    match = _MINOR.match(text.strip()) if isinstance(text, str) else None
    return (int(match[1]), int(match[2])) if match else NEWEST


def exact_minor(text: str) -> tuple[int, int] | None:
    """(major, minor) of a whole version string (`v1.33.2`, `1.33`), None for anything else."""
    match = _EXACT.match(text.strip())
    return (int(match[1]), int(match[2])) if match else None
