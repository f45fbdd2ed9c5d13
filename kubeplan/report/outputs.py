"""One entry point for every output format: `emit(report, targets, ...)`.

Every command (`validate`, `lint`, `check`, `diff`, `plan`, `can-i`, `who-can`, `reach`,
`rules`) builds one `ReportData` (report/document.py) and calls `emit` with the (format, path)
pairs of its `--format`/`--output` options. Each format is a module that reads the document:
`text` and `json` (report/text.py, report/json_report.py, or the command's own renderer on the
document), `sarif`, `junit`, `github` and `markdown`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import TextIO

from kubeplan.errors import KubeplanError
from kubeplan.report import failure
from kubeplan.report.document import ReportData
from kubeplan.report.escape import no_workflow_commands

FORMATS = ("text", "json", "sarif", "junit", "markdown", "github")
# Formats whose lines GitHub's runner might read as workflow commands (report/escape.py); the
# github format writes only its own annotations, every property and message escaped.
HUMAN = ("text", "junit", "markdown")


class OutputError(KubeplanError):
    """A target that cannot be written or a format list that makes no sense (exit 2)."""


# Targets: (format, path or None for standard output).


Target = tuple[str, str | None]


def resolve_targets(
    formats: Sequence[str], outputs: Sequence[str], order: Sequence[str] | None = None
) -> list[Target]:
    """Pair each --output with the --format given just before it.

    `order` is the sequence of "format"/"output" option occurrences as they were typed (click
    keeps each option's values in order, but not the interleaving of two options). A format may
    also carry its file: `--format sarif=kubeplan.sarif`. An --output typed before any --format
    goes to the first format (or to text when no format is given), as with a single pair.
    """
    if order is None or len(order) != len(formats) + len(outputs):
        order = ["format"] * len(formats) + ["output"] * len(outputs)
    targets: list[list[str | None]] = []
    leading: str | None = None
    explicit: list[bool] = []
    formats_left, outputs_left = list(formats), list(outputs)
    for which in order:
        if which == "format":
            name, _, path = formats_left.pop(0).partition("=")
            name = name.strip().lower()
            if name not in FORMATS:
                raise OutputError(f"unknown format {name!r}; one of {', '.join(FORMATS)}")
            targets.append([name, path or None])
            explicit.append(bool(path))
        else:
            path = outputs_left.pop(0)
            if not targets:
                if leading is not None:
                    raise OutputError("two --output before any --format")
                leading = path
            elif targets[-1][1] is None:
                targets[-1][1] = path
            else:
                raise OutputError(f"--output {path}: the --format before it already has a file")
    if not targets:
        targets.append(["text", None])
        explicit.append(False)
    if leading is not None:
        if targets[0][1] is not None:
            raise OutputError(f"--output {leading}: the first --format already has a file")
        targets[0][1] = leading
    _refuse_format_words(targets, explicit)
    on_stdout = [t[0] for t in targets if t[1] in (None, "-")]
    if len(on_stdout) > 1:
        raise OutputError(
            f"formats {', '.join(str(f) for f in on_stdout)} would all go to standard output;"
            " give each but one an --output FILE (or FORMAT=FILE)"
        )
    resolved = [(str(name), None if path in (None, "-") else path) for name, path in targets]
    failure.expect(resolved)
    return resolved


def _refuse_format_words(targets: list[list[str | None]], explicit: list[bool]) -> None:
    """`--output json` is a kubectl user asking for JSON, not a file named json."""
    from kubeplan.report.output_names import refusal

    for (name, path), in_format in zip(targets, explicit, strict=False):
        given = f"--format {name}={path}" if in_format else None
        problem = refusal(path, given) if path else None
        if problem:
            raise OutputError(problem)


# Emitting.


def render(report: ReportData, name: str, *, colour: bool = False, width: int | None = None) -> str:
    """The report in one format (colour, and wrapping at a terminal's `width`, apply to
    `text` only)."""
    from kubeplan.report.style import Style

    own = report.formats.get(name)
    if own is not None:
        return own(Style(colour, width))
    if name == "text":
        if report.text is not None:
            return report.text(Style(colour, width))
        from kubeplan.report import text

        return text.render(report, Style(colour, width))
    if name == "json":
        if report.json is not None:
            return report.json()
        from kubeplan.report import json_report

        return json_report.render(report)
    if name == "sarif":
        from kubeplan.report import sarif

        return sarif.render(report)
    if name == "junit":
        from kubeplan.report import junit

        return junit.render(report)
    if name == "markdown":
        from kubeplan.report import markdown

        return markdown.render(report)
    if name == "github":
        from kubeplan.report import github

        return github.render(report)
    raise OutputError(f"unknown format {name!r}")


def emit(
    report: ReportData,
    targets: Sequence[Target],
    *,
    no_color: bool = False,
    quiet: bool = False,
    stdout: TextIO | None = None,
    one_file: bool = False,
) -> None:
    """Render `report` once per target and write it to its file or to standard output.

    `quiet` drops the text report when there is no unsuppressed finding (a file target is
    always written, so a CI step that uploads it finds it). `one_file`: the command takes one
    --output (reach), and says so as `wrote the report to FILE`. What the report has for
    standard error (`report.stderr`) follows it. Raises OutputError.
    """
    from kubeplan.report.style import terminal_width, use_colour

    stream = stdout or sys.stdout
    for name, path in targets:
        if path is None and quiet and name == "text" and not report.active():
            continue
        colour = path is None and use_colour(stream, no_color)
        width = terminal_width(stream) if path is None else None
        rendered = text_of(render(report, name, colour=colour, width=width))
        if name in HUMAN:
            rendered = no_workflow_commands(rendered)
        if path is None:
            failure.stdout_written()
            stream.write(rendered)
            stream.flush()
            continue
        try:
            with open(path, "w", encoding="utf-8", errors="replace", newline="\n") as handle:
                handle.write(rendered)
        except OSError as error:
            reason = error if one_file else error.strerror or error
            raise OutputError(f"cannot write {path}: {reason}") from None
    if not quiet and all(path is not None for _, path in targets):
        _say_written(targets, one_file)
    if report.stderr:
        sys.stderr.write(report.stderr)


def _say_written(targets: Sequence[Target], one_file: bool = False) -> None:
    """With every report in a file, one line on standard error says where: a run never prints
    nothing (a mistyped --output would otherwise look like a silent pass)."""
    if one_file:
        sys.stderr.write(f"kubeplan: wrote the report to {targets[0][1]}\n")
        return
    written = ", ".join(f"{name} report to {path}" for name, path in targets)
    sys.stderr.write(f"kubeplan: wrote {written}\n")


def text_of(rendered: str) -> str:
    """`rendered` as valid Unicode: a file name that is not UTF-8 reaches a report as
    surrogate escapes (os.fsdecode), which no UTF-8 writer accepts; each byte becomes U+FFFD."""
    try:
        rendered.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", rendered)
    return rendered


_SURROGATE = re.compile("[\ud800-\udfff]")
