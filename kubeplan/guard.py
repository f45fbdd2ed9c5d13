"""The one guard around every command: nothing unexpected may look like a finding.

Exit 1 means "findings at or above --fail-on". A user error (kubeplan.errors.KubeplanError:
input that cannot be read, a bad config, an output that cannot be written) is exit 2 with its
message on stderr, caught once for every command by the application's group (`GuardedGroup`).
An internal error (any exception kubeplan did not
turn into a finding or a user error) is exit 2 with one line on stderr, never a traceback
(`KUBEPLAN_DEBUG=1` or `--verbose` adds it), and the report files the run was asked to write
are written anyway, saying that it failed (kubeplan/report/failure.py).

Standard output:
- written with undecodable characters replaced, whatever its encoding (`PYTHONIOENCODING=ascii`,
  a C locale): a report is never lost to a character the terminal cannot show;
- closed (`kubeplan check . >&-`): exit 2 with one line when a report must go there;
- its reader gone (`kubeplan check . | head -1`, EPIPE): exit 2 without a word, as Unix
  tools killed by SIGPIPE are quiet: the reader stopped on purpose, and the line would only
  interleave with its output. Exit 2, not 0 or 1, because the report was cut short: under
  `set -o pipefail` the pipeline fails, and no verdict is claimed.

click's own standalone mode would exit 1 on EPIPE and on Ctrl-C, so the application runs with
`standalone_mode=False` and its exceptions are handled here.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any, NoReturn, TextIO

import click
from typer.core import TyperGroup

from kubeplan.errors import KubeplanError

EXIT_INTERNAL = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a job stopped with Ctrl-C
_MESSAGE_LIMIT = 200


class OutputClosed(Exception):
    """Standard output cannot be written: closed (EBADF) or its reader went away (EPIPE)."""

    def __init__(self, broken_pipe: bool) -> None:
        super().__init__("its reader went away" if broken_pipe else "it is closed")
        self.broken_pipe = broken_pipe


class GuardedStdout:
    """Standard output whose write failures become OutputClosed.

    OutputClosed is no OSError, so click's handler (exit 1 on EPIPE) never sees it."""

    def __init__(self, inner: TextIO | None) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        if self._inner is None:
            raise OutputClosed(False)
        try:
            fd = self._inner.fileno()
        except (OSError, ValueError, AttributeError):
            fd = -1
        try:
            if fd < 0:
                return self._inner.write(text)
            self._inner.flush()
            _write_all(fd, text.encode(self._inner.encoding or "utf-8", "replace"))
        except OSError as error:
            raise _closed(error) from None
        return len(text)

    def flush(self) -> None:
        if self._inner is None:
            return
        try:
            self._inner.flush()
        except OSError as error:
            raise _closed(error) from None

    def isatty(self) -> bool:
        return self._inner is not None and self._inner.isatty()

    def fileno(self) -> int:
        if self._inner is None:
            raise OSError(errno.EBADF, "standard output is closed")
        return self._inner.fileno()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _write_all(fd: int, data: bytes) -> None:
    """Every byte to `fd`, or the OSError. CPython's buffered writer takes the partial count
    a pipe returns when its reader goes away mid-write, and drops the rest without an error."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _closed(error: OSError) -> Exception:
    if error.errno == errno.EPIPE:
        return OutputClosed(True)
    if error.errno == errno.EBADF:
        return OutputClosed(False)
    return error


class GuardedGroup(TyperGroup):
    """The application's group: a KubeplanError raised while a command (or one of its option
    callbacks) runs is exit 2 with its message, one `kubeplan: ` line per line of it, escaped
    so that no input text can write a terminal escape or a GitHub workflow command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KubeplanError as error:
            user_error(str(error))


def user_error(message: str) -> NoReturn:
    """Say `kubeplan: MESSAGE` on stderr and exit 2."""
    from kubeplan.report.escape import no_workflow_commands, printable

    lines = (printable(line) for line in f"kubeplan: {message}".split("\n"))
    click.echo(no_workflow_commands("\n".join(lines)), err=True)
    raise click.exceptions.Exit(2)


def protect_streams() -> None:
    """Replace undecodable characters on stdout and stderr; guard stdout's writes."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(OSError, ValueError):
                reconfigure(errors="replace")
    if not isinstance(sys.stdout, GuardedStdout):
        sys.stdout = GuardedStdout(sys.stdout)  # type: ignore[assignment]


def command_of(args: list[str]) -> str:
    """The command name of a command line (`check`, `baseline`), or `kubeplan`."""
    return next((a for a in args if not a.startswith("-")), "kubeplan")


def internal_error_line(error: BaseException) -> str:
    """`kubeplan: internal error: ValueError: ... (please report this)`, one line."""
    text = " ".join(str(error).split()) or "no message"
    text = text.encode("ascii", "backslashreplace").decode("ascii")
    if len(text) > _MESSAGE_LIMIT:
        text = text[: _MESSAGE_LIMIT - 3] + "..."
    return f"kubeplan: internal error: {type(error).__name__}: {text} (please report this)"


def _say(line: str) -> None:
    try:
        if sys.stderr is not None:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _internal(error: BaseException, args: list[str]) -> int:
    from kubeplan.report import failure

    line = internal_error_line(error)
    if os.environ.get("KUBEPLAN_DEBUG") or "--verbose" in args or "-v" in args:
        with contextlib.suppress(OSError, ValueError):
            traceback.print_exception(error, file=sys.stderr)
    failure.write(command_of(args), line.removeprefix("kubeplan: "), type(error).__name__)
    _say(line)
    return EXIT_INTERNAL


def _silence_stdout() -> None:
    """Point fd 1 at /dev/null so the interpreter's final flush cannot fail loudly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def _output_closed(error: OutputClosed) -> int:
    if error.broken_pipe:
        _silence_stdout()
    else:
        _say("kubeplan: cannot write the report to standard output: it is closed")
    return EXIT_INTERNAL


def run(app: Callable[..., Any], args: list[str]) -> NoReturn:
    """Run the click/typer application on `args` and exit with a code that never lies."""
    protect_streams()
    try:
        code = app(args=args, prog_name="kubeplan", standalone_mode=False)
        sys.stdout.flush()
    except click.exceptions.ClickException as error:
        error.show()
        code = error.exit_code
    except click.exceptions.Abort:
        _say("kubeplan: interrupted")
        code = EXIT_INTERRUPTED
    except OutputClosed as error:
        code = _output_closed(error)
    except Exception as error:  # the point of the guard
        code = _internal(error, args)
        try:
            sys.stdout.flush()
        except Exception:  # the line on stderr is said already
            _silence_stdout()
    sys.exit(code if isinstance(code, int) else 0)
