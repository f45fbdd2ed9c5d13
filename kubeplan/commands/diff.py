"""`kubeplan diff`: what applying the manifests does, field by field, against a prior revision
(planner/diffrun.py), silenced by the config, in every requested format."""

from __future__ import annotations

from kubeplan.commands import common
from kubeplan.exitcodes import exit_code
from kubeplan.model import fails


def main(
    paths: list[str],
    *,
    base: str,
    kubernetes_version: str | None,
    config: str | None,
    output_format: list[str] | None,
    output: list[str] | None,
    fail_on: str | None,
    no_color: bool,
    show_unchanged: bool,
    allow_remote: bool,
    no_render: bool,
    show_suppressed: bool,
    detailed_exitcode: bool,
    verbose: bool,
    namespace: str | None = None,
    server_side: bool = False,
    force_conflicts: bool = False,
    prune: bool = False,
) -> int:
    from kubeplan.schemas import renderguard

    renderguard.configure(allow_remote, no_render)
    common.refuse_force_without_server_side(force_conflicts, server_side)
    from kubeplan.planner.diff.run import run_diff
    from kubeplan.report import diff_report
    from kubeplan.report.document import ReportData
    from kubeplan.report.outputs import emit
    from kubeplan.report.sections import change_rows
    from kubeplan.rules.suppress import silence

    targets = common.targets(output_format, output)
    common.refuse_overwrite([t[1] for t in targets], paths, base)
    settings = common.settings(config, kubernetes_version, fail_on, verbose)
    with common.progress_line() as progress:
        version, ignored = settings.kubernetes_version, settings.ignored()
        result = run_diff(
            paths,
            base,
            version,
            progress,
            ignored,
            namespace=namespace,
            server_side=server_side,
            force_conflicts=force_conflicts,
            prune=prune,
        )
    result.findings = silence(
        result.findings, result.new.resources, result.base.resources, settings.lint()
    )
    result.config = settings.config_path
    report = ReportData(
        command="diff",
        findings=result.findings,
        resources=result.resources,
        files=result.files,
        kubernetes_version=result.kubernetes_version,
        title=f"kubeplan diff against {result.base_label}",
        notes=result.notes,
        text=lambda style: diff_report.render_text(result, style, show_unchanged, show_suppressed),
        json=lambda: diff_report.render_json(result),
        changes=change_rows(result.changes),
    )
    emit(report, targets, no_color=no_color)
    return exit_code(
        fails(result.findings, settings.fail_on), result.has_changes(), detailed_exitcode
    )
