"""Reports of `kubeplan can-i` (one answer, or --list) and `kubeplan who-can`: text and JSON.

The JSON documents are part of the contract in docs/json-output.md (schema_version 1).
"""

from __future__ import annotations

import json
from typing import Any

from kubeplan.model import Finding
from kubeplan.planner.rbac.authorizer import Allowed, Decision
from kubeplan.planner.rbac.model import Identity, Request
from kubeplan.planner.rbac.policy import Grant
from kubeplan.report.escape import no_workflow_commands, printable
from kubeplan.report.style import SEVERITY_COLOUR, Style

SCHEMA_VERSION = 1


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def findings_text(findings: list[Finding], style: Style) -> str:
    """One line per finding, for standard error: file:line:column severity message [rule]."""
    lines = []
    for f in sorted(findings, key=Finding.sort_key):
        severity = style(f.severity.value, SEVERITY_COLOUR[f.severity.value])
        where = f"{printable(f.file)}:{f.line}:{f.column}"
        lines.append(f"{where}: {severity}: {printable(f.message)} [{printable(f.rule)}]")
    return no_workflow_commands("\n".join(lines) + ("\n" if lines else ""))


def can_i_json(
    identity: Identity, request: Request, decision: Decision, version: str, findings: list[Finding]
) -> str:
    return _dump(
        {
            "schema_version": SCHEMA_VERSION,
            "kubernetes_version": version,
            "identity": identity.to_json(),
            "request": request.to_json(),
            "allowed": decision.allowed,
            "via": decision.via,
            "decided_by": decided_by(decision),
            "depends": decision.depends,
            "findings": [f.to_json() for f in findings],
        }
    )


def decided_by(decision: Decision) -> str | None:
    """Which authorizer allowed the request (None when none did)."""
    if not decision.allowed:
        return None
    return "system:masters" if decision.superuser else decision.authorizer


NOT_MODELLED = (
    "RBAC (and, for a node, the Node authorizer) does not allow it; an authorization webhook the"
    " cluster may add is not modelled"
)


def can_i_text(decision: Decision, style: Style, verbose: bool) -> str:
    """yes / no, or `depends` with the reason when an authorizer decides from objects kubeplan
    cannot see (node_authorizer.go); `--verbose` adds the binding or the authorizer."""
    if decision.depends:
        return f"{style('depends', 'yellow')}\n{printable(decision.depends)}\n"
    answer = style("yes", "green") if decision.allowed else style("no", "red")
    if verbose and decision.via:
        return f"{answer}\n{style('via ' + printable(decision.via), 'dim')}\n"
    if verbose and not decision.allowed:
        return f"{answer}\n{style(NOT_MODELLED, 'dim')}\n"
    return answer + "\n"


def _grant_row(grant: Grant) -> dict[str, Any]:
    return {**grant.rule.to_json(), "via": f"{grant.binding.id} -> {grant.role.id}"}


def list_json(
    identity: Identity, namespace: str, grants: list[Grant], version: str, findings: list[Finding]
) -> str:
    return _dump(
        {
            "schema_version": SCHEMA_VERSION,
            "kubernetes_version": version,
            "identity": identity.to_json(),
            "namespace": namespace,
            "superuser": identity.superuser,
            "rules": [_grant_row(g) for g in grants],
            "findings": [f.to_json() for f in findings],
        }
    )


def _table(header: list[str], rows: list[list[str]], style: Style) -> str:
    rows = [[printable(cell, tab=False) for cell in row] for row in rows]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(style(h.ljust(w), "bold") for h, w in zip(header, widths, strict=True)).rstrip()
    ]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return no_workflow_commands("\n".join(lines) + "\n")


def list_text(identity: Identity, grants: list[Grant], style: Style) -> str:
    """Like `kubectl auth can-i --list`, with the binding each rule comes through."""
    if identity.superuser:
        return "system:masters: every request is allowed (RBAC is not consulted)\n"
    rows = []
    for grant in grants:  # one row per resource or URL, as kubectl prints them
        rule = grant.rule
        via = f"{grant.binding.id} -> {grant.role.id}"
        names = ",".join(rule.resource_names)
        verbs = ",".join(rule.verbs)
        for group in rule.api_groups:
            for resource in rule.resources:
                shown = f"{resource}.{group}" if group else resource
                rows.append([shown, "", names, verbs, via])
        for url in rule.non_resource_urls:
            rows.append(["", url, "", verbs, via])
    if not rows:
        return "nothing: no binding applies to this identity here\n"
    return _table(["RESOURCES", "NON-RESOURCE URLS", "RESOURCE NAMES", "VERBS", "VIA"], rows, style)


def who_can_json(
    request: Request,
    allowed: list[Allowed],
    version: str,
    findings: list[Finding],
    node_note: str | None = None,
) -> str:
    return _dump(
        {
            "schema_version": SCHEMA_VERSION,
            "kubernetes_version": version,
            "request": request.to_json(),
            "subjects": [a.to_json() for a in allowed],
            "node_authorizer": node_note,
            "findings": [f.to_json() for f in findings],
        }
    )


def who_can_text(
    request: Request, allowed: list[Allowed], style: Style, node_note: str | None = None
) -> str:
    """The subjects, then the control-plane components of the default policy, each a table,
    then what the Node authorizer adds (node_authorizer.go), when it adds anything."""
    text = _who_can_tables(request, allowed, style)
    if node_note:
        text += "\n" + printable(node_note) + "\n"
    return text


def _who_can_tables(request: Request, allowed: list[Allowed], style: Style) -> str:
    head = style(f"who can {printable(request)}:", "bold") + "\n"
    text = head + _table(
        ["KIND", "NAME", "NAMESPACE", "VIA"], _rows([a for a in allowed if not a.component]), style
    )
    components = [a for a in allowed if a.component]
    if components:
        text += "\n" + style("control-plane components (default bindings):", "bold") + "\n"
        text += _table(["KIND", "NAME", "NAMESPACE", "VIA"], _rows(components), style)
    return text


def _rows(allowed: list[Allowed]) -> list[list[str]]:
    return [
        [a.subject.kind, a.subject.name, a.subject.namespace or "", ", ".join(a.via)]
        for a in allowed
    ]


def with_config(rendered: str, config: str | None) -> str:
    """A JSON document of can-i or who-can with the `config` field every command's JSON has."""
    document = json.loads(rendered)
    ordered = {"schema_version": document.pop("schema_version", SCHEMA_VERSION), "config": config}
    return _dump({**ordered, **document})
