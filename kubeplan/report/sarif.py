"""SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): one run, every rule that
produced a result described in `tool.driver.rules`, every result at a file, line and column.

Shape (OASIS SARIF 2.1.0, the schema in tests/data/sarif-2.1.0.json validates it):
- `level`: error -> "error", warning -> "warning", info -> "note" (§3.27.10);
- `locations[0].physicalLocation`: the file relative to the checkout (`uriBaseId`
  "%SRCROOT%": the repository root, wherever kubeplan runs, kubeplan.report.repopath),
  `region.startLine`/`startColumn` 1-based (§3.30.5, §3.30.6);
- `logicalLocations`: the Kubernetes object (Kind/namespace/name) and the field path;
- `partialFingerprints["kubeplan/v1"]`: rule, object and field path, not the line, so code
  scanning keeps an alert open (and dismissed) across edits that move it (§3.27.17);
- suppressed findings (annotation, config, baseline) are left out, unless `--show-suppressed`:
  then they carry `suppressions` (§3.27.23). GitHub code scanning does not honour that mark (it
  would open alerts for them), other SARIF readers do.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from kubeplan import __version__
from kubeplan.model import Finding
from kubeplan.report.document import ReportData, object_label
from kubeplan.report.repopath import repository_path
from kubeplan.report.ruleinfo import RuleInfo

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


def _who(finding: Finding) -> str:
    resource = finding.resource
    if resource:
        group = (resource.get("apiVersion") or "").rpartition("/")[0]
        kind, namespace, name = (
            resource.get("kind"),
            resource.get("namespace"),
            resource.get("name"),
        )
        return f"{group}|{kind}|{namespace or ''}|{name or ''}"
    return repository_path(finding.file)


def fingerprint(finding: Finding, who: str | None = None) -> str:
    """Stable across line moves: the rule, the object and the field path."""
    who = _who(finding) if who is None else who
    text = f"{finding.rule}|{who}|{finding.path or finding.message}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class _Objects:
    """Per-object strings, computed once: findings of one object share its `resource` dict."""

    def __init__(self) -> None:
        self.cache: dict[int, tuple[str, str]] = {}

    def of(self, finding: Finding) -> tuple[str, str]:
        resource = finding.resource
        if resource is None:
            return "", _who(finding)
        known = self.cache.get(id(resource))
        if known is None:
            known = self.cache[id(resource)] = (object_label(resource), _who(finding))
        return known


def _result(finding: Finding, index: int, objects: _Objects) -> dict[str, Any]:
    message = f"{finding.path}: {finding.message}" if finding.path else finding.message
    if finding.hint:
        message += f" ({finding.hint})"
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(finding.file), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)},
        }
    }
    label, who = objects.of(finding)
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
        "partialFingerprints": {"kubeplan/v1": fingerprint(finding, who)},
    }
    if finding.template:
        result["properties"] = {"template": finding.template}
    if finding.suppressed:
        kind = "inSource" if (finding.suppressed_by or "").startswith("annotation") else "external"
        result["suppressions"] = [
            {"kind": kind, "justification": f"suppressed by {finding.suppressed_by}"}
        ]
    return result


@lru_cache(maxsize=65536)
def _uri(file: str) -> str:
    # A name that is not UTF-8 holds surrogate escapes: its bytes are percent-encoded as such.
    path = repository_path(file) or "stdin"
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = path.encode("utf-8", "replace")
    return quote(raw, safe="/")


def _reported(report: ReportData) -> list[Finding]:
    return report.findings if report.show_suppressed else report.active()


def to_document(report: ReportData, results: bool = True) -> dict[str, Any]:
    rule_ids: dict[str, int] = {}
    for finding in _reported(report):
        rule_ids.setdefault(finding.rule, len(rule_ids))
    rules = [_rule(report.rule(rule_id)) for rule_id in rule_ids]
    objects = _Objects()
    listed = [_result(f, rule_ids[f.rule], objects) for f in _reported(report)] if results else []
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
        "results": listed,
        "properties": {
            "kubernetesVersion": report.kubernetes_version,
            "resources": report.resources,
            "files": report.files,
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


_string = (
    json.encoder.encode_basestring
)  # the C encoder's quoting, as json.dumps(ensure_ascii=False)
_RESULTS = "__kubeplan_results__"


def _result_json(finding: Finding, index: int, objects: _Objects, uris: dict[str, str]) -> str:
    """`_result` as JSON text, written directly: 34,000 results are twice as fast this way as
    through json.dumps of nested dicts (bench/bench_formats.py); tests check both agree."""
    if finding.template or finding.suppressed:
        return _dumps(_result(finding, index, objects))
    message = f"{finding.path}: {finding.message}" if finding.path else finding.message
    if finding.hint:
        message += f" ({finding.hint})"
    artifact = uris.get(finding.file)
    if artifact is None:
        artifact = uris[finding.file] = (
            f'{{"uri":{_string(_uri(finding.file))},"uriBaseId":"%SRCROOT%"}}'
        )
    label, who = objects.of(finding)
    logical = ""
    if label:
        logical = f'{{"name":{_string(label)},"kind":"object"}}'
        if finding.path:
            logical += (
                f',{{"name":{_string(finding.path)},'
                f'"fullyQualifiedName":{_string(label + ":" + finding.path)},"kind":"member"}}'
            )
        logical = f',"logicalLocations":[{logical}]'
    return (
        f'{{"ruleId":{_string(finding.rule)},"ruleIndex":{index},'
        f'"level":"{LEVEL[finding.severity.value]}","message":{{"text":{_string(message)}}},'
        f'"locations":[{{"physicalLocation":{{"artifactLocation":{artifact},'
        f'"region":{{"startLine":{max(finding.line, 1)},"startColumn":{max(finding.column, 1)}}}}}'
        f"{logical}}}],"
        f'"partialFingerprints":{{"kubeplan/v1":"{fingerprint(finding, who)}"}}}}'
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def render(report: ReportData) -> str:
    """Compact JSON (an upload does not need indentation), the same as `to_document`."""
    shell = to_document(report, results=False)
    shell["runs"][0]["results"] = _RESULTS
    rule_ids = {rule["id"]: i for i, rule in enumerate(shell["runs"][0]["tool"]["driver"]["rules"])}
    objects, uris = _Objects(), {}
    results = ",".join(_result_json(f, rule_ids[f.rule], objects, uris) for f in _reported(report))
    head, _, tail = _dumps(shell).partition(f'"{_RESULTS}"')
    return f"{head}[{results}]{tail}\n"
