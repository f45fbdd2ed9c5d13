"""What applying each changed field does to running pods: the effects of `kubeplan diff`.

`classify(pair, new_resources, base_resources, kubernetes_version)` gives one `ClassifiedChange`
per `FieldChange` of an updated object: its effect (one of `table.EFFECTS`), a one-line reason
for people and the Kubernetes source that makes it true. The first row of the kind's table
(`table.py`) whose path and conditions match decides.

Two rules are applied to every row, in code:
    - a change under a pod template that swaps the ConfigMap or Secret a volume, env or envFrom
      refers to (a Kustomize configMapGenerator rename: a new hash-suffixed name) says so in its
      reason: "references ConfigMap app-config-5f7c instead of app-config-9b2d"
      (`references.py`);
    - the old and new values are rendered short (`(unset)` for an absent value).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubeplan.kube.versions import minor
from kubeplan.model import Resource
from kubeplan.planner.diff.effects.context import Context
from kubeplan.planner.diff.effects.facts import Facts
from kubeplan.planner.diff.effects.references import reference_note
from kubeplan.planner.diff.effects.table import Row, rows_for
from kubeplan.planner.diff.fielddiff import FieldChange
from kubeplan.planner.diff.pairing import UPDATE, Pair
from kubeplan.schemas.cel import transitions


@dataclass(frozen=True)
class ClassifiedChange:
    path: tuple[str | int, ...]  # FieldChange.path
    label: str  # FieldChange.short_label (e.g. "containers[web].image")
    old: Any
    new: Any
    kind: str  # changed | added | removed | reordered
    effect: str  # one of EFFECTS
    reason: str  # one line for people: why this effect
    source: str  # the Kubernetes file/doc that makes it true (from the table row)
    # FieldChange.label: the path from the object root, list elements named by their merge key
    # (e.g. "spec.template.spec.containers[web].image"); `label` is its short form for people.
    full_label: str = ""


def _classified(change: FieldChange, effect: str, reason: str, source: str) -> ClassifiedChange:
    return ClassifiedChange(
        change.path,
        change.short_label,
        change.old,
        change.new,
        change.kind,
        effect,
        reason,
        source,
        change.label,
    )


def _no_table(resource: Resource, change: FieldChange) -> ClassifiedChange:
    return _classified(
        change,
        "unknown",
        f"kubeplan has no table for {resource.kind}; stated as unknown, not guessed",
        "",
    )


def _classify_change(ctx: Context, rows: tuple[Row, ...], change: FieldChange) -> ClassifiedChange:
    for row in rows:
        if row.matches(change.path) and ctx.holds(row, change):
            reason = row.reason.format_map(Facts(ctx, change))
            if ctx.under_template(change.path):
                note = reference_note(change)
                if note:
                    reason = f"{reason}; {note}"
            return _classified(change, row.effect, reason, row.source)
    return _classified(
        change,
        "unknown",
        f"no row of kubeplan's {ctx.resource.kind} table covers {change.label or 'this change'};"
        " stated as unknown, not guessed",
        "",
    )


def classify(
    pair: Pair,
    new_resources: list[Resource],
    base_resources: list[Resource],
    kubernetes_version: str,
) -> list[ClassifiedChange]:
    """One ClassifiedChange per field change of an `update` pair; nothing for the others.

    `new_resources` is the whole new revision (who consumes a ConfigMap/Secret, which
    autoscaler or StorageClass applies), `base_resources` the base (the prior state of a
    consumer, to tell whether it rolls too)."""
    if pair.action != UPDATE or pair.old is None or pair.new is None:
        return []
    changes = pair.changes()
    if not changes:
        return []
    rows = rows_for(pair.new.group, pair.new.kind)
    if rows is None:
        # A custom resource: its CRD's transition rules (oldSelf) decide what is immutable.
        broken = transitions.broken(pair.old, pair.new, [*new_resources, *base_resources])
        return [
            _classified(change, *hit)
            if (hit := transitions.effect_of(change.path, broken))
            else _no_table(pair.new, change)
            for change in changes
        ]
    ctx = Context(pair, new_resources, base_resources, minor(kubernetes_version))
    return [_classify_change(ctx, rows, change) for change in changes]
