"""What `kubeplan can-i` and `kubeplan who-can` do, apart from option parsing (kubeplan/cli.py).

Each returns the rendered report, what goes to standard error, and the exit code: can-i exits 0
for yes and 1 for no, like `kubectl auth can-i`; who-can exits 0. Unreadable input raises
sources.InputError (the CLI turns it into exit 2).
"""

from __future__ import annotations

from dataclasses import dataclass

from kubeplan.planner.rbac.authorizer import authorize, list_grants, who_can
from kubeplan.planner.rbac.model import Identity
from kubeplan.planner.rbac.query import build_request, load_policy
from kubeplan.report import rbac_report
from kubeplan.report.style import Style


@dataclass
class Outcome:
    stdout: str
    stderr: str
    exit_code: int


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
    style: Style,
    err_style: Style,
    verbose: bool,
) -> Outcome:
    """`args` is VERB TARGET PATH... (or PATH... with --list)."""
    if not list_all and len(args) < 2:
        raise ValueError("can-i needs VERB and RESOURCE (or --list)")
    paths = args if list_all else args[2:]
    loaded = load_policy(paths, rbac_paths, kubernetes_version)
    identity = Identity.of(as_user, as_groups)
    notes = rbac_report.findings_text(loaded.findings, err_style)
    if list_all:
        grants = list_grants(loaded.policy, identity, namespace)
        if json_output:
            out = rbac_report.list_json(
                identity, namespace, grants, kubernetes_version, loaded.findings
            )
            return Outcome(out, "", 0)
        return Outcome(rbac_report.list_text(identity, grants, style), notes, 0)
    request, note = build_request(args[0], args[1], loaded.policy, namespace, subresource)
    if note:
        notes += f"kubeplan: {note}\n"
    decision = authorize(loaded.policy, identity, request)
    code = 0 if decision.allowed else 1
    if json_output:
        out = rbac_report.can_i_json(
            identity, request, decision, kubernetes_version, loaded.findings
        )
        return Outcome(out, f"kubeplan: {note}\n" if note else "", code)
    return Outcome(rbac_report.can_i_text(decision, style, verbose), notes, code)


def who_can_cmd(
    args: list[str],
    *,
    namespace: str,
    subresource: str,
    name: str,
    rbac_paths: list[str],
    kubernetes_version: str,
    json_output: bool,
    style: Style,
    err_style: Style,
) -> Outcome:
    if len(args) < 2:
        raise ValueError("who-can needs VERB and RESOURCE")
    loaded = load_policy(args[2:], rbac_paths, kubernetes_version)
    request, note = build_request(args[0], args[1], loaded.policy, namespace, subresource, name)
    allowed = who_can(loaded.policy, request)
    notes = f"kubeplan: {note}\n" if note else ""
    if json_output:
        return Outcome(
            rbac_report.who_can_json(request, allowed, kubernetes_version, loaded.findings),
            notes,
            0,
        )
    notes = rbac_report.findings_text(loaded.findings, err_style) + notes
    return Outcome(rbac_report.who_can_text(request, allowed, style), notes, 0)
