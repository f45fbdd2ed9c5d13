"""CRD x-kubernetes-validations rules and list-type duplicates in custom resources, as the API
server checks them (apiextensions-apiserver pkg/apiserver/schema/cel/validation.go,
pkg/apiserver/schema/listtype/validation.go), on real rules (tests/data/cel/rules.yaml) and
through the CLI."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, findings, kubeplan

from kubeplan.schemas.cel import engine

REAL = yaml.safe_load((ROOT / "tests" / "data" / "cel" / "rules.yaml").read_text())["rules"]


@pytest.mark.parametrize("rule", REAL, ids=lambda r: r["source"][:40])
def test_real_rules_evaluate_as_the_api_server_does(rule: dict[str, Any]) -> None:
    compiled = engine.compile_rule(rule["rule"])
    if "format." in rule["rule"]:
        # The Format library (1.31) is not implemented: named, never guessed.
        assert compiled.unknown and not compiled.error
        return
    assert compiled.program is not None, compiled
    for case in rule["cases"]:
        variables = {"self": case["self"]}
        if "oldSelf" in case:
            variables["oldSelf"] = case["oldSelf"]
        assert engine.evaluate(compiled, variables) is case["want"], case


CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: "!(has(self.mode) && self.mode == 'DaemonSet' && has(self.replicas))"
              message: replicas cannot be set when mode is DaemonSet
              fieldPath: .replicas
            - rule: "self.name.startsWith('x')"
              messageExpression: "'name ' + self.name + ' must start with x'"
              reason: FieldValueForbidden
            - rule: "!format.dns1123Label().validate(self.name).hasValue()"
            - rule: "!has(self.size) || type(self.size) == int || quantity(self.size).isLessThan(quantity('1Gi'))"
              message: size must be below 1Gi
            properties:
              name: {type: string}
              mode: {type: string}
              size: {x-kubernetes-int-or-string: true}
              replicas:
                type: integer
                x-kubernetes-validations:
                - rule: "self > 0"
                  message: must be positive
                - rule: "self >= oldSelf"
                  message: replicas may not shrink
                - rule: "!oldSelf.hasValue() || self >= oldSelf.value()"
                  optionalOldSelf: true
                  message: optional old self
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name, protocol]
                items:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    protocol: {type: string, default: TCP}
                    port: {type: integer}
              tags:
                type: array
                x-kubernetes-list-type: set
                items: {type: string}
"""


def _write(tmp_path: Path, spec: str) -> str:
    cr = f"---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {{name: w}}\nspec:\n{textwrap.indent(textwrap.dedent(spec), '  ')}"
    path = tmp_path / "widget.yaml"
    path.write_text(CRD + cr)
    return str(path)


def _widget(found: list[dict[str, Any]]) -> list[tuple[str, str, int, str, str]]:
    return sorted(
        (f["rule"], f["severity"], f["line"], f["path"], f["message"])
        for f in found
        if f["resource"]["kind"] == "Widget"
    )


def test_a_resource_that_keeps_every_rule_passes(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "name: xyz\nreplicas: 2\nsize: 512Mi\nports: [{name: a}, {name: a, protocol: UDP}]\ntags: [a, b]\n",
    )
    got = _widget(findings("check", path))
    # Only the rule that uses the Format library is named as not evaluated.
    assert [(r, s) for r, s, *_ in got] == [("crd-rule-not-evaluated", "warning")]
    assert "format" in got[0][4] and "not evaluated" in got[0][4]


