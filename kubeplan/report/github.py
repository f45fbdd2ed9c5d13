"""GitHub Actions workflow commands: one annotation per finding, then a plain summary line.

`::error file=F,line=L,col=C,title=T::MESSAGE` (`warning` for warnings, `notice` for infos), as
GitHub's workflow-command reference describes. Escaping follows the runner's command parser
(actions/runner `ActionCommand`): in the message `%`, CR and LF become `%25`, `%0D`, `%0A`; in a
property value `:` and `,` also become `%3A` and `%2C`. Before that, control and bidi characters of
the manifests' text are written as visible escapes (report/escape.py), so that neither the
message nor a property can end the command line or start another. GitHub shows only the first 10 error and
10 warning annotations of a step on the pull request, so the summary line (and `--format
markdown` into `$GITHUB_STEP_SUMMARY`) carries the totals. Files are named from the repository
root, wherever kubeplan runs (kubeplan.report.repopath).
"""

from __future__ import annotations

from kubeplan.report.document import ReportData, object_label
from kubeplan.report.escape import printable
from kubeplan.report.repopath import repository_path

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(printable(text)).replace(":", "%3A").replace(",", "%2C")


def render(report: ReportData) -> str:
    lines = []
    files: dict[str, str] = {}  # escaped per file and per object, once
    titles: dict[tuple[str, int], str] = {}
    for finding in report.active():
        file = files.get(finding.file)
        if file is None:
            file = files[finding.file] = escape_property(
                repository_path(finding.file) or finding.file
            )
        key = (finding.rule, id(finding.resource))
        title = titles.get(key)
        if title is None:
            label = object_label(finding.resource)
            title = f"{finding.rule} ({label})" if label else finding.rule
            title = titles[key] = escape_property(title)
        message = printable(
            f"{finding.path}: {finding.message}" if finding.path else finding.message
        )
        if finding.hint:
            message += f"\nhint: {printable(finding.hint)}"
        lines.append(
            f"::{COMMAND[finding.severity.value]} file={file},line={max(finding.line, 1)},"
            f"col={max(finding.column, 1)},title={title}::{escape_data(message)}"
        )
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(report: ReportData) -> str:
    counts = report.counts()
    parts = [
        _plural(counts["errors"], "error"),
        _plural(counts["warnings"], "warning"),
        f"{counts['infos']} info",
    ]
    if counts["suppressed"]:
        parts.append(f"{counts['suppressed']} suppressed")
    scope = f"{_plural(report.resources, 'resource')} in {_plural(report.files, 'file')}"
    if report.kubernetes_version:
        scope += f" (Kubernetes {report.kubernetes_version})"
    return f"{printable(report.heading())}: {', '.join(parts)} in {scope}"
