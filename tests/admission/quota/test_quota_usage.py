"""What one object charges to quota, ported from kubernetes/kubernetes
pkg/quota/v1/evaluator/core/{pods,services,persistent_volume_claims}_test.go, plus the
object-count evaluator (generic/evaluator.go) and the requests each evaluator handles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from kubeplan.admission.quota.usage import (
    charges,
    handles,
    matching_resources,
    usage,
    usage_quantities,
)
from kubeplan.kube.quantity import parse


def q(text: str) -> Fraction:
    parsed = parse(text)
    assert parsed is not None
    return parsed.value


def expect(**amounts: str) -> dict[str, Fraction]:
    return {name.replace("__", "/").replace("_", "."): q(v) for name, v in amounts.items()}


def res(requests: dict | None = None, limits: dict | None = None) -> dict:
    out: dict = {}
    if requests is not None:
        out["requests"] = requests
    if limits is not None:
        out["limits"] = limits
    return {"resources": out}


def pod(containers=(), init=(), **spec) -> dict:
    body: dict = {"spec": {**spec}}
    if containers:
        body["spec"]["containers"] = list(containers)
    if init:
        body["spec"]["initContainers"] = list(init)
    return body


ONE = {"pods": Fraction(1), "count/pods": Fraction(1)}

# TestPodEvaluatorUsage (pods_test.go), the cases kube/podresources.py covers today.
POD_USAGE = {
    "init container CPU": (
        pod(init=[res({"cpu": "1m"}, {"cpu": "2m"})]),
        {**ONE, "requests.cpu": q("1m"), "limits.cpu": q("2m"), "cpu": q("1m")},
    ),
    "init container MEM": (
        pod(init=[res({"memory": "1m"}, {"memory": "2m"})]),
        {**ONE, "requests.memory": q("1m"), "limits.memory": q("2m"), "memory": q("1m")},
    ),
    "init container local ephemeral storage": (
        pod(init=[res({"ephemeral-storage": "32Mi"}, {"ephemeral-storage": "64Mi"})]),
        {
            **ONE,
            "ephemeral-storage": q("32Mi"),
            "requests.ephemeral-storage": q("32Mi"),
            "limits.ephemeral-storage": q("64Mi"),
        },
    ),
    "init container hugepages": (
        pod(init=[res({"hugepages-2Mi": "100Mi"})]),
        {**ONE, "hugepages-2Mi": q("100Mi"), "requests.hugepages-2Mi": q("100Mi")},
    ),
    "init container extended resources": (
        pod(init=[res({"example.com/dongle": "3"}, {"example.com/dongle": "3"})]),
        {**ONE, "requests.example.com/dongle": q("3")},
    ),
    "init container implicit extended resources": (
        pod(
            init=[
                res(
                    {"deviceclass.resource.kubernetes.io/dongle": "3"},
                    {"deviceclass.resource.kubernetes.io/dongle": "3"},
                )
            ]
        ),
        {**ONE, "requests.deviceclass.resource.kubernetes.io/dongle": q("3")},
    ),
    "container CPU": (
        pod([res({"cpu": "1m"}, {"cpu": "2m"})]),
        {**ONE, "requests.cpu": q("1m"), "limits.cpu": q("2m"), "cpu": q("1m")},
    ),
    "container MEM": (
        pod([res({"memory": "1m"}, {"memory": "2m"})]),
        {**ONE, "requests.memory": q("1m"), "limits.memory": q("2m"), "memory": q("1m")},
    ),
    "container local ephemeral storage": (
        pod([res({"ephemeral-storage": "32Mi"}, {"ephemeral-storage": "64Mi"})]),
        {
            **ONE,
            "ephemeral-storage": q("32Mi"),
            "requests.ephemeral-storage": q("32Mi"),
            "limits.ephemeral-storage": q("64Mi"),
        },
    ),
    "container hugepages": (
        pod([res({"hugepages-2Mi": "100Mi"})]),
        {**ONE, "hugepages-2Mi": q("100Mi"), "requests.hugepages-2Mi": q("100Mi")},
    ),
    "container extended resources": (
        pod([res({"example.com/dongle": "3"}, {"example.com/dongle": "3"})]),
        {**ONE, "requests.example.com/dongle": q("3")},
    ),
    "container implicit extended resources": (
        pod(
            [
                res(
                    {"deviceclass.resource.kubernetes.io/dongle": "3"},
                    {"deviceclass.resource.kubernetes.io/dongle": "3"},
                )
            ]
        ),
        {**ONE, "requests.deviceclass.resource.kubernetes.io/dongle": q("3")},
    ),
    "terminated generic count still appears": (
        {
            **pod([res({"example.com/dongle": "3"}, {"example.com/dongle": "3"})]),
            "status": {"phase": "Succeeded"},
        },
        {"count/pods": Fraction(1)},
    ),
    "init container maximums override sum of containers": (
        pod(
            [
                res(
                    {"cpu": "1", "memory": "50M", "example.com/dongle": "1"},
                    {"cpu": "2", "memory": "100M", "example.com/dongle": "1"},
                ),
                res(
                    {"cpu": "2", "memory": "25M", "example.com/dongle": "2"},
                    {"cpu": "5", "memory": "50M", "example.com/dongle": "2"},
                ),
            ],
            init=[
                res(
                    {"cpu": "4", "memory": "100M", "example.com/dongle": "4"},
                    {"cpu": "8", "memory": "200M", "example.com/dongle": "4"},
                ),
                res(
                    {"cpu": "1", "memory": "50M", "example.com/dongle": "2"},
                    {"cpu": "2", "memory": "100M", "example.com/dongle": "2"},
                ),
            ],
        ),
        {
            **ONE,
            "requests.cpu": q("4"),
            "requests.memory": q("100M"),
            "limits.cpu": q("8"),
            "limits.memory": q("200M"),
            "cpu": q("4"),
            "memory": q("100M"),
            "requests.example.com/dongle": q("4"),
        },
    ),
}


@pytest.mark.parametrize("name", POD_USAGE)
def test_pod_evaluator_usage(name: str) -> None:
    """TestPodEvaluatorUsage."""
    body, want = POD_USAGE[name]
    assert usage("", "Pod", body) == want


# TestPodEvaluatorUsage cases that need pod overhead and pod-level resources in
# kube/podresources.py (PodRequests/PodLimits), which its exact version adds.
POD_USAGE_PODRESOURCES = {
    "count pod overhead as usage": (
        pod([res({"cpu": "1"}, {"cpu": "2"})], overhead={"cpu": "1"}),
        {**ONE, "requests.cpu": q("2"), "limits.cpu": q("3"), "cpu": q("2")},
    ),
    "pod-level CPU": (
        pod(resources={"requests": {"cpu": "1m"}, "limits": {"cpu": "2m"}}),
        {**ONE, "requests.cpu": q("1m"), "limits.cpu": q("2m"), "cpu": q("1m")},
    ),
    "pod-level memory with container-level ephemeral storage": (
        pod(
            [res({"ephemeral-storage": "32Mi"}, {"ephemeral-storage": "64Mi"})],
            resources={"requests": {"memory": "1Mi"}, "limits": {"memory": "2Mi"}},
        ),
        {
            **ONE,
            "ephemeral-storage": q("32Mi"),
            "requests.ephemeral-storage": q("32Mi"),
            "limits.ephemeral-storage": q("64Mi"),
            "requests.memory": q("1Mi"),
            "limits.memory": q("2Mi"),
            "memory": q("1Mi"),
        },
    ),
}


@pytest.mark.parametrize("name", POD_USAGE_PODRESOURCES)
def test_pod_evaluator_usage_pod_totals(name: str) -> None:
    """TestPodEvaluatorUsage: overhead and pod-level resources (kube/podresources.py)."""
    body, want = POD_USAGE_PODRESOURCES[name]
    assert usage("", "Pod", body) == want


def test_pod_deletion_timestamp_exceeded_and_not() -> None:
    """TestPodEvaluatorUsage "pod deletion timestamp exceeded" / "not exceeded": a pod past
    deletionTimestamp + deletionGracePeriodSeconds charges only count/pods."""
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    past = (now - timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = pod([res({"cpu": "1", "memory": "50M"}, {"cpu": "2", "memory": "100M"})])
    body["metadata"] = {"deletionTimestamp": past, "deletionGracePeriodSeconds": 30}
    assert usage("", "Pod", body, now=now) == {"count/pods": Fraction(1)}
    body["metadata"]["deletionTimestamp"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    got = usage("", "Pod", body, now=now)
    assert got["requests.cpu"] == 1 and got["pods"] == 1


def test_pod_usage_limits_fill_missing_requests() -> None:
    """SetDefaults_Pod (pkg/apis/core/v1/defaults.go): limits alone are also the requests the
    API server stores, so quota charges them as requests."""
    got = usage("", "Pod", pod([res(limits={"cpu": "500m", "memory": "1Gi"})]))
    assert got["requests.cpu"] == q("500m") and got["requests.memory"] == q("1Gi")


def test_pod_usage_pod_spec_replaces_body_spec() -> None:
    """The lead passes the LimitRange-defaulted spec as pod_spec."""
    body = pod([{"name": "app"}])
    defaulted = {"containers": [{"name": "app", **res({"cpu": "100m"}, {"cpu": "200m"})}]}
    assert usage("", "Pod", body, pod_spec=defaulted)["requests.cpu"] == q("100m")


def test_pod_usage_keeps_each_amount_format() -> None:
    """Messages print amounts in the format they were written in (Quantity.String)."""
    got = usage_quantities(
        "", "Pod", pod([res({"memory": "1Gi", "cpu": "0.5"}), res({"memory": "512Mi"})])
    )
    assert got["requests.memory"].format == "BinarySI"
    assert got["requests.memory"].value == q("1536Mi")
    assert got["cpu"].format == "DecimalSI"


# TestServiceEvaluatorUsage (services_test.go).
SVC = {"services": Fraction(1), "count/services": Fraction(1)}
PORT, PORT2 = {"port": 27443}, {"port": 27444}
SERVICE_USAGE = {
    "loadbalancer": (
        {"type": "LoadBalancer"},
        {**SVC, "services.nodeports": 0, "services.loadbalancers": 1},
    ),
    "loadbalancer_ports": (
        {"type": "LoadBalancer", "ports": [PORT]},
        {**SVC, "services.nodeports": 1, "services.loadbalancers": 1},
    ),
    "loadbalancer_2_ports": (
        {"type": "LoadBalancer", "ports": [PORT, PORT2]},
        {**SVC, "services.nodeports": 2, "services.loadbalancers": 1},
    ),
    "clusterip": (
        {"type": "ClusterIP"},
        {**SVC, "services.nodeports": 0, "services.loadbalancers": 0},
    ),
    "nodeports": (
        {"type": "NodePort", "ports": [PORT]},
        {**SVC, "services.nodeports": 1, "services.loadbalancers": 0},
    ),
    "multi-nodeports": (
        {"type": "NodePort", "ports": [PORT, PORT2]},
        {**SVC, "services.nodeports": 2, "services.loadbalancers": 0},
    ),
    "nodeports-disabled": (
        {"type": "LoadBalancer", "ports": [PORT, PORT2], "allocateLoadBalancerNodePorts": False},
        {**SVC, "services.nodeports": 0, "services.loadbalancers": 1},
    ),
    "nodeports-default-enabled": (
        {
            "type": "LoadBalancer",
            "ports": [{"port": 27443, "nodePort": 32001}, {"port": 27444, "nodePort": 32002}],
        },
        {**SVC, "services.nodeports": 2, "services.loadbalancers": 1},
    ),
    "nodeports-explicitly-enabled": (
        {"type": "LoadBalancer", "ports": [PORT, PORT2], "allocateLoadBalancerNodePorts": True},
        {**SVC, "services.nodeports": 2, "services.loadbalancers": 1},
    ),
    "nodeports-disabled-but-specified": (
        {
            "type": "LoadBalancer",
            "ports": [{"port": 27443, "nodePort": 32001}, {"port": 27444, "nodePort": 32002}],
            "allocateLoadBalancerNodePorts": False,
        },
        {**SVC, "services.nodeports": 2, "services.loadbalancers": 1},
    ),
}


@pytest.mark.parametrize("name", SERVICE_USAGE)
def test_service_evaluator_usage(name: str) -> None:
    """TestServiceEvaluatorUsage."""
    spec, want = SERVICE_USAGE[name]
    assert usage("", "Service", {"spec": spec}) == want


def test_service_evaluator_matching_resources() -> None:
    """TestServiceEvaluatorMatchingResources."""
    hard = ["configmaps", "cpu", "services", "services.nodeports", "services.loadbalancers"]
    assert set(matching_resources("", "Service", hard)) == {
        "services",
        "services.nodeports",
        "services.loadbalancers",
    }


# TestPersistentVolumeClaimEvaluatorUsage (persistent_volume_claims_test.go).
PVC = {"persistentvolumeclaims": Fraction(1), "count/persistentvolumeclaims": Fraction(1)}
GOLD = "gold.storageclass.storage.k8s.io/"


def claim(storage: str, klass: str | None = None, allocated: str | None = None) -> dict:
    body: dict = {
        "spec": {
            "accessModes": ["ReadWriteOnce", "ReadOnlyMany"],
            "resources": {"requests": {"storage": storage}},
        }
    }
    if klass:
        body["spec"]["storageClassName"] = klass
    if allocated:
        body["status"] = {"allocatedResources": {"storage": allocated}}
    return body


PVC_USAGE = {
    "pvc-usage": (claim("10Gi"), {**PVC, "requests.storage": q("10Gi")}),
    "pvc-usage-by-class": (
        claim("10Gi", "gold"),
        {
            **PVC,
            "requests.storage": q("10Gi"),
            GOLD + "requests.storage": q("10Gi"),
            GOLD + "persistentvolumeclaims": Fraction(1),
        },
    ),
    "pvc-usage-rounded": (claim("1001m"), {**PVC, "requests.storage": Fraction(2)}),
    "pvc-usage-by-class-rounded": (
        claim("1001m", "gold"),
        {
            **PVC,
            "requests.storage": Fraction(2),
            GOLD + "requests.storage": Fraction(2),
            GOLD + "persistentvolumeclaims": Fraction(1),
        },
    ),
    "pvc-usage-higher-allocated-resource": (
        claim("5G", allocated="10G"),
        {**PVC, "requests.storage": q("10G")},
    ),
    "pvc-usage-lower-allocated-resource": (
        claim("10G", allocated="5G"),
        {**PVC, "requests.storage": q("10G")},
    ),
}


@pytest.mark.parametrize("name", PVC_USAGE)
def test_persistent_volume_claim_evaluator_usage(name: str) -> None:
    """TestPersistentVolumeClaimEvaluatorUsage."""
    body, want = PVC_USAGE[name]
    assert usage("", "PersistentVolumeClaim", body) == want


def test_pvc_beta_storage_class_annotation_wins() -> None:
    """GetPersistentVolumeClaimClass: the beta annotation is read before storageClassName."""
    body = claim("1Gi", "gold")
    body["metadata"] = {"annotations": {"volume.beta.kubernetes.io/storage-class": "bronze"}}
    got = usage("", "PersistentVolumeClaim", body)
    assert "bronze.storageclass.storage.k8s.io/requests.storage" in got
    assert GOLD + "requests.storage" not in got


@pytest.mark.parametrize(
    ("items", "want"),
    [
        (
            [
                "count/persistentvolumeclaims",
                "requests.storage",
                "persistentvolumeclaims",
                GOLD + "requests.storage",
                GOLD + "persistentvolumeclaims",
            ],
            [
                "count/persistentvolumeclaims",
                "requests.storage",
                "persistentvolumeclaims",
                GOLD + "requests.storage",
                GOLD + "persistentvolumeclaims",
            ],
        ),
        (
            [
                "storage",
                "ephemeral-storage",
                "bronze.storageclass.storage.k8s.io/storage",
                "gold.storage.k8s.io/requests.storage",
            ],
            [],
        ),
    ],
    ids=["supported-resources", "unsupported-resources"],
)
def test_persistent_volume_claim_evaluator_matching_resources(items, want) -> None:
    """TestPersistentVolumeClaimEvaluatorMatchingResources."""
    assert matching_resources("", "PersistentVolumeClaim", items) == want


def test_pod_evaluator_matching_resources() -> None:
    """pods.go MatchingResources: podResources, hugepages prefixes, `requests.<extended>`;
    an extended name without `requests.` and services are not pods' (TestPodEvaluator...)."""
    hard = [
        "cpu",
        "requests.memory",
        "limits.cpu",
        "pods",
        "count/pods",
        "hugepages-2Mi",
        "requests.hugepages-1Gi",
        "requests.example.com/dongle",
        "example.com/dongle",
        "requests.deviceclass.resource.kubernetes.io/gpu",
        "services",
    ]
    assert sorted(matching_resources("", "Pod", hard)) == sorted(
        [
            "count/pods",
            "cpu",
            "limits.cpu",
            "pods",
            "requests.memory",
            "hugepages-2Mi",
            "requests.hugepages-1Gi",
            "requests.example.com/dongle",
            "requests.deviceclass.resource.kubernetes.io/gpu",
        ]
    )


