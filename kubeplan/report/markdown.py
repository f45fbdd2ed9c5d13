"""A Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

Short by construction: a heading with the verdict, then the plan (what rolls, scales, is
rejected; RBAC and reachability verdicts) when the command has one, then findings grouped by
severity with a link to file and line. Errors show their first rows open; everything long sits in
a collapsible `<details>` block and every table stops at `MAX_ROWS` rows with a count of the rest;
when that is still longer than `CHAR_BUDGET` the tables get shorter (a GitHub comment holds at most
65,536 characters).

Links point at the file on GitHub when the Actions variables GITHUB_SERVER_URL,
GITHUB_REPOSITORY and GITHUB_SHA are set, otherwise at the relative path.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextvars import ContextVar

from kubeplan.model import Finding
from kubeplan.report.document import Flow, ReportData, display_path, object_label
from kubeplan.report.escape import printable
from kubeplan.report.repopath import repository_path

MAX_ROWS = 50  # per table
SMALLER_ROWS = (20, 10, 5)  # tried in turn while the summary is longer than CHAR_BUDGET
CHAR_BUDGET = 60_000  # under GitHub's 65,536-character comment limit
_ROWS: ContextVar[int] = ContextVar("rows", default=MAX_ROWS)
OPEN_ROWS = 10  # errors shown before the fold
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
ACTION_MARK = {"create": "\u2795", "update": "✏️", "delete": "\u2796", "unchanged": "·"}
SEVERITY_TITLE = {"error": "Errors", "warning": "Warnings", "info": "Info"}
SEVERITY_MARK = {"error": "❌", "warning": "⚠️", "info": "\u2139\ufe0f"}


def cell(text: str) -> str:
    """Text safe in a table cell: no line break, Markdown and HTML characters escaped, control
    and bidi characters written as escapes (report/escape.py)."""
    flat = printable(" ".join(str(text).split()))
    return _SPECIAL.sub(r"\\\1", flat)


def code(text: str) -> str:
    """An inline code span that survives backticks and pipes in the text."""
    flat = printable(" ".join(str(text).split())).replace("|", "\\|")
    ticks = "``" if "`" in flat else "`"
    return f"{ticks} {flat} {ticks}" if ticks == "``" else f"`{flat}`"


_PLAIN_REVISION = re.compile(r"^[0-9A-Za-z._/-]+$")  # a commit or a branch name, not HEAD~1
_RENDERED = re.compile(r"^(?P<folder>.+) \((?:kustomize|helm)\)$")


def link(file: str, line: int) -> str:
    """A link to the line: in the repository's files on GitHub (GITHUB_* set), else relative.
    A `git:REV:path` file links to that revision's blob; a rendered Kustomize or Helm folder's
    stream has no file of its own, so the folder is linked, without the stream's line."""
    path = printable(display_path(file))
    text = cell(f"{path}:{line}" if line else path)
    if not path or path.startswith("<"):
        return text
    server = os.environ.get("GITHUB_SERVER_URL")
    repository = os.environ.get("GITHUB_REPOSITORY")
    sha = os.environ.get("GITHUB_SHA")
    revision, rendered = None, _RENDERED.match(file)
    if file.startswith("git:") and file.count(":") >= 2:
        _, revision, inside = file.split(":", 2)
        if not (server and repository) or not _PLAIN_REVISION.match(revision):
            return text  # outside GitHub, or a relative revision (HEAD~1) GitHub cannot resolve
        revision = revision.removeprefix("origin/")  # the remote's branch is GitHub's branch
        target = f"{server}/{repository}/blob/{revision}/{inside}".replace(" ", "%20")
        return f"[{text}]({target}#L{line})" if line else f"[{text}]({target})"
    if rendered is not None:
        file, line = rendered["folder"], 0
    target = printable(display_path(file)).replace(" ", "%20")
    if server and repository and sha:  # a blob URL takes the path from the repository root
        target = repository_path(file).replace(" ", "%20")
        kind = "tree" if rendered is not None else "blob"
        target = f"{server}/{repository}/{kind}/{sha}/{target}"
    return f"[{text}]({target}#L{line})" if line else f"[{text}]({target})"


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], total: int | None = None
) -> list[str]:
    """A table of at most the current row limit; `total` counts rows not even formatted."""
    limit = _ROWS.get()
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out.extend("| " + " | ".join(row) + " |" for row in rows[:limit])
    rest = (len(rows) if total is None else total) - min(limit, len(rows))
    if rest > 0:
        out.append("")
        out.append(f"… and {rest} more (the text, JSON or SARIF report has all).")
    return out


