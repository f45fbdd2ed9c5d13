"""What one object charges to quota, which quota resource names its evaluator tracks, and which
requests quota admission evaluates.

Sources (kubernetes/kubernetes):
- pods: pkg/quota/v1/evaluator/core/pods.go (`podResources`, `MatchingResources`,
  `PodUsageFunc`, `podComputeUsageHelper`, `QuotaV1Pod`, `Handles`);
- services: .../core/services.go (`Usage`, `serviceResources`, `Handles`);
- PVCs: .../core/persistent_volume_claims.go (`Usage`, `getStorageUsage`, `MatchingResources`,
  `Handles`, `RequiresQuotaReplenish`);
- every other kind: staging/src/k8s.io/apiserver/pkg/quota/v1/generic/evaluator.go
  (`ObjectCountQuotaResourceNameFor`, `objectCountEvaluator`), with the legacy aliases of
  .../core/registry.go (`legacyObjectCountAliases`);
- ignored kinds: pkg/quota/v1/install/registry.go (`ignoredResources`);
- the plugin gate: staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/admission.go
  (`QuotaAdmission.Validate`).

A pod is read after API defaulting: pkg/apis/core/v1/defaults.go `SetDefaults_Pod` copies each
container's limits into its missing requests before admission runs; `usage` applies that copy
(idempotent, so an already defaulted `pod_spec` from LimitRange is fine).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from kubeplan.admission.quota.resources import ResourceList, add, amount, values
from kubeplan.kube import kinds, names, podresources, quantity
from kubeplan.kube.quantity import Quantity

# corev1 resource names (staging/src/k8s.io/api/core/v1/types.go).
PODS = "pods"
COUNT_PODS = "count/pods"
SERVICES = "services"
COUNT_SERVICES = "count/services"
NODEPORTS = "services.nodeports"
LOADBALANCERS = "services.loadbalancers"
PVCS = "persistentvolumeclaims"
COUNT_PVCS = "count/persistentvolumeclaims"
REQUESTS_STORAGE = "requests.storage"
REQUESTS_PREFIX = "requests."
HUGEPAGES_PREFIX = "hugepages-"
REQUESTS_HUGEPAGES_PREFIX = "requests.hugepages-"
STORAGE_CLASS_SUFFIX = ".storageclass.storage.k8s.io/"
BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"
DEVICE_CLASS_PREFIX = "deviceclass.resource.kubernetes.io/"  # resource/v1 ResourceDeviceClassPrefix

# pods.go podResources.
POD_RESOURCES = frozenset(
    {
        COUNT_PODS,
        "cpu",
        "memory",
        "ephemeral-storage",
        "requests.cpu",
        "requests.memory",
        "requests.ephemeral-storage",
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
        PODS,
    }
)
POD_RESOURCE_PREFIXES = (HUGEPAGES_PREFIX, REQUESTS_HUGEPAGES_PREFIX)
SERVICE_RESOURCES = (COUNT_SERVICES, SERVICES, LOADBALANCERS, NODEPORTS)  # services.go
PVC_RESOURCES = (PVCS, REQUESTS_STORAGE)  # persistent_volume_claims.go pvcResources

# registry.go legacyObjectCountAliases (core group resource -> alias).
LEGACY_ALIASES = {
    "configmaps": "configmaps",
    "resourcequotas": "resourcequotas",
    "replicationcontrollers": "replicationcontrollers",
    "secrets": "secrets",
}

# install/registry.go ignoredResources: (group, resource).
IGNORED = frozenset(
    {
        ("", "bindings"),
        ("", "componentstatuses"),
        ("authentication.k8s.io", "tokenreviews"),
        ("authentication.k8s.io", "selfsubjectreviews"),
        ("authorization.k8s.io", "subjectaccessreviews"),
        ("authorization.k8s.io", "selfsubjectaccessreviews"),
        ("authorization.k8s.io", "localsubjectaccessreviews"),
        ("authorization.k8s.io", "selfsubjectrulesreviews"),
        ("", "events"),
        ("events.k8s.io", "events"),
    }
)

CREATE, UPDATE = "CREATE", "UPDATE"


def evaluator_of(group: str, kind: str) -> str:
    """Which evaluator quota uses: "pods", "services", "pvcs" or "count"."""
    if group == "":
        return {"Pod": "pods", "Service": "services", "PersistentVolumeClaim": "pvcs"}.get(
            kind, "count"
        )
    return "count"


def resource_of(group: str, kind: str, resource_name: str | None = None) -> str | None:
    """The REST resource (plural) of a kind: kube/kinds.py for built-in kinds, else the
    `resource_name` the caller knows (a CRD's spec.names.plural); None when unknown."""
    info = kinds.builtin_kind(group, kind)
    if info is not None:
        return info.resource
    return resource_name


def object_count_name(group: str, resource: str) -> str:
    """generic.ObjectCountQuotaResourceNameFor."""
    return f"count/{resource}" if group == "" else f"count/{resource}.{group}"


# -- names tracked -------------------------------------------------------------------------------


def is_native_resource(name: str) -> bool:
    """helper.IsNativeResource: unqualified, or in the *kubernetes.io/ namespace."""
    return "/" not in name or "kubernetes.io/" in name


def is_extended_resource_name(name: str) -> bool:
    """pkg/apis/core/v1/helper IsExtendedResourceName."""
    if is_native_resource(name) or name.startswith(REQUESTS_PREFIX):
        return False
    return not names.is_qualified_name(REQUESTS_PREFIX + name)


def is_dra_extended_resource_name(name: str) -> bool:
    """pkg/scheduler/util IsDRAExtendedResourceName."""
    return is_extended_resource_name(name) or name.startswith(DEVICE_CLASS_PREFIX)


def _is_extended_name_for_quota(name: str) -> bool:
    """pods.go isExtendedResourceNameForQuota: `requests.<extended or device class>`."""
    implicit = name.startswith(REQUESTS_PREFIX + DEVICE_CLASS_PREFIX)
    return (not is_native_resource(name) or implicit) and name.startswith(REQUESTS_PREFIX)


def matching_resources(
    group: str, kind: str, hard: list[str], resource_name: str | None = None
) -> list[str]:
    """The evaluator's `MatchingResources(hard)`: which names of a quota it tracks (a list, in
    Go's order; `quota.Intersection` sorts)."""
    which = evaluator_of(group, kind)
    if which == "pods":
        result = sorted({n for n in hard if n in POD_RESOURCES})
        for name in hard:
            if name.startswith(POD_RESOURCE_PREFIXES):
                result.append(name)
            if _is_extended_name_for_quota(name):
                result.append(name)
        return result
    if which == "services":
        return sorted({n for n in hard if n in SERVICE_RESOURCES})
    if which == "pvcs":
        suffixes = tuple(STORAGE_CLASS_SUFFIX + r for r in PVC_RESOURCES)
        return [n for n in hard if n == COUNT_PVCS or n in PVC_RESOURCES or n.endswith(suffixes)]
    return sorted({n for n in hard if n in _count_names(group, kind, resource_name)})


def _count_names(group: str, kind: str, resource_name: str | None) -> tuple[str, ...]:
    resource = resource_of(group, kind, resource_name)
    if resource is None:
        return ()
    alias = LEGACY_ALIASES.get(resource) if group == "" else None
    return (object_count_name(group, resource),) + ((alias,) if alias else ())


# -- usage ---------------------------------------------------------------------------------------


def usage(
    resource_group: str,
    kind: str,
    body: Mapping[str, Any],
    *,
    pod_spec: Mapping[str, Any] | None = None,
    resource_name: str | None = None,
    now: datetime | None = None,
) -> dict[str, Fraction]:
    """What one object charges (the evaluator's `Usage`), as exact amounts."""
    return values(
        usage_quantities(
            resource_group, kind, body, pod_spec=pod_spec, resource_name=resource_name, now=now
        )
    )


def usage_quantities(
    resource_group: str,
    kind: str,
    body: Mapping[str, Any],
    *,
    pod_spec: Mapping[str, Any] | None = None,
    resource_name: str | None = None,
    now: datetime | None = None,
) -> ResourceList:
    """`usage` with the format of each amount (what error messages print).

    A pod's status (phase) and metadata (deletionTimestamp) are read from `body`; `pod_spec`
    replaces `body.spec` when given. Ignored kinds and kinds whose resource is unknown charge
    nothing."""
    which = evaluator_of(resource_group, kind)
    if which == "pods":
        spec = pod_spec if pod_spec is not None else _dict(body.get("spec"))
        return pod_usage(body, dict(spec), now=now)
    if which == "services":
        return service_usage(body)
    if which == "pvcs":
        return pvc_usage(body)
    resource = resource_of(resource_group, kind, resource_name)
    if resource is None or (resource_group, resource) in IGNORED:
        return {}
    return {name: amount(1) for name in _count_names(resource_group, kind, resource_name)}


def defaulted_pod_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """SetDefaults_Pod (pkg/apis/core/v1/defaults.go): each container's and init container's
    limits fill its missing requests."""
    out = dict(spec)
    for key in ("containers", "initContainers"):
        containers = spec.get(key)
        if isinstance(containers, list):
            out[key] = [_defaulted_container(c) for c in containers]
    return out


def _defaulted_container(container: Any) -> Any:
    if not isinstance(container, dict):
        return container
    resources = _dict(container.get("resources"))
    limits = _dict(resources.get("limits"))
    if not limits:
        return container
    requests = dict(_dict(resources.get("requests")))
    missing = {k: v for k, v in limits.items() if k not in requests}
    if not missing:
        return container
    requests.update(missing)
    return {**container, "resources": {**resources, "requests": requests}}


def pod_usage(
    pod: Mapping[str, Any], spec: dict[str, Any], *, now: datetime | None = None
) -> ResourceList:
    """PodUsageFunc: `count/pods` always; the rest only while the pod is charged."""
    result: ResourceList = {COUNT_PODS: amount(1)}
    if not quota_v1_pod(pod, now=now):
        return result
    spec = defaulted_pod_spec(spec)
    requests = _with_formats(podresources.pod_requests(spec), spec, "requests")
    limits = _with_formats(podresources.pod_limits(spec), spec, "limits")
    return add(result, pod_compute_usage(requests, limits))


def pod_compute_usage(requests: ResourceList, limits: ResourceList) -> ResourceList:
    """podComputeUsageHelper."""
    result: ResourceList = {PODS: amount(1)}
    for name in ("cpu", "memory", "ephemeral-storage"):
        if name in requests:
            result[name] = requests[name]
            result[REQUESTS_PREFIX + name] = requests[name]
        if name in limits:
            result["limits." + name] = limits[name]
    for name, request in requests.items():
        if name.startswith(HUGEPAGES_PREFIX):
            result[name] = request
            result[REQUESTS_PREFIX + name] = request
        if is_dra_extended_resource_name(name):
            result[REQUESTS_PREFIX + name] = request
    return result


def quota_v1_pod(pod: Mapping[str, Any], *, now: datetime | None = None) -> bool:
    """QuotaV1Pod: not Failed/Succeeded, and not past deletionTimestamp + grace period."""
    phase = _dict(pod.get("status")).get("phase")
    if phase in ("Failed", "Succeeded"):
        return False
    metadata = _dict(pod.get("metadata"))
    deleted = _timestamp(metadata.get("deletionTimestamp"))
    grace = metadata.get("deletionGracePeriodSeconds")
    if deleted is not None and isinstance(grace, int) and not isinstance(grace, bool):
        current = now or datetime.now(UTC)
        if current > deleted + timedelta(seconds=grace):
            return False
    return True


def _with_formats(totals: dict[str, Fraction], spec: dict[str, Any], which: str) -> ResourceList:
    """The pod's totals (kube/podresources.py) with the format Kubernetes keeps for each:
    PodRequests copies the first container's quantity and adds the others to it, and an init
    container that outweighs the sum replaces it (maxResourceList)."""
    first: dict[str, str] = {}
    container_sum: dict[str, Fraction] = {}
    for container in _list(spec.get("containers")):
        for name, q in _container_quantities(container, which).items():
            first.setdefault(name, q.format)
            container_sum[name] = container_sum.get(name, Fraction(0)) + q.value
    for container in _list(spec.get("initContainers")):
        for name, q in _container_quantities(container, which).items():
            if name not in first or (
                q.value == totals.get(name) and container_sum.get(name) != totals.get(name)
            ):
                first[name] = q.format
    for name, q in _quantities(spec.get("overhead")).items():
        first.setdefault(name, q.format)
    # Pod-level resources replace the containers' aggregate for cpu, memory, hugepages.
    pod_level = _quantities(_dict(spec.get("resources")).get(which))
    for name, q in pod_level.items():
        if q.value == totals.get(name):
            first[name] = q.format
    return {name: Quantity(value, first.get(name, "DecimalSI")) for name, value in totals.items()}


def _container_quantities(container: Any, which: str) -> dict[str, Quantity]:
    return _quantities(_dict(_dict(container).get("resources")).get(which))


def _quantities(values: Any) -> dict[str, Quantity]:
    out = {}
    for name, text in _dict(values).items():
        parsed = quantity.resource_list_value(text)
        if parsed is not None:
            out[str(name)] = parsed
    return out


def service_usage(service: Mapping[str, Any]) -> ResourceList:
    """services.go Usage (ServiceLBNodePortControl is GA: on)."""
    spec = _dict(service.get("spec"))
    ports = _list(spec.get("ports"))
    result: ResourceList = {
        COUNT_SERVICES: amount(1),
        SERVICES: amount(1),
        LOADBALANCERS: amount(0),
        NODEPORTS: amount(0),
    }
    kind = spec.get("type")
    if kind == "NodePort":
        result[NODEPORTS] = amount(len(ports))
    elif kind == "LoadBalancer":
        if spec.get("allocateLoadBalancerNodePorts") is False:
            explicit = [p for p in ports if isinstance(p, dict) and p.get("nodePort")]
            result[NODEPORTS] = amount(len(explicit))
        else:
            result[NODEPORTS] = amount(len(ports))
        result[LOADBALANCERS] = amount(1)
    return result


def storage_class(pvc: Mapping[str, Any]) -> str:
    """component-helpers storage/volume GetPersistentVolumeClaimClass: the beta annotation
    first, then spec.storageClassName."""
    annotations = _dict(_dict(pvc.get("metadata")).get("annotations"))
    if BETA_STORAGE_CLASS_ANNOTATION in annotations:
        return str(annotations[BETA_STORAGE_CLASS_ANNOTATION])
    name = _dict(pvc.get("spec")).get("storageClassName")
    return name if isinstance(name, str) else ""


def pvc_usage(pvc: Mapping[str, Any]) -> ResourceList:
    """persistent_volume_claims.go Usage."""
    result: ResourceList = {PVCS: amount(1), COUNT_PVCS: amount(1)}
    klass = storage_class(pvc)
    if klass:
        result[klass + STORAGE_CLASS_SUFFIX + PVCS] = amount(1)
    storage = _storage_usage(pvc)
    if storage is not None:
        result[REQUESTS_STORAGE] = storage
        if klass:
            result[klass + STORAGE_CLASS_SUFFIX + REQUESTS_STORAGE] = storage
    return result


def _storage_usage(pvc: Mapping[str, Any]) -> Quantity | None:
    """getStorageUsage: the request rounded up to whole bytes; the allocated size when larger
    (only when a request is set)."""
    requests = _dict(_dict(_dict(pvc.get("spec")).get("resources")).get("requests"))
    result = None
    if "storage" in requests:
        result = _round_up_bytes(quantity.resource_list_value(requests["storage"]))
    allocated = _dict(_dict(pvc.get("status")).get("allocatedResources"))
    if not allocated or result is None or "storage" not in allocated:
        return result
    size = quantity.resource_list_value(allocated["storage"])
    if size is not None and size.value > result.value:
        result = _round_up_bytes(size)
    return result


def _round_up_bytes(value: Quantity | None) -> Quantity | None:
    if value is None or value.value.denominator == 1:
        return value
    whole = -(-value.value.numerator // value.value.denominator)
    return Quantity(Fraction(whole), value.format)


# -- which requests ------------------------------------------------------------------------------


def handles(
    group: str,
    kind: str,
    operation: str,
    *,
    subresource: str = "",
    body: Mapping[str, Any] | None = None,
    old_body: Mapping[str, Any] | None = None,
    resource_name: str | None = None,
) -> bool:
    """The evaluator's `Handles`: pods CREATE, UPDATE when the Terminating scope changes, and
    UPDATE of pods/resize; services CREATE and UPDATE; PVCs CREATE and UPDATE, and status
    UPDATEs; every other kind CREATE; ignored kinds never."""
    which = evaluator_of(group, kind)
    if which == "pods":
        if subresource == "resize":
            return operation == UPDATE
        if subresource:
            return False
        if operation == UPDATE and body is not None and old_body is not None:
            return is_terminating(_dict(old_body.get("spec"))) != is_terminating(
                _dict(body.get("spec"))
            )
        return operation == CREATE
    if which == "services":
        return operation in (CREATE, UPDATE)
    if which == "pvcs":
        if subresource == "status":
            # RequiresQuotaReplenish compares `Status.AllocatedResources.Storage()` pointers,
            # and ResourceList.Name returns a fresh pointer each call (core/v1
            # resource.go): the comparison is always "changed", so every status update of a
            # readable PVC is handled.
            return operation == UPDATE and body is not None and old_body is not None
        return not subresource and operation in (CREATE, UPDATE)
    resource = resource_of(group, kind, resource_name)
    if resource is not None and (group, resource) in IGNORED:
        return False
    return operation == CREATE


def charges(
    group: str,
    kind: str,
    operation: str,
    *,
    subresource: str = "",
    body: Mapping[str, Any] | None = None,
    old_body: Mapping[str, Any] | None = None,
    resource_name: str | None = None,
) -> bool:
    """Does quota admission evaluate this request? `QuotaAdmission.Validate` (admission.go)
    returns before evaluating any subresource request, a cluster-scoped request or the creation
    of a Namespace; then the evaluator's `handles` decides. (So pods/resize and PVC status
    updates, which the evaluators handle, are not reached through this plugin as read.)"""
    if subresource or (group == "" and kind == "Namespace"):
        return False
    info = kinds.builtin_kind(group, kind)
    if info is not None and not info.namespaced:
        return False
    return handles(
        group,
        kind,
        operation,
        body=body,
        old_body=old_body,
        resource_name=resource_name,
    )


def is_terminating(spec: Mapping[str, Any]) -> bool:
    """pods.go IsTerminating: activeDeadlineSeconds set and >= 0."""
    deadline = spec.get("activeDeadlineSeconds")
    return isinstance(deadline, int) and not isinstance(deadline, bool) and deadline >= 0


def volume_attributes_class_names(pvc: Mapping[str, Any]) -> set[str]:
    """getReferencedVolumeAttributesClassNames."""
    spec, status = _dict(pvc.get("spec")), _dict(pvc.get("status"))
    found = {
        spec.get("volumeAttributesClassName"),
        status.get("currentVolumeAttributesClassName"),
        _dict(status.get("modifyVolumeStatus")).get("targetVolumeAttributesClassName"),
    }
    return {n for n in found if isinstance(n, str) and n}


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
