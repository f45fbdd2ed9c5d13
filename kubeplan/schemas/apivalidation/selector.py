"""Label selectors as the API server validates and converts them, and the shared small checks
of the group validators.

Sources: staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go
(`ValidateLabelSelector`, `ValidateLabelSelectorRequirement`, `ValidateLabels`);
staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go (`LabelSelectorAsSelector`) and
pkg/labels/selector.go (`Matches`); pkg/apis/core/validation/validation.go
(`ValidateNonnegativeField`); staging/src/k8s.io/apimachinery/pkg/util/intstr (`IntOrString`).
"""

from __future__ import annotations

from typing import Any

from kubeplan.kube import names
from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError

# apimachinery/pkg/api/validation: IsNegativeErrorMsg.
IS_NEGATIVE_ERROR_MSG = "must be greater than or equal to 0"


def d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def lst(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def nonnegative(value: Any, path: Path) -> list[FieldError]:
    """`ValidateNonnegativeField`."""
    if is_int(value) and value < 0:
        return [field.invalid(path, value, IS_NEGATIVE_ERROR_MSG)]
    return []


def validate_labels(labels: Any, path: Path, ctx: Context) -> list[FieldError]:
    """meta/v1/validation `ValidateLabels`: each key a qualified name, each value a label
    value, both reported at the map's own path (as Go does)."""
    errors: list[FieldError] = []
    for key, value in d(labels).items():
        key = str(key)
        errors.extend(field.invalid(path, key, m) for m in names.is_qualified_name(key, ctx.minor))
        if isinstance(value, str):
            errors.extend(field.invalid(path, value, m) for m in names.is_valid_label_value(value))
    return errors


def validate_label_selector(
    selector: Any, path: Path, ctx: Context, allow_invalid_values: bool = False
) -> list[FieldError]:
    """`ValidateLabelSelector` with `LabelSelectorValidationOptions`."""
    if not isinstance(selector, dict):
        return []
    errors = validate_labels(selector.get("matchLabels"), (*path, "matchLabels"), ctx)
    for index, req in enumerate(lst(selector.get("matchExpressions"))):
        errors.extend(
            _requirement(d(req), (*path, "matchExpressions", index), ctx, allow_invalid_values)
        )
    return errors


def _requirement(
    req: dict[str, Any], path: Path, ctx: Context, allow_invalid_values: bool
) -> list[FieldError]:
    """`ValidateLabelSelectorRequirement`."""
    errors: list[FieldError] = []
    operator = req.get("operator")
    values = lst(req.get("values"))
    if operator in ("In", "NotIn"):
        if not values:
            errors.append(
                field.required(
                    (*path, "values"), "must be specified when `operator` is 'In' or 'NotIn'"
                )
            )
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            errors.append(
                field.forbidden(
                    (*path, "values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                )
            )
    else:
        errors.append(
            field.invalid((*path, "operator"), operator or "", "not a valid selector operator")
        )
    key = req.get("key") if isinstance(req.get("key"), str) else ""
    errors.extend(
        field.invalid((*path, "key"), key, m) for m in names.is_qualified_name(key, ctx.minor)
    )
    if not allow_invalid_values:
        for index, value in enumerate(values):
            if isinstance(value, str):
                errors.extend(
                    field.invalid((*path, "values", index), value, m)
                    for m in names.is_valid_label_value(value)
                )
    return errors


def converts(selector: Any, ctx: Context) -> bool:
    """Does `LabelSelectorAsSelector` succeed? It builds each requirement with
    `labels.NewRequirement`, which refuses what `ValidateLabelSelector` (strict) refuses."""
    return not validate_label_selector(selector, (), ctx)


def matches(selector: Any, labels: Any) -> bool:
    """`labels.Selector.Matches` of the converted selector. A nil selector converts to
    `labels.Nothing()`; an empty one to `labels.Everything()`."""
    if not isinstance(selector, dict):
        return False
    have = d(labels)
    for key, value in d(selector.get("matchLabels")).items():
        if key not in have or have[key] != value:
            return False
    for req in lst(selector.get("matchExpressions")):
        req = d(req)
        key, operator, values = req.get("key"), req.get("operator"), lst(req.get("values"))
        if operator == "In" and not (key in have and have[key] in values):
            return False
        if operator == "NotIn" and key in have and have[key] in values:
            return False
        if operator == "Exists" and key not in have:
            return False
        if operator == "DoesNotExist" and key in have:
            return False
    return True


def selector_empty(selector: Any) -> bool:
    """`len(MatchLabels) + len(MatchExpressions) == 0`."""
    sel = d(selector)
    return not d(sel.get("matchLabels")) and not lst(sel.get("matchExpressions"))


def int_or_string(value: Any) -> bool:
    return is_int(value) or isinstance(value, str)


def percent_value(value: Any) -> int | None:
    """`getPercentValue`: the number of a valid percent string, else None."""
    if isinstance(value, str) and not names.is_valid_percent(value):
        return int(value[:-1])
    return None


def int_value(value: Any) -> int:
    """`IntOrString.IntValue()`: an int, or `strconv.Atoi` of a string (0 when it fails)."""
    if is_int(value):
        return value
    if isinstance(value, str):
        try:
            return int(value, 10) if value.strip() == value and value else 0
        except ValueError:
            return 0
    return 0


def int_or_percent_value(value: Any) -> int:
    """`getIntOrPercentValue`."""
    percent = percent_value(value)
    return percent if percent is not None else int_value(value)