@pytest.mark.parametrize(
    ("group", "kind", "want"),
    [
        ("apps", "Deployment", {"count/deployments.apps": Fraction(1)}),
        ("batch", "Job", {"count/jobs.batch": Fraction(1)}),
        ("", "ConfigMap", {"count/configmaps": Fraction(1), "configmaps": Fraction(1)}),
        ("", "Secret", {"count/secrets": Fraction(1), "secrets": Fraction(1)}),
        (
            "",
            "ReplicationController",
            {"count/replicationcontrollers": Fraction(1), "replicationcontrollers": Fraction(1)},
        ),
        (
            "",
            "ResourceQuota",
            {"count/resourcequotas": Fraction(1), "resourcequotas": Fraction(1)},
        ),
        ("", "ServiceAccount", {"count/serviceaccounts": Fraction(1)}),
        ("", "Event", {}),
        ("events.k8s.io", "Event", {}),
    ],
)
def test_object_count_usage(group: str, kind: str, want: dict) -> None:
    """generic.ObjectCountQuotaResourceNameFor, registry.go legacyObjectCountAliases,
    install/registry.go ignoredResources (events are never counted)."""
    assert usage(group, kind, {}) == want


def test_custom_resource_count_needs_its_plural() -> None:
    """A CRD's kind is counted as count/<plural>.<group>; kube/kinds.py does not know it, the
    caller passes spec.names.plural."""
    assert usage("example.com", "Widget", {}) == {}
    assert usage("example.com", "Widget", {}, resource_name="widgets") == {
        "count/widgets.example.com": Fraction(1)
    }


