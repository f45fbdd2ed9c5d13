"""The `kubeplan` command line: typer commands wired to the engine, nothing more."""

from __future__ import annotations

import copy
import gc
import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, NoReturn

import click
import typer

from kubeplan import __version__
from kubeplan.exitcodes import exit_code
from kubeplan.model import fails
from kubeplan.report.ordered import OrderedCommand

if TYPE_CHECKING:
    from kubeplan.engine import Options
    from kubeplan.settings import Settings

# click 8.4 suggests a close command name itself (click/exceptions.py NoSuchCommand), and typer
# adds the same suggestion again (typer/core.py TyperGroup.resolve_command): "Did you mean
# 'reach'? Did you mean 'reach'?". Typer's is turned off where click makes one.
_ONE_SUGGESTION = (
    {"suggest_commands": False}
    if hasattr(click.exceptions, "NoSuchCommand")
    and "suggest_commands" in inspect.signature(typer.Typer).parameters
    else {}
)

app = typer.Typer(
    name="kubeplan",
    help="What a change to Kubernetes manifests will do, before it is applied.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    **_ONE_SUGGESTION,  # type: ignore[arg-type]
)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


class RulesFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


PathsArg = Annotated[
    list[str],
    typer.Argument(
        help="Files, folders (walked for .yaml/.yml/.json), - for standard input, or git:REV[:subdir].",
        show_default=False,
    ),
]


def _version_given(value: str | None) -> str | None:
    """An empty --kubernetes-version is a mistake (an unset CI variable), not "the newest"."""
    if value is not None and not value.strip():
        from kubeplan.schemas.catalog import bundled_versions

        versions = bundled_versions()
        _fail(f"--kubernetes-version is empty; give one of {versions[0]} to {versions[-1]}")
    return value


