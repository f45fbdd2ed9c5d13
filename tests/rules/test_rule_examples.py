"""Every rule's PASS and FAIL manifests (kept beside its metadata) behave as documented.

The PASS manifest must also be schema-valid, so examples teach only real Kubernetes.
"""

from __future__ import annotations

import pytest

from kubeplan.rules.context import LintContext
from kubeplan.rules.engine import LintSettings, lint
from kubeplan.rules.registry import load_rules
from kubeplan.schemas import catalog, loader
from kubeplan.schemas.validate import validate

RULES = load_rules()
# The example of a rule that depends on the target version is checked at that version.
VERSION_FOR = {"deprecated-api": "1.31"}
DEFAULT_VERSION = "1.33"


def _lint(rule_id: str, text: str) -> tuple[list, list]:
    version = VERSION_FOR.get(rule_id, DEFAULT_VERSION)
    loaded = loader.load_text(f"{rule_id}.yaml", text)
    ctx = LintContext(loaded.resources, version)
    findings = lint(loaded.resources, ctx, LintSettings(only=frozenset({rule_id})))
    schema = validate(loaded.resources, catalog.load_catalog(version, True), loaded.crds)
    return findings, loaded.findings + schema


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_fail_example_is_reported(rule_id: str) -> None:
    example = RULES[rule_id].meta.fail_example
    assert example, f"{rule_id} has no FAIL example"
    findings, _ = _lint(rule_id, example)
    assert [f for f in findings if f.rule == rule_id], f"{rule_id}: FAIL example not reported"
    for finding in findings:
        assert finding.line > 1 or finding.path in ("", "apiVersion"), finding


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_pass_example_is_clean_and_schema_valid(rule_id: str) -> None:
    example = RULES[rule_id].meta.pass_example
    assert example, f"{rule_id} has no PASS example"
    findings, problems = _lint(rule_id, example)
    assert not [f for f in findings if f.rule == rule_id], [f.message for f in findings]
    assert not [p for p in problems if p.severity == "error"], [p.message for p in problems]


def test_every_rule_has_complete_metadata() -> None:
    for rule in RULES.values():
        meta = rule.meta
        assert meta.id == meta.id.lower() and " " not in meta.id
        assert meta.rationale and meta.remediation and meta.source, meta.id
