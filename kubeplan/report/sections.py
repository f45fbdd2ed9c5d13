"""Build the optional `ReportData` sections from the planner's results (diff today; `plan` can
reuse `change_rows` for its objects)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from kubeplan.report.outputs import ChangeRow

MAX_FIELDS = 3  # field changes named in one row's detail


def _short(value: Any) -> str:
    if value is None:
        return "(none)"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:18] + "…" + text[-18:]


def change_rows(changes: Iterable[Any]) -> list[ChangeRow]:
    """One row per `planner.diffrun.ChangeReport`: action, object, effects, the first fields."""
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
