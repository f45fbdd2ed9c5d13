"""`kubeplan rules`: the rule pack as a table, one rule explained, or JSON."""

from __future__ import annotations

import json

from kubeplan.report.style import SEVERITY_COLOUR, Style
from kubeplan.rules.registry import Rule


def _kinds(rule: Rule) -> str:
    kinds = rule.meta.kinds
    return "all kinds" if "*" in kinds else ", ".join(sorted(kinds))


def render_list(rules: dict[str, Rule], style: Style) -> str:
    rows = sorted(rules.values(), key=lambda r: (r.meta.category, r.meta.id))
    id_width = max(len(r.meta.id) for r in rows)
    category_width = max(len(r.meta.category) for r in rows)
    lines = []
    for rule in rows:
        meta = rule.meta
        severity = style(meta.severity.value.ljust(7), SEVERITY_COLOUR[meta.severity.value])
        state = "" if meta.enabled else style(" (off by default)", "dim")
        lines.append(
            f"{meta.id.ljust(id_width)}  {severity}  {meta.category.ljust(category_width)}"
            f"  {meta.rationale}{state}"
        )
    enabled = sum(r.meta.enabled for r in rows)
    lines.append("")
    lines.append(f"{len(rows)} rules, {enabled} on by default. `kubeplan rules ID` explains one.")
    return "\n".join(lines) + "\n"


def render_one(rule: Rule, style: Style) -> str:
    meta = rule.meta
    lines = [
        style(meta.id, "bold"),
        f"  severity:    {meta.severity.value}{'' if meta.enabled else ' (off by default)'}",
        f"  category:    {meta.category}",
        f"  applies to:  {_kinds(rule)}",
        f"  why:         {meta.rationale}",
        f"  fix:         {meta.remediation}",
        f"  source:      {meta.source}",
        f"  docs:        {meta.doc}",
        f'  silence it:  annotation kubeplan.io/ignore: "{meta.id}", or in .kubeplan.yaml: rules: {{{meta.id}: off}}',
    ]
    if meta.options:
        lines.append(f"  options:     {json.dumps(meta.options)}")
    for title, example in (("FAIL", meta.fail_example), ("PASS", meta.pass_example)):
        if example:
            lines.append("")
            lines.append(style(f"  {title}:", "red" if title == "FAIL" else "green"))
            lines.extend(f"    {line}" for line in example.rstrip().splitlines())
    return "\n".join(lines) + "\n"


def render_json(rules: dict[str, Rule], rule_id: str | None) -> str:
    chosen = [rules[rule_id]] if rule_id else list(rules.values())
    document = {
        "schema_version": 1,
        "rules": [
            {
                "id": r.meta.id,
                "severity": r.meta.severity.value,
                "category": r.meta.category,
                "enabled": r.meta.enabled,
                "kinds": sorted(r.meta.kinds),
                "rationale": r.meta.rationale,
                "remediation": r.meta.remediation,
                "source": r.meta.source,
                "doc": r.meta.doc,
                "options": r.meta.options,
            }
            for r in chosen
        ],
    }
    return json.dumps(document, indent=2) + "\n"
