"""Progress shows on a terminal after a second of work and never in pipes or CI."""

from __future__ import annotations

import io

import pytest

from kubeplan.report.progress import Progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_appears_after_a_second_and_is_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    stream = FakeTerminal()
    progress = Progress(stream)
    assert progress.enabled
    progress.update(1, 10, "a.yaml")
    assert stream.getvalue() == ""  # too early
    progress.started -= 2
    progress.update(5, 10, "b.yaml")
    assert "5/10 b.yaml" in stream.getvalue()
    progress.close()
    assert stream.getvalue().endswith("\r\x1b[2K")


def test_no_progress_in_pipes_or_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not Progress(io.StringIO()).enabled
    monkeypatch.setenv("CI", "true")
    assert not Progress(FakeTerminal()).enabled
