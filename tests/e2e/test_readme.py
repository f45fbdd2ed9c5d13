"""The README shows real output: every `$ kubeplan ...` of a console block, run again, prints
exactly the lines that follow it (up to the next `$` line or the end of the block). A line
`...` stands for any number of lines left out."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from conftest import ROOT, kubeplan

BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def _examples() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    for block in BLOCK.findall(text):
        command, shown = None, []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    out.append((command, "\n".join(shown)))
                command, shown = line[2:], []
            else:
                shown.append(line)
        if command is not None:
            out.append((command, "\n".join(shown)))
    return [(c, s) for c, s in out if c.startswith("kubeplan ")]


@pytest.mark.parametrize(("command", "shown"), _examples(), ids=lambda v: str(v)[:60])
def test_readme_example_is_real_output(
    command: str, shown: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # run where the README's relative paths resolve, but write any --output into tmp_path
    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    monkeypatch.chdir(tmp_path)
    args = shlex.split(command)[1:]
    run = kubeplan(*args, "--no-color") if "--no-color" not in args else kubeplan(*args)
    printed = (run.stdout + run.stderr).rstrip("\n").split("\n")
    assert _matches(shown.rstrip("\n").split("\n"), printed), (command, "\n".join(printed))


def _matches(shown: list[str], printed: list[str]) -> bool:
    """`shown` equals `printed`, a `...` line matching any run of lines (blank ones too)."""
    if not shown:
        return not printed
    if shown[0] == "...":
        return any(_matches(shown[1:], printed[i:]) for i in range(len(printed) + 1))
    return bool(printed) and printed[0] == shown[0] and _matches(shown[1:], printed[1:])


def test_there_are_examples() -> None:
    assert len(_examples()) >= 5
    assert Path(ROOT / "README.md").exists()
