"""User rules: from the config (no Python) and from the `kubeplan.rules` entry-point group.

A config rule names the kinds it applies to and either a JSON Schema every matching object must
satisfy (each schema error is a finding at its field), or a path with a condition:

    custom-rules:
      - id: team-label
        severity: warning
        message: every Deployment names its owning team
        kinds: [Deployment]
        schema:
          properties:
            metadata: {required: [labels], properties: {labels: {required: [team]}}}
      - id: internal-registry
        kinds: [workload]
        message: images come from the internal registry
        path: spec.template.spec.containers[*].image
        matches: "^registry\\.example\\.com/"

Conditions: `matches` (regex), `equals`, `one-of`, `not-one-of`, `exists` (true/false).
The path form walks `[*]` over every list item; for workloads the path may start at the pod
template with `pod.` (`pod.spec.containers[*].image` works for every workload kind).

A package adds rules with code through an entry point in the group `kubeplan.rules`: the object
it names is a `Rule`, or a callable returning Rules (build them with `make_rule`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from importlib import metadata
from typing import Any

from kubeplan.errors import KubeplanError
from kubeplan.kube import workloads
from kubeplan.model import Path, Resource, Severity, format_path
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import (
    CATEGORIES,
    KIND_GROUPS,
    CheckFn,
    Rule,
    RuleMeta,
    Violation,
)
from kubeplan.schemas import offline

ENTRY_POINT_GROUP = "kubeplan.rules"
_CONDITIONS = ("matches", "equals", "one-of", "not-one-of", "exists")
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\*|\d+)\]")


class CustomRuleError(KubeplanError):
    pass


def make_rule(
    rule_id: str,
    check: CheckFn,
    *,
    severity: str = "warning",
    category: str = "reliability",
    kinds: Iterable[str] = ("*",),
    rationale: str = "",
    remediation: str = "",
    source: str = "",
) -> Rule:
    expanded: set[str] = set()
    for kind in kinds:
        expanded.update(KIND_GROUPS.get(kind, (kind,)))
    meta = RuleMeta(
        id=rule_id,
        severity=Severity(severity),
        category=category if category in CATEGORIES else "reliability",
        kinds=frozenset(expanded),
        rationale=rationale,
        remediation=remediation,
        doc="",
        source=source,
    )
    return Rule(meta, check)


def rules_from_config(rows: list[tuple[dict[str, Any], Any]], config_path: str) -> list[Rule]:
    rules = []
    for row, node in rows:
        line = node.start_mark.line + 1 if node is not None else 1
        try:
            rules.append(_config_rule(row))
        except CustomRuleError as error:
            raise CustomRuleError(f"{config_path}:{line}: custom rule: {error}") from error
    return rules


# The type of every key of a config rule: a wrong type is a config error, never a traceback.
_STRING = {"type": "string"}
ROW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": _STRING,
        "message": _STRING,
        "kinds": {"type": "array", "items": _STRING},
        "severity": _STRING,
        "category": _STRING,
        "schema": {"type": ["object", "boolean"]},
        "path": _STRING,
        "remediation": _STRING,
        "matches": _STRING,
        "one-of": {"type": "array"},
        "not-one-of": {"type": "array"},
        "exists": {"type": "boolean"},
    },
}


def _check_types(rule_id: str, row: Any) -> None:
    if not isinstance(row, dict):
        raise CustomRuleError(f"a rule must be a mapping, not {type(row).__name__}")
    for error in _row_validator().iter_errors(row):
        where = format_path(tuple(error.instance_path)) or "the rule"
        raise CustomRuleError(f"{rule_id}: {where}: {error.message}")


_ROW_VALIDATOR: list[Any] = []


def _row_validator() -> Any:
    if not _ROW_VALIDATOR:
        _ROW_VALIDATOR.append(offline.compile_schema(ROW_SCHEMA))
    return _ROW_VALIDATOR[0]


def _config_rule(row: dict[str, Any]) -> Rule:
    rule_id = row.get("id") if isinstance(row, dict) else None
    if not isinstance(rule_id, str) or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule_id):
        raise CustomRuleError(f"id must be kebab-case, not {rule_id!r}")
    _check_types(rule_id, row)
    message = row.get("message")
    if not isinstance(message, str):
        raise CustomRuleError(f"{rule_id}: needs a message")
    kinds = row.get("kinds") or ["*"]
    severity = row.get("severity", "warning")
    if severity not in ("error", "warning", "info"):
        raise CustomRuleError(f"{rule_id}: severity must be error, warning or info")
    known = {
        "id",
        "message",
        "kinds",
        "severity",
        "category",
        "schema",
        "path",
        "remediation",
        *_CONDITIONS,
    }
    unknown = set(row) - known
    if unknown:
        raise CustomRuleError(f"{rule_id}: unknown keys {sorted(unknown)}")
    if "schema" in row:
        check = _schema_check(rule_id, row["schema"], message)
    elif "path" in row:
        check = _path_check(rule_id, row, message)
    else:
        raise CustomRuleError(f"{rule_id}: needs a schema, or a path with a condition")
    return make_rule(
        rule_id,
        check,
        severity=severity,
        category=row.get("category", "reliability"),
        kinds=kinds,
        rationale=message,
        remediation=row.get("remediation", ""),
        source="custom rule in the config",
    )


def _schema_check(rule_id: str, schema: Any, message: str) -> CheckFn:
    outside = offline.external_refs(schema, ("schema",))
    if outside:
        path, value = outside[0]
        raise CustomRuleError(
            f"{rule_id}: {format_path(path)}: {value!r} refers outside the schema; kubeplan"
            " never retrieves schemas (refer within it: #/$defs/NAME)"
        )
    try:
        validator = offline.compile_schema(schema)
    except offline.SchemaError as error:
        raise CustomRuleError(f"{rule_id}: invalid JSON Schema: {error}") from error

    def run(resource: Resource, ctx: LintContext, options: dict[str, Any]) -> Iterator[Violation]:
        for error in validator.iter_errors(resource.body):
            path: Path = tuple(error.instance_path)
            if type(error.kind).__name__ == "Required":
                path = (*path, error.kind.property)
            yield Violation(path, f"{message} ({error.message})")

    return run


def _parse_path(text: str) -> list[str | int]:
    parts: list[str | int] = []
    for name, index in _PATH_PART.findall(text):
        if name:
            parts.append(name)
        else:
            parts.append("*" if index == "*" else int(index))
    return parts


def _walk(value: Any, parts: list[str | int], at: Path) -> Iterator[tuple[Path, Any, bool]]:
    """(path, value, present) for every match; `present` False where the path stops early."""
    if not parts:
        yield at, value, True
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from _walk(item, rest, (*at, index))
        return
    if isinstance(head, int):
        if isinstance(value, list) and 0 <= head < len(value):
            yield from _walk(value[head], rest, (*at, head))
        else:
            yield (*at, head), None, False
        return
    if isinstance(value, dict) and head in value:
        yield from _walk(value[head], rest, (*at, head))
    else:
        yield (*at, head), None, False


def _path_check(rule_id: str, row: dict[str, Any], message: str) -> CheckFn:
    conditions = [c for c in _CONDITIONS if c in row]
    if len(conditions) != 1:
        raise CustomRuleError(f"{rule_id}: give exactly one of {', '.join(_CONDITIONS)}")
    condition, expected = conditions[0], row[conditions[0]]
    parts = _parse_path(row["path"])
    if condition == "matches":
        try:
            pattern = re.compile(expected)
        except re.error as error:
            raise CustomRuleError(f"{rule_id}: bad regular expression: {error}") from error
    test: Callable[[Any, bool], bool] = {
        "matches": lambda v, present: present and isinstance(v, str) and bool(pattern.search(v)),
        "equals": lambda v, present: present and v == expected,
        "one-of": lambda v, present: present and v in (expected or []),
        "not-one-of": lambda v, present: not present or v not in (expected or []),
        "exists": lambda v, present: present == bool(expected),
    }[condition]

    def run(resource: Resource, ctx: LintContext, options: dict[str, Any]) -> Iterator[Violation]:
        start: Path = ()
        body: Any = resource.body
        walk_parts = parts
        if parts and parts[0] == "pod":
            found = workloads.pod_template(resource)
            if found is None:
                return
            start, body = found
            walk_parts = parts[1:]
        for path, value, present in _walk(body, walk_parts, start):
            if not test(value, present):
                shown = f" (found {value!r})" if present else " (missing)"
                yield Violation(path, message + shown)

    return run


def rules_from_entry_points() -> list[Rule]:
    """Rules that installed packages add through the `kubeplan.rules` entry-point group."""
    rules: list[Rule] = []
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = entry.load()
            produced = loaded() if callable(loaded) and not isinstance(loaded, Rule) else loaded
            items = [produced] if isinstance(produced, Rule) else list(produced)
        except Exception as error:
            raise CustomRuleError(
                f"entry point {entry.name} ({entry.value}) in {ENTRY_POINT_GROUP} failed: {error}"
            ) from error
        for item in items:
            if not isinstance(item, Rule):
                raise CustomRuleError(f"entry point {entry.name} gave {item!r}, not a Rule")
            rules.append(item)
    return rules