VersionOpt = Annotated[
    str | None,
    typer.Option(
        "--kubernetes-version",
        "-k",
        callback=_version_given,
        help="Kubernetes version to validate against (1.25 to 1.37; default: newest bundled).",
    ),
]
CrdOpt = Annotated[
    list[str] | None,
    typer.Option("--crd", help="Extra files or folders holding CustomResourceDefinitions."),
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-o", help="Output format.")]
OutputOpt = Annotated[
    str | None, typer.Option("--output", help="Write the report to this file instead of stdout.")
]
# validate, lint, check and diff take several formats in one run (kubeplan/report/outputs.py).
FormatsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--format",
        "-o",
        metavar="FORMAT[=FILE]",
        help="text, json, sarif, junit, markdown or github (default text). Repeat for several;"
        " each --output FILE applies to the --format just before it, or write FORMAT=FILE.",
        show_default=False,
    ),
]
OutputsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--output",
        metavar="FILE",
        help="Write the report of the --format given just before it to FILE.",
        show_default=False,
    ),
]
BaselineOpt = Annotated[
    str | None,
    typer.Option(
        "--baseline",
        metavar="FILE",
        help="Findings recorded by `kubeplan baseline write` no longer fail the run (matched by"
        " rule, object and field path, not line).",
        show_default=False,
    ),
]
ChangedSinceOpt = Annotated[
    str | None,
    typer.Option(
        "--changed-since",
        metavar="REV",
        help="Report only findings on objects new or changed since REV (a git revision or a"
        " folder); everything is still read, so references resolve.",
        show_default=False,
    ),
]
ContextOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--context",
        metavar="PATH",
        help="Also read PATH so references and CRDs resolve, without checking or reporting it"
        " (the pre-commit hook passes the changed files and --context .).",
        show_default=False,
    ),
]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print nothing when there is no finding.")
]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="Never colour the output.")]
DetailedExitcodeOpt = Annotated[
    bool,
    typer.Option(
        "--detailed-exitcode",
        help="Exit 3 when applying changes something and nothing fails (0: no changes, 1:"
        " findings at or above --fail-on, 2: error).",
    ),
]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Also show notes: files skipped and why.")
]
AllowRemoteOpt = Annotated[
    bool,
    typer.Option(
        "--allow-remote",
        help="Let kustomize fetch remote bases and files (otherwise such a folder is not"
        " rendered).",
    ),
]
NoRenderOpt = Annotated[
    bool,
    typer.Option(
        "--no-render", help="Never run kustomize or helm: their folders are read as plain YAML."
    ),
]


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"kubeplan {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """What a change to Kubernetes manifests will do, before it is applied."""
    from kubeplan.schemas import programs, renderguard

    programs.reset()  # one process may run several commands (tests)
    renderguard.configure()


def _fail(message: str) -> NoReturn:
    from kubeplan.report.escape import no_workflow_commands, printable

    lines = (printable(line) for line in f"kubeplan: {message}".split("\n"))
    typer.echo(no_workflow_commands("\n".join(lines)), err=True)
    raise typer.Exit(2)


def _refuse_overwrite(outputs: list[str | None], *inputs: list[str] | str | None) -> None:
    """Exit 2 before anything is read or written when an output file is one of the inputs."""
    from kubeplan.schemas.inputfs import overwritten_input

    given = [p for i in inputs if i for p in ([i] if isinstance(i, str) else i)]
    message = overwritten_input(outputs, given)
    if message:
        _fail(message)


def _settings(
    config: str | None,
    kubernetes_version: str | None = None,
    fail_on: FailOn | None = None,
    verbose: bool = False,
    with_version: bool = True,
) -> Settings:
    """The config and the options over it, read the same way by every command
    (kubeplan/settings.py); under --verbose, which config applies."""
    from kubeplan.rules.config_error import ConfigError
    from kubeplan.settings import resolve

    try:
        settings = resolve(
            config,
            kubernetes_version,
            fail_on.value if fail_on else None,
            with_version=with_version,
        )
    except (ConfigError, _catalog_error()) as error:  # evaluated only on an error
        _fail(str(error))
    if verbose:
        typer.echo(f"kubeplan: {settings.note()}", err=True)
    return settings


def _catalog_error() -> type[Exception]:
    """CatalogError, imported only when needed: its module loads the schema validator."""
    from kubeplan.schemas.catalog import CatalogError

    return CatalogError


def _refuse_format_word(output: str) -> None:
    """`--output json` means a format to a kubectl user (report/output_names.py)."""
    from kubeplan.report.output_names import refusal

    problem = refusal(output)
    if problem:
        _fail(problem)


ConfigOpt = Annotated[
    str | None,
    typer.Option("--config", help="Config file (default: .kubeplan.yaml found upwards)."),
]
ShowSuppressedOpt = Annotated[
    bool, typer.Option("--show-suppressed", help="Also list suppressed findings.")
]
NoInlineIgnoreOpt = Annotated[
    bool,
    typer.Option("--no-inline-ignore", help="Ignore kubeplan.io/ignore annotations on objects."),
]


def _run(
    mode: str,
    paths: list[str],
    *,
    kubernetes_version: str | None,
    config: str | None,
    output_format: list[str] | None,
    output: list[str] | None,
    fail_on: FailOn | None,
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
) -> None:
    """What validate, lint and check share; each passes its own options by name (`**locals()`:
    its parameters are named as these)."""
    from kubeplan.schemas import renderguard

    renderguard.configure(allow_remote, no_render)
    from kubeplan.engine import Options, run
    from kubeplan.report import baseline as baselines
    from kubeplan.report.ordered import option_order
    from kubeplan.report.outputs import OutputError, resolve_targets
    from kubeplan.rules.config_error import ConfigError
    from kubeplan.rules.custom import CustomRuleError
    from kubeplan.schemas.catalog import CatalogError
    from kubeplan.schemas.sources import InputError

    try:
        targets = resolve_targets(output_format or [], output or [], option_order())
        recorded = baselines.load(baseline) if baseline else None
    except (OutputError, baselines.BaselineError) as error:
        _fail(str(error))
        return
    _refuse_overwrite([t[1] for t in targets], paths, context, crd, baseline, config)
    settings = _settings(config, kubernetes_version, fail_on, verbose)
    options = Options(
        kubernetes_version=settings.kubernetes_version,
        strict=strict,
        crd_paths=crd or [],
        config_path=settings.config_path,
        inline_ignore=not no_inline_ignore,
        context_paths=context or [],
        config=settings.config,
    )
    left_out: list[str] = []
    if hook:
        paths, left_out = _hook_paths(paths, options, verbose, quiet)
    try:
        result = run(paths, options, mode)
        result.notes += left_out
        if changed_since:
            from kubeplan.report.changed import changed_since as changed_scope
            from kubeplan.report.changed import restrict

            scope = changed_scope(changed_since, paths, result.objects)
            result.findings = restrict(result.findings, scope)
    except (InputError, CatalogError, ConfigError, CustomRuleError) as error:
        _fail(str(error))
        return
    if not result.files and not result.resources and not result.findings:
        _fail("nothing to read: no .yaml, .yml or .json file in the given paths")
    if recorded is not None:
        baselines.apply(result.findings, recorded)
    _emit(mode, result, targets, quiet, no_color, verbose, show_suppressed)
    raise typer.Exit(1 if result.failed(settings.fail_on) else 0)


HookOpt = Annotated[
    bool,
    typer.Option(
        "--hook",
        help="The files are what a commit touches: leave out (and list under --verbose) files"
        " that are no manifests, a Helm chart's files and a kustomization's patches.",
    ),
]


def _hook_paths(
    paths: list[str], options: Options, verbose: bool, quiet: bool
) -> tuple[list[str], list[str]]:
    """The PATHs `check --hook` checks, and a note for each it leaves out; none left: exit 0
    (said on standard error, which keeps a JSON report on standard output clean)."""
    from kubeplan.schemas.hookscope import hook_scope

    scope = hook_scope(paths, options.context_paths)
    options.context_skip = scope.left_out
    if not scope.check:
        if verbose:
            typer.echo("\n".join(scope.notes), err=True)
        if not quiet:
            typer.echo(
                "kubeplan: no Kubernetes manifest among the files; nothing to check", err=True
            )
        raise typer.Exit(0)
    return scope.check, scope.notes


StrictOptional = Annotated[
    bool | None,
    typer.Option(
        "--strict/--no-strict",
        help="Unknown fields are errors (the default) or accepted.",
        show_default=False,
    ),
]
FailOnOptional = Annotated[
    FailOn | None,
    typer.Option(
        "--fail-on",
        help="Exit 1 when a finding is at or above this severity (default: error).",
        show_default=False,
    ),
]


@app.command(cls=OrderedCommand)
def validate(
    paths: PathsArg,
    kubernetes_version: VersionOpt = None,
    strict: StrictOptional = None,
    crd: CrdOpt = None,
    config: ConfigOpt = None,
    output_format: FormatsOpt = None,
    output: OutputsOpt = None,
    fail_on: FailOnOptional = None,
    quiet: QuietOpt = False,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
    baseline: BaselineOpt = None,
    changed_since: ChangedSinceOpt = None,
    context: ContextOpt = None,
    allow_remote: AllowRemoteOpt = False,
    no_render: NoRenderOpt = False,
) -> None:
    """Validate manifests against the Kubernetes JSON schemas and CRDs in the input."""
    _run("validate", **locals())


@app.command(cls=OrderedCommand)
def lint(
    paths: PathsArg,
    kubernetes_version: VersionOpt = None,
    config: ConfigOpt = None,
    no_inline_ignore: NoInlineIgnoreOpt = False,
    output_format: FormatsOpt = None,
    output: OutputsOpt = None,
    fail_on: FailOnOptional = None,
    quiet: QuietOpt = False,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
    show_suppressed: ShowSuppressedOpt = False,
    baseline: BaselineOpt = None,
    changed_since: ChangedSinceOpt = None,
    context: ContextOpt = None,
    allow_remote: AllowRemoteOpt = False,
    no_render: NoRenderOpt = False,
) -> None:
    """Run the rule pack (security, reliability, deprecation, references) and user rules."""
    _run("lint", **locals())


@app.command(cls=OrderedCommand)
def check(
    paths: PathsArg,
    kubernetes_version: VersionOpt = None,
    strict: StrictOptional = None,
    crd: CrdOpt = None,
    config: ConfigOpt = None,
    no_inline_ignore: NoInlineIgnoreOpt = False,
    output_format: FormatsOpt = None,
    output: OutputsOpt = None,
    fail_on: FailOnOptional = None,
    quiet: QuietOpt = False,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
    show_suppressed: ShowSuppressedOpt = False,
    baseline: BaselineOpt = None,
    changed_since: ChangedSinceOpt = None,
    context: ContextOpt = None,
    allow_remote: AllowRemoteOpt = False,
    no_render: NoRenderOpt = False,
    hook: HookOpt = False,
) -> None:
    """Validate and lint in one pass: what the pre-commit hook and the CI gate run."""
    _run("check", **locals())


@app.command(cls=OrderedCommand)
def diff(
    paths: PathsArg,
    base: Annotated[
        str,
        typer.Option(
            "--base",
            help="The prior revision: a git revision (HEAD~1, origin/main), a folder, or a"
            " kubectl get -o yaml dump.",
            show_default=False,
        ),
    ],
    kubernetes_version: VersionOpt = None,
    config: ConfigOpt = None,
    output_format: FormatsOpt = None,
    output: OutputsOpt = None,
    fail_on: FailOnOptional = None,
    no_color: NoColorOpt = False,
    show_unchanged: Annotated[
        bool, typer.Option("--show-unchanged", help="Also list objects that do not change.")
    ] = False,
    allow_remote: AllowRemoteOpt = False,
    no_render: NoRenderOpt = False,
    show_suppressed: ShowSuppressedOpt = False,
    detailed_exitcode: DetailedExitcodeOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """What applying the manifests does, field by field, against a prior revision."""
    from kubeplan.schemas import renderguard

    renderguard.configure(allow_remote, no_render)
    from kubeplan.planner.diff.run import run_diff
    from kubeplan.report import diff_report
    from kubeplan.report.document import ReportData
    from kubeplan.report.ordered import option_order
    from kubeplan.report.outputs import OutputError, emit, resolve_targets
    from kubeplan.report.sections import change_rows
    from kubeplan.rules.config_error import ConfigError
    from kubeplan.rules.suppress import silence
    from kubeplan.schemas.catalog import CatalogError
    from kubeplan.schemas.sources import InputError

    try:
        targets = resolve_targets(output_format or [], output or [], option_order())
        _refuse_overwrite([t[1] for t in targets], paths, base)
    except OutputError as error:
        _fail(str(error))
    settings = _settings(config, kubernetes_version, fail_on, verbose)
    try:
        with progress_line() as progress:
            version, ignored = settings.kubernetes_version, settings.ignored()
            result = run_diff(paths, base, version, progress, ignored)
        result.findings = silence(
            result.findings, result.new.resources, result.base.resources, settings.config_path
        )
    except (InputError, CatalogError, ConfigError) as error:
        _fail(str(error))
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
    try:
        emit(report, targets, no_color=no_color)
    except OutputError as error:
        _fail(str(error))
    raise typer.Exit(
        exit_code(fails(result.findings, settings.fail_on), result.has_changes(), detailed_exitcode)
    )


@app.command(cls=OrderedCommand)
def plan(
    paths: PathsArg,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="The prior revision: a git revision (HEAD~1, origin/main), a folder, or a"
            " kubectl get -o yaml dump of the live objects. Without it: an empty cluster.",
            show_default=False,
        ),
    ] = None,
    kubernetes_version: VersionOpt = None,
    nodes: Annotated[
        int | None,
        typer.Option(
            "--nodes",
            min=1,
            help="Nodes a DaemonSet runs on, for its rollout steps.",
            show_default=False,
        ),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Check that this identity (a user, or system:serviceaccount:NS:NAME) may apply"
            " every step.",
            show_default=False,
        ),
    ] = None,
    as_group: Annotated[
        list[str] | None,
        typer.Option(
            "--as-group", help="A group of the --as identity (repeatable).", show_default=False
        ),
    ] = None,
    rbac: Annotated[
        list[str] | None,
        typer.Option(
            "--rbac",
            help="The cluster's RBAC: a folder or a kubectl get clusterroles,clusterrolebindings,"
            "roles,rolebindings -A -o yaml dump (repeatable).",
            show_default=False,
        ),
    ] = None,
    server_side: Annotated[
        bool,
        typer.Option("--server-side", help="The plan is applied with kubectl apply --server-side."),
    ] = False,
    config: ConfigOpt = None,
    output_format: FormatsOpt = None,
    output: OutputsOpt = None,
    fail_on: FailOnOptional = None,
    no_color: NoColorOpt = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Say why each step is ordered where it is.")
    ] = False,
    allow_remote: AllowRemoteOpt = False,
    no_render: NoRenderOpt = False,
    show_suppressed: ShowSuppressedOpt = False,
    detailed_exitcode: DetailedExitcodeOpt = False,
) -> None:
    """The ordered steps of applying the manifests: waves, rollouts, RBAC and reachability."""
    from kubeplan.schemas import renderguard

    renderguard.configure(allow_remote, no_render)
    from kubeplan.planner.plan import PlanOptions, build_plan
    from kubeplan.report import plan_report
    from kubeplan.report.ordered import option_order
    from kubeplan.report.outputs import OutputError, emit, resolve_targets
    from kubeplan.report.sections import plan_report_data
    from kubeplan.rules.config_error import ConfigError
    from kubeplan.schemas.catalog import CatalogError
    from kubeplan.schemas.sources import InputError

    if as_group and not as_user:
        _fail("--as-group needs --as")
    try:
        targets = resolve_targets(output_format or [], output or [], option_order())
        _refuse_overwrite([t[1] for t in targets], paths, base, rbac, config)
    except OutputError as error:
        _fail(str(error))
    settings = _settings(config, kubernetes_version, fail_on, verbose)
    try:
        options = PlanOptions(
            settings.kubernetes_version,
            nodes=nodes,
            user=as_user,
            groups=tuple(as_group or ()),
            rbac_paths=list(rbac or ()),
            server_side=server_side,
            config_path=settings.config_path,
            config=settings.config,
        )
        with progress_line() as progress:
            result = build_plan(paths, base, options, progress)
    except (OutputError, InputError, CatalogError, ConfigError) as error:
        _fail(str(error))
        return
    report = plan_report_data(
        result,
        text=lambda style: plan_report.render_text(result, style, verbose, show_suppressed),
        json=lambda: plan_report.render_json(result),
        title=f"kubeplan plan against {result.diff.base_label}",
    )
    try:
        emit(report, targets, no_color=no_color)
    except OutputError as error:
        _fail(str(error))
    raise typer.Exit(
        exit_code(result.failed(settings.fail_on), result.has_changes(), detailed_exitcode)
    )


@contextmanager
def progress_line() -> Iterator[Callable[[int, int, str], None]]:
    """A progress line on a terminal for a run longer than a second (report/progress.py)."""
    from kubeplan.report.progress import Progress

    progress = Progress()
    try:
        yield progress.update
    finally:
        progress.close()


@app.command()
def rules(
    rule_id: Annotated[
        str | None, typer.Argument(help="Explain one rule.", show_default=False)
    ] = None,
    output_format: Annotated[
        RulesFormat, typer.Option("--format", "-o", help="Output format.")
    ] = RulesFormat.text,
    no_color: NoColorOpt = False,
) -> None:
    """List the rules (built-in, other stages' findings, installed ones), or explain one."""
    from kubeplan.report import rules_report
    from kubeplan.report.document import ReportData
    from kubeplan.report.outputs import emit
    from kubeplan.rules.custom import CustomRuleError, rules_from_entry_points
    from kubeplan.rules.known import all_rules

    try:
        installed = rules_from_entry_points() if output_format is not RulesFormat.markdown else []
    except CustomRuleError as error:
        _fail(str(error))
        return
    known = all_rules(installed)
    if rule_id is not None and rule_id not in known:
        _fail(f"no rule named {rule_id!r}; `kubeplan rules` lists them")
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
    emit(report, [(output_format.value, None)], no_color=no_color)


class ReachFormat(StrEnum):
    text = "text"
    json = "json"
    mermaid = "mermaid"
    dot = "dot"


@app.command()
def reach(
    paths: PathsArg,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="The prior revision (git revision, folder or dump): report lost and gained"
            " connections.",
            show_default=False,
        ),
    ] = None,
    explain: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--explain",
            help="FROM TO: which policy and rule allow the connection, or which isolate it.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        ReachFormat, typer.Option("--format", "-o", help="Output format.")
    ] = ReachFormat.text,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    fail_on: FailOnOptional = None,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """NetworkPolicy reachability: who can reach whom, on which ports (and its change)."""
    from kubeplan.planner.netpol.run import run_reach
    from kubeplan.report import failure, reach_report
    from kubeplan.report.document import ReportData
    from kubeplan.report.outputs import OutputError, emit
    from kubeplan.rules.config_error import ConfigError
    from kubeplan.schemas.sources import InputError

    _refuse_overwrite([output], paths, base, config)
    if output:
        _refuse_format_word(output)
    failure.expect([(output_format.value, output)])
    settings = _settings(config, None, fail_on, verbose, with_version=False)
    declared = settings.config.connections if settings.config is not None else []
    try:
        source = settings.config_path or ".kubeplan.yaml"
        result = run_reach(
            paths, base, declared, source, explain, settings.ignored(), settings.config_path
        )
    except (InputError, ConfigError) as error:
        _fail(str(error))
    report = ReportData(
        command="reach",
        findings=result.findings,
        text=lambda style: reach_report.render_text(
            result.reach, result.change, result.findings, style, result.explanation
        ),
        json=lambda: reach_report.render_json(
            result.reach, result.change, result.findings, result.explanation, settings.config_path
        ),
        formats={
            "mermaid": lambda _style: reach_report.render_mermaid(result.reach, result.change),
            "dot": lambda _style: reach_report.render_dot(result.reach, result.change),
        },
    )
    try:
        emit(report, [(output_format.value, output)], no_color=no_color, one_file=True)
    except OutputError as error:
        _fail(str(error))
    raise typer.Exit(1 if fails(result.own_findings, settings.fail_on) else 0)


