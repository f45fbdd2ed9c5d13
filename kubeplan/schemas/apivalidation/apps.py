"""Hand-written validation of the apps API group's kinds (pkg/apis/apps/validation/validation.go).

The API server validates the object after defaulting (pkg/apis/apps/v1/defaults.go
`SetDefaults_Deployment`, `SetDefaults_DaemonSet`, `SetDefaults_StatefulSet`,
`SetDefaults_ReplicaSet`), so each validator first reads the defaulted value of the fields it
checks: a DaemonSet's `maxSurge: 1` meets the defaulted `maxUnavailable: 1` and is refused.
"""

from __future__ import annotations

from typing import Any

from kubeplan.kube import names
from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.pod import (
    port_warnings,
    validate_pod_template_metadata,
    validate_pod_template_spec,
)
from kubeplan.schemas.apivalidation.registry import validates
from kubeplan.schemas.apivalidation.selector import (
    converts,
    d,
    int_or_percent_value,
    int_or_string,
    is_int,
    matches,
    nonnegative,
    percent_value,
    selector_empty,
    validate_label_selector,
)

# StatefulSetAutoDeletePVC: beta, on by default, in 1.27 (pkg/features/kube_features.go); before,
# the strategy drops persistentVolumeClaimRetentionPolicy (dropStatefulSetDisabledFields).
PVC_RETENTION_FROM = 27
# StatefulSetStartOrdinal: beta, on by default, in 1.27; before, `ordinals` is dropped.
START_ORDINAL_FROM = 27
# MaxUnavailableStatefulSet: beta, on by default, in 1.35; before, the strategy drops
# `rollingUpdate.maxUnavailable` (pkg/registry/apps/statefulset/strategy.go).
STATEFULSET_MAX_UNAVAILABLE_FROM = 35

_SPEC = ("spec",)


def _selector_and_template(
    spec: dict[str, Any], kind: str, ctx: Context
) -> tuple[list[FieldError], bool]:
    """The selector part shared by Deployment, ReplicaSet and StatefulSet
    (`ValidateDeploymentSpec`, `ValidateReplicaSetSpec`, `ValidateStatefulSetSpec`): required,
    strictly valid, non-empty. Returns the errors and whether `LabelSelectorAsSelector` works."""
    errors: list[FieldError] = []
    selector = spec.get("selector")
    path = (*_SPEC, "selector")
    if selector is None:
        errors.append(field.required(path))
        # LabelSelectorAsSelector(nil) is labels.Nothing(), without error.
        return errors, True
    errors.extend(validate_label_selector(selector, path, ctx))
    if selector_empty(selector):
        errors.append(field.invalid(path, selector, f"empty selector is invalid for {kind}"))
    return errors, converts(selector, ctx)


def _labels_match(spec: dict[str, Any], path: Path) -> list[FieldError]:
    """`selector.Empty()` is false and the template labels do not match it: `ValidatePodTemplateSpecForReplicaSet` / `...ForStatefulSet` (a nil selector is `Nothing()`, not empty,
    and matches nothing)."""
    selector = spec.get("selector")
    template = d(spec.get("template"))
    labels = d(template.get("metadata")).get("labels")
    if isinstance(selector, dict) and selector_empty(selector):
        return []
    if isinstance(selector, dict) and matches(selector, labels):
        return []
    return [
        field.invalid(
            (*path, "metadata", "labels"),
            labels if isinstance(labels, dict) else None,
            "`selector` does not match template `labels`",
        )
    ]


def _template_for_replica_set(
    spec: dict[str, Any], kind_name: str, ctx: Context
) -> list[FieldError]:
    """`ValidatePodTemplateSpecForReplicaSet`: labels match, the pod template, restartPolicy
    Always (its default), no activeDeadlineSeconds."""
    path = (*_SPEC, "template")
    template = spec.get("template")
    errors = _labels_match(spec, path)
    errors.extend(validate_pod_template_spec(template, path, ctx))
    errors.extend(_restart_and_deadline(d(template), path, kind_name))
    return errors


