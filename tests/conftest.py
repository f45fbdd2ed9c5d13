"""Shared helpers: run the real CLI in-process, and where the fixtures and corpus are.

The folders mirror kubeplan's layers; tests/e2e holds the end-to-end tests (the corpus as a
whole, the hook, the Action, hostile and large inputs, fuzzing). Two markers, set here, let the
fast loop `python -m pytest -m "not slow and not corpus"` leave out what takes minutes:
- `slow`: every test under tests/e2e, and the modules and tests marked `slow` where they are
  (each runs kubeplan as a process, or on thousands of objects);
- `corpus`: every test that reads ../shared/corpus: its code, a test-local helper or a fixture
  it uses names `corpus`/`CORPUS`, or a parameter is a path in the corpus.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import CodeType, FunctionType
from typing import Any

import pytest
from typer.testing import CliRunner

from kubeplan.cli import app

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
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


SLOW_FOLDERS = (TESTS / "e2e",)
CORPUS_NAMES = frozenset({"corpus", "CORPUS"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `slow` by folder and `corpus` by what the test reads (see the module docstring)."""
    for item in items:
        if any(folder in item.path.parents for folder in SLOW_FOLDERS):
            item.add_marker(pytest.mark.slow)
        if _reads_corpus(item):
            item.add_marker(pytest.mark.corpus)


def _reads_corpus(item: pytest.Item) -> bool:
    params = getattr(getattr(item, "callspec", None), "params", {})
    if str(CORPUS) in repr(params):
        return True
    functions = [getattr(item, "function", None)]
    for defs in getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {}).values():
        functions += [getattr(d, "func", None) for d in defs]
    seen: set[CodeType] = set()
    return any(_names_corpus(f, seen) for f in functions if isinstance(f, FunctionType))


def _names_corpus(function: FunctionType, seen: set[CodeType]) -> bool:
    """Whether `function`, or a function of the tests that it calls by name, names the corpus."""
    if function.__code__ in seen or TESTS not in Path(function.__code__.co_filename).parents:
        return False
    seen.add(function.__code__)
    for code in _codes(function.__code__):
        if CORPUS_NAMES & set(code.co_names):
            return True
        for name in code.co_names:
            called = getattr(function.__globals__.get(name), "__wrapped__", None) or (
                function.__globals__.get(name)
            )
            if isinstance(called, FunctionType) and _names_corpus(called, seen):
                return True
    return False


def _codes(code: CodeType) -> Iterator[CodeType]:
    """A code object and those nested in it (comprehensions, lambdas, inner functions)."""
    yield code
    for const in code.co_consts:
        if isinstance(const, CodeType):
            yield from _codes(const)
