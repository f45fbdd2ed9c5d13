"""`--format github`: workflow commands read back with the runner's own unescaping rules
(actions/runner ActionCommand: `%25`, `%0D`, `%0A` in data; also `%3A`, `%2C` in properties)."""

from __future__ import annotations

import re
import shutil

from conftest import findings, fixture, kubeplan

from kubeplan.report.github import escape_data, escape_property

COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def _unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    return _unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def _parse(output: str) -> list[dict]:
    commands = []
    for line in output.splitlines():
        match = COMMAND.match(line)
        if not match:
            continue
        properties = dict(p.split("=", 1) for p in match.group(2).split(","))
        commands.append(
            {
                "command": match.group(1),
                **{k: _unescape_property(v) for k, v in properties.items()},
                "message": _unescape_data(match.group(3)),
            }
        )
    return commands


def test_one_annotation_per_finding_with_its_location():
    paths = [fixture("helm", "rendered.yaml"), fixture("broken", "schema-errors.yaml")]
    run = kubeplan("check", *paths, "--format", "github")
    assert run.exit_code == 1
    expected = findings("check", *paths)
    commands = _parse(run.stdout)
    assert len(commands) == len(expected)
    level = {"error": "error", "warning": "warning", "info": "notice"}
    for command, finding in zip(commands, expected, strict=True):
        assert command["command"] == level[finding["severity"]]
        assert finding["file"].endswith(command["file"])
        assert (int(command["line"]), int(command["col"])) == (finding["line"], finding["column"])
        assert command["title"].startswith(finding["rule"])
        assert finding["message"] in command["message"]
    errors = sum(f["severity"] == "error" for f in expected)
    warnings = sum(f["severity"] == "warning" for f in expected)
    assert run.stdout.splitlines()[-1].startswith(
        f"kubeplan check: {errors} errors, {warnings} warnings"
    )
    assert sum("\n" in c["message"] for c in commands) >= 1  # hints on a second line


def test_escaping_of_odd_file_names_and_messages(tmp_path):
    """A file name with `,`, `:` and `%` must not end the property or the command."""
    odd = tmp_path / "a,b:c%d.yaml"
    shutil.copy(fixture("broken", "schema-errors.yaml"), odd)
    run = kubeplan("validate", str(odd), "--format", "github")
    commands = _parse(run.stdout)
    assert commands and all(c["file"] == str(odd) for c in commands)
    raw = run.stdout.splitlines()[0]
    assert "%2C" in raw and "%3A" in raw and "%25" in raw
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_clean_input_prints_only_the_summary():
    run = kubeplan("check", fixture("shop"), "--format", "github")
    assert run.exit_code == 0
    assert run.stdout.splitlines() == [
        "kubeplan check: 0 errors, 0 warnings, 0 info in 11 resources in 3 files (Kubernetes 1.37)"
    ]