def _restart_and_deadline(template: dict[str, Any], path: Path, kind_name: str) -> list[FieldError]:
    pod_spec = d(template.get("spec"))
    errors: list[FieldError] = []
    restart = pod_spec.get("restartPolicy") or "Always"  # SetDefaults_PodSpec
    if restart != "Always":
        errors.append(field.not_supported((*path, "spec", "restartPolicy"), restart, ["Always"]))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        errors.append(
            field.forbidden(
                (*path, "spec", "activeDeadlineSeconds"),
                f"activeDeadlineSeconds in {kind_name} is not Supported",
            )
        )
    return errors


def positive_int_or_percent(value: Any, path: Path) -> list[FieldError]:
    """`ValidatePositiveIntOrPercent`."""
    if isinstance(value, str):
        return [field.invalid(path, value, m) for m in names.is_valid_percent(value)]
    if is_int(value):
        return nonnegative(value, path)
    return []


def not_more_than_100_percent(value: Any, path: Path) -> list[FieldError]:
    """`IsNotMoreThan100Percent`."""
    percent = percent_value(value)
    if percent is None or percent <= 100:
        return []
    return [field.invalid(path, value, "must not be greater than 100%")]


# ---------------------------------------------------------------------------------------------
# Deployment


@validates("apps", "Deployment")
def validate_deployment(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    """`ValidateDeploymentSpec` on the defaulted spec."""
    spec = d(body.get("spec"))
    errors = nonnegative(spec.get("replicas"), (*_SPEC, "replicas"))
    selector_errors, ok = _selector_and_template(spec, "deployment", ctx)
    errors.extend(selector_errors)
    if not ok:
        errors.append(
            field.invalid((*_SPEC, "selector"), spec.get("selector"), "invalid label selector")
        )
    else:
        errors.extend(_template_for_replica_set(spec, "ReplicaSet", ctx))
    errors.extend(_deployment_strategy(d(spec.get("strategy")), (*_SPEC, "strategy")))
    min_ready = spec.get("minReadySeconds")
    errors.extend(nonnegative(min_ready, (*_SPEC, "minReadySeconds")))
    errors.extend(nonnegative(spec.get("revisionHistoryLimit"), (*_SPEC, "revisionHistoryLimit")))
    deadline = spec.get("progressDeadlineSeconds")
    if deadline is None:
        deadline = 600  # SetDefaults_Deployment
    if is_int(deadline):
        path = (*_SPEC, "progressDeadlineSeconds")
        errors.extend(nonnegative(deadline, path))
        if deadline <= (min_ready if is_int(min_ready) else 0):
            errors.append(field.invalid(path, deadline, "must be greater than minReadySeconds"))
    return errors


def _deployment_strategy(strategy: dict[str, Any], path: Path) -> list[FieldError]:
    """`ValidateDeploymentStrategy` and `ValidateRollingUpdateDeployment`; the type defaults to
    RollingUpdate and both bounds to 25%."""
    kind = strategy.get("type") or "RollingUpdate"
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            return [
                field.forbidden(
                    (*path, "rollingUpdate"),
                    "may not be specified when strategy `type` is 'Recreate'",
                )
            ]
        return []
    if kind != "RollingUpdate":
        return [field.not_supported(path, strategy, ["Recreate", "RollingUpdate"])]
    rolling = d(rolling)
    unavailable = rolling.get("maxUnavailable")
    surge = rolling.get("maxSurge")
    unavailable = "25%" if unavailable is None else unavailable
    surge = "25%" if surge is None else surge
    at = (*path, "rollingUpdate")
    errors = positive_int_or_percent(unavailable, (*at, "maxUnavailable"))
    errors.extend(positive_int_or_percent(surge, (*at, "maxSurge")))
    if int_or_percent_value(unavailable) == 0 and int_or_percent_value(surge) == 0:
        errors.append(
            field.invalid((*at, "maxUnavailable"), unavailable, "may not be 0 when `maxSurge` is 0")
        )
    errors.extend(not_more_than_100_percent(unavailable, (*at, "maxUnavailable")))
    return errors


# ---------------------------------------------------------------------------------------------
# ReplicaSet


@validates("apps", "ReplicaSet")
def validate_replica_set(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    """`ValidateReplicaSetSpec` (its empty-selector text says "deployment", as Go's does)."""
    spec = d(body.get("spec"))
    errors = nonnegative(spec.get("replicas"), (*_SPEC, "replicas"))
    errors.extend(nonnegative(spec.get("minReadySeconds"), (*_SPEC, "minReadySeconds")))
    selector_errors, ok = _selector_and_template(spec, "deployment", ctx)
    errors.extend(selector_errors)
    if not ok:
        errors.append(
            field.invalid((*_SPEC, "selector"), spec.get("selector"), "invalid label selector")
        )
    else:
        errors.extend(_template_for_replica_set(spec, "ReplicaSet", ctx))
    return errors


# ---------------------------------------------------------------------------------------------
# StatefulSet


@validates("apps", "StatefulSet")
def validate_stateful_set(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    """`ValidateStatefulSetSpec` on the defaulted spec. Its template gets
    `ValidatePodTemplateSpecForStatefulSet`: the labels against the selector, and the template's
    labels and annotations; not the pod spec (a Go TODO: its mounts may name claim templates)."""
    spec = d(body.get("spec"))
    errors = _pod_management_policy(spec.get("podManagementPolicy"))
    errors.extend(_stateful_set_strategy(d(spec.get("updateStrategy")), ctx))
    if ctx.at_least(PVC_RETENTION_FROM):
        errors.extend(_pvc_retention(spec.get("persistentVolumeClaimRetentionPolicy")))
    errors.extend(nonnegative(spec.get("replicas"), (*_SPEC, "replicas")))
    errors.extend(nonnegative(spec.get("minReadySeconds"), (*_SPEC, "minReadySeconds")))
    if ctx.at_least(START_ORDINAL_FROM) and isinstance(spec.get("ordinals"), dict):
        errors.extend(nonnegative(spec["ordinals"].get("start"), (*_SPEC, "ordinals", "start")))
    selector_errors, ok = _selector_and_template(spec, "statefulset", ctx)
    errors.extend(selector_errors)
    path = (*_SPEC, "template")
    if not ok:
        errors.append(field.invalid((*_SPEC, "selector"), spec.get("selector"), ""))
    else:
        errors.extend(_labels_match(spec, path))
        errors.extend(validate_pod_template_metadata(spec.get("template"), path, ctx))
    # The API server's warnings cover every pod template (pkg/api/pod/warnings.go
    # GetWarningsForPodTemplate), a StatefulSet's too.
    template_spec = d(spec.get("template")).get("spec")
    if isinstance(template_spec, dict):
        errors.extend(port_warnings(template_spec, (*path, "spec")))
    errors.extend(_restart_and_deadline(d(spec.get("template")), path, "StatefulSet"))
    return errors


def _pod_management_policy(policy: Any) -> list[FieldError]:
    if policy in (None, "", "OrderedReady", "Parallel"):  # "" defaults to OrderedReady
        return []
    return [
        field.invalid(
            (*_SPEC, "podManagementPolicy"), policy, "must be 'OrderedReady' or 'Parallel'"
        )
    ]


def _stateful_set_strategy(strategy: dict[str, Any], ctx: Context) -> list[FieldError]:
    path = (*_SPEC, "updateStrategy")
    kind = strategy.get("type") or "RollingUpdate"
    rolling = strategy.get("rollingUpdate")
    if kind == "OnDelete":
        if rolling is not None:
            return [
                field.invalid(
                    (*path, "rollingUpdate"),
                    rolling,
                    "only allowed for updateStrategy 'RollingUpdate'",
                )
            ]
        return []
    if kind != "RollingUpdate":
        return [field.invalid(path, strategy, "must be 'RollingUpdate' or 'OnDelete'")]
    if not isinstance(rolling, dict):
        return []
    at = (*path, "rollingUpdate")
    errors = nonnegative(rolling.get("partition"), (*at, "partition"))
    unavailable = rolling.get("maxUnavailable")
    if ctx.at_least(STATEFULSET_MAX_UNAVAILABLE_FROM) and int_or_string(unavailable):
        un_path = (*at, "maxUnavailable")
        errors.extend(positive_int_or_percent(unavailable, un_path))
        if int_or_percent_value(unavailable) == 0:
            errors.append(field.invalid(un_path, unavailable, "cannot be 0"))
        errors.extend(not_more_than_100_percent(unavailable, un_path))
    return errors


def _pvc_retention(policy: Any) -> list[FieldError]:
    """`ValidatePersistentVolumeClaimRetentionPolicy`; an empty value defaults to Retain."""
    errors: list[FieldError] = []
    for key in ("whenDeleted", "whenScaled"):
        value = d(policy).get(key)
        if value in (None, "", "Retain", "Delete"):
            continue
        errors.append(
            field.not_supported(
                (*_SPEC, "persistentVolumeClaimRetentionPolicy", key), value, ["Retain", "Delete"]
            )
        )
    return errors


# ---------------------------------------------------------------------------------------------
# DaemonSet


@validates("apps", "DaemonSet")
def validate_daemon_set(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    """`ValidateDaemonSetSpec` on the defaulted spec."""
    spec = d(body.get("spec"))
    selector = spec.get("selector")
    errors = validate_label_selector(selector, (*_SPEC, "selector"), ctx)
    template = d(spec.get("template"))
    labels = d(template.get("metadata")).get("labels")
    if converts(selector, ctx) and not matches(selector, labels):
        errors.append(
            field.invalid(
                (*_SPEC, "template", "metadata", "labels"),
                labels if isinstance(labels, dict) else None,
                "`selector` does not match template `labels`",
            )
        )
    if isinstance(selector, dict) and selector_empty(selector):
        errors.append(
            field.invalid((*_SPEC, "selector"), selector, "empty selector is invalid for daemonset")
        )
    path = (*_SPEC, "template")
    errors.extend(validate_pod_template_spec(spec.get("template"), path, ctx))
    errors.extend(_restart_and_deadline(template, path, "DaemonSet"))
    errors.extend(nonnegative(spec.get("minReadySeconds"), (*_SPEC, "minReadySeconds")))
    errors.extend(nonnegative(spec.get("templateGeneration"), (*_SPEC, "templateGeneration")))
    errors.extend(_daemon_set_strategy(d(spec.get("updateStrategy"))))
    errors.extend(nonnegative(spec.get("revisionHistoryLimit"), (*_SPEC, "revisionHistoryLimit")))
    return errors


def _daemon_set_strategy(strategy: dict[str, Any]) -> list[FieldError]:
    """`ValidateDaemonSetUpdateStrategy` and `ValidateRollingUpdateDaemonSet`; the bounds
    default to maxUnavailable 1 and maxSurge 0."""
    path = (*_SPEC, "updateStrategy")
    kind = strategy.get("type") or "RollingUpdate"
    if kind == "OnDelete":
        return []
    if kind != "RollingUpdate":
        return [field.not_supported(path, strategy, ["RollingUpdate", "OnDelete"])]
    rolling = d(strategy.get("rollingUpdate"))
    unavailable = rolling.get("maxUnavailable")
    surge = rolling.get("maxSurge")
    unavailable = 1 if unavailable is None else unavailable
    surge = 0 if surge is None else surge
    at = (*path, "rollingUpdate")
    errors = positive_int_or_percent(unavailable, (*at, "maxUnavailable"))
    errors.extend(positive_int_or_percent(surge, (*at, "maxSurge")))
    errors.extend(not_more_than_100_percent(unavailable, (*at, "maxUnavailable")))
    errors.extend(not_more_than_100_percent(surge, (*at, "maxSurge")))
    has_unavailable = int_or_percent_value(unavailable) != 0
    has_surge = int_or_percent_value(surge) != 0
    if has_unavailable and has_surge:
        errors.append(
            field.invalid(
                (*at, "maxSurge"), surge, "may not be set when maxUnavailable is non-zero"
            )
        )
    elif not has_unavailable and not has_surge:
        errors.append(field.required((*at, "maxUnavailable"), "cannot be 0 when maxSurge is 0"))
    return errors