RbacArgs = Annotated[
    list[str] | None,
    typer.Argument(
        help="VERB RESOURCE[/NAME] (or /non-resource-url), then files or folders.",
        show_default=False,
    ),
]
NamespaceOpt = Annotated[str, typer.Option("--namespace", "-n", help="Namespace of the request.")]
AllNamespacesOpt = Annotated[
    bool, typer.Option("--all-namespaces", "-A", help="Ask across all namespaces.")
]
SubresourceOpt = Annotated[
    str, typer.Option("--subresource", help="Subresource (log, exec, scale, ...).")
]
RbacPathsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--rbac",
        help="The cluster's RBAC: a folder or a kubectl get clusterroles,clusterrolebindings,"
        "roles,rolebindings -A -o yaml dump (repeatable).",
        show_default=False,
    ),
]


def _rbac_run(call, no_color: bool, json_output: bool) -> None:  # type: ignore[no-untyped-def]
    from kubeplan.report.outputs import emit
    from kubeplan.schemas.catalog import CatalogError
    from kubeplan.schemas.sources import InputError

    try:
        report, code = call()
    except (InputError, CatalogError, ValueError) as error:
        _fail(str(error))
    emit(report, [("json" if json_output else "text", None)], no_color=no_color)
    raise typer.Exit(code)


