"""Text output fits the terminal: on a terminal, findings wrap at word boundaries under their
message (COLUMNS sets the width, as shutil.get_terminal_size reads it); to a file or a pipe,
lines stay whole for other tools. The progress line never exceeds the width."""

from __future__ import annotations

import io

import pytest

from kubeplan.model import Finding, Severity
from kubeplan.report.document import ReportData
from kubeplan.report.outputs import emit
from kubeplan.report.progress import Progress
from kubeplan.report.style import visible_len

MESSAGE = (
    "the Deployment is accepted, but the pods it creates are refused, so its rollout stalls:"
    ' violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false'
)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _report() -> ReportData:
    finding = Finding(
        "pod-security-enforce",
        Severity.ERROR,
        MESSAGE,
        "web.yaml",
        17,
        9,
        "spec.template.spec.containers[0]",
        {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": "web"},
    )
    return ReportData(
        command="check", findings=[finding], resources=1, files=1, kubernetes_version="1.37"
    )


@pytest.mark.parametrize("columns", [80, 100, 60])
def test_findings_wrap_to_the_terminal(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("NO_COLOR", "1")
    out = Terminal()
    emit(_report(), [("text", None)], stdout=out)
    lines = out.getvalue().splitlines()
    assert all(visible_len(line) <= columns for line in lines), lines
    words = " ".join(" ".join(lines).split())
    assert "allowPrivilegeEscalation != false" in words  # no word broken
    assert "[pod-security-enforce]" in words


def test_a_pipe_keeps_each_finding_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    out = io.StringIO()
    emit(_report(), [("text", None)], stdout=out)
    (line,) = [line for line in out.getvalue().splitlines() if "pod-security-enforce" in line]
    assert MESSAGE in line


def test_the_progress_line_fits_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "50")
    stream = Terminal()
    progress = Progress(stream, enabled=True)
    progress.started -= 10  # shown at once
    progress.update(3, 1000, "charts/very/long/path/to/some/deeply/nested/manifest-file.yaml")
    written = stream.getvalue().split("\r\x1b[2K")[-1]
    assert len(written) < 50
    assert written.startswith("[") and "3/1000" in written
    progress.close()
    assert stream.getvalue().endswith("\r\x1b[2K")


def test_the_progress_line_reaches_its_total_and_names_each_phase(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    stream = Terminal()
    progress = Progress(stream, enabled=True)
    progress.started -= 10
    progress.update(0, 2, "a.yaml")
    progress.stage("linting 2 objects")
    last = stream.getvalue().split("\r\x1b[2K")[-1]
    assert last == "[########################] linting 2 objects"
