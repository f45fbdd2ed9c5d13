"""JUnit XML for CI test reports (GitLab `artifacts:reports:junit`, Jenkins, Azure DevOps).

One `<testsuite>` per file. In it, one `<testcase>` per object and rule that found something,
named `Kind/namespace/name: rule`, failing with every message of that rule on that object (each
with its line, column and field path); and one passing `<testcase>` per object with no finding,
so the report counts what was checked. Findings about a file rather than an object (broken YAML)
are test cases named after the file. Suppressed findings are `<skipped>` with who suppressed
them. Elements and attributes are those of the JUnit XML schema Jenkins' xunit plugin publishes
(junit-10.xsd, which tests/report/test_formats_junit.py validates against): the file is the suite's
`name` and `file` and each case's `classname`; lines and columns are in the failure text.
"""

from __future__ import annotations

import re
from collections import defaultdict

from kubeplan.model import Finding
from kubeplan.report.document import ReportData, display_path, object_label
from kubeplan.report.escape import printable

_CASE = tuple[str, list[Finding]]  # name, findings (empty: a clean object)
# XML 1.0 forbids most control characters even when escaped; a quoted YAML value may hold one.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_text(text: str) -> str:
    # Control characters are replaced once, on the whole document (see render).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_attr(text: str) -> str:
    """A double-quoted attribute value, control and bidi characters written as escapes
    (report/escape.py)."""
    text = _xml_text(printable(text)).replace('"', "&quot;")
    if "\n" in text or "\r" in text or "\t" in text:
        text = text.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return f'"{text}"'


def _cases(report: ReportData) -> dict[str, list[_CASE]]:
    by_file: dict[str, dict[tuple[str, str], list[Finding]]] = defaultdict(dict)
    flagged: set[tuple[str, str]] = set()
    paths: dict[str, str] = {}

    def shown(file: str) -> str:
        known = paths.get(file)
        if known is None:
            known = paths[file] = display_path(file) or file
        return known

    for finding in report.findings:
        file = shown(finding.file)
        label = object_label(finding.resource) or file
        flagged.add((file, label))
        by_file[file].setdefault((label, finding.rule), []).append(finding)
    out: dict[str, list[_CASE]] = {}
    clean: dict[str, list[str]] = defaultdict(list)
    for resource in report.objects:
        file = shown(resource.origin.file)
        name = resource.name or "<unnamed>"
        ns = resource.namespace
        label = f"{resource.kind}/{ns}/{name}" if ns else f"{resource.kind}/{name}"
        if (file, label) not in flagged:
            clean[file].append(label)
    for file in sorted(set(by_file) | set(clean)):
        cases: list[_CASE] = [
            (f"{label}: {rule}", findings) for (label, rule), findings in by_file[file].items()
        ]
        cases.extend((label, []) for label in clean.get(file, []))
        out[file] = cases
    return out


def _failure_text(findings: list[Finding], file: str) -> str:
    lines = []
    for f in findings:
        where = f"{printable(file)}:{f.line}:{f.column}"
        message = printable(f"{f.path}: {f.message}" if f.path else f.message)
        lines.append(f"{where}: {f.severity.value}: {message}")
        if f.hint:
            lines.append(f"  hint: {printable(f.hint)}")
    return "\n".join(lines)


def render(report: ReportData) -> str:
    suites: list[str] = []
    total = failed = 0
    for file, cases in _cases(report).items():
        body: list[str] = []
        suite_failed = suite_skipped = 0
        where = _xml_attr(file)
        for name, findings in cases:
            attrs = f"name={_xml_attr(name)} classname={where}"
            active = [f for f in findings if not f.suppressed]
            if not findings:
                body.append(f"    <testcase {attrs}/>")
            elif active:
                suite_failed += 1
                worst = max(active, key=lambda f: f.severity.rank)
                message = _xml_attr(worst.message)
                text = _xml_text(_failure_text(active, file))
                body.append(
                    f"    <testcase {attrs}>\n"
                    f'      <failure message={message} type="{worst.severity.value}">'
                    f"{text}</failure>\n    </testcase>"
                )
            else:
                suite_skipped += 1
                why = _xml_attr(f"suppressed by {findings[0].suppressed_by}")
                body.append(
                    f"    <testcase {attrs}>\n      <skipped message={why}/>\n    </testcase>"
                )
        total += len(cases)
        failed += suite_failed
        suites.append(
            f'  <testsuite name={where} tests="{len(cases)}" failures="{suite_failed}"'
            f' errors="0" skipped="{suite_skipped}" time="0" file={where}>\n'
            + "\n".join(body)
            + "\n  </testsuite>"
        )
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name={_xml_attr(report.heading())} tests="{total}"'
        f' failures="{failed}" errors="0" time="0">'
    )
    document = "\n".join([head, *suites, "</testsuites>"]) + "\n"
    if _CONTROL.search(document):
        document = _CONTROL.sub("\ufffd", document)
    return document
