"""Every finding kubeplan makes carries metadata (summary, help, source) for SARIF, JUnit and
Markdown: lint rules from their data files, the others from report/data/finding_rules.yaml and
planner/rbac/data/risks.yaml."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT

from kubeplan.report.ruleinfo import rule_info


def _finding_ids_in_code() -> set[str]:
    """Rule ids that planner and schema code pass to finding constructors."""
    ids: set[str] = set()
    pattern = re.compile(
        r'"((?:netpol|rbac|schema|yaml|immutable|render|crd|file|symlink|unreadable|not-a'
        r'|ignore|empty|api)-[a-z-]+)"'
    )
    for path in (ROOT / "kubeplan").rglob("*.py"):
        ids.update(pattern.findall(path.read_text(encoding="utf-8")))
    risks = (ROOT / "kubeplan" / "planner" / "rbac" / "data" / "risks.yaml").read_text()
    ids.update(re.findall(r"id: (rbac-grants-[a-z-]+)", risks))
    ids.discard("rbac-defaults")  # a label value (kubernetes.io/bootstrapping), not a finding
    ids.discard("ignore-paths")  # a config key
    return ids


def test_every_finding_id_has_metadata() -> None:
    ids = _finding_ids_in_code()
    assert {"netpol-cuts-connection", "rbac-denied", "rbac-grants-secrets-read"} <= ids
    unknown = sorted(i for i in ids if rule_info(i).category == "custom")
    assert not unknown, unknown
    for rule_id in ids:
        info = rule_info(rule_id)
        assert info.summary.endswith(".") and info.help, rule_id


def test_risk_rows_read_as_sentences() -> None:
    assert rule_info("rbac-grants-secrets-read").summary.startswith("Newly granted: reads every")
    assert Path(ROOT / "kubeplan" / "report" / "data" / "finding_rules.yaml").exists()
