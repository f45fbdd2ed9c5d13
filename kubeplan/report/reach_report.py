"""`kubeplan reach` output: text (grouped by destination, plus a matrix for small sets), JSON,
Mermaid and Graphviz dot. Lost connections are red in every format that has colour."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from kubeplan.model import Finding
from kubeplan.planner.netpol.change import ReachChange
from kubeplan.planner.netpol.engine import Connection, Reachability
from kubeplan.report.escape import no_workflow_commands, printable
from kubeplan.report.style import SEVERITY_COLOUR, Style

SCHEMA_VERSION = 1
MATRIX_LIMIT = 12  # workloads; above this the matrix is too wide to read


def _grouped(
    connections: Sequence[Connection], style: Style, marker: str, colour: str | None
) -> list[str]:
    lines: list[str] = []
    by_dst: dict[str, list[Connection]] = {}
    for c in connections:
        by_dst.setdefault(c.dst, []).append(c)
    for dst in sorted(by_dst):
        lines.append(f"  {style(printable(dst), 'bold')}")
        items = sorted(by_dst[dst], key=lambda c: c.src)
        width = max(len(printable(c.src)) for c in items)
        for c in items:
            text = f"    {marker} {printable(c.src).ljust(width)}  {printable(c.ports.describe())}"
            lines.append(style(text, colour) if colour else text)
    return lines


def _matrix(reach: Reachability) -> list[str]:
    """Rows are sources, columns destinations: A all ports, p some ports, . none."""
    names = [e.key for e in reach.endpoints if not e.implicit]
    if not 1 < len(names) <= MATRIX_LIMIT:
        return []
    allowed = {(c.src, c.dst): c.ports for c in reach.connections}
    number_width = len(str(len(names)))
    lines = ["", "Matrix (row -> column; A all, p some ports, . none):"]
    header = " " * (number_width + 2) + " ".join(
        str(i + 1).rjust(number_width) for i in range(len(names))
    )
    lines.append(header)
    for i, src in enumerate(names):
        cells = []
        for j, dst in enumerate(names):
            if i == j:
                cell = "\\"
            else:
                ports = allowed.get((src, dst))
                cell = "." if not ports else "A" if ports.is_all else "p"
            cells.append(cell.rjust(number_width))
        lines.append(f"{str(i + 1).rjust(number_width)}  {' '.join(cells)}  {printable(src)}")
    return lines


def _findings(findings: list[Finding], style: Style) -> list[str]:
    lines = []
    for f in findings:
        if f.suppressed:  # by the config or the ignore annotation; in the JSON
            continue
        severity = style(str(f.severity), SEVERITY_COLOUR[str(f.severity)])
        where = f"{printable(f.file)}:{f.line}:{f.column}"
        lines.append(f"{where}: {severity} [{printable(f.rule)}] {printable(f.message)}")
    return lines


def render_text(
    reach: Reachability,
    change: ReachChange | None,
    findings: list[Finding],
    style: Style,
    explanation: list[str] | None = None,
) -> str:
    lines: list[str] = []
    if explanation is not None:
        lines += [printable(line) for line in explanation]
    elif change is None:
        lines.append(f"Connections ({len(reach.connections)}), grouped by destination:")
        lines += _grouped(reach.connections, style, "<-", None) or ["  (none)"]
        lines += _matrix(reach)
    else:
        lines.append(f"Lost connections ({len(change.lost)}):")
        lines += _grouped(change.lost, style, "-", "red") or ["  (none)"]
        lines.append(f"Gained connections ({len(change.gained)}):")
        lines += _grouped(change.gained, style, "+", "green") or ["  (none)"]
    shown = _findings(findings, style)
    if shown:
        lines.append("")
        lines += shown
    workloads = sum(not e.implicit for e in reach.endpoints)
    summary = f"{workloads} workloads, {len(reach.policies)} NetworkPolicies"
    if change is not None:
        summary += f"; {len(change.lost)} connections lost, {len(change.gained)} gained"
    lines.append("")
    lines.append(style(summary, "dim"))
    return no_workflow_commands("\n".join(lines) + "\n")


def to_document(
    reach: Reachability,
    change: ReachChange | None,
    findings: list[Finding],
    explanation: list[str] | None = None,
    config: str | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "config": config,
        "connections": [c.to_json() for c in reach.connections],
    }
    if change is not None:
        document.update(change.to_json())
    if explanation is not None:
        document["explain"] = explanation
    document["findings"] = [f.to_json() for f in findings]
    document["summary"] = {
        "workloads": sum(not e.implicit for e in reach.endpoints),
        "policies": len(reach.policies),
        "connections": len(reach.connections),
        "lost": len(change.lost) if change else 0,
        "gained": len(change.gained) if change else 0,
        "errors": sum(str(f.severity) == "error" and not f.suppressed for f in findings),
        "warnings": sum(str(f.severity) == "warning" and not f.suppressed for f in findings),
    }
    return document


def render_json(
    reach: Reachability,
    change: ReachChange | None,
    findings: list[Finding],
    explanation: list[str] | None = None,
    config: str | None = None,
) -> str:
    document = to_document(reach, change, findings, explanation, config)
    return json.dumps(document, separators=(",", ":")) + "\n"


def _edges(reach: Reachability, change: ReachChange | None) -> list[tuple[str, str, str, str]]:
    """(src, dst, label, state) with state kept, lost or gained."""
    edges = [(c.src, c.dst, c.ports.describe(), "kept") for c in reach.connections]
    if change is not None:
        gained = {(c.src, c.dst) for c in change.gained}
        edges = [(s, d, p, "gained" if (s, d) in gained else k) for s, d, p, k in edges]
        edges += [(c.src, c.dst, c.ports.describe(), "lost") for c in change.lost]
    return edges


def _nodes(reach: Reachability, edges: list[tuple[str, str, str, str]]) -> dict[str, str]:
    names = [e.key for e in reach.endpoints if not e.implicit]
    names += sorted({n for s, d, _, _ in edges for n in (s, d)} - set(names))
    return {name: f"n{i}" for i, name in enumerate(names)}


def _mermaid_text(text: str) -> str:
    """A quoted Mermaid label: no line break or escape sequence, no quote to end it."""
    return printable(text).replace('"', "'")


def render_mermaid(reach: Reachability, change: ReachChange | None = None) -> str:
    edges = _edges(reach, change)
    nodes = _nodes(reach, edges)
    lines = ["graph LR"]
    for name, node in nodes.items():
        lines.append(f'  {node}["{_mermaid_text(name)}"]')
    styles = []
    for index, (src, dst, label, state) in enumerate(edges):
        arrow = "-.->" if state == "lost" else "-->"
        lines.append(f'  {nodes[src]} {arrow}|"{_mermaid_text(label)}"| {nodes[dst]}')
        if state == "lost":
            styles.append(f"  linkStyle {index} stroke:red,color:red")
        elif state == "gained":
            styles.append(f"  linkStyle {index} stroke:green")
    return no_workflow_commands("\n".join(lines + styles) + "\n")


def render_dot(reach: Reachability, change: ReachChange | None = None) -> str:
    edges = _edges(reach, change)
    nodes = _nodes(reach, edges)
    lines = ["digraph reach {", "  rankdir=LR;", "  node [shape=box];"]
    for name, node in nodes.items():
        shape = "box" if name.endswith("]") else "ellipse"
        lines.append(f"  {node} [label={json.dumps(name)}, shape={shape}];")
    for src, dst, label, state in edges:
        extra = {"lost": ", color=red, fontcolor=red, style=dashed", "gained": ", color=green"}.get(
            state, ""
        )
        lines.append(f"  {nodes[src]} -> {nodes[dst]} [label={json.dumps(label)}{extra}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
