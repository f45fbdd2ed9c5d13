"""Build the optional `ReportData` sections from the planner's results: `change_rows` for
`diff`, `plan_sections` for `plan`, `flows` for `reach`. The planner types are read by their
attributes (typed Any) so that this module does not import the planner."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from kubeplan.report.document import (
    ChangeRow,
    Flow,
    PlanStep,
    RbacVerdict,
    Reachability,
    ReportData,
    Rollout,
)

MAX_FIELDS = 3  # field changes named in one row's detail


def _short(value: Any) -> str:
    if value is None:
        return "(none)"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:18] + "…" + text[-18:]


def change_rows(changes: Iterable[Any]) -> list[ChangeRow]:
    """One row per `planner.diff.run.ChangeReport`: action, object, effects, the first fields."""
    rows = []
    for report in changes:
        resource = report.resource
        where = f"{resource.namespace}/" if resource.namespace else ""
        effects: dict[str, None] = {}
        details = []
        for change in report.fields:
            effects[change.effect] = None
            if len(details) < MAX_FIELDS:
                if change.kind == "reordered":
                    details.append(f"{change.label} order")
                else:
                    details.append(f"{change.label} {_short(change.old)} → {_short(change.new)}")
        if len(report.fields) > MAX_FIELDS:
            details.append(f"{len(report.fields) - MAX_FIELDS} more")
        rows.append(
            ChangeRow(
                action=report.action,
                resource=f"{resource.kind} {where}{resource.name}",
                file=resource.origin.file,
                line=resource.origin.line,
                effects=tuple(effects),
                detail="; ".join(details),
            )
        )
    return rows


def _label(resource: Any) -> str:
    where = f"{resource.namespace}/" if resource.namespace else ""
    return f"{resource.kind} {where}{resource.name}"


def _ports(ports: Any) -> str:
    describe = getattr(ports, "describe", None)
    return describe() if callable(describe) else str(ports)


def flows(change: Any) -> Reachability:
    """`planner.netpol.change.ReachChange` (lost and gained connections) as a section."""
    return Reachability(
        lost=[Flow(c.src, c.dst, _ports(c.ports)) for c in change.lost],
        gained=[Flow(c.src, c.dst, _ports(c.ports)) for c in change.gained],
    )


def plan_sections(plan: Any) -> dict[str, Any]:
    """The `ReportData` sections of a `planner.plan.Plan`: steps (with their RBAC verdict and
    what blocks or rejects them), rollouts, RBAC verdicts with --as, and reachability.

    Use: ReportData(command="plan", findings=plan.findings, ..., **plan_sections(plan))."""
    steps, verdicts = [], []
    subject = str(getattr(plan.identity, "user", "") or "")
    change_details = change_rows(step.change for step in plan.steps)
    for step, changed in zip(plan.steps, change_details, strict=True):
        rbac = step.rbac
        verdict = "" if rbac is None else ("allowed" if rbac.allowed else "denied")
        blocked = [
            f.rule for f in step.findings if f.severity.value == "error" and not f.suppressed
        ]
        if rbac is not None and not rbac.allowed:
            blocked.append("rbac-denied")
        detail = ", ".join(sorted(step.effects))
        if step.rollout is not None and getattr(step.rollout, "summary", ""):
            detail = f"{detail}; {step.rollout.summary}" if detail else step.rollout.summary
        steps.append(
            PlanStep(
                order=step.order,
                action=step.verdict,
                resource=_label(step.resource),
                verdict=verdict,
                blocked_by=tuple(dict.fromkeys(blocked)),
                detail=detail,
                changes=changed.detail,
                warnings=tuple(step.warnings),
            )
        )
        for request in [] if rbac is None else rbac.requests:
            verdicts.append(
                RbacVerdict(
                    subject=subject,
                    verb=str(request.get("verb", "")),
                    resource=str(request.get("resource") or request.get("nonResourceURL") or ""),
                    namespace=request.get("namespace") or None,
                    allowed=bool(request.get("allowed")),
                    reason=str(
                        request.get("via") or ("" if request.get("allowed") else rbac.hint or "")
                    ),
                )
            )
    rollouts = [
        Rollout(_label(r.resource), str(r.strategy), str(getattr(r, "summary", "")))
        for r in plan.rollouts
    ]
    return {
        "plan_steps": steps,
        "changes": change_details,
        "rollouts": rollouts,
        "rbac": verdicts,
        "reachability": flows(plan.reach) if plan.reach is not None else None,
    }


def plan_report_data(
    plan: Any,
    text: Callable[[Any], str],
    json: Callable[[], str],
    title: str = "kubeplan plan",
) -> ReportData:
    """Everything `emit` needs for `kubeplan plan`, in one call (see docs/ci.md)."""
    return ReportData(
        command="plan",
        findings=plan.findings,
        resources=plan.diff.resources,
        files=plan.diff.files,
        kubernetes_version=plan.diff.kubernetes_version,
        title=title,
        notes=list(plan.notes),
        text=text,
        json=json,
        **plan_sections(plan),
    )
