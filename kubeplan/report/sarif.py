"""SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): one run, every rule that
produced a result described in `tool.driver.rules`, every result at a file, line and column.

Shape (OASIS SARIF 2.1.0, the schema in tests/data/sarif-2.1.0.json validates it):
- `level`: error -> "error", warning -> "warning", info -> "note" (§3.27.10);
- `locations[0].physicalLocation`: the file relative to the checkout (`uriBaseId`
  "%SRCROOT%"), `region.startLine`/`startColumn` 1-based (§3.30.5, §3.30.6);
- `logicalLocations`: the Kubernetes object (Kind/namespace/name) and the field path;
- `partialFingerprints["kubeplan/v1"]`: rule, object and field path, not the line, so code
  scanning keeps an alert open (and dismissed) across edits that move it (§3.27.17);
- suppressed findings (annotation, config, baseline) carry `suppressions` (§3.27.23), which
  code scanning shows as closed rather than dropping them silently.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from kubeplan import __version__
from kubeplan.model import Finding
from kubeplan.report.outputs import ReportData, RuleInfo, display_path, object_label

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _rule(info: RuleInfo) -> dict[str, Any]:
    help_text = info.help
    if info.source:
        help_text += f"\n\nSource: {info.source}"
    markdown = f"**Fix:** {info.help}"
    if info.doc:
        markdown += f"\n\nSee `{info.doc}` in the kubeplan documentation."
    if info.source:
        markdown += f"\n\nSource: {info.source}"
    return {
        "id": info.id,
        "name": "".join(part.capitalize() for part in info.id.split("-")),
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.description or info.summary},
        "help": {"text": help_text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVEL.get(info.severity, "warning")},
        "properties": {"tags": ["kubernetes", info.category]},
    }


def fingerprint(finding: Finding) -> str:
    """Stable across line moves: the rule, the object and the field path."""
    resource = finding.resource
    if resource:
        group = (resource.get("apiVersion") or "").rpartition("/")[0]
        who = f"{group}|{resource.get('kind')}|{resource.get('namespace') or ''}|{resource.get('name') or ''}"
    else:
        who = display_path(finding.file)
    text = f"{finding.rule}|{who}|{finding.path or finding.message}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _result(finding: Finding, index: int) -> dict[str, Any]:
    message = f"{finding.path}: {finding.message}" if finding.path else finding.message
    if finding.hint:
        message += f" ({finding.hint})"
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(finding.file), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)},
        }
    }
    label = object_label(finding.resource)
    if label:
        logical = [{"name": label, "kind": "object"}]
        if finding.path:
            logical.append(
                {
                    "name": finding.path,
                    "fullyQualifiedName": f"{label}:{finding.path}",
                    "kind": "member",
                }
            )
        location["logicalLocations"] = logical
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": LEVEL[finding.severity.value],
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {"kubeplan/v1": fingerprint(finding)},
    }
    if finding.template:
        result["properties"] = {"template": finding.template}
    if finding.suppressed:
        kind = "inSource" if finding.suppressed_by == "annotation" else "external"
        result["suppressions"] = [
            {"kind": kind, "justification": f"suppressed by {finding.suppressed_by}"}
        ]
    return result


def _uri(file: str) -> str:
    from urllib.parse import quote

    return quote(display_path(file) or "stdin", safe="/")


def to_document(report: ReportData) -> dict[str, Any]:
    rule_ids: dict[str, int] = {}
    for finding in report.findings:
        rule_ids.setdefault(finding.rule, len(rule_ids))
    rules = [_rule(report.rule(rule_id)) for rule_id in rule_ids]
    results = [_result(f, rule_ids[f.rule]) for f in report.findings]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "kubeplan",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"kubeplan/{report.command}/"},
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The checkout root."}}},
        "results": results,
        "properties": {
            "kubernetesVersion": report.kubernetes_version,
            "resources": report.resources,
            "files": report.files,
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: ReportData) -> str:
    # Compact, through the C encoder (see json_report): an upload does not need indentation.
    return json.dumps(to_document(report), ensure_ascii=False, separators=(",", ":")) + "\n"