def test_broken_rules_are_errors_at_the_field_with_the_crd_authors_words(tmp_path: Path) -> None:
    spec = """\
        name: abc
        mode: DaemonSet
        replicas: 0
        size: 2Gi
        ports:
        - {name: http, port: 80}
        - {name: http, protocol: TCP, port: 81}
        tags: [a, b, a]
    """
    path = _write(tmp_path, spec)
    errors = [g for g in _widget(findings("check", path)) if g[1] == "error"]
    base = CRD.count("\n") + 5  # the line of `spec:` in the custom resource
    assert errors == sorted([
        # reason FieldValueForbidden, messageExpression's text
        ("api-forbidden", "error", base, "spec", "Forbidden: name abc must start with x"),
        # fieldPath moves the error to .replicas; the value shown is the schema type (Go: sts.Type)
        ("api-invalid", "error", base + 3, "spec.replicas",
         'Invalid value: "object": replicas cannot be set when mode is DaemonSet'),
        ("api-invalid", "error", base + 3, "spec.replicas", 'Invalid value: "integer": must be positive'),
        ("api-invalid", "error", base, "spec", 'Invalid value: "object": size must be below 1Gi'),
        # protocol defaults to TCP, so both items have the key {name: http, protocol: TCP}
        ("api-duplicate", "error", base + 7, "spec.ports[1]",
         'Duplicate value: {"name":"http","protocol":"TCP"}'),
        ("api-duplicate", "error", base + 8, "spec.tags[2]", 'Duplicate value: "a"'),
    ])  # fmt: skip


def test_a_broken_rule_rejects_the_plan_step(tmp_path: Path) -> None:
    run = kubeplan("plan", _write(tmp_path, "name: abc\n"))
    assert run.exit_code == 1
    assert "rejected" in run.stdout


def test_an_unknown_function_is_a_warning_never_an_error(tmp_path: Path) -> None:
    crd = CRD.replace("self.name.startsWith('x')", "self.name.noSuchFunction()")
    path = tmp_path / "w.yaml"
    path.write_text(
        crd
        + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {name: a}\n"
    )
    found = findings("check", str(path))
    assert not [f for f in found if f["severity"] == "error"], found
    warned = [f["message"] for f in found if f["rule"] == "crd-rule-not-evaluated"]
    assert any("noSuchFunction" in m for m in warned)


def test_a_syntax_error_in_a_rule_refuses_the_crd(tmp_path: Path) -> None:
    crd = CRD.replace("self.name.startsWith('x')", "self.name.startsWith('x'")
    path = tmp_path / "w.yaml"
    path.write_text(
        crd
        + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {name: a}\n"
    )
    found = findings("check", str(path))
    (error,) = [f for f in found if f["rule"] == "api-invalid"]
    assert error["path"].endswith("x-kubernetes-validations[1].rule")
    assert "compilation failed" in error["message"]
    assert [f["rule"] for f in found if f["resource"]["kind"] == "Widget"] == ["crd-invalid-schema"]


def test_an_expensive_rule_is_bounded_and_never_a_false_error(tmp_path: Path) -> None:
    """Three nested comprehensions over 300 items: 27 million steps. The API server refuses
    such a rule for its cost; kubeplan stops it within its budget and says so."""
    crd = CRD.replace(
        "self.name.startsWith('x')",
        "self.tags.all(a, self.tags.all(b, self.tags.all(c, a + b + c != '')))",
    )
    path = tmp_path / "w.yaml"
    tags = ", ".join(f"t{i}" for i in range(300))
    path.write_text(
        crd
        + f"---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {{name: w}}\nspec: {{name: a, tags: [{tags}]}}\n"
    )
    start = time.monotonic()
    found = findings("check", str(path))
    assert time.monotonic() - start < 60
    assert not [f for f in found if f["severity"] == "error"], found
    assert any("budget" in f["message"] for f in found if f["rule"] == "crd-rule-not-evaluated")


@pytest.mark.parametrize(
    "config, annotation",
    [
        ("rules:\n  crd-rule-not-evaluated: off\n", ""),
        ("exclude:\n  - rules: [crd-rule-not-evaluated]\n    kind: Widget\n", ""),
        ("{}\n", "annotations: {kubeplan.io/ignore: crd-rule-not-evaluated}"),
    ],
)
def test_not_evaluated_is_silenced_the_three_ways(
    tmp_path: Path, config: str, annotation: str
) -> None:
    body = (
        CRD
        + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, ANN}\nspec: {name: xa}\n"
    )
    (tmp_path / "c.yaml").write_text(config)
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "w.yaml").write_text(
        body.replace("ANN", annotation) if annotation else body.replace(", ANN", "")
    )
    run = kubeplan(
        "check",
        str(tmp_path / "m"),
        "--config",
        str(tmp_path / "c.yaml"),
        "--fail-on",
        "warning",
        "-o",
        "json",
    )
    found = [f for f in run.json()["findings"] if f["rule"] == "crd-rule-not-evaluated"]
    assert run.exit_code == 0 and all(f["suppressed"] for f in found), run.stdout
    assert found or "off" in config


