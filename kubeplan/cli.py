"""The `kubeplan` command line: typer commands wired to the engine, nothing more."""

from __future__ import annotations

import gc
import sys
from enum import StrEnum
from typing import Annotated

import typer

from kubeplan import __version__

app = typer.Typer(
    name="kubeplan",
    help="What a change to Kubernetes manifests will do, before it is applied.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


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
VersionOpt = Annotated[
    str | None,
    typer.Option(
        "--kubernetes-version",
        "-k",
        help="Kubernetes version to validate against (1.25 to 1.37; default: newest bundled).",
    ),
]
StrictOpt = Annotated[
    bool,
    typer.Option("--strict/--no-strict", help="Unknown fields are errors (default) or accepted."),
]
CrdOpt = Annotated[
    list[str] | None,
    typer.Option("--crd", help="Extra files or folders holding CustomResourceDefinitions."),
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-o", help="Output format.")]
OutputOpt = Annotated[
    str | None, typer.Option("--output", help="Write the report to this file instead of stdout.")
]
FailOnOpt = Annotated[
    FailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at or above this severity.")
]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print nothing when there is no finding.")
]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="Never colour the output.")]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Also show notes: files skipped and why.")
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


def _fail(message: str) -> None:
    typer.echo(f"kubeplan: {message}", err=True)
    raise typer.Exit(2)


@app.command()
def validate(
    paths: PathsArg,
    kubernetes_version: VersionOpt = None,
    strict: StrictOpt = True,
    crd: CrdOpt = None,
    output_format: FormatOpt = OutputFormat.text,
    output: OutputOpt = None,
    fail_on: FailOnOpt = FailOn.error,
    quiet: QuietOpt = False,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Validate manifests against the Kubernetes JSON schemas and CRDs in the input."""
    from kubeplan.engine import Options, run_validate
    from kubeplan.schemas.catalog import CatalogError
    from kubeplan.schemas.sources import InputError

    options = Options(kubernetes_version=kubernetes_version, strict=strict, crd_paths=crd or [])
    try:
        result = run_validate(paths, options)
    except (InputError, CatalogError) as error:
        _fail(str(error))
        return
    _emit(result, output_format, output, quiet, no_color, verbose)
    if not result.files and not result.resources and not result.findings:
        _fail("nothing to read: no .yaml, .yml or .json file in the given paths")
    raise typer.Exit(1 if result.failed(fail_on.value) else 0)


def _emit(
    result,
    output_format: OutputFormat,
    output: str | None,
    quiet: bool,
    no_color: bool,
    verbose: bool,
) -> None:  # type: ignore[no-untyped-def]
    from kubeplan.report import json_report, text
    from kubeplan.report.style import Style, use_colour

    if output_format is OutputFormat.json:
        rendered = json_report.render(result)
    else:
        if quiet and not any(not f.suppressed for f in result.findings):
            return
        stream = sys.stdout if output is None else None
        colour = stream is not None and use_colour(stream, no_color)
        rendered = text.render(result, Style(colour), verbose=verbose)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(rendered)
        except OSError as error:
            _fail(f"cannot write {output}: {error}")
    else:
        sys.stdout.write(rendered)


def main() -> None:
    # A run is short-lived and builds a large acyclic graph of YAML nodes; the cyclic garbage
    # collector would rescan it again and again as it grows (it doubled the corpus load time).
    gc.disable()
    app()


if __name__ == "__main__":
    main()
