"""Transition rules (`oldSelf`) of a CRD applied to an update of one of its custom resources:
what `diff` calls an `immutable` field change, in the CRD author's own words.

The API server runs a transition rule on update whenever the old value correlates
(apiextensions-apiserver pkg/apiserver/schema/cel/validation.go; see rules.py); a rule that is
false refuses the update. Each failure covers the changes at or under its field, and a change
that replaces a whole object covers the failures inside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kubeplan.model import Path, Resource, format_path
from kubeplan.schemas.cel import rules

CRD_GROUP = "apiextensions.k8s.io"


@dataclass(frozen=True)
class Broken:
    path: Path
    message: str
    crd: str


def broken(old: Resource, new: Resource, resources: Iterable[Resource]) -> list[Broken]:
    """The transition rules the update from `old` to `new` breaks; [] when no CRD among
    `resources` defines the kind, or it has no such rule."""
    schema, crd = _schema(new, resources)
    if schema is None:
        return []
    outcome = rules.validate(schema, new.body, old.body, transitions_only=True)
    return [Broken(error.path, error.detail or error.body(), crd) for error in outcome.errors]


def effect_of(path: Path, found: list[Broken]) -> tuple[str, str, str] | None:
    """(effect, reason, source) for the field change at `path`, or None."""
    for hit in found:
        size = min(len(hit.path), len(path))
        if tuple(hit.path[:size]) == tuple(path[:size]):
            where = format_path(hit.path) or "the object"
            reason = f"{hit.message} (a transition rule on {where} of CRD {hit.crd})"
            return (
                "immutable",
                reason,
                f"CustomResourceDefinition {hit.crd} x-kubernetes-validations",
            )
    return None


def _schema(resource: Resource, resources: Iterable[Resource]) -> tuple[Any, str]:
    for candidate in resources:
        if candidate.kind != "CustomResourceDefinition" or candidate.group != CRD_GROUP:
            continue
        spec = candidate.body.get("spec") if isinstance(candidate.body, dict) else None
        if not isinstance(spec, dict) or spec.get("group") != resource.group:
            continue
        names = spec.get("names") if isinstance(spec.get("names"), dict) else {}
        if names.get("kind") != resource.kind:
            continue
        for version in spec.get("versions") or []:
            if isinstance(version, dict) and version.get("name") == resource.version:
                holder = version.get("schema")
                if isinstance(holder, dict):
                    return holder.get("openAPIV3Schema"), candidate.name or ""
    return None, ""
