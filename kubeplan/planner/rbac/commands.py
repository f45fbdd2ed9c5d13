"""What `kubeplan can-i` and `kubeplan who-can` do, apart from option parsing (kubeplan/cli.py).

Each returns the report document (its text and JSON, and what goes to standard error); can-i
also its exit code: 0 for yes and 1 for no, like `kubectl auth can-i`; who-can exits 0. Unreadable input raises
sources.InputError (the CLI turns it into exit 2).
"""

from __future__ import annotations

from kubeplan.planner.rbac.authorizer import authorize, list_grants, who_can
from kubeplan.planner.rbac.model import Identity
from kubeplan.planner.rbac.query import build_request, load_policy
from kubeplan.report import rbac_report
from kubeplan.report.document import ReportData
from kubeplan.report.style import Style


def can_i(
    args: list[str],
    *,
    as_user: str,
    as_groups: list[str],
    namespace: str,
    subresource: str,
    rbac_paths: list[str],
    list_all: bool,
    kubernetes_version: str,
    json_output: bool,
    err_style: Style,
    verbose: bool,
    config: str | None,
) -> tuple[ReportData, int]:
    """`args` is VERB TARGET PATH... (or PATH... with --list)."""
    if not list_all and len(args) < 2:
        raise ValueError("can-i needs VERB and RESOURCE (or --list)")
    paths = args if list_all else args[2:]
    loaded = load_policy(paths, rbac_paths, kubernetes_version)
    identity = Identity.of(as_user, as_groups)
    notes = rbac_report.findings_text(loaded.findings, err_style)
    report = ReportData("can-i", loaded.findings, kubernetes_version=kubernetes_version)
    if list_all:
        grants = list_grants(loaded.policy, identity, namespace)
        report.text = lambda style: rbac_report.list_text(identity, grants, style)
        report.json = lambda: rbac_report.with_config(
            rbac_report.list_json(identity, namespace, grants, kubernetes_version, loaded.findings),
            config,
        )
        report.stderr = "" if json_output else notes
        return report, 0
    request, note = build_request(args[0], args[1], loaded.policy, namespace, subresource)
    if note:
        notes += f"kubeplan: {note}\n"
    decision = authorize(loaded.policy, identity, request)
    report.text = lambda style: rbac_report.can_i_text(decision, style, verbose)
    report.json = lambda: rbac_report.with_config(
        rbac_report.can_i_json(identity, request, decision, kubernetes_version, loaded.findings),
        config,
    )
    report.stderr = (f"kubeplan: {note}\n" if note else "") if json_output else notes
    return report, 0 if decision.allowed else 1


def who_can_cmd(
    args: list[str],
    *,
    namespace: str,
    subresource: str,
    name: str,
    rbac_paths: list[str],
    kubernetes_version: str,
    json_output: bool,
    err_style: Style,
    config: str | None,
) -> ReportData:
    if len(args) < 2:
        raise ValueError("who-can needs VERB and RESOURCE")
    loaded = load_policy(args[2:], rbac_paths, kubernetes_version)
    request, note = build_request(args[0], args[1], loaded.policy, namespace, subresource, name)
    allowed = who_can(loaded.policy, request)
    notes = f"kubeplan: {note}\n" if note else ""
    if not json_output:
        notes = rbac_report.findings_text(loaded.findings, err_style) + notes
    return ReportData(
        "who-can",
        loaded.findings,
        kubernetes_version=kubernetes_version,
        text=lambda style: rbac_report.who_can_text(request, allowed, style),
        json=lambda: rbac_report.with_config(
            rbac_report.who_can_json(request, allowed, kubernetes_version, loaded.findings),
            config,
        ),
        stderr=notes,
    )