@pytest.mark.parametrize(
    ("group", "kind", "operation", "subresource", "want"),
    [
        ("", "Pod", "CREATE", "", True),
        ("", "Pod", "UPDATE", "", False),
        ("", "Pod", "UPDATE", "resize", True),
        ("", "Pod", "CREATE", "resize", False),
        ("", "Pod", "UPDATE", "status", False),
        ("", "Service", "CREATE", "", True),
        ("", "Service", "UPDATE", "", True),
        ("", "PersistentVolumeClaim", "CREATE", "", True),
        ("", "PersistentVolumeClaim", "UPDATE", "", True),
        ("", "PersistentVolumeClaim", "DELETE", "", False),
        ("", "PersistentVolumeClaim", "CONNECT", "", False),
        ("", "PersistentVolumeClaim", "CREATE", "subresource", False),
        ("", "PersistentVolumeClaim", "UPDATE", "subresource", False),
        ("apps", "Deployment", "CREATE", "", True),
        ("apps", "Deployment", "UPDATE", "", False),
        ("", "ConfigMap", "DELETE", "", False),
        ("", "Event", "CREATE", "", False),
    ],
)
def test_evaluator_handles(group, kind, operation, subresource, want) -> None:
    """Each evaluator's Handles (pods.go, services.go, persistent_volume_claims.go
    TestPersistentVolumeClaimEvaluatorHandles, generic objectCountEvaluator)."""
    assert handles(group, kind, operation, subresource=subresource) is want


