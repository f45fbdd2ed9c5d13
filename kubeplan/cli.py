"""The `kubeplan` command line: typer declarations, each command handed to its module in
kubeplan/commands/, which returns the exit code. A user error (kubeplan.errors.KubeplanError)
is caught once, by the application's group (kubeplan/guard.py GuardedGroup): exit 2, one line.
"""

from __future__ import annotations

import copy
import gc
import importlib
import inspect
import sys
from enum import Enum, StrEnum
from typing import Annotated, NoReturn

import click
import typer

from kubeplan import __version__
from kubeplan.errors import KubeplanError
from kubeplan.guard import GuardedGroup
from kubeplan.report.ordered import OrderedCommand

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
    cls=GuardedGroup,
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
        raise KubeplanError(
            f"--kubernetes-version is empty; give one of {versions[0]} to {versions[-1]}"
        )
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
ApplyNamespaceOpt = Annotated[
    str | None,
    typer.Option(
        "--namespace",
        "-n",
        help="As kubectl apply -n: the namespace of namespaced objects that name none (an"
        " object naming another one is refused, as kubectl refuses it).",
        show_default=False,
    ),
]
PruneOpt = Annotated[
    bool,
    typer.Option(
        "--prune",
        help="Model kubectl apply --prune (or a GitOps tool): live objects of a dump that no"
        " manifest names are deleted. Without it they are kept, as kubectl apply -f keeps them.",
    ),
]
AdmissionPolicyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--admission",
        metavar="DIR|DUMP",
        help="The cluster's ValidatingAdmissionPolicies, their bindings and params: a folder"
        " or a kubectl get validatingadmissionpolicies,validatingadmissionpolicybindings -o"
        " yaml dump (repeatable).",
        show_default=False,
    ),
]
AdmissionConfigOpt = Annotated[
    str | None,
    typer.Option(
        "--admission-config",
        metavar="FILE",
        help="The cluster's AdmissionConfiguration (kube-apiserver"
        " --admission-control-config-file): Pod Security defaults and exemptions.",
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


def _run(module: str, function: str, *args: object, **options: object) -> NoReturn:
    """Run kubeplan/commands/MODULE.py FUNCTION (imported only now: start-up time) with the
    command's parameters, choices as their plain strings, and exit with the code it returns."""
    command = getattr(importlib.import_module(f"kubeplan.commands.{module}"), function)
    plain = {k: v.value if isinstance(v, Enum) else v for k, v in options.items()}
    raise typer.Exit(command(*args, **plain))


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


HookOpt = Annotated[
    bool,
    typer.Option(
        "--hook",
        help="The files are what a commit touches: leave out (and list under --verbose) files"
        " that are no manifests, a Helm chart's files and a kustomization's patches.",
    ),
]


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
    namespace: ApplyNamespaceOpt = None,
) -> None:
    """Validate manifests against the Kubernetes JSON schemas and CRDs in the input."""
    _run("check", "main", "validate", **locals())


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
    namespace: ApplyNamespaceOpt = None,
) -> None:
    """Run the rule pack (security, reliability, deprecation, references) and user rules."""
    _run("check", "main", "lint", **locals())


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
    admission_config: AdmissionConfigOpt = None,
    namespace: ApplyNamespaceOpt = None,
    admission: AdmissionPolicyOpt = None,
) -> None:
    """Validate and lint in one pass: what the pre-commit hook and the CI gate run."""
    _run("check", "main", "check", **locals())


ServerSideOpt = Annotated[
    bool,
    typer.Option(
        "--server-side",
        help="The manifests are applied with kubectl apply --server-side: against a live dump,"
        " fields are merged by their owners in metadata.managedFields.",
    ),
]
ForceConflictsOpt = Annotated[
    bool,
    typer.Option(
        "--force-conflicts",
        help="With --server-side: fields another manager owns are taken over (no apply-conflict).",
    ),
]


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
    namespace: ApplyNamespaceOpt = None,
    server_side: ServerSideOpt = False,
    force_conflicts: ForceConflictsOpt = False,
    prune: PruneOpt = False,
) -> None:
    """What applying the manifests does, field by field, against a prior revision."""
    _run("diff", "main", **locals())


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
    server_side: ServerSideOpt = False,
    force_conflicts: ForceConflictsOpt = False,
    prune: PruneOpt = False,
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
    admission_config: AdmissionConfigOpt = None,
    namespace: ApplyNamespaceOpt = None,
    admission: AdmissionPolicyOpt = None,
) -> None:
    """The ordered steps of applying the manifests: waves, rollouts, RBAC and reachability."""
    _run("plan", "main", **locals())


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
    _run("rules", "main", **locals())


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
    _run("reach", "main", **locals())


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
    _run("rbac", "can_i", **locals())


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
    _run("rbac", "who_can", **locals())


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
    _run("baseline", "write", **locals())


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
