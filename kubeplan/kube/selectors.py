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
