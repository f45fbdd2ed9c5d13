"""The requests and limits of a whole pod, as the scheduler, LimitRanger and ResourceQuota add
them up, and the resource defaulting the API server applies to every Pod it creates.

Sources (kubernetes/kubernetes, read for this module):
- staging/src/k8s.io/component-helpers/resource/helpers.go (`PodRequests`, `PodLimits`,
  `AggregateContainerRequests`, `AggregateContainerLimits`, `aggregateContainerResourcesByFn`,
  `applyNonMissing`, `IsSupportedPodLevelResource`, `IsPodLevelRequestsSet`,
  `IsPodLevelResourcesSet`, `addResourceList`, `maxResourceList`), formerly
  pkg/api/v1/resource/helpers.go:
  - regular containers are summed;
  - init containers run one after another: init container i needs its own amount plus every
    sidecar (an init container with `restartPolicy: Always`) started before it; the pod needs
    the maximum of that over the init containers and of the long-running sum;
  - a sidecar runs for the pod's lifetime, so it also adds to the long-running sum;
  - pod-level `spec.resources` (feature gate PodLevelResources: alpha in 1.32, beta and on by
    default from 1.34, pkg/features/kube_features.go; `pod_level=` below) replaces
    the aggregate for the resources it names that pod-level resources support (cpu, memory,
    hugepages-*); requests are replaced when pod-level requests name one of them, limits when
    pod-level requests or limits do;
  - `spec.overhead` (RuntimeClass) is added to every request, and to a limit only where that
    limit is set and non-zero.
- staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go (`Quantity.Add`: a sum keeps
  the format of its first non-zero term; `Cmp`): the format decides how a total prints in a
  message (`1Gi` or `1073741824`), so totals are kept as `Quantity`s as well as fractions.
- pkg/apis/core/v1/defaults.go (`SetDefaults_Pod`, `defaultHugePagePodLimits`,
  `defaultPodRequests`, `defaultPodLimits`, `SetDefaults_ResourceList`).

Status-based options of PodResourcesOptions (`UseStatusResources`, in-place resize, DRA claim
status) are left out: kubeplan reads manifests, which carry no pod status.

Every value is read as the API server holds it after decoding: parsed and rounded up to the
milli scale (`SetDefaults_ResourceList`, kube/quantity.py). Values that do not parse are left
out (validation reports them).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

from kubeplan.kube import quantity
from kubeplan.kube.quantity import Quantity

ResourceAmounts = dict[str, Fraction]
ResourceQuantities = dict[str, Quantity]

HUGEPAGES_PREFIX = "hugepages-"
# The first release whose API server has PodLevelResources on by default (beta).
POD_LEVEL_DEFAULT_MINOR = 34
# component-helpers helpers.go `supportedPodLevelResources` (+ the hugepages- prefix).
_POD_LEVEL = frozenset({"cpu", "memory"})


# ---------------------------------------------------------------------------------------------
# One container


def resource_list(values: Any) -> ResourceQuantities:
    """A ResourceList as the API server holds it (parsed, rounded up to milli), or {} when it
    is not a mapping. Unreadable values are left out."""
    out: ResourceQuantities = {}
    if not isinstance(values, Mapping):
        return out
    for name, text in values.items():
        parsed = quantity.resource_list_value(text)
        if parsed is not None:
            out[str(name)] = parsed
    return out


def container_quantities(container: Any, which: str) -> ResourceQuantities:
    """`resources.requests` or `resources.limits` of one container, as Quantities."""
    resources = container.get("resources") if isinstance(container, Mapping) else None
    return resource_list(resources.get(which) if isinstance(resources, Mapping) else None)


def container_amounts(container: Any, which: str) -> ResourceAmounts:
    """`resources.requests` or `resources.limits` of one container; unreadable values are
    left out (validation reports them)."""
    return amounts(container_quantities(container, which))


def amounts(values: Mapping[str, Quantity]) -> ResourceAmounts:
    """The exact values of a Quantity list."""
    return {name: q.value for name, q in values.items()}


def is_sidecar(container: Any) -> bool:
    """An init container with `restartPolicy: Always` (helpers.go `isRestartableInitContainer`)."""
    return isinstance(container, Mapping) and container.get("restartPolicy") == "Always"


def containers(spec: Any, field: str) -> Iterator[Mapping[str, Any]]:
    """The mappings of `spec[field]` (containers or initContainers); anything else is skipped."""
    items = spec.get(field) if isinstance(spec, Mapping) else None
    if isinstance(items, list):
        for item in items:
            if isinstance(item, Mapping):
                yield item


# ---------------------------------------------------------------------------------------------
# Quantity arithmetic with the API server's formats


def add_into(total: ResourceQuantities, values: Mapping[str, Quantity]) -> None:
    """`addResourceList`: a new key copies the value; an existing one is `Quantity.Add`ed, which
    keeps the receiver's format unless the receiver is zero (quantity.go `Add`)."""
    for name, value in values.items():
        current = total.get(name)
        if current is None:
            total[name] = value
        else:
            fmt = value.format if current.value == 0 else current.format
            total[name] = Quantity(current.value + value.value, fmt)


