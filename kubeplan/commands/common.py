"""What the commands share: reading the settings, the report targets, the refusals that come
before anything is read, the progress line, and saying one line on standard error."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from kubeplan.errors import KubeplanError

if TYPE_CHECKING:
    from kubeplan.config.settings import Settings

Target = tuple[str, str | None]
NOTHING_TO_READ = "nothing to read: no .yaml, .yml or .json file in the given paths"
NOTHING_VALIDATED = (
    "nothing was validated: no Kubernetes object in the given paths (the findings above say"
    " why); exit 2"
)


def say(line: str) -> None:
    """One line on standard error (click strips colour codes where they do not belong)."""
    click.echo(line, err=True)


def settings(
    config: str | None,
    kubernetes_version: str | None = None,
    fail_on: str | None = None,
    verbose: bool = False,
    with_version: bool = True,
) -> Settings:
    """The config and the options over it, read the same way by every command
    (kubeplan/config/settings.py); under --verbose, which config applies."""
    from kubeplan.config.settings import resolve

    resolved = resolve(config, kubernetes_version, fail_on, with_version=with_version)
    if verbose:
        say(f"kubeplan: {resolved.note()}")
    return resolved


def refuse_overwrite(outputs: Sequence[str | None], *inputs: list[str] | str | None) -> None:
    """A user error before anything is read or written when an output file is an input."""
    from kubeplan.schemas.inputfs import overwritten_input

    given = [p for i in inputs if i for p in ([i] if isinstance(i, str) else i)]
    message = overwritten_input(list(outputs), given)
    if message:
        raise KubeplanError(message)


def refuse_force_without_server_side(force_conflicts: bool, server_side: bool) -> None:
    """kubectl refuses the same (staging/src/k8s.io/kubectl/pkg/cmd/apply/apply.go ApplyOptions.Validate:
    "--force-conflicts only works with --server-side")."""
    if force_conflicts and not server_side:
        raise KubeplanError("--force-conflicts only works with --server-side")


def refuse_format_word(output: str) -> None:
    """`--output json` means a format to a kubectl user (report/output_names.py)."""
    from kubeplan.report.output_names import refusal

    problem = refusal(output)
    if problem:
        raise KubeplanError(problem)


def targets(formats: list[str] | None, outputs: list[str] | None) -> list[Target]:
    """The (format, file) pairs of repeated --format/--output, in the order they were typed."""
    from kubeplan.report.ordered import option_order
    from kubeplan.report.outputs import resolve_targets

    return resolve_targets(formats or [], outputs or [], option_order())


@contextmanager
def progress_line() -> Iterator[Callable[[int, int, str], None]]:
    """A progress line on a terminal for a run longer than a second (report/progress.py)."""
    from kubeplan.report.progress import Progress

    progress = Progress()
    try:
        yield progress.update
    finally:
        progress.close()
