"""`kubeplan can-i` and `kubeplan who-can`: load the RBAC objects, ask the authorizer
(planner/rbac/), and write the answer.

Each returns the report document (its text and JSON, and what goes to standard error); can-i
also its exit code: 0 for yes and 1 for no, like `kubectl auth can-i`; who-can exits 0.
"""

from __future__ import annotations

import sys

from kubeplan.commands import common
from kubeplan.errors import KubeplanError
from kubeplan.planner.rbac import authorizer
from kubeplan.planner.rbac.model import Identity
from kubeplan.planner.rbac.node import who_note
from kubeplan.planner.rbac.query import build_request, load_policy
from kubeplan.report import rbac_report
from kubeplan.report.document import ReportData
from kubeplan.report.style import Style


def can_i_report(
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
        raise KubeplanError("can-i needs VERB and RESOURCE (or --list)")
    paths = args if list_all else args[2:]
    loaded = load_policy(paths, rbac_paths, kubernetes_version)
    identity = Identity.of(as_user, as_groups)
    notes = rbac_report.findings_text(loaded.findings, err_style)
    report = ReportData("can-i", loaded.findings, kubernetes_version=kubernetes_version)
    if list_all:
        grants = authorizer.list_grants(loaded.policy, identity, namespace)
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
    decision = authorizer.authorize(loaded.policy, identity, request)
    report.text = lambda style: rbac_report.can_i_text(decision, style, verbose)
    report.json = lambda: rbac_report.with_config(
        rbac_report.can_i_json(identity, request, decision, kubernetes_version, loaded.findings),
        config,
    )
    report.stderr = (f"kubeplan: {note}\n" if note else "") if json_output else notes
    return report, 0 if decision.allowed else 1


def who_can_report(
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
        raise KubeplanError("who-can needs VERB and RESOURCE")
    loaded = load_policy(args[2:], rbac_paths, kubernetes_version)
    request, note = build_request(args[0], args[1], loaded.policy, namespace, subresource, name)
    allowed = authorizer.who_can(loaded.policy, request)
    node_note = who_note(request, kubernetes_version)
    notes = f"kubeplan: {note}\n" if note else ""
    if not json_output:
        notes = rbac_report.findings_text(loaded.findings, err_style) + notes
    return ReportData(
        "who-can",
        loaded.findings,
        kubernetes_version=kubernetes_version,
        text=lambda style: rbac_report.who_can_text(request, allowed, style, node_note),
        json=lambda: rbac_report.with_config(
            rbac_report.who_can_json(
                request, allowed, kubernetes_version, loaded.findings, node_note
            ),
            config,
        ),
        stderr=notes,
    )


def _emit(report: ReportData, no_color: bool, json_output: bool) -> None:
    from kubeplan.report.outputs import emit

    emit(report, [("json" if json_output else "text", None)], no_color=no_color)


def _err_style(no_color: bool) -> Style:
    from kubeplan.report.style import use_colour

    return Style(use_colour(sys.stderr, no_color))


def can_i(
    args: list[str] | None,
    *,
    as_user: str,
    as_group: list[str] | None,
    namespace: str,
    all_namespaces: bool,
    subresource: str,
    list_all: bool,
    rbac: list[str] | None,
    kubernetes_version: str | None,
    config: str | None,
    output_format: str,
    no_color: bool,
    verbose: bool,
) -> int:
    """`kubeplan can-i`: exit 0 for yes, 1 for no."""
    if not as_user:
        raise KubeplanError("can-i needs --as USER")
    settings = common.settings(config, kubernetes_version, None, verbose)
    json_output = output_format == "json"
    report, code = can_i_report(
        list(args or []),
        as_user=as_user,
        as_groups=list(as_group or []),
        namespace="" if all_namespaces else namespace,
        subresource=subresource,
        rbac_paths=list(rbac or []),
        list_all=list_all,
        kubernetes_version=settings.kubernetes_version,
        json_output=json_output,
        err_style=_err_style(no_color),
        verbose=verbose,
        config=settings.config_path,
    )
    _emit(report, no_color, json_output)
    return code


def who_can(
    args: list[str] | None,
    *,
    namespace: str,
    all_namespaces: bool,
    subresource: str,
    rbac: list[str] | None,
    kubernetes_version: str | None,
    config: str | None,
    output_format: str,
    no_color: bool,
    verbose: bool,
) -> int:
    """`kubeplan who-can`: exit 0."""
    settings = common.settings(config, kubernetes_version, None, verbose)
    json_output = output_format == "json"
    report = who_can_report(
        list(args or []),
        namespace="" if all_namespaces else namespace,
        subresource=subresource,
        name="",
        rbac_paths=list(rbac or []),
        kubernetes_version=settings.kubernetes_version,
        json_output=json_output,
        err_style=_err_style(no_color),
        config=settings.config_path,
    )
    _emit(report, no_color, json_output)
    return 0
