"""Every rule id a user can name in `.kubeplan.yaml`, and what `kubeplan rules` lists.

Three sources make findings:
- the lint rule pack (`registry.load_rules`), run by the lint engine;
- user rules: the config's `custom-rules` and the `kubeplan.rules` entry-point group;
- the findings kubeplan makes outside the lint engine: reading and validation, `diff` (an
  immutable field), `plan` (`rbac-denied`, the `rbac-grants-*` risks of a change, rejections)
  and `reach` (`netpol-*`). Their metadata is the table the report formats already read
  (`report/data/finding_rules.yaml`, `planner/rbac/data/risks.yaml`); here they become `Rule`s
  whose check never runs, so that the listing, the config check and `rules ID` treat them as
  the lint rules are treated. `suppress.py` applies the config to them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from kubeplan.datafiles import read_yaml
from kubeplan.model import Resource, Severity
from kubeplan.rules.registry import Rule, RuleMeta, Violation, load_rules

_PACKAGE = os.path.dirname(os.path.dirname(__file__))
_FINDING_RULES = os.path.join(_PACKAGE, "report", "data", "finding_rules.yaml")
_RISKS = os.path.join(_PACKAGE, "planner", "rbac", "data", "risks.yaml")

# Findings on an object that mean the API server refuses the request. `kubectl apply`
# validates with fieldValidation=Strict by default (`--validate` defaults to "strict":
# staging/src/k8s.io/kubectl/pkg/cmd/util/helpers.go AddValidateFlags), so unknown fields are
# refused too. The plan marks such a step rejected (kubeplan/planner/plan.py).
REJECTING_RULES = frozenset(
    {
        "immutable-field-changed",
        # server-side apply refuses a field another manager owns with a different value
        # (sigs.k8s.io/structured-merge-diff merge/conflict.go; kubeplan/planner/diff/liveapply.py)
        "apply-conflict",
        "schema-unknown-field",
        "schema-required",
        "schema-invalid",
        "api-version-not-served",
        "kind-not-served",  # kubeplan/schemas/served.py
        "removed-api",  # the lint twin of api-version-not-served (commands/pipeline._drop_doubles keeps it)
        "yaml-duplicate-key",
        "namespace-mismatch",  # kubectl refuses to send it (cli-runtime resource/visitor.go)
        "netpol-invalid",  # pkg/apis/networking/validation/validation.go ValidateNetworkPolicySpec
        # A CRD whose schema the API server refuses (apiextensions-apiserver
        # pkg/apis/apiextensions/validation/validation.go ValidateCustomResourceDefinition).
        "crd-invalid-schema",
        # The hand-written validation of pkg/apis/*/validation (kubeplan/schemas/apivalidation);
        # `api-warning` is not here: the API server creates the object and warns.
        "api-required",
        "api-invalid",
        "api-unsupported",
        "api-duplicate",
        "api-too-long",
        "api-too-many",
        "api-forbidden",
        "api-not-found",
    }
)
# Admission refusals (kubeplan/admission): the API server refuses a Pod or a PVC; for a workload
# the object is accepted and the pods its controller creates are refused (its rollout stalls).
# Which of the two is the plan's `refused` and `stalls` of a step (kubeplan/planner/admission.py).
ADMISSION_RULES = frozenset(
    {
        "pod-security-enforce",
        "limitrange-violation",
        "quota-exceeded",
        "quota-must-specify",
        "pod-security-invalid-label",
        "admission-policy-denied",
    }
)
# Findings that state what the API server does with a request: it refuses the object, or the
# authorizer refuses the identity (`rbac-denied`). Configuration changes whether they fail the
# run, never the verdict.
FACTS = REJECTING_RULES | ADMISSION_RULES | {"rbac-denied"}
# A rule that crashed (`rule-error`) says kubeplan failed, never a thing to configure away.
NOT_CONFIGURABLE_CATEGORIES = frozenset({"internal"})


def _never(resource: Resource, ctx: Any, options: dict[str, Any]) -> Iterator[Violation]:
    """The check of a finding made outside the lint engine: it is never run as a rule."""
    return iter(())


_STAGES = {
    "input": "every command that reads files",
    "diff": "diff, plan",
    "reachability": "plan, reach",
    "rbac": "plan",
    "admission": "check, plan",
}
_FACT_NOTE = (
    " The API server refuses the object whatever the config says: silencing or re-grading it"
    " decides only whether the run fails (the plan still shows the step rejected)."
)


def _meta(
    rule_id: str, severity: str, category: str, summary: str, help_text: str, source: str
) -> RuleMeta:
    stage = _STAGES.get(category, "validate, check, plan")
    note = _FACT_NOTE if rule_id in FACTS else ""
    return RuleMeta(
        id=rule_id,
        severity=Severity(severity),
        category=category,
        kinds=frozenset({"*"}),
        rationale=" ".join(summary.split()),
        remediation=" ".join(help_text.split()) + note,
        doc="docs/config.md#silencing-a-finding",
        source=" ".join(source.split()) + f" (made by kubeplan {stage})",
    )


@cache
def finding_rules() -> dict[str, Rule]:
    """The findings made outside the lint engine, as Rules that never run, by id."""
    rules: dict[str, Rule] = {}
    for row in read_yaml(_FINDING_RULES)["rules"]:
        if row["category"] in NOT_CONFIGURABLE_CATEGORIES:
            continue
        meta = _meta(
            row["id"], row["severity"], row["category"], row["summary"], row["help"],
            row.get("source", ""),
        )  # fmt: skip
        rules[meta.id] = Rule(meta, _never)
    for risk in read_yaml(_RISKS)["risks"]:
        meta = _meta(
            risk["id"],
            risk["severity"],
            "rbac",
            f"A change newly grants {risk['what']}.",
            "Grant it only to the subject that needs it, in the narrowest scope.",
            str(risk.get("source", "")),
        )
        rules[meta.id] = Rule(meta, _never)
    return rules


def all_rules(extra: Iterable[Rule] = ()) -> dict[str, Rule]:
    """What `kubeplan rules` lists: the lint pack, the findings of the other stages, then the
    user rules given (entry points; a user rule cannot take a built-in id)."""
    rules = {**load_rules(), **finding_rules()}
    for rule in extra:
        rules.setdefault(rule.meta.id, rule)
    return rules


def rule_ids(config_rows: Iterable[Any] = ()) -> set[str]:
    """Every id the config may name: built-in, other stages', entry points', and the ids of the
    config's own `custom-rules` rows."""
    from kubeplan.errors import ConfigError
    from kubeplan.rules.custom import CustomRuleError, rules_from_entry_points

    ids = set(load_rules()) | set(finding_rules())
    try:
        ids.update(rule.meta.id for rule in rules_from_entry_points())
    except CustomRuleError as error:
        raise ConfigError(str(error)) from error
    ids.update(row["id"] for row in config_rows if isinstance(row, dict) and "id" in row)
    return ids
