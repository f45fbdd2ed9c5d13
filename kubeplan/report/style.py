"""Colour for people on a terminal, plain text everywhere else (NO_COLOR respected)."""

from __future__ import annotations

import os
import re
from typing import TextIO

_CODES = {"red": "31", "yellow": "33", "blue": "34", "green": "32", "dim": "2", "bold": "1"}


def use_colour(stream: TextIO, no_color: bool = False) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


def terminal_width(stream: TextIO) -> int | None:
    """The columns of the terminal `stream` writes to; None when it is a file or a pipe (a CI
    log, `| less`), where lines are left whole for other tools to read."""
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return None
    import shutil

    return max(shutil.get_terminal_size((80, 24)).columns, 40)


class Style:
    def __init__(self, enabled: bool, width: int | None = None) -> None:
        self.enabled = enabled
        self.width = width  # wrap long lines at this many columns (a terminal), else None

    def __call__(self, text: str, *names: str) -> str:
        if not self.enabled or not names:
            return text
        codes = ";".join(_CODES[n] for n in names)
        return f"\x1b[{codes}m{text}\x1b[0m"


SEVERITY_COLOUR = {"error": "red", "warning": "yellow", "info": "blue"}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def visible_len(text: str) -> int:
    return len(_ANSI.sub("", text))


def wrap(prefix: str, text: str, width: int | None) -> str:
    """`prefix` + `text`, wrapped at word boundaries to `width` columns with a hanging indent
    under the text (or a short indent when the prefix takes most of the line); as is when
    `width` is None or it fits. Colour codes in `prefix` do not count as columns."""
    start = visible_len(prefix)
    if width is None or start + visible_len(text) <= width:
        return prefix + text
    import textwrap

    indent = start if start <= width // 2 else 6
    lines = textwrap.wrap(
        _ANSI.sub("", text) if "\x1b" in text else text,
        width=max(width - indent, 20),
        break_long_words=False,
        break_on_hyphens=False,
    )
    if not lines:
        return prefix + text
    if indent == start:
        return prefix + ("\n" + " " * indent).join(lines)
    return prefix.rstrip() + "\n" + "\n".join(" " * indent + line for line in lines)
