"""LimitRange admission (plugin/pkg/admission/limitranger/admission.go), offline.

Which requests the plugin handles (`DefaultLimitRangerActions.SupportsAttributes`,
`runLimitFunc`):
- Pods on CREATE: mutated (`default_containers`) in the mutating phase, then validated
  (`validate_pod`) early in the validating phase. A pod UPDATE is skipped (containers are
  immutable), except the `pods/resize` subresource, which kubeplan does not model.
- PersistentVolumeClaims on CREATE and UPDATE: validated only (`validate_pvc`).
- Every other subresource is skipped, and so is an object whose stored version is being
  deleted. Workloads (Deployment, ...) are not touched: their pods are, when the controller
  creates them, so their refusal stalls a rollout.

The pieces, in the order the API server applies them to a pod:
1. `kube.podresources.default_pod_spec` (SetDefaults_Pod: limits copied into missing requests);
2. `default_containers` (each LimitRange's `default` / `defaultRequest`), with
   `limit_ranger_annotation` for the `kubernetes.io/limit-ranger` annotation;
3. `validate_pod`, and `pod_forbidden_message` for the refusal text.
`admit_pod` runs 2 and 3. `validate_limitrange` is the API server's check of the LimitRange
itself (its values), which decides whether it exists at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kubeplan.admission.limitrange.defaults import (
    ANNOTATION,
    DefaultedField,
    default_containers,
    limit_ranger_annotation,
)
from kubeplan.admission.limitrange.objectvalidation import validate_limitrange
from kubeplan.admission.limitrange.rules import LimitRangeRule, limit_rules, rule_from_item
from kubeplan.admission.limitrange.validate import (
    LimitViolation,
    aggregate_message,
    forbidden_message,
    pod_forbidden_message,
    pvc_forbidden_message,
    validate_pod,
    validate_pvc,
)

__all__ = [
    "ANNOTATION",
    "DefaultedField",
    "LimitRangeRule",
    "LimitViolation",
    "admit_pod",
    "aggregate_message",
    "default_containers",
    "forbidden_message",
    "limit_ranger_annotation",
    "limit_rules",
    "pod_forbidden_message",
    "pvc_forbidden_message",
    "rule_from_item",
    "supports",
    "validate_limitrange",
    "validate_pod",
    "validate_pvc",
]


def admit_pod(
    spec: Mapping[str, Any], rules: Sequence[LimitRangeRule], *, pod_level: bool = True
) -> tuple[dict[str, Any], list[DefaultedField], list[LimitViolation]]:
    """Admit then Validate on a pod spec already defaulted by `default_pod_spec`: the
    mutated spec, what was set, and the violations."""
    mutated, defaulted = default_containers(spec, rules)
    return mutated, defaulted, validate_pod(mutated, rules, pod_level=pod_level)


def supports(
    kind: str, operation: str, subresource: str = "", *, old_deleting: bool = False
) -> bool:
    """Whether the plugin acts on a request (`SupportsAttributes`, `runLimitFunc`, and the
    handler's CREATE/UPDATE operations): a Pod on CREATE, or UPDATE of `pods/resize`; a
    PersistentVolumeClaim on CREATE or UPDATE; never another subresource; never an object whose
    stored version has a deletionTimestamp (`old_deleting`)."""
    if operation not in ("CREATE", "UPDATE") or old_deleting:
        return False
    if kind == "Pod" and subresource == "resize" and operation == "UPDATE":
        return True
    if subresource:
        return False
    if kind == "Pod":
        return operation == "CREATE"
    return kind == "PersistentVolumeClaim"
