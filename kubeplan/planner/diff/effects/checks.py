"""Checks: the named predicates of `when: {check: ...}`, for what a comparison of values
cannot say (quantities, additions-only lists, consumers, the state of the base object)."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from kubeplan.kube import autoscaling
from kubeplan.kube.quantity import parse_quantity
from kubeplan.model import Resource
from kubeplan.planner.diff.effects.bodies import get, number, strict_equal
from kubeplan.planner.diff.effects.claims import CLAIM_CHECKS
from kubeplan.planner.diff.effects.indexes import HPAS, STORAGE_CLASSES
from kubeplan.planner.diff.effects.suspended import SUSPENDED_JOB_CHECKS
from kubeplan.planner.diff.fielddiff import FieldChange

if TYPE_CHECKING:
    from kubeplan.planner.diff.effects.context import Context
    from kubeplan.planner.diff.effects.table import Row


def _quantity(value: Any) -> Fraction | None:
    try:
        return parse_quantity(value)
    except ValueError:
        return None


def _check_autoscaled(ctx: Context, change: FieldChange, row: Row) -> bool:
    return autoscaler_of(ctx) is not None


def autoscaler_of(ctx: Context) -> Resource | None:
    resource = ctx.resource
    return HPAS.get(ctx.new_resources).get(autoscaling.target_key(resource))


def _check_job_not_started(ctx: Context, change: FieldChange, row: Row) -> bool:
    status = ctx.base.server_fields.get("status")
    if not isinstance(status, dict):
        status = ctx.base.body.get("status")
    return not (isinstance(status, dict) and status.get("startTime"))


def _check_affinity_only_node(ctx: Context, change: FieldChange, row: Row) -> bool:
    old = change.old
    return change.kind == "removed" and isinstance(old, dict) and set(old) <= {"nodeAffinity"}


def _check_elastic_indexed_tandem(ctx: Context, change: FieldChange, row: Row) -> bool:
    spec = ctx.new_body.get("spec")
    if ctx.version < (1, 27) or not isinstance(spec, dict):
        return False
    completions = number(spec.get("completions"))
    return (
        spec.get("completionMode") == "Indexed"
        and completions is not None
        and completions == number(spec.get("parallelism"))
    )


def _check_dual_stack_step(ctx: Context, change: FieldChange, row: Row) -> bool:
    old, new = change.old, change.new
    if not (isinstance(old, list) and isinstance(new, list) and old):
        return False
    if len(new) == len(old) + 1 and new[: len(old)] == old:
        return True  # a secondary family added
    policy = get(ctx.new_body, "spec.ipFamilyPolicy")
    return len(old) == 2 and len(new) == 1 and new[0] == old[0] and policy == "SingleStack"


def _check_storage_shrinks(ctx: Context, change: FieldChange, row: Row) -> bool:
    old, new = _quantity(change.old), _quantity(change.new)
    return old is not None and new is not None and new < old


def storage_class_of(ctx: Context) -> Resource | None:
    name = get(ctx.new_body, "spec.storageClassName")
    key = name if isinstance(name, str) else ""
    return STORAGE_CLASSES.get(ctx.new_resources).get(key) or STORAGE_CLASSES.get(
        ctx.base_resources
    ).get(key)


def _check_expansion_not_allowed(ctx: Context, change: FieldChange, row: Row) -> bool:
    old, new = _quantity(change.old), _quantity(change.new)
    if old is None or new is None or new <= old:
        return False
    storage_class = storage_class_of(ctx)
    return storage_class is not None and storage_class.body.get("allowVolumeExpansion") is not True


def _check_same_as_default(ctx: Context, change: FieldChange, row: Row) -> bool:
    old = row.default if change.old is None else change.old
    new = row.default if change.new is None else change.new
    return strict_equal(old, new)


def _check_consumers_keep_old(ctx: Context, change: FieldChange, row: Row) -> bool:
    return any(not ctx.rolls(use.workload) for use in ctx.uses(change))


def _check_consumers_all_roll(ctx: Context, change: FieldChange, row: Row) -> bool:
    uses = ctx.uses(change)
    return bool(uses) and all(ctx.rolls(use.workload) for use in uses)


def _check_deadline_not_raised(ctx: Context, change: FieldChange, row: Row) -> bool:
    old, new = number(change.old), number(change.new)
    return new is not None and new > 0 and (old is None or new <= old)


def _check_tolerations_only_added(ctx: Context, change: FieldChange, row: Row) -> bool:
    old = change.old if isinstance(change.old, list) else []
    new = change.new if isinstance(change.new, list) else []
    return all(any(strict_equal(item, other) for other in new) for item in old)


def _check_grace_period_negative_to_one(ctx: Context, change: FieldChange, row: Row) -> bool:
    old = number(change.old)
    return old is not None and old < 0 and strict_equal(change.new, 1)


CHECKS: dict[str, Callable[[Context, FieldChange, Row], bool]] = {
    "autoscaled": _check_autoscaled,
    "job_not_started": _check_job_not_started,
    "affinity_only_node": _check_affinity_only_node,
    "elastic_indexed_tandem": _check_elastic_indexed_tandem,
    "dual_stack_step": _check_dual_stack_step,
    "storage_shrinks": _check_storage_shrinks,
    "expansion_not_allowed": _check_expansion_not_allowed,
    "same_as_default": _check_same_as_default,
    "consumers_keep_old": _check_consumers_keep_old,
    "consumers_all_roll": _check_consumers_all_roll,
    "deadline_not_raised": _check_deadline_not_raised,
    "tolerations_only_added": _check_tolerations_only_added,
    "grace_period_negative_to_one": _check_grace_period_negative_to_one,
    **CLAIM_CHECKS,
    **SUSPENDED_JOB_CHECKS,
}
