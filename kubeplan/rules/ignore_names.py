"""Rule ids in a `kubeplan.io/ignore` annotation that name no rule.

A misspelled id (`run-as-rot`) suppresses nothing, silently: the finding it meant to silence
stays, and the annotation looks as if it worked. Each unknown id is a warning at the annotation,
with the closest known id, as an unknown manifest field is ("did you mean").
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any

from kubeplan.kube import workloads
from kubeplan.model import Finding, Path, Resource, Severity, finding_for
from kubeplan.rules.engine import IGNORE_ANNOTATION

RULE = "ignore-unknown-rule"


def unknown_ignores(
    resources: Iterable[Resource], known_ids: Callable[[], set[str]]
) -> list[Finding]:
    """A warning for each id of an object's kubeplan.io/ignore that `known_ids()` lacks (read
    only when some object has the annotation: the rule metadata is not free to load)."""
    findings = []
    known: set[str] | None = None
    for resource in resources:
        for path, value in _annotations(resource):
            known = known_ids() if known is None else known
            for name in (part.strip() for part in value.split(",")):
                if not name or name == "all" or name in known:
                    continue
                close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                message = f"{IGNORE_ANNOTATION} names no rule {name!r}{hint}; it suppresses nothing"
                findings.append(finding_for(resource, RULE, Severity.WARNING, message, path))
    return findings


def _annotations(resource: Resource) -> list[tuple[Path, str]]:
    """(path, value) of the annotation on the object and on its pod template."""
    places: list[tuple[Path, Any]] = [(("metadata",), resource.body.get("metadata"))]
    template = workloads.pod_template(resource)
    if template is not None and template[0]:  # a Pod is its own template
        places.append(((*template[0], "metadata"), template[1].get("metadata")))
    found = []
    for path, metadata in places:
        annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
        value = annotations.get(IGNORE_ANNOTATION) if isinstance(annotations, dict) else None
        if isinstance(value, str):
            found.append(((*path, "annotations", IGNORE_ANNOTATION), value))
    return found