def _details(summary: str, body: list[str], open_: bool = False) -> list[str]:
    return [
        f"<details{' open' if open_ else ''}><summary>{summary}</summary>",
        "",
        *body,
        "",
        "</details>",
        "",
    ]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _verdict(report: ReportData) -> str:
    counts = report.counts()
    parts = []
    if counts["errors"]:
        parts.append(_plural(counts["errors"], "error"))
    if counts["warnings"]:
        parts.append(_plural(counts["warnings"], "warning"))
    if counts["infos"]:
        parts.append(f"{counts['infos']} info")
    blocked = sum(bool(step.blocked_by) for step in report.plan_steps)
    if blocked:
        parts.insert(0, _plural(blocked, "blocked step"))
    mark = "❌" if counts["errors"] or blocked else ("⚠️" if parts else "✅")
    return f"{mark} {', '.join(parts) if parts else 'no findings'}"


def _scope(report: ReportData) -> str:
    scope = f"{_plural(report.resources, 'resource')} in {_plural(report.files, 'file')}"
    if report.kubernetes_version:
        scope += f", Kubernetes {report.kubernetes_version}"
    suppressed = report.counts()["suppressed"]
    if suppressed:
        scope += f"; {suppressed} suppressed"
    return scope


def _finding_rows(findings: Iterable[Finding]) -> list[list[str]]:
    return [
        [
            link(f.file, f.line),
            code(object_label(f.resource)) if f.resource else "",
            f"{code(f.path)}: {cell(f.message)}" if f.path else cell(f.message),
            code(f.rule),
        ]
        for f in findings
    ]


def _findings(report: ReportData) -> list[str]:
    by_severity: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.active():
        by_severity[finding.severity.value].append(finding)
    out: list[str] = []
    header = ("Where", "Object", "Finding", "Rule")
    for severity in ("error", "warning", "info"):
        findings = by_severity.get(severity)
        if not findings:
            continue
        title = f"{SEVERITY_MARK[severity]} {SEVERITY_TITLE[severity]} ({len(findings)})"
        limit = _ROWS.get()
        if severity == "error":
            shown = min(OPEN_ROWS, limit)
            out += [f"### {title}", "", *_table(header, _finding_rows(findings[:shown])), ""]
            if len(findings) > shown:
                rest = findings[shown:]
                table = _table(header, _finding_rows(rest[:limit]), len(rest))
                out += _details(f"{len(rest)} more errors", table)
        else:
            table = _table(header, _finding_rows(findings[:limit]), len(findings))
            out += _details(f"<b>{title}</b>", table)
    rules = _by_rule(report.active())
    if rules:
        body = _table(
            ("Rule", "Count", "Why"),
            [[code(rule), str(count), cell(report.rule(rule).summary)] for rule, count in rules],
        )
        out += _details("Findings by rule", body)
    return out


def _by_rule(findings: Iterable[Finding]) -> list[tuple[str, int]]:
    counts: dict[str, int] = defaultdict(int)
    for finding in findings:
        counts[finding.rule] += 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _changes(report: ReportData) -> list[str]:
    changed = [c for c in report.changes if c.action != "unchanged"]
    if not changed:
        return ["No object changes.", ""] if report.changes else []
    tally: dict[str, int] = defaultdict(int)
    effects: dict[str, int] = defaultdict(int)
    for change in changed:
        tally[change.action] += 1
        for effect in set(change.effects):
            effects[effect] += 1
    line = ", ".join(f"{tally[a]} to {a}" for a in ("create", "update", "delete") if tally[a])
    notable = [
        f"{word} {effects[e]}"
        for e, word in (
            ("rollout", "pods replaced:"),
            ("recreate", "all pods stopped first:"),
            ("scale", "scaled:"),
            ("immutable", "rejected (immutable field):"),
            ("config-not-reloaded", "config not reloaded:"),
            ("staged", "staged:"),
        )
        if effects[e]
    ]
    if notable:
        line += f" ({'; '.join(notable)})"
    rows = [
        [
            ACTION_MARK.get(c.action, "") + " " + cell(c.action),
            code(c.resource),
            ", ".join(code(e) for e in c.effects),
            cell(c.detail),
            link(c.file, c.line) if c.file else "",
        ]
        for c in changed
    ]
    if report.plan_steps:  # the plan's table lists the same objects, in apply order
        return [line + ".", ""]
    table = _table(("Action", "Object", "Effect", "What", "Where"), rows)
    out = ["### Changes", "", line + ".", ""]
    if len(rows) > OPEN_ROWS:
        return [*out, *_details(f"{len(rows)} changed objects", table)]
    return [*out, *table, ""]