def test_pod_update_handled_when_terminating_scope_changes() -> None:
    """pods.go Handles: a plain pod UPDATE is evaluated when IsTerminating changes."""
    old = pod([{"name": "a"}])
    new = pod([{"name": "a"}], activeDeadlineSeconds=30)
    assert handles("", "Pod", "UPDATE", body=new, old_body=old)
    assert not handles("", "Pod", "UPDATE", body=new, old_body=new)


def test_pvc_status_update_always_handled() -> None:
    """persistent_volume_claims.go Handles "status": RequiresQuotaReplenish compares two
    fresh pointers (ResourceList.Storage), so even an unchanged status update is handled."""
    old = claim("1Gi", allocated="1Gi")
    assert handles(
        "", "PersistentVolumeClaim", "UPDATE", subresource="status", body=old, old_body=old
    )
    assert not handles("", "PersistentVolumeClaim", "UPDATE", subresource="status")
    assert not charges(
        "", "PersistentVolumeClaim", "UPDATE", subresource="status", body=old, old_body=old
    )


@pytest.mark.parametrize(
    ("group", "kind", "operation", "subresource", "want"),
    [
        ("", "Pod", "CREATE", "", True),
        ("", "Pod", "UPDATE", "resize", False),
        ("", "Pod", "CREATE", "subresource", False),
        ("", "Namespace", "CREATE", "", False),
        ("rbac.authorization.k8s.io", "ClusterRole", "CREATE", "", False),
        ("", "Pod", "DELETE", "", False),
        ("apps", "Deployment", "CREATE", "", True),
    ],
)
def test_charges_plugin_gate(group, kind, operation, subresource, want) -> None:
    """admission.go QuotaAdmission.Validate: subresources, cluster-scoped requests and
    Namespace creation are never evaluated (apiserver admission_test.go
    TestExcludedOperations, plugin admission_test.go TestAdmissionIgnoresSubresources,
    TestAdmissionIgnoresDelete)."""
    assert charges(group, kind, operation, subresource=subresource) is want
