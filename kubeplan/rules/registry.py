"""The rule registry: metadata is data, checks are small functions, side by side.

A check is registered with `@check("rule-id")` in a module of `builtin/<topic>/`, and has the
signature `(resource, ctx, options) -> Iterable[Violation]`; a rule whose row says
`target: container` is run by the engine on each container of the pod template instead (init and
ephemeral ones included), as `(container, resource, ctx, options)`, the container a
`ContainerRef` that carries its path. Its metadata row (severity,
category, kinds, rationale, remediation, documentation anchor, source, default options, and PASS
/ FAIL manifests) lives in the YAML file beside the module (`builtin/security/context.py` ->
`builtin/security/context.yaml`). Every row must have a check in the module beside it and every
check a row: `load_rules()` refuses a mismatch, and the tests run every row's PASS and FAIL
manifests. The modules and their order are the table `builtin.MODULES`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from kubeplan.datafiles import read_yaml
from kubeplan.kube.workloads import WORKLOAD_KINDS, ContainerRef
from kubeplan.model import Path, Resource, Severity

if TYPE_CHECKING:
    from kubeplan.rules.context import LintContext

CATEGORIES = ("security", "reliability", "efficiency", "deprecation", "reference")
# What a check is run on: the object, or each container of its pod template.
TARGETS = ("resource", "container")
# Aliases usable in a rule's `kinds:` list.
KIND_GROUPS = {"workload": WORKLOAD_KINDS}  # every kind with a pod template
_BUILTIN = "kubeplan.rules.builtin"
_BUILTIN_DIR = os.path.join(os.path.dirname(__file__), "builtin")


@dataclass(frozen=True, slots=True)
class Violation:
    path: Path
    message: str
    # The check's own severity for this one violation (a missing reference is an error when
    # the input shows the namespace in full); None: the rule's. The config's severity wins.
    severity: Severity | None = None


ResourceCheck = Callable[[Resource, "LintContext", dict[str, Any]], Iterable[Violation]]
ContainerCheck = Callable[
    [ContainerRef, Resource, "LintContext", dict[str, Any]], Iterable[Violation]
]
CheckFn = ResourceCheck | ContainerCheck
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
    target: str = "resource"  # or "container": the engine runs the check on each container


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
    if row.get("target", "resource") not in TARGETS:
        raise ValueError(f"{source_file}: rule {row['id']} has unknown target {row['target']}")
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
        target=row.get("target", "resource"),
    )


def _rows_beside(module_name: str) -> tuple[str, list[dict[str, Any]]]:
    """(file name for messages, metadata rows) of the YAML file beside a rule module."""
    module = importlib.import_module(f"{_BUILTIN}.{module_name}")
    path = os.path.splitext(str(module.__file__))[0] + ".yaml"
    label = os.path.relpath(path, _BUILTIN_DIR)
    if not os.path.isfile(path):
        raise ValueError(f"{module_name}: no metadata file {label} beside the module")
    table = read_yaml(path)
    if not isinstance(table, dict) or not isinstance(table.get("rules"), list):
        raise ValueError(f"{label}: no `rules:` list")
    return label, table["rules"]


def _unlisted_modules(listed: Iterable[str]) -> list[str]:
    """Rule modules (a .py with a .yaml beside it) that builtin.MODULES does not name."""
    found = []
    for folder, _dirs, files in os.walk(_BUILTIN_DIR):
        for name in files:
            stem, ext = os.path.splitext(name)
            if ext == ".py" and f"{stem}.yaml" in files:
                relative = os.path.relpath(os.path.join(folder, stem), _BUILTIN_DIR)
                found.append(relative.replace(os.sep, "."))
    return sorted(set(found) - set(listed))


@cache
def load_rules() -> dict[str, Rule]:
    """Every built-in rule, by id, in table order (builtin.MODULES, then row order)."""
    from kubeplan.rules.builtin import MODULES

    unlisted = _unlisted_modules(MODULES)
    if unlisted:
        raise ValueError(f"rule modules missing from builtin.MODULES: {unlisted}")
    rules: dict[str, Rule] = {}
    for module_name in MODULES:
        label, rows = _rows_beside(module_name)
        for row in rows:
            meta = _meta(row, label)
            if meta.id in rules:
                raise ValueError(f"{label}: rule {meta.id} is defined twice")
            found = _CHECKS.get(meta.id)
            if found is None or found.__module__ != f"{_BUILTIN}.{module_name}":
                raise ValueError(f"{label}: rule {meta.id} has no registered check beside it")
            rules[meta.id] = Rule(meta, found)
    orphans = set(_CHECKS) - set(rules)
    if orphans:
        raise ValueError(f"checks without a metadata row: {sorted(orphans)}")
    return rules
