"""`--format sarif`: valid against the official SARIF 2.1.0 schema (tests/data), with rule
metadata and a physical location for every finding, matching the JSON report."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs
import pytest
from conftest import corpus, findings, fixture, kubeplan

SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "sarif-2.1.0.json").read_text("utf-8"))
VALIDATOR = jsonschema_rs.Draft4Validator(SCHEMA)


def _sarif(*args: str) -> dict:
    run = kubeplan(*args, "--format", "sarif")
    assert run.exit_code in (0, 1), run.stderr
    return json.loads(run.stdout)


def _assert_valid(document: dict) -> None:
    errors = [f"{e.instance_path}: {e.message}" for e in VALIDATOR.iter_errors(document)]
    assert not errors, errors[:5]


def test_schema_rejects_a_broken_log():
    """The validator is live: a result without a message is not SARIF."""
    document = _sarif("check", fixture("helm", "rendered.yaml"))
    del document["runs"][0]["results"][0]["message"]
    assert not VALIDATOR.is_valid(document)


@pytest.mark.parametrize(
    "paths",
    [
        [fixture("helm", "rendered.yaml")],
        [fixture("broken")],
        [fixture("shop"), fixture("broken", "schema-errors.yaml")],
    ],
)
def test_valid_and_matches_the_json_report(paths):
    document = _sarif("check", *paths)
    _assert_valid(document)
    expected = findings("check", *paths)
    run = document["runs"][0]
    results = run["results"]
    assert len(results) == len(expected)
    rules = run["tool"]["driver"]["rules"]
    for result, finding in zip(results, expected, strict=True):
        assert result["ruleId"] == finding["rule"]
        assert rules[result["ruleIndex"]]["id"] == finding["rule"]
        assert (
            result["level"]
            == {"error": "error", "warning": "warning", "info": "note"}[finding["severity"]]
        )
        location = result["locations"][0]["physicalLocation"]
        assert location["region"] == {
            "startLine": finding["line"],
            "startColumn": finding["column"],
        }
        uri = location["artifactLocation"]["uri"]
        assert finding["file"].endswith(uri)
        assert finding["message"] in result["message"]["text"]


def test_rules_carry_their_metadata():
    run = _sarif("check", fixture("helm", "rendered.yaml"))["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert set(rules) == {r["ruleId"] for r in run["results"]}
    listed = {r["id"]: r for r in json.loads(kubeplan("rules", "--format", "json").stdout)["rules"]}
    for rule_id, rule in rules.items():
        assert rule["name"] and rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"] and rule["help"]["text"]
        if rule_id in listed:  # a lint rule: its severity is the default level
            level = {"error": "error", "warning": "warning", "info": "note"}
            assert rule["defaultConfiguration"]["level"] == level[listed[rule_id]["severity"]]
    # a validation finding has metadata too
    assert "schema-unknown-field" in rules
    assert rules["schema-unknown-field"]["defaultConfiguration"]["level"] == "error"


def test_fingerprints_survive_a_line_move(tmp_path):
    """Code scanning matches alerts across commits by partialFingerprints: a comment added above
    a finding moves its line, not its fingerprint."""
    source = Path(fixture("helm", "rendered.yaml")).read_text("utf-8")
    before, after = tmp_path / "a", tmp_path / "b"
    before.mkdir()
    after.mkdir()
    (before / "app.yaml").write_text(source, "utf-8")
    (after / "app.yaml").write_text("# moved down by three lines\n#\n#\n" + source, "utf-8")
    old = _sarif("check", str(before / "app.yaml"))["runs"][0]["results"]
    new = _sarif("check", str(after / "app.yaml"))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in old] == [r["partialFingerprints"] for r in new]
    lines = [
        (
            a["locations"][0]["physicalLocation"]["region"]["startLine"],
            b["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for a, b in zip(old, new, strict=True)
    ]
    assert all(b == a + 3 for a, b in lines)
    assert len({json.dumps(r["partialFingerprints"]) for r in old}) == len(old)


def test_suppressed_findings_are_marked(tmp_path):
    text = Path(fixture("helm", "rendered.yaml")).read_text("utf-8")
    text = text.replace(
        "kind: Deployment\nmetadata:\n  name: shop-web\n",
        "kind: Deployment\nmetadata:\n  name: shop-web\n"
        '  annotations:\n    kubeplan.io/ignore: "run-as-root"\n',
        1,
    )
    path = tmp_path / "app.yaml"
    path.write_text(text, "utf-8")
    assert "run-as-root" not in {
        r["ruleId"] for r in _sarif("check", str(path))["runs"][0]["results"]
    }  # left out by default: GitHub code scanning would open alerts for them
    document = _sarif("check", str(path), "--show-suppressed")
    _assert_valid(document)
    marked = [r for r in document["runs"][0]["results"] if "suppressions" in r]
    assert [r["ruleId"] for r in marked] == ["run-as-root"]
    assert marked[0]["suppressions"][0]["kind"] == "inSource"


def test_corpus_is_valid_sarif():
    document = _sarif("check", str(corpus("kubernetes-examples")))
    _assert_valid(document)
    results = document["runs"][0]["results"]
    assert results
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in results)


def test_fast_writer_agrees_with_the_document():
    """`render` writes results as text for speed; it must say exactly what `to_document` says
    (templates from a Helm stream, suppressions, findings without an object included)."""
    from kubeplan.commands.pipeline import Options, run
    from kubeplan.report import sarif
    from kubeplan.report.document import ReportData

    result = run(
        [fixture("helm", "rendered.yaml"), fixture("broken"), str(corpus("sock-shop"))],
        Options(),
        "check",
    )
    assert any(f.template for f in result.findings) and any(not f.resource for f in result.findings)
    result.findings[0].suppressed, result.findings[0].suppressed_by = True, "baseline"
    report = ReportData("check", result.findings, result.resources, result.files, "1.37")
    report.show_suppressed = True
    assert json.loads(sarif.render(report)) == sarif.to_document(report)
