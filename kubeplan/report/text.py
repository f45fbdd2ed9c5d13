"""Findings for people: grouped by file, aligned, a summary line last (the text format of
validate, lint and check, reading the report document)."""

from __future__ import annotations

from collections import defaultdict

from kubeplan.model import Finding
from kubeplan.report.document import ReportData
from kubeplan.report.escape import printable
from kubeplan.report.style import SEVERITY_COLOUR, Style, wrap


def render(result: ReportData, style: Style) -> str:
    lines: list[str] = []
    if result.verbose:
        lines.extend(style(f"note: {printable(note)}", "dim") for note in result.notes)
    shown = [f for f in result.findings if result.show_suppressed or not f.suppressed]
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in shown:
        by_file[finding.file].append(finding)
    for file in sorted(by_file):
        findings = by_file[file]
        lines.append(style(printable(file), "bold"))
        where_width = max(len(f"{f.line}:{f.column}") for f in findings)
        label_width = max(len(_label(f)) for f in findings)
        for f in findings:
            where = f"{f.line}:{f.column}".ljust(where_width)
            severity = style(f.severity.value.ljust(7), SEVERITY_COLOUR[f.severity.value])
            label = _label(f).ljust(label_width)
            message = printable(f"{f.path}: {f.message}" if f.path else f.message)
            rule = style(f"[{printable(f.rule)}]", "dim")
            suppressed = (
                style(f" (suppressed by {printable(f.suppressed_by)})", "dim")
                if f.suppressed
                else ""
            )
            template = style(f"  from {printable(f.template)}", "dim") if f.template else ""
            head = f"  {where}  {severity}  {label}  "
            lines.append(wrap(head, f"{message}  {rule}{suppressed}{template}", style.width))
        lines.append("")
    lines.append(summary(result, style))
    return "\n".join(lines) + "\n"


def _label(finding: Finding) -> str:
    resource = finding.resource
    if not resource:
        return "-"
    name = resource.get("name") or "<unnamed>"
    namespace = resource.get("namespace")
    return printable(
        f"{resource.get('kind')}/{namespace}/{name}"
        if namespace
        else f"{resource.get('kind')}/{name}"
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(result: ReportData, style: Style) -> str:
    counts = result.counts()
    scope = (
        f"{_plural(result.resources, 'resource')} in {_plural(result.files, 'file')}"
        f" (Kubernetes {result.kubernetes_version})"
    )
    parts = []
    if counts["errors"]:
        parts.append(style(_plural(counts["errors"], "error"), "red", "bold"))
    if counts["warnings"]:
        parts.append(style(_plural(counts["warnings"], "warning"), "yellow"))
    if counts["infos"]:
        parts.append(style(f"{counts['infos']} info", "blue"))
    if counts["suppressed"]:
        parts.append(style(f"{counts['suppressed']} suppressed", "dim"))
    if not any(counts[k] for k in ("errors", "warnings", "infos")):
        return (
            style("✓", "green")
            + f" {scope}: no findings"
            + (f" ({counts['suppressed']} suppressed)" if counts["suppressed"] else "")
        )
    mark = style("✗", "red") if counts["errors"] else style("!", "yellow")
    return f"{mark} {', '.join(parts)} in {scope}"
