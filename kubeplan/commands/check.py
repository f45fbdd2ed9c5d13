"""`kubeplan validate`, `lint` and `check` (and `check --hook`, the pre-commit hook): read the
settings, load once and validate and/or lint (commands/pipeline.py), keep what --changed-since
and --baseline leave, and write every requested report."""

from __future__ import annotations

from kubeplan.commands import common, pipeline
from kubeplan.errors import KubeplanError


def main(
    mode: str,
    paths: list[str],
    *,
    kubernetes_version: str | None,
    config: str | None,
    output_format: list[str] | None,
    output: list[str] | None,
    fail_on: str | None,
    quiet: bool,
    no_color: bool,
    verbose: bool,
    baseline: str | None,
    changed_since: str | None,
    context: list[str] | None,
    strict: bool | None = None,
    crd: list[str] | None = None,
    no_inline_ignore: bool = False,
    show_suppressed: bool = False,
    allow_remote: bool = False,
    no_render: bool = False,
    hook: bool = False,
    admission_config: str | None = None,
    namespace: str | None = None,
    admission: list[str] | None = None,
) -> int:
    """Run `mode` (validate, lint or check) on PATHs; the exit code."""
    from kubeplan.schemas import renderguard

    renderguard.configure(allow_remote, no_render)
    from kubeplan.report import baseline as baselines

    targets = common.targets(output_format, output)
    recorded = baselines.load(baseline) if baseline else None
    common.refuse_overwrite(
        [t[1] for t in targets], paths, context, crd, baseline, config, admission_config, admission
    )
    settings = common.settings(config, kubernetes_version, fail_on, verbose)
    options = pipeline.options(settings, strict, crd, not no_inline_ignore, context)
    options.admission_config = admission_config
    options.namespace = namespace
    options.admission_paths = list(admission or ())
    left_out: list[str] = []
    if hook:
        scope = _hook_scope(paths, options, verbose, quiet)
        if scope is None:
            return 0
        paths, left_out = scope
    result = pipeline.run(paths, options, mode)
    result.notes += left_out
    if changed_since:
        from kubeplan.commands.changed import changed_since as changed_scope
        from kubeplan.commands.changed import restrict

        scope = changed_scope(changed_since, paths, result.objects)
        result.findings = restrict(result.findings, scope)
    if not result.files and not result.resources and not result.findings:
        raise KubeplanError(common.NOTHING_TO_READ)
    if recorded is not None:
        baselines.apply(result.findings, recorded)
    _emit(mode, result, targets, quiet, no_color, verbose, show_suppressed)
    if result.failed(settings.fail_on):
        return 1
    if not result.resources and not hook:
        # A gate that checked nothing must not pass as if it had (a chart helm could not
        # render, a folder of files that are not manifests): said on standard error, exit 2.
        common.say(f"kubeplan: {common.NOTHING_VALIDATED}")
        return 2
    return 0


def _hook_scope(
    paths: list[str], options: pipeline.Options, verbose: bool, quiet: bool
) -> tuple[list[str], list[str]] | None:
    """The PATHs `check --hook` checks, and a note for each it leaves out; None when none is
    left (said on standard error, which keeps a JSON report on standard output clean)."""
    from kubeplan.schemas.hookscope import hook_scope

    scope = hook_scope(paths, options.context_paths)
    options.context_skip = scope.left_out
    if not scope.check:
        if verbose:
            common.say("\n".join(scope.notes))
        if not quiet:
            common.say("kubeplan: no Kubernetes manifest among the files; nothing to check")
        return None
    return scope.check, scope.notes


def _emit(
    mode: str,
    result: pipeline.RunResult,
    targets: list[common.Target],
    quiet: bool,
    no_color: bool,
    verbose: bool,
    show_suppressed: bool,
) -> None:
    from kubeplan.report.document import ReportData
    from kubeplan.report.outputs import emit

    report = ReportData(
        command=mode,
        findings=result.findings,
        resources=result.resources,
        files=result.files,
        kubernetes_version=result.kubernetes_version,
        objects=result.objects,
        notes=result.notes,
        show_suppressed=show_suppressed,
        config=result.config,
        verbose=verbose,
    )
    emit(report, targets, no_color=no_color, quiet=quiet)
