"""Progress on a terminal for long runs; nothing in CI logs or pipes.

It appears only once a run has taken more than a second, writes to stderr on one line that it
rewrites, and clears that line when the run ends, so the report that follows is unchanged.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from kubeplan.report.escape import printable

SHOW_AFTER_SECONDS = 1.0
REFRESH_SECONDS = 0.1


class Progress:
    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = (
                hasattr(self.stream, "isatty")
                and self.stream.isatty()
                and not os.environ.get("CI")
                and os.environ.get("TERM") != "dumb"
            )
        self.enabled = enabled
        self.started = time.monotonic()
        self.last = 0.0
        self.shown = False

    def update(self, done: int, total: int, what: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < SHOW_AFTER_SECONDS or now - self.last < REFRESH_SECONDS:
            return
        self.last = now
        self.shown = True
        bar = 24
        filled = int(bar * done / total) if total else bar
        count = f"{done}/{total} " if total != 1 else ""
        head = f"[{'#' * filled}{'.' * (bar - filled)}] {count}"
        room = self._columns() - len(head) - 1  # never wrap: a wrapped line is not rewritten
        label = printable(what)
        if room < 8:
            label = ""
        elif len(label) > room:
            label = "..." + label[-(room - 3) :]
        self.stream.write(f"\r\x1b[2K{head}{label}")
        self.stream.flush()

    def stage(self, what: str) -> None:
        """After reading, a later phase of the run (validating, linting): the bar is full, so
        the line reaches its total, and the label says what runs now."""
        if self.enabled and time.monotonic() - self.started >= SHOW_AFTER_SECONDS:
            self.last = 0.0  # drawn at once, whatever the refresh rate
            self.update(1, 1, what)

    def _columns(self) -> int:
        import shutil

        return shutil.get_terminal_size((80, 24)).columns

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.shown = False
