"""The built-in rule packs: metadata beside each module, the table of modules, the engine's
container walk (`target: container`) and the context's index cache."""

from __future__ import annotations

import importlib
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import findings

from kubeplan.kube.workloads import ContainerRef
from kubeplan.model import Resource, Severity
from kubeplan.rules import registry
from kubeplan.rules.builtin import MODULES
from kubeplan.rules.context import LintContext
from kubeplan.rules.engine import LintSettings, lint
from kubeplan.rules.registry import Rule, RuleMeta, Violation, load_rules
from kubeplan.schemas import loader

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: shop
spec:
  initContainers:
    - name: setup
      image: busybox:1.36
      securityContext: {privileged: true}
  containers:
    - name: app
      image: app:1.0
    - name: helper
      image: helper:1.0
      securityContext: {privileged: true}
  ephemeralContainers:
    - name: debug
      image: busybox:1.36
      securityContext: {privileged: true}
"""


def test_each_rule_has_its_row_in_the_yaml_file_beside_its_module() -> None:
    for rule_id, rule in load_rules().items():
        module = importlib.import_module(rule.check.__module__)
        rows = yaml.safe_load(Path(str(module.__file__)).with_suffix(".yaml").read_text())
        assert rule_id in [row["id"] for row in rows["rules"]], rule_id


def test_a_module_with_rows_missing_from_the_table_is_named() -> None:
    assert registry._unlisted_modules(MODULES) == []
    without = tuple(name for name in MODULES if name != "security.images")
    assert registry._unlisted_modules(without) == ["security.images"]


def test_a_row_with_an_unknown_target_is_refused() -> None:
    row = {
        "id": "x",
        "severity": "warning",
        "category": "security",
        "kinds": ["Pod"],
        "rationale": "r",
        "remediation": "f",
        "target": "pod",
    }
    with pytest.raises(ValueError, match="unknown target pod"):
        registry._meta(row, "security/x.yaml")
    assert registry._meta({**row, "target": "container"}, "x.yaml").target == "container"
    del row["target"]
    assert registry._meta(row, "x.yaml").target == "resource"


def test_a_container_rule_runs_on_every_container_list_with_its_path(tmp_path: Path) -> None:
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(POD)
    assert load_rules()["privileged-container"].meta.target == "container"
    got = [f for f in findings("lint", str(manifest)) if f["rule"] == "privileged-container"]
    assert sorted((f["path"], f["line"]) for f in got) == [
        ("spec.containers[1].securityContext.privileged", 16),
        ("spec.ephemeralContainers[0].securityContext.privileged", 20),
        ("spec.initContainers[0].securityContext.privileged", 10),
    ]


def _rule(check: Any) -> Rule:
    meta = RuleMeta(
        id="probe-each",
        severity=Severity.WARNING,
        category="reliability",
        kinds=frozenset({"Pod"}),
        rationale="r",
        remediation="f",
        doc="",
        source="",
        target="container",
    )
    return Rule(meta, check)


def _lint(rule: Rule) -> list[Any]:
    resources = loader.load_text("pod.yaml", textwrap.dedent(POD)).resources
    ctx = LintContext(resources, "1.33")
    return lint(resources, ctx, LintSettings(only=frozenset({rule.meta.id})), [rule])


def test_a_container_rule_gets_each_container_in_walk_order() -> None:
    seen: list[tuple[str, str]] = []

    def each(ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]):
        seen.append((ref.list_name, ref.name))
        yield Violation((*ref.path, "name"), f"saw {ref.name}")

    got = _lint(_rule(each))
    assert seen == [
        ("initContainers", "setup"),
        ("containers", "app"),
        ("containers", "helper"),
        ("ephemeralContainers", "debug"),
    ]
    assert sorted(f.path for f in got) == [
        "spec.containers[0].name",
        "spec.containers[1].name",
        "spec.ephemeralContainers[0].name",
        "spec.initContainers[0].name",
    ]


def test_a_container_rule_failing_on_one_container_is_one_rule_error_and_no_finding() -> None:
    def fails_on_helper(
        ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
    ) -> Iterator[Violation]:
        if ref.name == "helper":
            raise KeyError("boom")
        yield Violation((*ref.path, "name"), f"saw {ref.name}")

    got = _lint(_rule(fails_on_helper))
    assert [(f.rule, f.severity) for f in got] == [("rule-error", Severity.ERROR)]
    assert "rule probe-each failed on this object: KeyError" in got[0].message


def test_an_index_is_built_once_per_context_and_per_builder() -> None:
    calls: list[int] = []

    def build(ctx: LintContext) -> dict[str, int]:
        calls.append(1)
        return {}  # an empty index is kept too, not rebuilt

    def other(ctx: LintContext) -> list[str]:
        return [r.kind for r in ctx.resources]

    ctx = LintContext([], "1.33")
    assert ctx.index(build) is ctx.index(build)
    assert len(calls) == 1
    assert ctx.index(other) == []
    LintContext([], "1.33").index(build)
    assert len(calls) == 2
