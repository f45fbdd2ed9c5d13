"""Checks of a Job template change allowed while the Job is suspended and has never started.

Source: kubernetes/kubernetes pkg/apis/batch/validation/validation.go (validatePodTemplateUpdate
with AllowMutableSchedulingDirectives) and pkg/registry/batch/job/strategy.go
(validationOptionsForJob: the old Job has `spec.suspend: true` and no `status.startTime`).
The old template's node affinity, nodeSelector, tolerations, schedulingGates, labels and
annotations are replaced by the new ones before the template is compared, and:
- an affinity may be cleared when the old one held only nodeAffinity;
- an affinity may be added when the new one holds only nodeAffinity (the old template is given
  `Affinity{NodeAffinity: new.NodeAffinity}`), the "add node affinity" case of
  TestValidateJobUpdate in validation_test.go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubeplan.planner.diff.fielddiff import FieldChange

if TYPE_CHECKING:
    from kubeplan.planner.diff.effects.context import Context
    from kubeplan.planner.diff.effects.table import Row

# The template metadata a suspended Job that never started may change.
MUTABLE_TEMPLATE_METADATA = frozenset({"labels", "annotations"})


def check_affinity_node_only_added(ctx: Context, change: FieldChange, row: Row) -> bool:
    new = change.new
    return change.kind == "added" and isinstance(new, dict) and set(new) <= {"nodeAffinity"}


def check_template_metadata_only_labels(ctx: Context, change: FieldChange, row: Row) -> bool:
    """The whole template metadata added, removed or replaced, and only its labels and
    annotations differ."""
    old = change.old if isinstance(change.old, dict) else {}
    new = change.new if isinstance(change.new, dict) else {}
    keys = (set(old) | set(new)) - MUTABLE_TEMPLATE_METADATA
    return all(old.get(key) == new.get(key) for key in keys)


SUSPENDED_JOB_CHECKS = {
    "affinity_node_only_added": check_affinity_node_only_added,
    "template_metadata_only_labels": check_template_metadata_only_labels,
}
