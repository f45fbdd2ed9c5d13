"""`--format junit`: parsed with xml.etree and validated against the JUnit XML schema of
Jenkins' xunit plugin (tests/data/junit-10.xsd, from jenkinsci/xunit-plugin
src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd, MIT); one test
case per object and rule that found something (failing with every message and its location), one
passing case per clean object."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import xmlschema
from conftest import corpus, findings, fixture, kubeplan

XSD = xmlschema.XMLSchema(str(Path(__file__).parents[1] / "data" / "junit-10.xsd"))


def _junit(*args: str) -> ET.Element:
    run = kubeplan(*args, "--format", "junit")
    assert run.exit_code in (0, 1), run.stderr
    errors = [str(e.reason) for e in XSD.iter_errors(run.stdout)]
    assert not errors, errors[:3]
    return ET.fromstring(run.stdout)


def test_the_schema_check_is_live():
    root = _junit("check", fixture("helm", "rendered.yaml"))
    root.find("testsuite/testcase").set("line", "31")
    assert not XSD.is_valid(ET.tostring(root, encoding="unicode"))


def _label(resource: dict | None, file: str) -> str:
    if not resource:
        return file
    ns = resource.get("namespace")
    name = resource.get("name") or "<unnamed>"
    return f"{resource['kind']}/{ns}/{name}" if ns else f"{resource['kind']}/{name}"


def test_cases_per_object_and_rule():
    paths = [fixture("helm", "rendered.yaml"), fixture("broken", "schema-errors.yaml")]
    root = _junit("check", *paths)
    expected = findings("check", *paths)
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for f in expected:
        grouped[(_label(f["resource"], f["file"]), f["rule"])].append(f)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    for (label, rule), items in grouped.items():
        case = cases[f"{label}: {rule}"]
        failure = case.find("failure")
        assert failure is not None
        assert failure.get("type") in {f["severity"] for f in items}
        for f in items:
            assert f"{f['line']}:{f['column']}: {f['severity']}" in failure.text
            assert f["message"] in failure.text
    failing = [c for c in root.iter("testcase") if c.find("failure") is not None]
    assert len(failing) == len(grouped)
    # the clean ServiceAccount and Service of the chart pass
    passing = [c.get("name") for c in root.iter("testcase") if len(c) == 0]
    assert "ServiceAccount/default/shop-web" in passing
    assert int(root.get("tests")) == len(cases) == len(failing) + len(passing)
    assert int(root.get("failures")) == len(failing)
    for suite in root.iter("testsuite"):
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))


def test_broken_yaml_is_a_failing_case_named_after_the_file():
    root = _junit("validate", fixture("broken", "syntax-error.yaml"))
    names = [c.get("name") for c in root.iter("testcase") if c.find("failure") is not None]
    assert any(n.endswith("syntax-error.yaml: yaml-syntax") for n in names)


def test_clean_input_all_pass():
    root = _junit("check", fixture("shop"))
    cases = list(root.iter("testcase"))
    assert len(cases) == 11 and root.get("failures") == "0"


def test_suppressed_findings_are_skipped(tmp_path):
    text = Path(fixture("helm", "rendered.yaml")).read_text("utf-8")
    text = text.replace(
        "kind: Deployment\nmetadata:\n  name: shop-web\n",
        "kind: Deployment\nmetadata:\n  name: shop-web\n"
        '  annotations:\n    kubeplan.io/ignore: "run-as-root"\n',
        1,
    )
    path = tmp_path / "app.yaml"
    path.write_text(text, "utf-8")
    root = _junit("check", str(path))
    skipped = [c.get("name") for c in root.iter("testcase") if c.find("skipped") is not None]
    assert skipped == ["Deployment/default/shop-web: run-as-root"]
    assert sum(int(s.get("skipped")) for s in root.iter("testsuite")) == 1


def test_corpus_parses():
    root = _junit("check", str(corpus("kube-prometheus")))
    assert int(root.get("tests")) > 100
