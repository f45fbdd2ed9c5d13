"""Reading the normalised bodies a table row's conditions look at, and Kubernetes versions.

A path that is absent, or whose value is null, reads as `ABSENT`; conditions compare strictly
(`true` is not `1`); values are rendered short for reasons (`(unset)` for an absent value).
"""

from __future__ import annotations

import json
import re
from typing import Any

from kubeplan.kube.versions import minor


def version_bound(text: str) -> tuple[str, tuple[int, int]]:
    match = re.match(r"^\s*(>=|<=|>|<|==)\s*(v?\d+\.\d+)\s*$", text)
    if match is None:
        raise ValueError(f"bad version bound {text!r}")
    return match[1], minor(match[2])


def version_holds(bound: str, version: tuple[int, int]) -> bool:
    op, target = version_bound(bound)
    return {
        ">=": version >= target,
        "<=": version <= target,
        ">": version > target,
        "<": version < target,
        "==": version == target,
    }[op]


ABSENT = object()


def get(body: Any, dotted: str | tuple[str, ...]) -> Any:
    node = body
    for key in dotted.split(".") if isinstance(dotted, str) else dotted:
        if not isinstance(node, dict) or key not in node:
            return ABSENT
        node = node[key]
    return ABSENT if node is None else node


def strict_equal(a: Any, b: Any) -> bool:
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    return a == b


def expected_holds(actual: Any, expected: Any) -> bool:
    if isinstance(expected, dict):
        if "absent" in expected:
            return (actual is ABSENT) == bool(expected["absent"])
        if actual is ABSENT:
            return False
        if "gt" in expected:
            return (
                isinstance(actual, (int, float))
                and not isinstance(actual, bool)
                and actual > expected["gt"]
            )
        if "in" in expected:
            return any(strict_equal(actual, value) for value in expected["in"])
        return strict_equal(actual, expected)
    return actual is not ABSENT and strict_equal(actual, expected)


def dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def render(value: Any) -> str:
    if value is None or value is ABSENT:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
    else:
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value
