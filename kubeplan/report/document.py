"""The report document: what every output format reads.

A command fills one `ReportData` (its findings, counts and scope, and the optional sections it
has: changes, plan steps, rollouts, RBAC verdicts, reachability) and hands it to
`report/outputs.py emit`. The formats (text, json, sarif, junit, markdown, github) import this
module and nothing else of the report layer's plumbing; a command whose text or JSON is its own
(diff, plan, reach, can-i, who-can, rules) gives that renderer on the document.

The sections are plain strings so that every command can fill them from its own types.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubeplan.model import Finding, Resource, Severity
from kubeplan.report.ruleinfo import RuleInfo, rule_info


@dataclass
class ChangeRow:
    """One object of a diff or plan: what applying it does."""

    action: str  # create | update | delete | unchanged
    resource: str  # "Deployment default/web"
    file: str = ""
    line: int = 0
    effects: tuple[str, ...] = ()  # rollout, scale, immutable, ... (see docs/json-output.md)
    detail: str = ""  # "image web:1.0 → web:1.1; replicas 2 → 3"


@dataclass
class PlanStep:
    order: int
    action: str  # apply | delete | wait | rollout ...
    resource: str
    verdict: str = ""  # RBAC verdict for the applying identity: allowed | denied | ""
    blocked_by: tuple[str, ...] = ()  # why the step would fail (rule ids or short reasons)
    detail: str = ""
    changes: str = ""  # the first field changes: "image web:1.0 → web:1.1; replicas 2 → 3"
    warnings: tuple[str, ...] = ()  # what the text plan prints under the step (references)


@dataclass
class Rollout:
    resource: str
    effect: str  # rollout | recreate | staged | scale
    detail: str = ""  # "2 pods at a time, maxUnavailable 25%"


@dataclass
class RbacVerdict:
    subject: str  # "User alice", "ServiceAccount ci/deployer"
    verb: str
    resource: str  # "deployments.apps"
    namespace: str | None = None
    allowed: bool = False
    reason: str = ""  # the binding and role that allow it, or why not


@dataclass
class Flow:
    source: str
    destination: str
    port: str = ""


@dataclass
class Reachability:
    lost: list[Flow] = field(default_factory=list)
    gained: list[Flow] = field(default_factory=list)
    mermaid: str | None = None  # a `graph LR` body; built from lost/gained when None


@dataclass
class ReportData:
    """What every renderer reads. Only `command` and `findings` are required."""

    command: str
    findings: list[Finding]
    resources: int = 0
    files: int = 0
    kubernetes_version: str = ""
    title: str = ""  # "kubeplan diff against origin/main"; default "kubeplan COMMAND"
    objects: Sequence[Resource] = ()  # the resources read (JUnit lists the clean ones)
    notes: list[str] = field(default_factory=list)
    # The command's own renderers for `text` (given a Style) and `json`; None: the findings
    # report (report/text.py, report/json_report.py) reads this document.
    text: Callable[[Any], str] | None = None
    json: Callable[[], str] | None = None
    changes: list[ChangeRow] = field(default_factory=list)
    plan_steps: list[PlanStep] = field(default_factory=list)
    rollouts: list[Rollout] = field(default_factory=list)
    rbac: list[RbacVerdict] = field(default_factory=list)
    reachability: Reachability | None = None
    extra_rules: dict[str, RuleInfo] = field(default_factory=dict)  # rule ids of a new command
    # Suppressed findings in SARIF (marked with `suppressions`): off by default, since GitHub code
    # scanning does not honour the mark and would show them as open alerts.
    show_suppressed: bool = False
    config: str | None = None  # the config file of the run, for the JSON
    verbose: bool = False  # the text report lists the notes
    # Formats only one command has (reach's mermaid and dot, the rule list's markdown), each
    # given a Style; they win over the shared renderer of the same name.
    formats: dict[str, Callable[[Any], str]] = field(default_factory=dict)
    # Said on standard error after the report (can-i and who-can: the input's findings).
    stderr: str = ""

    def active(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    def counts(self) -> dict[str, int]:
        active = self.active()
        return {
            "errors": sum(f.severity == Severity.ERROR for f in active),
            "warnings": sum(f.severity == Severity.WARNING for f in active),
            "infos": sum(f.severity == Severity.INFO for f in active),
            "suppressed": len(self.findings) - len(active),
        }

    def heading(self) -> str:
        return self.title or f"kubeplan {self.command}"

    def rule(self, rule_id: str) -> RuleInfo:
        if rule_id in self.extra_rules:
            return self.extra_rules[rule_id]
        return rule_info(rule_id)


def display_path(file: str) -> str:
    """The repository path of a finding's file: `git:REV:path` -> `path`, `./a` -> `a`."""
    if file.startswith("git:"):
        parts = file.split(":", 2)
        file = parts[2] if len(parts) == 3 else ""
    if os.path.isabs(file):
        relative = os.path.relpath(file)
        if not relative.startswith(".."):
            file = relative
    file = file.replace(os.sep, "/")
    while file.startswith("./"):
        file = file[2:]
    return file


def object_label(resource: dict[str, str | None] | None) -> str:
    """`Deployment/default/web`, as the text report writes it."""
    if not resource:
        return ""
    name = resource.get("name") or "<unnamed>"
    namespace = resource.get("namespace")
    kind = resource.get("kind")
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"
