"""Several formats in one run: which --output goes with which --format; colour rules."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import fixture, kubeplan

from kubeplan.report.outputs import OutputError, resolve_targets

APP = fixture("helm", "rendered.yaml")


def test_each_output_follows_its_format(tmp_path):
    sarif, junit = tmp_path / "k.sarif", tmp_path / "k.xml"
    run = kubeplan(
        "check",
        APP,
        "--format",
        "sarif",
        "--output",
        str(sarif),
        "--format",
        "text",
        "--format",
        "junit",
        "--output",
        str(junit),
    )
    assert run.exit_code == 1
    assert json.loads(sarif.read_text("utf-8"))["version"] == "2.1.0"
    assert ET.parse(junit).getroot().tag == "testsuites"
    assert "schema-unknown-field" in run.stdout and "✗ 1 error" in run.stdout


def test_output_before_its_format_and_format_equals_file(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.md"
    run = kubeplan(
        "check", APP, "--output", str(first), "--format", "json", "--format", f"markdown={second}"
    )
    assert run.exit_code == 1 and run.stdout == ""
    assert json.loads(first.read_text("utf-8"))["schema_version"] == 1
    assert second.read_text("utf-8").startswith("## kubeplan check")


def test_short_option_pairs_too(tmp_path):
    out = tmp_path / "k.sarif"
    run = kubeplan("validate", APP, "-o", "github", "-o", "sarif", "--output", str(out))
    assert run.stdout.startswith("::error ")
    assert json.loads(out.read_text("utf-8"))["runs"][0]["results"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "json", "--format", "sarif"], "would all go to standard output"),
        (["--format", "yaml"], "unknown format 'yaml'"),
        (["--format", "sarif=a.sarif", "--output", "b.sarif"], "already has a file"),
    ],
)
def test_bad_format_lists_exit_2(args, message):
    run = kubeplan("check", APP, *args)
    assert run.exit_code == 2
    assert message in run.stderr and "Traceback" not in run.stderr


def test_unwritable_output_exits_2(tmp_path):
    run = kubeplan("check", APP, "--format", "sarif", "--output", str(tmp_path / "no" / "x"))
    assert run.exit_code == 2
    assert run.stderr.startswith("kubeplan: cannot write")


def test_resolve_targets_without_order_keeps_the_single_pair_behaviour():
    assert resolve_targets(["json"], ["a.json"]) == [("json", "a.json")]
    assert resolve_targets([], []) == [("text", None)]
    assert resolve_targets([], ["out.txt"]) == [("text", "out.txt")]
    order = ["format", "output", "format"]
    assert resolve_targets(["sarif", "text"], ["k.sarif"], order) == [
        ("sarif", "k.sarif"),
        ("text", None),
    ]
    with pytest.raises(OutputError):
        resolve_targets(["text", "json"], [], ["format", "format"])


def test_colour_only_when_asked_and_never_in_files(tmp_path, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" not in kubeplan("check", APP).stdout  # not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in kubeplan("check", APP).stdout
    out = tmp_path / "report.txt"
    kubeplan("check", APP, "--format", "text", "--output", str(out))
    assert "\x1b[" not in out.read_text("utf-8")
    assert "\x1b[" not in kubeplan("check", APP, "--no-color").stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in kubeplan("check", APP).stdout


def test_diff_takes_several_formats(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    source = fixture("shop", "frontend.yaml")
    text = Path(source).read_text("utf-8")
    (base / "frontend.yaml").write_text(text.replace("frontend:1.4.2", "frontend:1.4.1"), "utf-8")
    summary = tmp_path / "summary.md"
    run = kubeplan(
        "diff",
        source,
        "--base",
        str(base),
        "--format",
        "markdown",
        "--output",
        str(summary),
        "--format",
        "json",
    )
    assert run.exit_code == 0, run.stderr
    changes = json.loads(run.stdout)["changes"]
    assert any(c["action"] == "update" for c in changes)
    rendered = summary.read_text("utf-8")
    assert "### Changes" in rendered and "`rollout`" in rendered


def test_quiet_silences_only_the_terminal(tmp_path):
    out = tmp_path / "clean.sarif"
    run = kubeplan(
        "check", fixture("shop"), "--quiet", "--format", "text", "--format", f"sarif={out}"
    )
    assert run.exit_code == 0 and run.stdout == ""
    assert json.loads(out.read_text("utf-8"))["runs"][0]["results"] == []
