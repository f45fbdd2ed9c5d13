"""Label selectors as the API server evaluates them.

Source: k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector and
pkg/labels/selector.go: matchLabels and matchExpressions are ANDed; an empty selector matches
everything; a null selector matches nothing. Operators In, NotIn, Exists, DoesNotExist.
"""

from __future__ import annotations

from typing import Any


def matches(selector: Any, labels: dict[str, str]) -> bool:
    """Does a metav1.LabelSelector select these labels? (None selects nothing.)"""
    if selector is None:
        return False
    if not isinstance(selector, dict):
        return False
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not isinstance(match_labels, dict) or not isinstance(expressions, list):
        return False  # not a LabelSelector: the API server refuses the object
    for key, value in match_labels.items():
        if labels.get(key) != value:
            return False
    return all(_expression(expression, labels) for expression in expressions)


def _expression(expression: Any, labels: dict[str, str]) -> bool:
    if not isinstance(expression, dict):
        return False
    key = expression.get("key")
    operator = expression.get("operator")
    values = expression.get("values") or []
    if not isinstance(key, str) or not isinstance(values, list):
        return False
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return False


def map_matches(selector: Any, labels: dict[str, str]) -> bool:
    """A plain map selector (Service, ReplicationController): every pair must match.

    An empty map selects nothing for a Service (no Endpoints are managed; see
    pkg/controller/endpointslice: services without a selector are skipped).
    """
    if not isinstance(selector, dict) or not selector:
        return False
    return all(labels.get(k) == v for k, v in selector.items())


_OPERATORS = {"In": " in ", "NotIn": " notin ", "Exists": "", "DoesNotExist": ""}


def format_label_selector(selector: Any) -> str:
    """A metav1.LabelSelector as `kubectl describe` shows it: `FormatLabelSelector`
    (staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go) over `Requirement.String`
    and `internalSelector.String` (pkg/labels/selector.go).

    Requirements sorted by key and joined with ","; matchLabels as `key=value`; `key in (a,b)`,
    `key notin (a,b)` with the values sorted; `key` (Exists), `!key` (DoesNotExist); `<none>`
    for an empty or null selector; `<error>` where `NewRequirement` refuses one (an unknown
    operator, In/NotIn without values, Exists/DoesNotExist with values). The syntax of keys and
    values is not checked again here: schema validation reports it.
    """
    if selector is None:
        return "<none>"
    if not isinstance(selector, dict):
        return "<error>"
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not isinstance(match_labels, dict) or not isinstance(expressions, list):
        return "<error>"
    requirements: list[tuple[str, str]] = []
    for key, value in match_labels.items():
        if not isinstance(key, str) or not isinstance(value, str):
            return "<error>"
        requirements.append((key, f"{key}={value}"))
    for expression in expressions:
        text = _requirement_text(expression)
        if text is None:
            return "<error>"
        requirements.append((expression["key"], text))
    requirements.sort(key=lambda pair: pair[0])
    return ",".join(text for _, text in requirements) or "<none>"


def _requirement_text(expression: Any) -> str | None:
    if not isinstance(expression, dict):
        return None
    key, operator = expression.get("key"), expression.get("operator")
    values = expression.get("values") or []
    if not isinstance(key, str) or operator not in _OPERATORS or not isinstance(values, list):
        return None
    if not all(isinstance(value, str) for value in values):
        return None
    if operator in ("Exists", "DoesNotExist"):
        if values:
            return None  # "values set must be empty for exists and does not exist"
        return key if operator == "Exists" else f"!{key}"
    if not values:
        return None  # "for 'in', 'notin' operators, values set can't be empty"
    return f"{key}{_OPERATORS[operator]}({','.join(sorted(values))})"


def format_set_selector(selector: dict[str, Any]) -> str:
    """A plain map selector (Service, ReplicationController) as `labels.Set.String` writes it
    (pkg/labels/labels.go): `key=value` pairs sorted and joined with ","."""
    return ",".join(sorted(f"{key}={value}" for key, value in selector.items()))
