"""The rule registry: metadata is data (`data/<category>.yaml`), checks are small functions.

A check is registered with `@check("rule-id")` and has the signature
`(resource, ctx, options) -> Iterable[Violation]`. Its metadata row (severity, category, kinds,
rationale, remediation, documentation anchor, source, default options, and PASS / FAIL
manifests) lives in the category's data file. Every row must have a check and every check a
row: `load_rules()` refuses a mismatch, and the tests run every row's PASS and FAIL manifests.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from kubeplan.datafiles import read_yaml
from kubeplan.model import Path, Resource, Severity
from kubeplan.rules.workloads import POD_TEMPLATE_PATHS

if TYPE_CHECKING:
    from kubeplan.rules.context import LintContext

CATEGORIES = ("security", "reliability", "efficiency", "deprecation", "reference")
# Aliases usable in a rule's `kinds:` list.
KIND_GROUPS = {"workload": tuple(POD_TEMPLATE_PATHS)}  # every kind with a pod template
_DATA = os.path.join(os.path.dirname(__file__), "data")


@dataclass(frozen=True, slots=True)
class Violation:
    path: Path
    message: str


CheckFn = Callable[[Resource, "LintContext", dict[str, Any]], Iterable[Violation]]
_CHECKS: dict[str, CheckFn] = {}


def check(rule_id: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        if rule_id in _CHECKS:
            raise ValueError(f"rule {rule_id} registered twice")
        _CHECKS[rule_id] = fn
        return fn

    return register


@dataclass(frozen=True)
class RuleMeta:
    id: str
    severity: Severity
    category: str
    kinds: frozenset[str]  # "*" for every kind
    rationale: str
    remediation: str
    doc: str
    source: str
    enabled: bool = True
    options: dict[str, Any] = field(default_factory=dict)
    pass_example: str = ""
    fail_example: str = ""


@dataclass(frozen=True)
class Rule:
    meta: RuleMeta
    check: CheckFn


def _expand_kinds(kinds: list[str]) -> frozenset[str]:
    out: set[str] = set()
    for kind in kinds:
        out.update(KIND_GROUPS.get(kind, (kind,)))
    return frozenset(out)


def _meta(row: dict[str, Any], source_file: str) -> RuleMeta:
    missing = {"id", "severity", "category", "kinds", "rationale", "remediation"} - set(row)
    if missing:
        raise ValueError(f"{source_file}: rule {row.get('id')} lacks {sorted(missing)}")
    if row["category"] not in CATEGORIES:
        raise ValueError(f"{source_file}: rule {row['id']} has unknown category {row['category']}")
    return RuleMeta(
        id=row["id"],
        severity=Severity(row["severity"]),
        category=row["category"],
        kinds=_expand_kinds(row["kinds"]),
        rationale=row["rationale"].strip(),
        remediation=row["remediation"].strip(),
        doc=row.get("doc") or f"docs/rules.md#{row['id']}",
        source=(row.get("source") or "").strip(),
        enabled=bool(row.get("enabled", True)),
        options=dict(row.get("options") or {}),
        pass_example=row.get("pass") or "",
        fail_example=row.get("fail") or "",
    )


@cache
def load_rules() -> dict[str, Rule]:
    """Every built-in rule, by id, in table order."""
    for module in pkgutil.iter_modules([os.path.join(os.path.dirname(__file__), "builtin")]):
        importlib.import_module(f"kubeplan.rules.builtin.{module.name}")
    rules: dict[str, Rule] = {}
    for name in sorted(os.listdir(_DATA)):
        if not name.endswith(".yaml") or name.startswith("_"):
            continue
        table = read_yaml(os.path.join(_DATA, name))
        if not isinstance(table, dict) or "rules" not in table:
            continue
        for row in table["rules"]:
            meta = _meta(row, name)
            if meta.id in rules:
                raise ValueError(f"{name}: rule {meta.id} is defined twice")
            if meta.id not in _CHECKS:
                raise ValueError(f"{name}: rule {meta.id} has no registered check")
            rules[meta.id] = Rule(meta, _CHECKS[meta.id])
    orphans = set(_CHECKS) - set(rules)
    if orphans:
        raise ValueError(f"checks without a metadata row: {sorted(orphans)}")
    return rules