def _plan(report: ReportData) -> list[str]:
    if not report.plan_steps:
        return []
    rows = [
        [
            str(step.order),
            cell(step.action),
            code(step.resource),
            cell(step.verdict),
            "❌ " + cell("; ".join(step.blocked_by)) if step.blocked_by else "",
            cell("; ".join(part for part in (step.detail, step.changes) if part)),
        ]
        for step in report.plan_steps
    ]
    table = _table(("#", "Step", "Object", "RBAC", "Blocked by", "Detail"), rows)
    blocked = [row for row, step in zip(rows, report.plan_steps, strict=True) if step.blocked_by]
    out = ["### Plan", ""]
    if blocked:
        out += [*_table(("#", "Step", "Object", "RBAC", "Blocked by", "Detail"), blocked), ""]
    out += _details(f"All {len(rows)} steps", table, open_=len(rows) <= OPEN_ROWS)
    warned = [
        [str(step.order), code(step.resource), cell(warning)]
        for step in report.plan_steps
        for warning in step.warnings
    ]
    if warned:  # as the text plan prints them under each step
        out += [f"### ⚠️ Step warnings ({len(warned)})", ""]
        out += [*_table(("#", "Object", "Warning"), warned), ""]
    return out


def _rollouts(report: ReportData) -> list[str]:
    if not report.rollouts:
        return []
    rows = [[code(r.resource), code(r.effect), cell(r.detail)] for r in report.rollouts]
    return ["### Rollouts", "", *_table(("Object", "Effect", "How"), rows), ""]


def _rbac(report: ReportData) -> list[str]:
    if not report.rbac:
        return []
    rows = [
        [
            "✅ allowed" if v.allowed else "❌ denied",
            cell(v.subject),
            code(v.verb),
            code(v.resource),
            cell(v.namespace or "(cluster)"),
            cell(v.reason),
        ]
        for v in report.rbac
    ]
    header = ("Verdict", "Subject", "Verb", "Resource", "Namespace", "Why")
    return ["### RBAC", "", *_table(header, rows), ""]


def _node_id(name: str, ids: dict[str, str]) -> str:
    if name not in ids:
        ids[name] = f"n{len(ids)}"
    return ids[name]


def mermaid(lost: Sequence[Flow], gained: Sequence[Flow]) -> str:
    """A `graph LR`: lost connections dashed and marked ✗, gained ones solid and marked +."""
    ids: dict[str, str] = {}
    lines = ["graph LR"]
    limit = _ROWS.get()
    edges = [(f, "lost") for f in lost[:limit]] + [(f, "gained") for f in gained[:limit]]
    for flow, kind in edges:
        source, target = _node_id(flow.source, ids), _node_id(flow.destination, ids)
        label = f"✗ {flow.port}" if kind == "lost" else f"+ {flow.port}"
        label = _mermaid_text(label.strip())
        arrow = f'-. "{label}" .->' if kind == "lost" else f'-- "{label}" -->'
        lines.append(f"  {source} {arrow} {target}")
    for name, node in ids.items():
        lines.insert(1, f'  {node}["{_mermaid_text(name)}"]')
    return "\n".join(lines)


def _mermaid_text(text: str) -> str:
    """A node label inside `["..."]` of a fenced block: no quote, no backtick to end either."""
    return printable(text).replace('"', "'").replace("`", "'")


def _reachability(report: ReportData) -> list[str]:
    reach = report.reachability
    if reach is None:
        return []
    if not reach.lost and not reach.gained:
        return ["### Reachability", "", "No connection is lost or gained.", ""]
    out = [
        "### Reachability",
        "",
        f"{_plural(len(reach.lost), 'connection')} lost, {len(reach.gained)} gained.",
        "",
    ]
    graph = reach.mermaid or mermaid(reach.lost, reach.gained)
    out += ["```mermaid", graph, "```", ""]
    rows = [["❌ lost", code(f.source), code(f.destination), cell(f.port)] for f in reach.lost]
    rows += [
        ["\u2795 gained", code(f.source), code(f.destination), cell(f.port)] for f in reach.gained
    ]
    return out + _details("Connections", _table(("Change", "From", "To", "Port"), rows))


def render(report: ReportData) -> str:
    """The summary with the most rows per table that keeps it under CHAR_BUDGET."""
    text = ""
    for limit in (MAX_ROWS, *SMALLER_ROWS):
        token = _ROWS.set(limit)
        try:
            text = _render(report)
        finally:
            _ROWS.reset(token)
        if len(text) <= CHAR_BUDGET:
            break
    return text


def _render(report: ReportData) -> str:
    lines = [f"## {cell(report.heading())}: {_verdict(report)}", "", _scope(report) + ".", ""]
    lines += _changes(report)
    lines += _plan(report)
    lines += _rollouts(report)
    lines += _rbac(report)
    lines += _reachability(report)
    lines += _findings(report)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"
