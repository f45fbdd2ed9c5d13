"""The config and the ignore annotation, applied to findings made outside the lint engine.

Lint findings are silenced as the engine makes them (engine.py). Validation, `diff`, `plan`
and `reach` make theirs elsewhere; this applies the same three ways to them:
1. `rules: {id: off}` drops the finding, `rules: {id: warning}` re-grades it;
2. a config `exclude:` row marks it suppressed;
3. `kubeplan.io/ignore: "id"` (or `all`) on the object, or its pod template, marks it suppressed.

A finding that states what the API server does (`known.FACTS`: a rejection, `rbac-denied`) is
silenced only where its id is named (not by `kubeplan.io/ignore: all`, nor by an `exclude:` row
without `rules:`, which were written for advice), and it is never dropped: switched off it is kept as suppressed, so `--show-suppressed` still shows it,
and the plan still shows its step rejected. Configuration decides only whether it fails the run
(a team whose deploy tool replaces the object, `kubectl replace --force` or Argo CD's
`Replace=true`, knows the update is refused and handles it).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from typing import Any

from kubeplan.model import Finding, Resource
from kubeplan.rules.engine import (
    Exclusion,
    LintSettings,
    _annotation_reason,
    _container_of,
    _inline_ignores,
)
from kubeplan.rules.known import FACTS

RefKey = tuple[Any, ...]


def _key(ref: dict[str, Any]) -> RefKey:
    return (ref.get("apiVersion"), ref.get("kind"), ref.get("namespace"), ref.get("name"))


def index(*revisions: Iterable[Resource]) -> dict[RefKey, Resource]:
    """Objects by their finding reference; an earlier revision wins (pass the new one first:
    the annotation a user adds to silence a finding is in the revision being applied)."""
    out: dict[RefKey, Resource] = {}
    for resources in revisions:
        for resource in resources:
            out.setdefault(_key(resource.ref()), resource)
    return out


def apply(
    findings: Iterable[Finding],
    objects: dict[RefKey, Resource],
    settings: LintSettings,
    *,
    skip: frozenset[str] = frozenset(),
) -> list[Finding]:
    """The findings with the config and annotations applied (`skip`: ids already handled, the
    lint engine's own)."""
    out: list[Finding] = []
    for finding in findings:
        if finding.rule in skip or finding.suppressed:
            out.append(finding)
            continue
        if not settings.enabled.get(finding.rule, True):
            if finding.rule not in FACTS:
                continue  # off: as a lint rule that does not run
            finding.suppressed, finding.suppressed_by = True, "config: rule off"
        if finding.rule in settings.severities:
            finding.severity = settings.severities[finding.rule]
        if not finding.suppressed:
            resource = objects.get(_key(finding.resource)) if finding.resource else None
            finding.suppressed_by = _silenced_by(finding, resource, settings)
            finding.suppressed = finding.suppressed_by is not None
        out.append(finding)
    return out


def _silenced_by(finding: Finding, resource: Resource | None, settings: LintSettings) -> str | None:
    ignored = _inline_ignores(resource) if resource and settings.inline_ignore else frozenset()
    named = {finding.rule} if finding.rule in FACTS else {finding.rule, "all"}
    if named & ignored:
        return _annotation_reason(resource)  # type: ignore[arg-type]
    for exclusion in settings.exclusions:
        if _matches(exclusion, finding, resource):
            return "config" + (f": {exclusion.reason}" if exclusion.reason else "")
    return None


def _matches(exclusion: Exclusion, finding: Finding, resource: Resource | None) -> bool:
    """Exclusion.matches on the finding's object reference; a finding about no object (a file
    that cannot be read, a declared connection) matches only a row that names no object."""
    if exclusion.rules and finding.rule not in exclusion.rules:
        return False
    if not exclusion.rules and finding.rule in FACTS:
        return False  # a rejection is silenced only where it is named
    ref = finding.resource or {}
    if not ref:
        names_none = (exclusion.kind, exclusion.namespace, exclusion.name) == ("*", "*", "*")
        return names_none and exclusion.container is None
    for pattern, value in (
        (exclusion.kind, ref.get("kind")),
        (exclusion.namespace, ref.get("namespace")),
        (exclusion.name, ref.get("name")),
    ):
        if not fnmatch.fnmatchcase(value or "", pattern):
            return False
    if exclusion.container is not None:
        return resource is not None and _container_of(resource, finding.path) == exclusion.container
    return True


def silence(
    findings: list[Finding],
    new: Iterable[Resource],
    base: Iterable[Resource],
    settings: LintSettings,
) -> list[Finding]:
    """`apply` on the findings of a command that pairs two revisions (diff, reach): the
    ignore annotation is looked up on the objects of both."""
    return apply(findings, index(new, base), settings)
