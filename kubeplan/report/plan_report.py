"""`kubeplan plan` for people (reads like `terraform plan`) and as JSON."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from kubeplan.model import Finding, Severity
from kubeplan.planner.graph import identity_json
from kubeplan.planner.plan import Plan, PlanStep
from kubeplan.planner.rollout.common import ordinals
from kubeplan.report import diff_report
from kubeplan.report.diff_report import where as where_text
from kubeplan.report.escape import printable
from kubeplan.report.json_report import SCHEMA_VERSION
from kubeplan.report.style import SEVERITY_COLOUR, Style, wrap

SYMBOL = {
    "create": "+",
    "update": "~",
    "delete": "-",
    "rejected": "!",
    "blocked": "✗",
    "cannot-happen": "⊘",
    "stalls": "‖",
}
COLOUR = {
    "create": "green",
    "update": "yellow",
    "delete": "red",
    "rejected": "red",
    "blocked": "red",
    "cannot-happen": "red",
    "stalls": "red",
}
REPLICA_SET_NAMES_NOTE = (
    "ReplicaSet names in rollout steps (web-<hash>) are kubeplan's stand-ins: the cluster names"
    " them by its own pod-template-hash (pkg/controller/controller_utils.go ComputeHash)"
)
# A plan of thousands of steps stays readable: rollouts beyond this many steps are cut short.
ROLLOUT_STEPS_SHOWN = 12


def _name(step: PlanStep) -> str:
    resource = step.resource
    where = f"{resource.namespace}/" if resource.namespace else ""
    return printable(f"{resource.kind} {where}{resource.name}")


def _effect_note(step: PlanStep) -> str:
    """What the step does to running pods, in a few words."""
    if step.cannot_happen:
        return ""
    if step.stalled:
        return "accepted; its rollout stalls: admission refuses its new pods"
    if step.rollout is not None:
        return printable(step.rollout.summary)
    effects = step.effects
    if step.action != "update":
        return ""
    for effect, words in (
        ("immutable", "rejected: an immutable field changes"),
        ("staged", "staged: no pod is replaced yet"),
        ("config-not-reloaded", "config change running pods will not pick up"),
        ("unknown", "effect unknown: kubeplan has no table for this kind"),
    ):
        if effect in effects:
            return words
    return "no pod effect"


def _shown(finding: Finding, show_suppressed: bool) -> bool:
    return finding.severity != Severity.INFO and (show_suppressed or not finding.suppressed)


def _finding_text(finding: Finding, style: Style) -> str:
    colour = "dim" if finding.suppressed else SEVERITY_COLOUR.get(str(finding.severity), "dim")
    # The field path first, as the API server prints its errors (`spec.replicas: Invalid value`).
    where = f"{finding.path}: " if finding.path else ""
    text = f"{style(str(finding.severity), colour)} {printable(where + finding.message)}"
    text += f"  [{printable(finding.rule)}]"
    if finding.suppressed:
        text += style(f"  (suppressed: {finding.suppressed_by})", "dim")
    return text


def _step_lines(
    step: PlanStep, style: Style, verbose: bool, width: int, show_suppressed: bool = False
) -> list[str]:
    verdict = step.verdict
    symbol = style(SYMBOL[verdict], COLOUR[verdict])
    label = style(verdict.ljust(8), COLOUR[verdict])
    note = _effect_note(step)
    origin = step.resource.origin
    head = f"  {str(step.order).rjust(width)}  {symbol} {label} {_name(step)}"
    if note:
        head += f"  ({note})"
    lines = [head + style(f"  {where_text(origin.file)}:{origin.line}", "dim")]
    indent = " " * (width + 6)
    for dependency in step.rejected_dependencies:
        lines.append(
            f"{indent}{style('cannot happen', 'red')}: depends on"
            f" {printable(_dependency_text(dependency))}, which is rejected or cannot happen"
        )
    for finding in step.findings:
        if not _shown(finding, show_suppressed):
            continue
        lines.append(wrap(indent, _finding_text(finding, style), style.width))
        if finding.hint and verdict in ("rejected", "blocked") and not finding.suppressed:
            lines.append(style(f"{indent}  {printable(finding.hint)}", "dim"))
    if step.change.fields:
        lines.extend(diff_report.field_lines(step.change, style, indent))
    if step.rollout is not None and verdict not in ("rejected", "blocked", "cannot-happen"):
        lines.extend(_rollout_lines(step.rollout, style, indent, verbose))
    for warning in step.warnings:
        lines.append(f"{indent}{style('warning', 'yellow')} {printable(warning)}")
    if verbose:
        for reason in step.reasons:
            lines.append(style(f"{indent}after: {printable(reason)}", "dim"))
        if step.rbac is not None and step.rbac.allowed:
            requests = ", ".join(_request(r) for r in step.rbac.requests)
            lines.append(style(f"{indent}rbac: allowed ({requests})", "dim"))
    return lines


def _dependency_text(identity: Any) -> str:
    where = f"{identity.namespace}/" if identity.namespace else ""
    return f"{identity.kind} {where}{identity.name}"


def _request(request: dict[str, Any]) -> str:
    resource = request.get("resource", "?")
    if request.get("subresource"):
        resource += f"/{request['subresource']}"
    return printable(f"{request.get('verb', '?')} {resource}")


def _rollout_lines(rollout: Any, style: Style, indent: str, verbose: bool = False) -> list[str]:
    lines = []
    steps = list(rollout.steps)
    total = rollout.total_steps  # the listed steps may be only a head and a tail
    shown = steps if total <= ROLLOUT_STEPS_SHOWN else steps[: ROLLOUT_STEPS_SHOWN - 2]
    number_width = len(str(total))
    for number, step in enumerate(shown, 1):
        state = _rollout_state(step)
        lines.append(
            f"{indent}  {str(number).rjust(number_width)}. {printable(step.message)}"
            + (style(f"  {state}", "dim") if state else "")
        )
    if len(shown) < total:
        last = steps[-1]
        lines.append(style(f"{indent}  … {total - len(shown) - 1} more steps", "dim"))
        state = _rollout_state(last)
        lines.append(
            f"{indent}  {total}. {printable(last.message)}"
            + (style(f"  {state}", "dim") if state else "")
        )
    for note in [*rollout.notes, *(rollout.timing if verbose else ())]:
        lines.append(style(f"{indent}  {printable(note)}", "dim"))
    return lines


def _rollout_state(step: Any) -> str:
    if step.old is not None or step.new is not None:
        return f"old {step.old} · new {step.new}"
    if step.ordinals is not None:
        return "ordinals " + ", ".join(str(o) for o in step.ordinals)
    if step.ordinal_runs is not None:
        return ordinals(step.ordinal_runs)
    if step.nodes is not None:
        return f"{step.nodes} node{'s' if step.nodes != 1 else ''}"
    return ""


def _header(plan: Plan, style: Style) -> list[str]:
    title = f"kubeplan plan against {printable(plan.diff.base_label)}"
    detail = [f"Kubernetes {plan.diff.kubernetes_version}"]
    if plan.identity is not None:
        groups = [g for g in plan.identity.groups if g != "system:authenticated"]
        detail.append(
            printable(
                f"as {plan.identity.user}" + (f" (groups {', '.join(groups)})" if groups else "")
            )
        )
    return [style(title, "bold") + style(f"  ({'; '.join(detail)})", "dim"), ""]


def render_text(
    plan: Plan, style: Style, verbose: bool = False, show_suppressed: bool = False
) -> str:
    lines = _header(plan, style)
    if not plan.steps:
        lines.append("No changes. Applying these manifests changes nothing.")
    width = len(str(len(plan.steps)))
    per_wave = Counter(step.wave for step in plan.steps)
    wave = None
    deleting = False
    for step in plan.steps:
        if step.action == "delete" and not deleting:
            deleting = True
            lines.append(style("Deletions, after every apply:", "bold"))
        if step.wave != wave:
            wave = step.wave
            count = per_wave[wave]
            parallel = style(f"  ({count} in parallel)", "dim") if count > 1 else ""
            lines.append(style(f"Wave {wave}", "bold") + parallel)
        lines.extend(_step_lines(step, style, verbose, width, show_suppressed))
    for cycle in plan.cycles:
        names = printable(" → ".join(str(member) for member in cycle))
        lines.append(
            style("warning", "yellow") + f" dependency cycle: {names}; applied in the order shown"
        )
    if plan.diff.not_compared:
        lines.append(style(diff_report.not_compared_note(plan.diff.not_compared), "dim"))
    if any(r.resource.kind == "Deployment" and r.steps for r in plan.rollouts):
        lines.append(style(REPLICA_SET_NAMES_NOTE, "dim"))
    lines.extend(style(f"note: {printable(note)}", "dim") for note in plan.notes)
    lines.extend(_reach_lines(plan, style))
    lines.append("")
    on_steps = {id(f) for step in plan.steps for f in step.findings}
    loose = [f for f in plan.findings if id(f) not in on_steps and _shown(f, show_suppressed)]
    for finding in loose:
        severity, rest = _finding_text(finding, style).split(" ", 1)
        lines.append(f"{severity} {where_text(finding.file)}:{finding.line}: {rest}")
    if loose:
        lines.append("")
    lines.append(style(summary(plan), "bold"))
    return "\n".join(lines) + "\n"


def _reach_lines(plan: Plan, style: Style) -> list[str]:
    reach = plan.reach
    if reach is None:
        return []
    lost, gained = list(reach.lost), list(reach.gained)
    if not lost and not gained:
        return ["", style("Reachability: no connection lost or gained.", "dim")]
    lines = ["", style("Reachability change:", "bold")]
    for connection in lost:
        lines.append(style(f"  - {_connection(connection)}", "red"))
    for connection in gained:
        lines.append(style(f"  + {_connection(connection)}", "green"))
    return lines


def _connection(connection: Any) -> str:
    data = connection.to_json() if hasattr(connection, "to_json") else connection
    ports = data.get("ports", "all")
    if ports != "all":
        ports = ", ".join(
            f"{p.get('protocol', 'TCP')}/{p.get('port')}"
            + (f"-{p['end_port']}" if p.get("end_port") not in (None, p.get("port")) else "")
            for p in ports
        )
    return printable(f"{data.get('from')} → {data.get('to')}  ({ports})")


def summary(plan: Plan) -> str:
    c = plan.counts()
    details = (
        ("rollout", "roll pods"),
        ("scale", "scales" if c["scale"] == 1 else "scale"),
        ("staged", "staged"),
        ("no_pod_effect", "no pod effect"),
    )
    text = "Plan: " + diff_report.counts_text(c, details)
    for key in ("rejected", "blocked", "cannot_happen", "stalls"):
        if c[key]:
            text += f", {c[key]} {key.replace('_', ' ')}"
    return text + "."


def to_document(plan: Plan) -> dict[str, Any]:
    diff_document = diff_report.to_document(plan.diff)
    identity = plan.identity
    return {
        "schema_version": SCHEMA_VERSION,
        "kubernetes_version": plan.diff.kubernetes_version,
        "config": plan.diff.config,
        "base": plan.diff.base_label,
        "identity": (
            {"user": identity.user, "groups": list(identity.groups)} if identity else None
        ),
        "steps": [_step_json(step) for step in plan.steps],
        "rollouts": [rollout.to_json() for rollout in plan.rollouts],
        "cycles": [[identity_json(member) for member in cycle] for cycle in plan.cycles],
        "reachability": plan.reach.to_json() if plan.reach is not None else None,
        "changes": diff_document["changes"],
        "findings": [f.to_json() for f in plan.findings],
        "notes": list(plan.notes),
        "summary": {
            **plan.counts(),
            "resources": plan.diff.resources,
            "files": plan.diff.files,
        },
    }


def _step_json(step: PlanStep) -> dict[str, Any]:
    out: dict[str, Any] = {
        "order": step.order,
        "wave": step.wave,
        "action": step.action,
        "verdict": step.verdict,
        "resource": step.resource.ref(),
        "file": step.resource.origin.file,
        "line": step.resource.origin.line,
        "depends_on": [identity_json(member) for member in step.depends_on],
        "rejected_dependencies": [identity_json(member) for member in step.rejected_dependencies],
        "effects": sorted(step.effects),
        "reasons": step.reasons,
        "warnings": step.warnings,
        "findings": [f.rule for f in step.findings],
    }
    if step.rbac is not None:
        out["rbac"] = step.rbac.to_json()
    return out


def render_json(plan: Plan) -> str:
    return (
        json.dumps(to_document(plan), ensure_ascii=False, separators=(",", ":"), default=str) + "\n"
    )
