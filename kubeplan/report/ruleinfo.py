"""Rule metadata for the formats that carry it (SARIF rules, JUnit and Markdown help): every
built-in rule and finding id, read from the rule pack and the data files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from kubeplan.datafiles import read_yaml


@dataclass(frozen=True)
class RuleInfo:
    id: str
    severity: str
    category: str
    summary: str  # one sentence
    description: str  # why it matters
    help: str  # how to fix it
    doc: str = ""  # docs/rules.md#id
    source: str = ""  # the Kubernetes source or kubeplan module behind it


_DATA = os.path.join(os.path.dirname(__file__), "data", "finding_rules.yaml")


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    end = flat.find(". ")
    return flat if end < 0 else flat[: end + 1]


@cache
def _rule_table() -> dict[str, RuleInfo]:
    from kubeplan.rules.registry import load_rules

    table: dict[str, RuleInfo] = {}
    for row in read_yaml(_DATA)["rules"]:
        table[row["id"]] = RuleInfo(
            id=row["id"],
            severity=row["severity"],
            category=row["category"],
            summary=row["summary"],
            description=row["summary"],
            help=row["help"],
            source=row.get("source", ""),
        )
    for risk in _risks():
        table[risk["id"]] = RuleInfo(
            id=risk["id"],
            severity=risk["severity"],
            category="rbac",
            summary=f"Newly granted: {risk['what']}.",
            description=f"Newly granted: {risk['what']}.",
            help="Grant it only to the subject that needs it, in the narrowest scope.",
            source=" ".join(str(risk.get("source", "")).split()),
        )
    for rule_id, rule in load_rules().items():
        meta = rule.meta
        table[rule_id] = RuleInfo(
            id=rule_id,
            severity=str(meta.severity),
            category=meta.category,
            summary=_first_sentence(meta.rationale),
            description=" ".join(meta.rationale.split()),
            help=" ".join(meta.remediation.split()),
            doc=meta.doc,
            source=" ".join(meta.source.split()),
        )
    return table


def _risks() -> list[dict[str, Any]]:
    """The `rbac-grants-*` findings of kubeplan/planner/rbac/data/risks.yaml."""
    path = os.path.join(
        os.path.dirname(os.path.dirname(__file__)), "planner", "rbac", "data", "risks.yaml"
    )
    return list(read_yaml(path)["risks"])


def rule_info(rule_id: str) -> RuleInfo:
    """Metadata of a built-in rule or finding id; a plain entry for ids kubeplan does not know
    (a user rule from the config or an entry point)."""
    known = _rule_table().get(rule_id)
    if known is not None:
        return known
    words = rule_id.replace("-", " ")
    return RuleInfo(rule_id, "warning", "custom", f"{words[:1].upper()}{words[1:]}.", "", "")
