"""`kubeplan plan`: the ordered steps of applying the manifests (planner/plan.py): waves,
rollouts, RBAC for the applying identity and reachability, in every requested format."""

from __future__ import annotations

from kubeplan.commands import common
from kubeplan.errors import KubeplanError
from kubeplan.exitcodes import exit_code


def main(
    paths: list[str],
    *,
    base: str | None,
    kubernetes_version: str | None,
    nodes: int | None,
    as_user: str | None,
    as_group: list[str] | None,
    rbac: list[str] | None,
    server_side: bool,
    config: str | None,
    output_format: list[str] | None,
    output: list[str] | None,
    fail_on: str | None,
    no_color: bool,
    verbose: bool,
    allow_remote: bool,
    no_render: bool,
    show_suppressed: bool,
    detailed_exitcode: bool,
    admission_config: str | None = None,
    namespace: str | None = None,
    admission: list[str] | None = None,
    force_conflicts: bool = False,
    prune: bool = False,
) -> int:
    from kubeplan.schemas import renderguard

    renderguard.configure(allow_remote, no_render)
    from kubeplan.planner import plan as planner
    from kubeplan.report import plan_report
    from kubeplan.report.outputs import emit
    from kubeplan.report.sections import plan_report_data

    common.refuse_force_without_server_side(force_conflicts, server_side)
    if as_group and not as_user:
        raise KubeplanError("--as-group needs --as")
    targets = common.targets(output_format, output)
    common.refuse_overwrite(
        [t[1] for t in targets], paths, base, rbac, config, admission_config, admission
    )
    settings = common.settings(config, kubernetes_version, fail_on, verbose)
    options = planner.PlanOptions(
        settings.kubernetes_version,
        nodes=nodes,
        user=as_user,
        groups=tuple(as_group or ()),
        rbac_paths=list(rbac or ()),
        server_side=server_side,
        force_conflicts=force_conflicts,
        prune=prune,
        admission_config=admission_config,
        namespace=namespace,
        admission_paths=list(admission or ()),
        config=settings.effective(),
    )
    with common.progress_line() as progress:
        result = planner.build_plan(paths, base, options, progress)
    report = plan_report_data(
        result,
        text=lambda style: plan_report.render_text(result, style, verbose, show_suppressed),
        json=lambda: plan_report.render_json(result),
        title=f"kubeplan plan against {result.diff.base_label}",
    )
    emit(report, targets, no_color=no_color)
    return exit_code(result.failed(settings.fail_on), result.has_changes(), detailed_exitcode)
