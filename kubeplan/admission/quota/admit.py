"""The ResourceQuota admission decision for one create or update, with the API server's words.

Source: staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go
`CheckRequest`, `hasUsageStats`, `prettyPrint`; pkg/quota/v1/evaluator/core/pods.go
`Constraints`, `enforcePodContainerConstraints`.

The API server stops at the first refusal: every matching quota is first checked for the
"must specify" constraint and for known usage (in quota order), then each is charged. kubeplan
returns every refusal in that order; the first is what the API server says when the quotas
are listed in the same order (the lister's order is not specified). Each message is the text
after `<resource> "<name>" is forbidden: ` (admission.NewForbidden).
Not modelled: the admin `limitedResources` configuration (`insufficient quota to consume`,
`insufficient quota to match these scopes`) and dry-run (checked like any request).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from kubeplan.admission.quota import resources as rl
from kubeplan.admission.quota.model import Quota
from kubeplan.admission.quota.resources import ResourceList
from kubeplan.admission.quota.scopes import matches
from kubeplan.admission.quota.usage import (
    CREATE,
    UPDATE,
    defaulted_pod_spec,
    evaluator_of,
    handles,
    matching_resources,
    pod_compute_usage,
    usage_quantities,
)
from kubeplan.kube import quantity
from kubeplan.kube.quantity import Quantity

EXCEEDED = "quota-exceeded"
MUST_SPECIFY = "quota-must-specify"
STATUS_UNKNOWN = "quota-status-unknown"
NEGATIVE = "quota-negative-usage"

# pods.go validationSet: a quota on one of these makes every container set it.
VALIDATION_SET = frozenset(
    {"cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"}
)
_POD_LEVEL = ("cpu", "memory")  # component-helpers supportedPodLevelResources, + hugepages-*

Used = Mapping[str, Fraction | Quantity]


@dataclass(frozen=True)
class Refusal:
    quota: str
    message: str
    rule: str


def must_specify(
    quota: Quota, spec: Mapping[str, Any], *, tracked: Sequence[str] | None = None
) -> str | None:
    """podEvaluator.Constraints for `quota`: `must specify <r> for: <containers>; ...`, or
    None. Skipped when the pod sets pod-level cpu/memory/hugepages resources (PodLevelResources
    on). Containers are read after the API's defaulting (limits fill missing requests)."""
    required = set(
        tracked if tracked is not None else matching_resources("", "Pod", list(quota.hard))
    )
    required &= VALIDATION_SET
    if not required or _pod_level_resources_set(spec):
        return None
    spec = defaulted_pod_spec(spec)
    missing: dict[str, set[str]] = {}
    for key in ("containers", "initContainers"):
        for container in _list(spec.get(key)):
            container = _dict(container)
            resources = _dict(container.get("resources"))
            present = pod_compute_usage(
                _names(resources.get("requests")), _names(resources.get("limits"))
            )
            for name in required - set(present):
                missing.setdefault(name, set()).add(str(container.get("name") or ""))
    if not missing:
        return None
    parts = [f"{name} for: {','.join(sorted(missing[name]))}" for name in sorted(missing)]
    return "must specify " + "; ".join(parts)


@dataclass(frozen=True)
class Decision:
    """What CheckRequest decides: the refusals, and when there is none, each charged quota's
    usage after the request (the status the plugin writes back), by quota name."""

    refusals: list[Refusal]
    used: dict[str, ResourceList]


def check(
    quotas: Sequence[Quota],
    used: Mapping[str, Used],
    group: str,
    kind: str,
    body: Mapping[str, Any],
    *,
    pod_spec: Mapping[str, Any] | None = None,
    old_body: Mapping[str, Any] | None = None,
    old_stored: bool = True,
    resource_name: str | None = None,
) -> list[Refusal]:
    """The refusals of `admit` (empty: admitted)."""
    return admit(
        quotas,
        used,
        group,
        kind,
        body,
        pod_spec=pod_spec,
        old_body=old_body,
        old_stored=old_stored,
        resource_name=resource_name,
    ).refusals


def admit(
    quotas: Sequence[Quota],
    used: Mapping[str, Used],
    group: str,
    kind: str,
    body: Mapping[str, Any],
    *,
    pod_spec: Mapping[str, Any] | None = None,
    old_body: Mapping[str, Any] | None = None,
    old_stored: bool = True,
    resource_name: str | None = None,
) -> Decision:
    """CheckRequest for a CREATE, or an UPDATE when `old_body` is given, in the quotas'
    namespace (the caller picks the quotas of the object's namespace and asks `charges`
    first for anything but a plain create).

    `used` holds each quota's usage by name (Fractions, or Quantities to keep the format
    Kubernetes prints); a quota absent from it is read with its own `used` (its status). A
    quota whose usage lacks a tracked hard resource is refused as "status unknown".
    An UPDATE charges max(new - old, 0) per resource to the quotas that also matched the old
    object; `old_stored=False` is the "create on update" case (old object without a
    resourceVersion): the whole new usage is charged."""
    operation = UPDATE if old_body is not None else CREATE
    if not quotas:
        # checkAttributes: no quota in the namespace (and no limitedResources) admits at once.
        return Decision([], {})
    if not handles(
        group, kind, operation, body=body, old_body=old_body, resource_name=resource_name
    ):
        return Decision([], {})
    refusals: list[Refusal] = []
    interesting: list[tuple[Quota, Used]] = []
    for quota in quotas:
        if not matches(quota, group, kind, body, pod_spec=pod_spec, resource_name=resource_name):
            continue
        tracked = matching_resources(group, kind, list(quota.hard), resource_name)
        refusal = _precondition(quota, tracked, group, kind, body, pod_spec, used)
        if refusal is not None:
            refusals.append(refusal)
            continue
        interesting.append((quota, _used_of(quota, used) or {}))
    request = _usage(group, kind, body, pod_spec, resource_name)
    negative = rl.negative(request)
    if negative:
        message = f"quota usage is negative for resource(s): {rl.pretty_print_names(negative)}"
        return Decision([*refusals, Refusal("", message, NEGATIVE)], {})
    previous = None
    if old_body is not None and old_stored:
        previous = _usage(group, kind, old_body, None, resource_name)
    charged: dict[str, ResourceList] = {}
    for quota, quota_used in interesting:
        delta = request
        if previous is not None and matches(
            quota, group, kind, old_body or {}, resource_name=resource_name
        ):
            delta = rl.subtract_non_negative(request, previous)
        refusal, new_usage = _charge(quota, quota_used, rl.remove_zeros(delta))
        if refusal is not None:
            refusals.append(refusal)
        elif new_usage is not None:
            charged[quota.name] = new_usage
    return Decision(refusals, {} if refusals else charged)