def max_into(total: ResourceQuantities, values: Mapping[str, Quantity]) -> None:
    """`maxResourceList`: a key takes the new value when absent or strictly larger."""
    for name, value in values.items():
        current = total.get(name)
        if current is None or value.value > current.value:
            total[name] = value


def is_supported_pod_level_resource(name: str) -> bool:
    """helpers.go `IsSupportedPodLevelResource`: cpu, memory and hugepages-*."""
    return name in _POD_LEVEL or name.startswith(HUGEPAGES_PREFIX)


# ---------------------------------------------------------------------------------------------
# Aggregates


def aggregate_containers(
    spec: Any, which: str, non_missing: Mapping[str, Quantity] | None = None
) -> ResourceQuantities:
    """`aggregateContainerResourcesByFn` on the spec's requests or limits (the sidecar formula
    of KEP-753). `non_missing` is `NonMissingContainerRequests`: a value used in place of each
    missing container request (never for limits: `AggregateContainerLimits` clears it)."""
    result: ResourceQuantities = {}
    for container in containers(spec, "containers"):
        add_into(result, _with_non_missing(container_quantities(container, which), non_missing))
    running: ResourceQuantities = {}  # sidecars started so far
    init_peak: ResourceQuantities = {}
    for container in containers(spec, "initContainers"):
        own = _with_non_missing(container_quantities(container, which), non_missing)
        if is_sidecar(container):
            add_into(result, own)
            add_into(running, own)
            need = running
        else:
            need = {}
            add_into(need, own)
            add_into(need, running)
        max_into(init_peak, need)
    max_into(result, init_peak)
    return result


def _with_non_missing(
    values: ResourceQuantities, non_missing: Mapping[str, Quantity] | None
) -> ResourceQuantities:
    """helpers.go `applyNonMissing`: missing keys take the given value (a set key, even zero,
    is kept)."""
    if not non_missing:
        return values
    out = dict(values)
    for name, value in non_missing.items():
        out.setdefault(name, value)
    return out


def _pod_level(spec: Any, which: str) -> ResourceQuantities:
    resources = spec.get("resources") if isinstance(spec, Mapping) else None
    return resource_list(resources.get(which) if isinstance(resources, Mapping) else None)


def _supported(values: Mapping[str, Quantity]) -> ResourceQuantities:
    return {k: v for k, v in values.items() if is_supported_pod_level_resource(k)}


def pod_request_quantities(
    spec: Any,
    *,
    exclude_overhead: bool = False,
    pod_level: bool = True,
    skip_container_level: bool = False,
    non_missing: Mapping[str, Quantity] | None = None,
) -> ResourceQuantities:
    """`PodRequests` with the given PodResourcesOptions (`ExcludeOverhead`,
    `SkipPodLevelResources` = not `pod_level`, `SkipContainerLevelResources`,
    `NonMissingContainerRequests`)."""
    reqs: ResourceQuantities = {}
    if not skip_container_level:
        reqs = aggregate_containers(spec, "requests", non_missing)
    pod_reqs = _supported(_pod_level(spec, "requests"))
    if pod_level and pod_reqs:  # IsPodLevelRequestsSet
        reqs.update(pod_reqs)  # applyPodLevelResources
    if not exclude_overhead:
        add_into(reqs, resource_list(spec.get("overhead") if isinstance(spec, Mapping) else None))
    return reqs


def pod_limit_quantities(
    spec: Any, *, exclude_overhead: bool = False, pod_level: bool = True
) -> ResourceQuantities:
    """`PodLimits`: overhead is added only to limits that are set and non-zero."""
    limits = aggregate_containers(spec, "limits")
    # IsPodLevelResourcesSet: pod-level requests or limits name a supported resource.
    if pod_level and (
        _supported(_pod_level(spec, "requests")) or _supported(_pod_level(spec, "limits"))
    ):
        limits.update(_supported(_pod_level(spec, "limits")))
    if not exclude_overhead:
        overhead = resource_list(spec.get("overhead") if isinstance(spec, Mapping) else None)
        for name, extra in overhead.items():
            current = limits.get(name)
            if current is not None and current.value != 0:
                add_into(limits, {name: extra})
    return limits


def pod_requests(spec: Any, **options: Any) -> ResourceAmounts:
    """The pod's effective requests (`PodRequests`; options as `pod_request_quantities`)."""
    return amounts(pod_request_quantities(spec, **options))


def pod_limits(spec: Any, **options: Any) -> ResourceAmounts:
    """The pod's effective limits (`PodLimits`; options as `pod_limit_quantities`)."""
    return amounts(pod_limit_quantities(spec, **options))


# ---------------------------------------------------------------------------------------------
# SetDefaults_Pod (resources only)