@app.command("can-i")
def can_i(
    args: RbacArgs = None,
    as_user: Annotated[
        str, typer.Option("--as", help="The user (or system:serviceaccount:NS:NAME).")
    ] = "",
    as_group: Annotated[
        list[str] | None, typer.Option("--as-group", help="A group of the user (repeatable).")
    ] = None,
    namespace: NamespaceOpt = "default",
    all_namespaces: AllNamespacesOpt = False,
    subresource: SubresourceOpt = "",
    list_all: Annotated[
        bool, typer.Option("--list", help="List what the identity may do in the namespace.")
    ] = False,
    rbac: RbacPathsOpt = None,
    kubernetes_version: VersionOpt = None,
    config: ConfigOpt = None,
    output_format: FormatOpt = OutputFormat.text,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Answer yes or no (exit 0 or 1) like kubectl auth can-i, offline, from manifests."""
    from kubeplan.planner.rbac.commands import can_i as run
    from kubeplan.report.style import Style, use_colour

    if not as_user:
        _fail("can-i needs --as USER")
    settings = _settings(config, kubernetes_version, None, verbose)
    json_output = output_format is OutputFormat.json
    _rbac_run(
        lambda: run(
            list(args or []),
            as_user=as_user,
            as_groups=list(as_group or []),
            namespace="" if all_namespaces else namespace,
            subresource=subresource,
            rbac_paths=list(rbac or []),
            list_all=list_all,
            kubernetes_version=settings.kubernetes_version,
            json_output=json_output,
            err_style=Style(use_colour(sys.stderr, no_color)),
            verbose=verbose,
            config=settings.config_path,
        ),
        no_color,
        json_output,
    )


@app.command("who-can")
def who_can(
    args: RbacArgs = None,
    namespace: NamespaceOpt = "default",
    all_namespaces: AllNamespacesOpt = False,
    subresource: SubresourceOpt = "",
    rbac: RbacPathsOpt = None,
    kubernetes_version: VersionOpt = None,
    config: ConfigOpt = None,
    output_format: FormatOpt = OutputFormat.text,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Every subject allowed to make a request, and the bindings that allow it."""
    from kubeplan.planner.rbac.commands import who_can_cmd
    from kubeplan.report.style import Style, use_colour

    settings = _settings(config, kubernetes_version, None, verbose)
    json_output = output_format is OutputFormat.json
    _rbac_run(
        lambda: (
            who_can_cmd(
                list(args or []),
                namespace="" if all_namespaces else namespace,
                subresource=subresource,
                name="",
                rbac_paths=list(rbac or []),
                kubernetes_version=settings.kubernetes_version,
                json_output=json_output,
                err_style=Style(use_colour(sys.stderr, no_color)),
                config=settings.config_path,
            ),
            0,
        ),
        no_color,
        json_output,
    )


def _emit(  # type: ignore[no-untyped-def]
    mode: str,
    result,
    targets: list[tuple[str, str | None]],
    quiet: bool,
    no_color: bool,
    verbose: bool,
    show_suppressed: bool,
) -> None:
    from kubeplan.report.document import ReportData
    from kubeplan.report.outputs import OutputError, emit

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
    try:
        emit(report, targets, no_color=no_color, quiet=quiet)
    except OutputError as error:
        _fail(str(error))


baseline_app = typer.Typer(
    name="baseline",
    help="Record today's findings so that only new ones fail (--baseline FILE).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(baseline_app)


@baseline_app.command("write")
def baseline_write(
    paths: PathsArg,
    output: Annotated[
        str, typer.Option("--output", metavar="FILE", help="Where to write the baseline.")
    ] = ".kubeplan/baseline.json",
    kubernetes_version: VersionOpt = None,
    strict: StrictOptional = None,
    crd: CrdOpt = None,
    config: ConfigOpt = None,
    no_inline_ignore: NoInlineIgnoreOpt = False,
    context: ContextOpt = None,
    allow_remote: AllowRemoteOpt = False,
    no_render: NoRenderOpt = False,
) -> None:
    """Run `check` and record its findings in FILE; later runs with --baseline FILE fail only on
    findings that are not in it."""
    from kubeplan.schemas import renderguard

    renderguard.configure(allow_remote, no_render)
    _refuse_format_word(output)
    from kubeplan.engine import Options, run
    from kubeplan.report import baseline as baselines
    from kubeplan.rules.config_error import ConfigError
    from kubeplan.rules.custom import CustomRuleError
    from kubeplan.schemas.catalog import CatalogError
    from kubeplan.schemas.sources import InputError

    _refuse_overwrite([output], paths, context, crd, config)
    settings = _settings(config, kubernetes_version)
    options = Options(
        kubernetes_version=settings.kubernetes_version,
        strict=strict,
        crd_paths=crd or [],
        config_path=settings.config_path,
        inline_ignore=not no_inline_ignore,
        context_paths=context or [],
        config=settings.config,
    )
    try:
        result = run(paths, options, "check")
    except (InputError, CatalogError, ConfigError, CustomRuleError) as error:
        _fail(str(error))
        return
    if not result.files and not result.resources and not result.findings:
        _fail("nothing to read: no .yaml, .yml or .json file in the given paths")
    try:
        count = baselines.write(result.findings, output)
    except baselines.BaselineError as error:
        _fail(str(error))
        return
    noun = "finding" if count == 1 else "findings"
    typer.echo(f"kubeplan: wrote {count} {noun} to {output}", err=True)


def command_name(info: typer.models.CommandInfo) -> str:
    """The name typer gives a command: its own, or the function's with `_` as `-`."""
    return info.name or typer.main.get_command_name(info.callback.__name__)  # type: ignore[union-attr]


def app_for(args: list[str]) -> typer.Typer:
    """The application with only the command `args` runs, when it names one.

    On every start typer turns each registered command into a click command by inspecting its
    signature: 17 ms of the 0.15 s a small `kubeplan reach` takes. The others are needed only
    for the command list (`kubeplan --help`) and to answer a name that is no command, for which
    the whole application is kept."""
    chosen = [c for c in app.registered_commands if args and command_name(c) == args[0]]
    if not chosen:
        return app
    lean = copy.copy(app)
    lean.registered_commands = chosen
    lean.registered_groups = []
    return lean


def main() -> None:
    # A run is short-lived and builds a large acyclic graph of YAML nodes; the cyclic garbage
    # collector would rescan it again and again as it grows (it doubled the corpus load time).
    gc.disable()
    from kubeplan.guard import run

    run(app_for(sys.argv[1:]), sys.argv[1:])


if __name__ == "__main__":
    main()