def _precondition(
    quota: Quota,
    tracked: list[str],
    group: str,
    kind: str,
    body: Mapping[str, Any],
    pod_spec: Mapping[str, Any] | None,
    used: Mapping[str, Used],
) -> Refusal | None:
    """The first loop of CheckRequest for one matching quota: Constraints, then
    hasUsageStats."""
    if evaluator_of(group, kind) == "pods":
        spec = pod_spec if pod_spec is not None else _dict(body.get("spec"))
        text = must_specify(quota, spec, tracked=tracked)
        if text is not None:
            return Refusal(quota.name, f"failed quota: {quota.name}: {text}", MUST_SPECIFY)
    quota_used = _used_of(quota, used)
    if quota_used is None or any(n in quota.hard and n not in quota_used for n in tracked):
        names = rl.pretty_print_names(tracked)
        message = f"status unknown for quota: {quota.name}, resources: {names}"
        return Refusal(quota.name, message, STATUS_UNKNOWN)
    return None


def headroom(quota: Quota, used: Mapping[str, Fraction | Quantity]) -> dict[str, Fraction]:
    """hard - used for every resource of hard (used missing counts as zero)."""
    return {
        name: hard - _fraction(used.get(name, Fraction(0))) for name, hard in quota.hard.items()
    }


def _charge(
    quota: Quota, used: Used, delta: ResourceList
) -> tuple[Refusal | None, ResourceList | None]:
    """The last loop of CheckRequest: requested = delta masked to hard; refused when
    used + requested exceeds hard for any of them; else the quota's new usage."""
    if not delta:
        return None, None
    hard = _hard_quantities(quota)
    used_q = _used_quantities(quota, used)
    requested = rl.mask(delta, hard)
    new_usage = rl.add(used_q, requested)
    over = rl.exceeded(rl.mask(new_usage, requested), hard)
    if not over:
        return None, new_usage
    message = (
        f"exceeded quota: {quota.name}, requested: {rl.pretty_print(rl.mask(requested, over))}, "
        f"used: {rl.pretty_print(rl.mask(used_q, over))}, "
        f"limited: {rl.pretty_print(rl.mask(hard, over))}"
    )
    return Refusal(quota.name, message, EXCEEDED), None


def _usage(
    group: str,
    kind: str,
    body: Mapping[str, Any],
    pod_spec: Mapping[str, Any] | None,
    name: str | None,
) -> ResourceList:
    return usage_quantities(group, kind, body, pod_spec=pod_spec, resource_name=name)


def _used_of(quota: Quota, used: Mapping[str, Used]) -> Used | None:
    if quota.name in used:
        return used[quota.name]
    return quota.used


def _hard_quantities(quota: Quota) -> ResourceList:
    """Hard amounts with the format they were written in (DecimalSI when the caller built the
    quota from bare Fractions)."""
    out: ResourceList = {}
    for name, value in quota.hard.items():
        written = quota.hard_quantities.get(name)
        out[name] = (
            written
            if written is not None and written.value == value
            else Quantity(value, "DecimalSI")
        )
    return out


def _used_quantities(quota: Quota, used: Used) -> ResourceList:
    """Used amounts with a format: a Quantity keeps its own; a Fraction equal to the quota's
    status value takes the status format; any other Fraction prints as DecimalSI."""
    out: ResourceList = {}
    for name, value in used.items():
        if isinstance(value, Quantity):
            out[name] = value
            continue
        status = quota.used_quantities.get(name)
        fmt = status.format if status is not None and status.value == value else "DecimalSI"
        out[name] = Quantity(Fraction(value), fmt)
    return out


def _fraction(value: Fraction | Quantity) -> Fraction:
    return value.value if isinstance(value, Quantity) else Fraction(value)


def _pod_level_resources_set(spec: Mapping[str, Any]) -> bool:
    """component-helpers IsPodLevelResourcesSet."""
    resources = _dict(spec.get("resources"))
    for which in ("requests", "limits"):
        for name in _dict(resources.get(which)):
            if name in _POD_LEVEL or str(name).startswith("hugepages-"):
                return True
    return False


def _names(values: Any) -> dict[str, Quantity]:
    """A container's requests or limits, for the names they set (values unread)."""
    out = {}
    for name, text in _dict(values).items():
        out[str(name)] = quantity.resource_list_value(text) or Quantity(Fraction(0), "DecimalSI")
    return out


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