def default_pod_spec(
    spec: Mapping[str, Any], *, pod_level: bool = True, pod_limits_from_containers: bool = False
) -> dict[str, Any]:
    """A copy of `spec` with `SetDefaults_Pod`'s resource defaulting applied.

    1. Per container and init container (not ephemeral) with `limits`: each limit missing from
       `requests` is copied there.
    2. With PodLevelResources (`pod_level`), in this order: `defaultHugePagePodLimits`,
       `defaultPodRequests`, `defaultPodLimits`.

    The API server runs this for every Pod it decodes, including the pods a controller creates
    from a template; it does not run it on the template itself (`SetDefaults_Pod` is registered
    for v1.Pod only), so a Deployment's stored template keeps its missing requests.

    `defaultPodLimits` (pod-level limits from container limits when pod-level requests are set)
    calls component-helpers `AllContainersHaveLimitForResource`, whose source kubeplan has not
    read; it is applied only with `pod_limits_from_containers=True`, reading it as "every
    container and init container sets that limit" (not verified).
    """
    out = copy.deepcopy(dict(spec))
    for field in ("containers", "initContainers"):
        for container in containers(out, field):
            _requests_from_limits(container)
    if pod_level:
        _default_hugepage_pod_limits(out)
        _default_pod_requests(out)
        if pod_limits_from_containers:
            _default_pod_limits(out)
    return out


def _requests_from_limits(container: Any) -> None:
    resources = container.get("resources")
    if not isinstance(resources, dict):
        return
    limits = resources.get("limits")
    if not isinstance(limits, Mapping):
        return
    requests = resources.get("requests")
    if requests is not None and not isinstance(requests, dict):
        return  # malformed: validation reports it
    # Fresh maps: a YAML alias can share one mapping between containers.
    resources = container["resources"] = dict(resources)
    requests = resources["requests"] = dict(requests or {})
    for key, value in limits.items():
        requests.setdefault(key, value)


def _pod_resources(spec: dict[str, Any]) -> dict[str, Any] | None:
    resources = spec.get("resources")
    return resources if isinstance(resources, dict) else None


def _is_overcommit_allowed(name: str) -> bool:
    """pkg/apis/core/v1/helper `IsOvercommitAllowed`: a native resource (no `/`, or in the
    `kubernetes.io/` namespace) that is not hugepages."""
    native = "/" not in name or "kubernetes.io/" in name
    return native and not name.startswith(HUGEPAGES_PREFIX)


def _default_hugepage_pod_limits(spec: dict[str, Any]) -> None:
    """`defaultHugePagePodLimits`: with pod-level resources partly set, pod-level hugepages
    limits default to the containers' aggregate, unless a pod-level request names them."""
    resources = _pod_resources(spec)
    if resources is None:
        return
    limits = resources.get("limits")
    requests = resources.get("requests")
    if not limits and not requests:
        return
    pod_limits_map = dict(limits) if isinstance(limits, Mapping) else {}
    pod_requests_map = requests if isinstance(requests, Mapping) else {}
    for key, value in aggregate_containers(spec, "limits").items():
        if not key.startswith(HUGEPAGES_PREFIX) or key in pod_requests_map:
            continue
        pod_limits_map.setdefault(key, str(value))
    if pod_limits_map:
        resources["limits"] = pod_limits_map


def _default_pod_requests(spec: dict[str, Any]) -> None:
    """`defaultPodRequests`: with pod-level limits set, a pod-level request missing for a
    supported resource defaults to the containers' aggregate request (overcommittable
    resources only), else to the pod-level limit."""
    resources = _pod_resources(spec)
    if resources is None or not isinstance(resources.get("limits"), Mapping):
        return
    limits = resources["limits"]
    if not limits:
        return
    requests = resources.get("requests")
    pod_reqs = dict(requests) if isinstance(requests, Mapping) else {}
    for key, value in aggregate_containers(spec, "requests").items():
        if (
            key not in pod_reqs
            and is_supported_pod_level_resource(key)
            and _is_overcommit_allowed(key)
        ):
            pod_reqs[key] = str(value)
    for key, value in limits.items():
        if key not in pod_reqs and is_supported_pod_level_resource(str(key)):
            pod_reqs[key] = value
    if pod_reqs:
        resources["requests"] = pod_reqs


def _default_pod_limits(spec: dict[str, Any]) -> None:
    """`defaultPodLimits` (see `default_pod_spec` for what is not verified)."""
    if _supported(_pod_level(spec, "limits")) or not _supported(_pod_level(spec, "requests")):
        return
    resources = _pod_resources(spec)
    if resources is None:
        return
    limits = resources.get("limits")
    pod_lims = dict(limits) if isinstance(limits, Mapping) else {}
    every = [*containers(spec, "containers"), *containers(spec, "initContainers")]
    for key, value in aggregate_containers(spec, "limits").items():
        if key in pod_lims or not is_supported_pod_level_resource(key):
            continue
        if not _is_overcommit_allowed(key):
            continue
        if all(key in container_quantities(c, "limits") for c in every):
            pod_lims[key] = str(value)
    if pod_lims:
        resources["limits"] = pod_lims
