"""`kubeplan rules [ID]`: the rules kubeplan knows (built-in, other stages' findings, installed
ones), listed or explained, as text, JSON or Markdown."""

from __future__ import annotations

from kubeplan.errors import KubeplanError


def main(rule_id: str | None, *, output_format: str, no_color: bool) -> int:
    from kubeplan.report import rules_report
    from kubeplan.report.document import ReportData
    from kubeplan.report.outputs import emit
    from kubeplan.rules.custom import rules_from_entry_points
    from kubeplan.rules.known import all_rules

    installed = rules_from_entry_points() if output_format != "markdown" else []
    known = all_rules(installed)
    if rule_id is not None and rule_id not in known:
        raise KubeplanError(f"no rule named {rule_id!r}; `kubeplan rules` lists them")
    report = ReportData(
        command="rules",
        findings=[],
        text=lambda style: (
            rules_report.render_list(known, style)
            if rule_id is None
            else rules_report.render_one(known[rule_id], style)
        ),
        json=lambda: rules_report.render_json(known, rule_id),
        formats={"markdown": lambda _style: rules_report.render_markdown(known)},
    )
    emit(report, [(output_format, None)], no_color=no_color)
    return 0