def test_a_real_prometheus_rule_on_a_real_resource(tmp_path: Path) -> None:
    """prometheus-operator's Prometheus CRD (kube-prometheus v0.18.0 corpus) and the corpus's
    Prometheus object, given a Topology sharding strategy with more values than shards."""
    from conftest import corpus

    setup = corpus(
        "kube-prometheus", "manifests", "setup", "0prometheusCustomResourceDefinition.yaml"
    )
    body = yaml.safe_load(
        corpus("kube-prometheus", "manifests", "prometheus-prometheus.yaml").read_text()
    )
    (tmp_path / "crd.yaml").write_text(setup.read_text())
    assert not [f for f in findings("check", str(tmp_path)) if f["severity"] == "error"]
    body["spec"]["shardingStrategy"] = {"mode": "Topology", "topology": {"values": ["a", "b"]}}
    (tmp_path / "prometheus.yaml").write_text(yaml.safe_dump(body))
    errors = [f for f in findings("check", str(tmp_path)) if f["severity"] == "error"]
    assert [(f["rule"], f["path"], f["message"]) for f in errors] == [
        ("api-invalid", "spec", 'Invalid value: "object": shards must be greater than or equal to'
         " the number of topology values when sharding strategy mode is Topology"),
    ]  # fmt: skip


def test_without_an_engine_every_rule_is_named_not_evaluated(tmp_path: Path) -> None:
    """Platforms without a cel-expr-python wheel: a warning, never a pass or an error."""
    import subprocess
    import sys

    path = _write(tmp_path, "name: abc\nreplicas: 0\n")
    code = (
        "import sys; sys.modules['cel_expr_python'] = None; "
        "from kubeplan.cli import main; sys.argv = ['kubeplan', 'check', sys.argv[1], '-o', 'json']; main()"
    )
    done = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    import json

    found = json.loads(done.stdout)["findings"]
    widget = [(f["rule"], f["severity"]) for f in found if f["resource"]["kind"] == "Widget"]
    assert widget == [("crd-rule-not-evaluated", "warning")]
    assert "no CEL engine" in found[-1]["message"]


@pytest.mark.parametrize(("before", "after", "immutable"), [(3, 2, True), (2, 3, False)])
def test_a_broken_transition_rule_makes_the_change_immutable_in_diff(
    tmp_path: Path, before: int, after: int, immutable: bool
) -> None:
    """`self >= oldSelf` on spec.replicas: shrinking is refused with the CRD's message;
    growing passes and the change stays unknown (no table for a custom resource)."""
    cr = "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  name: xa\n  replicas: %d\n"
    for side, replicas in (("old", before), ("new", after)):
        (tmp_path / side).mkdir()
        (tmp_path / side / "w.yaml").write_text(CRD + cr % replicas)
    run = kubeplan("diff", str(tmp_path / "new"), "--base", str(tmp_path / "old"), "-o", "json")
    assert run.exit_code == (1 if immutable else 0), run.stdout
    (change,) = [c for r in run.json()["changes"] for c in r.get("fields", r.get("changes", []))]
    if immutable:
        assert change["effect"] == "immutable"
        assert change["reason"].startswith("replicas may not shrink")
        plan = kubeplan("plan", str(tmp_path / "new"), "--base", str(tmp_path / "old"))
        assert plan.exit_code == 1 and "rejected" in plan.stdout
    else:
        assert change["effect"] == "unknown"
