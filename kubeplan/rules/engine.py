"""Run the rules over loaded resources and turn violations into findings.

Suppression, in the order it is decided:
1. a rule disabled in the config (or off by default and not enabled) does not run;
2. a config exclusion (kind / namespace / name globs, optionally a container) marks it suppressed;
3. the annotation `kubeplan.io/ignore: "rule-a,rule-b"` (or `all`) on the object or on its pod
   template marks it suppressed, unless inline ignores are forbidden.
Suppressed findings are kept (counted, shown under --show-suppressed), never dropped.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from kubeplan.kube import workloads
from kubeplan.model import Finding, Resource, Severity, finding_for, format_path
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import ContainerCheck, ResourceCheck, Rule, Violation, load_rules

IGNORE_ANNOTATION = "kubeplan.io/ignore"
IGNORE_REASON_ANNOTATION = "kubeplan.io/ignore-reason"


@dataclass(frozen=True)
class Exclusion:
    """A config exclusion: rules (or all) on objects matching the globs."""

    rules: frozenset[str]  # empty = every rule
    kind: str = "*"
    namespace: str = "*"
    name: str = "*"
    container: str | None = None
    reason: str | None = None

    def matches(self, rule: str, resource: Resource, finding: Finding) -> bool:
        if self.rules and rule not in self.rules:
            return False
        if not fnmatch.fnmatchcase(resource.kind, self.kind):
            return False
        if not fnmatch.fnmatchcase(resource.namespace or "", self.namespace):
            return False
        if not fnmatch.fnmatchcase(resource.name or "", self.name):
            return False
        if self.container is not None:
            return _container_of(resource, finding.path) == self.container
        return True


@dataclass
class LintSettings:
    enabled: dict[str, bool] = field(default_factory=dict)  # rule id -> on/off
    severities: dict[str, Severity] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    exclusions: list[Exclusion] = field(default_factory=list)
    inline_ignore: bool = True
    only: frozenset[str] | None = None  # run only these rules (tests, `rules ID --check`)


def active_rules(settings: LintSettings, extra: Iterable[Rule] = ()) -> list[Rule]:
    rules = [*load_rules().values(), *extra]
    out = []
    for rule in rules:
        if settings.only is not None:
            if rule.meta.id in settings.only:
                out.append(rule)
            continue
        if settings.enabled.get(rule.meta.id, rule.meta.enabled):
            out.append(rule)
    return out


def lint(
    resources: list[Resource],
    ctx: LintContext,
    settings: LintSettings | None = None,
    extra_rules: Iterable[Rule] = (),
) -> list[Finding]:
    settings = settings or LintSettings()
    rules = active_rules(settings, extra_rules)
    by_kind: dict[str, list[Rule]] = defaultdict(list)
    wildcard = [r for r in rules if "*" in r.meta.kinds]
    for rule in rules:
        for kind in rule.meta.kinds - {"*"}:
            by_kind[kind].append(rule)
    options_of = {
        r.meta.id: {**r.meta.options, **settings.options.get(r.meta.id, {})} for r in rules
    }
    severity_of = {r.meta.id: settings.severities.get(r.meta.id, r.meta.severity) for r in rules}
    for kind in by_kind:
        by_kind[kind].extend(wildcard)
    findings: list[Finding] = []
    for resource in resources:
        applicable = by_kind.get(resource.kind, wildcard)
        if not applicable:
            continue
        ignored = _inline_ignores(resource) if settings.inline_ignore else frozenset()
        ref = resource.ref()
        for rule in applicable:
            meta = rule.meta
            try:
                violations = _violations(rule, resource, ctx, options_of[meta.id])
            except Exception as error:  # a rule bug must not hide every other finding
                violations = []
                findings.append(
                    finding_for(
                        resource,
                        "rule-error",
                        Severity.ERROR,
                        f"rule {meta.id} failed on this object: {type(error).__name__}: {error}",
                    )
                )
            for violation in violations:
                finding = finding_for(
                    resource,
                    meta.id,
                    _severity(violation, meta.id, severity_of, settings),
                    violation.message,
                    violation.path,
                    hint=meta.remediation,
                    ref=ref,
                )
                if {meta.id, "all"} & ignored:
                    finding.suppressed = True
                    finding.suppressed_by = _annotation_reason(resource)
                else:
                    for exclusion in settings.exclusions:
                        if exclusion.matches(meta.id, resource, finding):
                            finding.suppressed = True
                            finding.suppressed_by = "config" + (
                                f": {exclusion.reason}" if exclusion.reason else ""
                            )
                            break
                findings.append(finding)
    return findings


def _severity(
    violation: Violation, rule_id: str, severity_of: dict[str, Severity], settings: LintSettings
) -> Severity:
    """The config's severity for the rule, else the violation's own, else the rule's."""
    if violation.severity is None or rule_id in settings.severities:
        return severity_of[rule_id]
    return violation.severity


def _violations(
    rule: Rule, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> list[Violation]:
    """What one rule finds on one object. A `target: container` rule is run on each container
    of the pod template, init and ephemeral ones included, in the order `workloads.containers`
    walks them (computed once per object, whichever rules ask)."""
    if rule.meta.target == "container":
        check = cast(ContainerCheck, rule.check)
        return [
            violation
            for ref in workloads.containers(resource)
            for violation in check(ref, resource, ctx, options)
        ]
    return list(cast(ResourceCheck, rule.check)(resource, ctx, options))


def _inline_ignores(resource: Resource) -> frozenset[str]:
    names: set[str] = set()
    metadata = resource.body.get("metadata")
    places = [metadata.get("annotations") if isinstance(metadata, dict) else None]
    places.append(workloads.pod_annotations(resource))
    for place in places:
        if isinstance(place, dict):
            value = place.get(IGNORE_ANNOTATION)
            if isinstance(value, str):
                names.update(part.strip() for part in value.split(",") if part.strip())
    return frozenset(names)


def _annotation_reason(resource: Resource) -> str:
    for place in (resource.body.get("metadata"), workloads.pod_template(resource)):
        if isinstance(place, tuple):
            place = place[1].get("metadata")
        annotations = place.get("annotations") if isinstance(place, dict) else None
        if isinstance(annotations, dict) and isinstance(
            annotations.get(IGNORE_REASON_ANNOTATION), str
        ):
            return f"annotation: {annotations[IGNORE_REASON_ANNOTATION]}"
    return "annotation"


def _container_of(resource: Resource, path: str) -> str | None:
    """The container a finding's path points into, by name."""
    for ref in workloads.containers(resource):
        prefix = format_path(ref.path)
        if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
            return ref.name
    return None
