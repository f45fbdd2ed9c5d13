"""Shared helpers: run the real CLI in-process, and where the fixtures and corpus are."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kubeplan.cli import app

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
CORPUS = Path(os.environ.get("KUBEPLAN_CORPUS", ROOT.parent / "shared" / "corpus"))


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


def kubeplan(*args: str, stdin: str | None = None) -> Run:
    result = CliRunner().invoke(app, list(args), input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


def findings(*args: str, stdin: str | None = None) -> list[dict[str, Any]]:
    run = kubeplan(*args, "--format", "json", stdin=stdin)
    assert run.exit_code in (0, 1), run.stderr
    return run.json()["findings"]


def fixture(*parts: str) -> str:
    return str(FIXTURES.joinpath(*parts))


def corpus(*parts: str) -> Path:
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"corpus not present at {CORPUS}")
    return path
