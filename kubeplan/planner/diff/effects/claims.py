"""Checks of a PersistentVolumeClaim update, as `ValidatePersistentVolumeClaimUpdate` decides.

Source: kubernetes/kubernetes pkg/apis/core/validation/validation.go
(ValidatePersistentVolumeClaimUpdate, validateStorageClassUpgradeFromAnnotation,
validateStorageClassUpgradeFromNil) and its table TestValidatePersistentVolumeClaimUpdate in
validation_test.go; the feature gates by release in pkg/features/kube_features.go.

- The beta annotation `volume.beta.kubernetes.io/storage-class` is immutable once the claim
  exists (ValidateImmutableAnnotation compares the two strings, an absent annotation being
  ""), except on the one upgrade path "from annotation": the old claim has the annotation and
  no `spec.storageClassName`, the new one sets `spec.storageClassName` to the annotation's
  value and keeps the annotation unchanged or drops it.
- `spec.storageClassName` may be set on a claim without one: by that upgrade, or "from nil"
  (RetroactiveDefaultStorageClass: alpha, off, in 1.25; on from 1.26) when the old claim has
  no annotation or one of the same value.
- `spec.resources.requests` and `spec.volumeAttributesClassName` are reset to the old values
  before the spec comparison only when the claim is Bound, so on an unbound claim they are as
  immutable as the rest of the spec. Only a base read from the cluster says the phase.
- A request below the previous one is allowed when RecoverVolumeExpansionFailure is on (from
  1.32) and the new value is above `status.capacity`.
- `volumeAttributesClassName`: any change is forbidden while the VolumeAttributesClass gate is
  off (the default before 1.34); with it on, going from a value to nil or "" is forbidden.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kubeplan.kube.quantity import parse_quantity
from kubeplan.planner.diff.effects.bodies import ABSENT, get
from kubeplan.planner.diff.fielddiff import FieldChange

if TYPE_CHECKING:
    from kubeplan.planner.diff.effects.context import Context
    from kubeplan.planner.diff.effects.table import Row

BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class"
_ANNOTATION_PATH = ("metadata", "annotations", BETA_STORAGE_CLASS)
RETROACTIVE_DEFAULT_STORAGE_CLASS = (1, 26)
RECOVER_VOLUME_EXPANSION_FAILURE = (1, 32)


def _annotation(body: dict[str, Any]) -> str | None:
    """The beta annotation's value, None when absent."""
    value = get(body, _ANNOTATION_PATH)
    return None if value is ABSENT else str(value)


def _class_name(body: dict[str, Any]) -> str | None:
    value = get(body, "spec.storageClassName")
    return value if isinstance(value, str) else None


def upgrade_from_annotation(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """validateStorageClassUpgradeFromAnnotation: its four conditions."""
    old_annotation, new_annotation = _annotation(old), _annotation(new)
    new_class = _class_name(new)
    return (
        old_annotation is not None
        and _class_name(old) is None
        and new_class == old_annotation
        and (new_annotation is None or new_annotation == old_annotation)
    )


def upgrade_from_nil(old: dict[str, Any], new: dict[str, Any], version: tuple[int, int]) -> bool:
    """validateStorageClassUpgradeFromNil, behind RetroactiveDefaultStorageClass before 1.28."""
    old_annotation, new_class = _annotation(old), _class_name(new)
    return (
        version >= RETROACTIVE_DEFAULT_STORAGE_CLASS
        and new_class is not None
        and _class_name(old) is None
        and (old_annotation is None or new_class == old_annotation)
    )


def _covers_annotation(path: tuple[str | int, ...]) -> bool:
    return len(path) <= len(_ANNOTATION_PATH) and path == _ANNOTATION_PATH[: len(path)]


def check_class_annotation_changed(ctx: Context, change: FieldChange, row: Row) -> bool:
    """The change touches the beta annotation, its value differs, and it is not the upgrade."""
    if not (change.path and _covers_annotation(change.path)):
        return False
    old, new = ctx.old_body, ctx.new_body
    if (_annotation(old) or "") == (_annotation(new) or ""):
        return False
    return not upgrade_from_annotation(old, new)


def check_class_set_allowed(ctx: Context, change: FieldChange, row: Row) -> bool:
    """`spec.storageClassName` set on a claim without one, by one of the two upgrade paths."""
    old, new = ctx.old_body, ctx.new_body
    return upgrade_from_annotation(old, new) or upgrade_from_nil(old, new, ctx.version)


def _live_status(ctx: Context) -> dict[str, Any] | None:
    """The base claim's status when it was read from the cluster (the loader set its server
    fields aside), else None: a manifest does not say whether the claim is Bound."""
    if not ctx.base.server_fields:
        return None
    status = ctx.base.server_fields.get("status")
    return status if isinstance(status, dict) else {}


def live_phase(ctx: Context) -> str | None:
    """The live claim's status.phase ("" when its status has none), None for a manifest."""
    status = _live_status(ctx)
    if status is None:
        return None
    phase = status.get("phase")
    return phase if isinstance(phase, str) else ""


def check_claim_not_bound(ctx: Context, change: FieldChange, row: Row) -> bool:
    phase = live_phase(ctx)
    return phase is not None and phase != "Bound"


def _capacity(ctx: Context) -> Any:
    status = _live_status(ctx)
    capacity = status.get("capacity") if status else None
    return capacity.get("storage") if isinstance(capacity, dict) else None


def check_shrink_recoverable(ctx: Context, change: FieldChange, row: Row) -> bool:
    """A lower request that RecoverVolumeExpansionFailure allows: above status.capacity."""
    if ctx.version < RECOVER_VOLUME_EXPANSION_FAILURE:
        return False
    try:
        capacity = parse_quantity(_capacity(ctx))
        new = parse_quantity(change.new)
    except (ValueError, TypeError):
        return False
    return new > capacity


def check_attributes_class_unset(ctx: Context, change: FieldChange, row: Row) -> bool:
    """volumeAttributesClassName from a value (even "") to nil or to ""."""
    old = get(ctx.old_body, "spec.volumeAttributesClassName")
    new = get(ctx.new_body, "spec.volumeAttributesClassName")
    return old is not ABSENT and (new is ABSENT or new == "") and old != new


CLAIM_CHECKS = {
    "pvc_class_annotation_changed": check_class_annotation_changed,
    "pvc_class_set_allowed": check_class_set_allowed,
    "pvc_not_bound": check_claim_not_bound,
    "pvc_shrink_recoverable": check_shrink_recoverable,
    "pvc_attributes_class_unset": check_attributes_class_unset,
}
