"""Quota scopes and QoS, ported from kubernetes/kubernetes
pkg/quota/v1/evaluator/core/pods_test.go (TestPodEvaluatorMatchingScopes,
TestPodEvaluatorUsageStats scope cases), persistent_volume_claims_test.go
(TestPersistentVolumeClaimEvaluatorMatchingScopes) and generic/evaluator.go `Matches`."""

from __future__ import annotations

from fractions import Fraction

import pytest

from kubeplan.admission.quota.calculate import calculate_usage
from kubeplan.admission.quota.model import Quota, ScopedRequirement
from kubeplan.admission.quota.scopes import (
    matches,
    pod_matches_scope,
    pvc_matches_scope,
    qos_class,
)

ALL_POD_SELECTORS = [
    ScopedRequirement("Terminating"),
    ScopedRequirement("NotTerminating"),
    ScopedRequirement("BestEffort"),
    ScopedRequirement("NotBestEffort"),
    ScopedRequirement("PriorityClass", "In", ("class1",)),
    ScopedRequirement("CrossNamespacePodAffinity"),
]
ANY = {"labelSelector": {}}


def affinity(kind: str, required: bool, **term) -> dict:
    key = (
        "requiredDuringSchedulingIgnoredDuringExecution"
        if required
        else "preferredDuringSchedulingIgnoredDuringExecution"
    )
    entry = {**ANY, **term} if required else {"weight": 1, "podAffinityTerm": {**ANY, **term}}
    return {"affinity": {kind: {key: [entry]}}}


GUARANTEED_ISH = {
    "containers": [
        {
            "resources": {
                "requests": {"cpu": "1", "memory": "50M", "example.com/dongle": "1"},
                "limits": {"cpu": "2", "memory": "100M", "example.com/dongle": "1"},
            }
        }
    ]
}

# TestPodEvaluatorMatchingScopes: the pod, the selectors, the selectors it matches.
MATCHING_SCOPES = {
    "EmptyPod": ({}, None, ["NotTerminating", "BestEffort"]),
    "PriorityClass": (
        {"priorityClassName": "class1"},
        None,
        ["NotTerminating", "BestEffort", "PriorityClass"],
    ),
    "NotBestEffort": (GUARANTEED_ISH, None, ["NotTerminating", "NotBestEffort"]),
    "Terminating": ({"activeDeadlineSeconds": 30}, None, ["Terminating", "BestEffort"]),
    "OnlyTerminating": (
        {"activeDeadlineSeconds": 30},
        [ScopedRequirement("Terminating")],
        ["Terminating"],
    ),
    "CrossNamespaceRequiredAffinity": (
        {
            "activeDeadlineSeconds": 30,
            **affinity("podAffinity", True, namespaces=["ns1"], namespaceSelector={}),
        },
        None,
        ["Terminating", "BestEffort", "CrossNamespacePodAffinity"],
    ),
    "CrossNamespaceRequiredAffinityWithSlice": (
        {"activeDeadlineSeconds": 30, **affinity("podAffinity", True, namespaces=["ns1"])},
        None,
        ["Terminating", "BestEffort", "CrossNamespacePodAffinity"],
    ),
    "CrossNamespacePreferredAffinity": (
        {
            "activeDeadlineSeconds": 30,
            **affinity("podAffinity", False, namespaces=["ns2"], namespaceSelector={}),
        },
        None,
        ["Terminating", "BestEffort", "CrossNamespacePodAffinity"],
    ),
    "CrossNamespacePreferredAffinityWithSelector": (
        {"activeDeadlineSeconds": 30, **affinity("podAffinity", False, namespaceSelector={})},
        None,
        ["Terminating", "BestEffort", "CrossNamespacePodAffinity"],
    ),
    "CrossNamespacePreferredAntiAffinity": (
        {"activeDeadlineSeconds": 30, **affinity("podAntiAffinity", False, namespaceSelector={})},
        None,
        ["Terminating", "BestEffort", "CrossNamespacePodAffinity"],
    ),
    "CrossNamespaceRequiredAntiAffinity": (
        {"activeDeadlineSeconds": 30, **affinity("podAntiAffinity", True, namespaces=["ns3"])},
        None,
        ["Terminating", "BestEffort", "CrossNamespacePodAffinity"],
    ),
}


@pytest.mark.parametrize("name", MATCHING_SCOPES)
def test_pod_evaluator_matching_scopes(name: str) -> None:
    """TestPodEvaluatorMatchingScopes."""
    spec, selectors, want = MATCHING_SCOPES[name]
    selectors = selectors or ALL_POD_SELECTORS
    got = [s.scope_name for s in selectors if pod_matches_scope(s, spec)]
    assert got == want


def test_same_namespace_affinity_is_not_cross_namespace() -> None:
    """crossNamespacePodAffinityTerm: a term without namespaces or namespaceSelector stays in
    the pod's namespace."""
    spec = affinity("podAffinity", True)
    assert not pod_matches_scope(ScopedRequirement("CrossNamespacePodAffinity"), spec)


@pytest.mark.parametrize(
    ("requirement", "priority", "want"),
    [
        (ScopedRequirement("PriorityClass", "Exists"), "high", True),
        (ScopedRequirement("PriorityClass", "Exists"), None, False),
        (ScopedRequirement("PriorityClass", "DoesNotExist"), None, True),
        (ScopedRequirement("PriorityClass", "DoesNotExist"), "high", False),
        (ScopedRequirement("PriorityClass", "In", ("high", "mid")), "high", True),
        (ScopedRequirement("PriorityClass", "In", ("high",)), "low", False),
        (ScopedRequirement("PriorityClass", "In", ("high",)), None, False),
        (ScopedRequirement("PriorityClass", "NotIn", ("high",)), "low", True),
        (ScopedRequirement("PriorityClass", "NotIn", ("high",)), None, True),
        (ScopedRequirement("PriorityClass", "NotIn", ("high",)), "high", False),
    ],
)
def test_priority_class_scope(requirement, priority, want) -> None:
    """podMatchesScopeFunc / podMatchesSelector: the priority class is the label
    `PriorityClass`, absent when the pod names none."""
    spec = {"priorityClassName": priority} if priority else {}
    assert pod_matches_scope(requirement, spec) is want


def vac(spec_name=None, current=None, target=None) -> dict:
    body: dict = {"spec": {}, "status": {}}
    if spec_name:
        body["spec"]["volumeAttributesClassName"] = spec_name
    if current:
        body["status"]["currentVolumeAttributesClassName"] = current
    if target:
        body["status"]["modifyVolumeStatus"] = {"targetVolumeAttributesClassName": target}
    return body


def V(op: str, *values: str) -> ScopedRequirement:
    return ScopedRequirement("VolumeAttributesClass", op, values)


PVC_SCOPES = {
    "EmptyPVC": (
        vac(),
        [V("DoesNotExist"), V("Exists"), V("In", "class1"), V("NotIn", "class4")],
        [V("DoesNotExist"), V("NotIn", "class4")],
    ),
    "VolumeAttributesClass": (
        vac("class1"),
        [
            V("DoesNotExist"),
            V("Exists"),
            V("In", "class1"),
            V("In", "class4"),
            V("NotIn", "class4"),
        ],
        [V("Exists"), V("In", "class1"), V("NotIn", "class4")],
    ),
    "VolumeAttributesClassWithTarget": (
        vac("class1", "class2"),
        [
            V("DoesNotExist"),
            V("Exists"),
            V("In", "class1"),
            V("In", "class2"),
            V("In", "class1", "class2"),
            V("In", "class1", "class2", "class4"),
            V("In", "class4"),
            V("NotIn", "class4"),
        ],
        [
            V("Exists"),
            V("In", "class1"),
            V("In", "class2"),
            V("In", "class1", "class2"),
            V("In", "class1", "class2", "class4"),
            V("NotIn", "class4"),
        ],
    ),
    "VolumeAttributesClassWithModityStatus": (
        vac("class1", "class2", "class3"),
        [
            V("DoesNotExist"),
            V("Exists"),
            V("In", "class1"),
            V("In", "class2"),
            V("In", "class3"),
            V("In", "class1", "class2", "class3"),
            V("In", "class1", "class2", "class3", "class4"),
            V("In", "class4"),
            V("NotIn", "class4"),
        ],
        [
            V("Exists"),
            V("In", "class1"),
            V("In", "class2"),
            V("In", "class3"),
            V("In", "class1", "class2", "class3"),
            V("In", "class1", "class2", "class3", "class4"),
            V("NotIn", "class4"),
        ],
    ),
}


@pytest.mark.parametrize("name", PVC_SCOPES)
def test_persistent_volume_claim_evaluator_matching_scopes(name: str) -> None:
    """TestPersistentVolumeClaimEvaluatorMatchingScopes (VolumeAttributesClass on)."""
    body, selectors, want = PVC_SCOPES[name]
    assert [s for s in selectors if pvc_matches_scope(s, body)] == want


def quota(hard: dict, scopes=(), selector=()) -> Quota:
    return Quota(
        "q",
        "ns",
        {k: Fraction(v) for k, v in hard.items()},
        None,
        tuple(scopes),
        tuple(selector),
    )


def test_matches_needs_a_tracked_resource_and_every_scope() -> None:
    """generic.Matches: hard names a resource the evaluator tracks, and all scopes match."""
    best_effort_pod = {"spec": {"containers": [{"name": "a"}]}}
    assert matches(quota({"pods": 5}), "", "Pod", best_effort_pod)
    assert not matches(quota({"services": 5}), "", "Pod", best_effort_pod)
    assert matches(quota({"pods": 5}, ["BestEffort"]), "", "Pod", best_effort_pod)
    assert not matches(
        quota({"pods": 5}, ["BestEffort", "Terminating"]), "", "Pod", best_effort_pod
    )
    high = ScopedRequirement("PriorityClass", "In", ("high",))
    assert not matches(quota({"pods": 5}, selector=[high]), "", "Pod", best_effort_pod)


def test_scoped_quota_never_counts_services_or_object_counts() -> None:
    """services.go and objectCountEvaluator match with MatchesNoScopeFunc: any scope fails."""
    assert matches(quota({"services": 5}), "", "Service", {"spec": {}})
    assert not matches(quota({"services": 5}, ["NotTerminating"]), "", "Service", {"spec": {}})
    assert matches(quota({"count/deployments.apps": 5}), "apps", "Deployment", {})
    assert not matches(
        quota({"count/deployments.apps": 5}, ["NotBestEffort"]), "apps", "Deployment", {}
    )


@pytest.mark.parametrize(
    ("spec", "want"),
    [
        ({"containers": [{}]}, "BestEffort"),
        ({"containers": [{"resources": {"requests": {"cpu": "1"}}}]}, "Burstable"),
        (
            {"containers": [{"resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]},
            "Guaranteed",
        ),
        (
            {
                "containers": [
                    {"resources": {"limits": {"cpu": "1", "memory": "1Gi"}}},
                    {},
                ]
            },
            "Burstable",
        ),
        (
            {"containers": [{"resources": {"requests": {"ephemeral-storage": "1Gi"}}}]},
            "BestEffort",
        ),
        (
            {"containers": [{"resources": {"requests": {"cpu": "0"}, "limits": {"cpu": "0"}}}]},
            "BestEffort",
        ),
        (
            {
                "resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "1"}},
                "containers": [{}],
            },
            "Burstable",
        ),
        (
            {
                "resources": {
                    "limits": {"cpu": "1", "memory": "1Gi"},
                    "requests": {"cpu": "1", "memory": "1Gi"},
                },
                "containers": [{}],
            },
            "Guaranteed",
        ),
    ],
)
def test_qos_class(spec: dict, want: str) -> None:
    """qos.go ComputePodQOS/resourceQOS, after the API's defaulting of requests from limits;
    pod-level resources decide when set."""
    assert qos_class(spec) == want


def test_qos_class_prefers_status() -> None:
    """GetPodQOS returns status.qosClass when it is set."""
    assert qos_class({"containers": [{}]}, {"qosClass": "Guaranteed"}) == "Guaranteed"


def make_pod(name: str, priority: str, cpu: str | None, phase: str) -> tuple[str, str, dict]:
    """pods_test.go makePod: requests and limits both `cpu` when given."""
    resources = {"requests": {"cpu": cpu}, "limits": {"cpu": cpu}} if cpu else {}
    spec: dict = {"containers": [{"name": "c", "resources": resources}]}
    if priority:
        spec["priorityClassName"] = priority
    return "", "Pod", {"metadata": {"name": name}, "spec": spec, "status": {"phase": phase}}


HIGH = ScopedRequirement("PriorityClass", "In", ("high-priority",))
USAGE_STATS = {
    "nil case": ([], (), (), {}),
    "all pods in running state": (
        [make_pod("p1", "", "1", "Running"), make_pod("p2", "", "1", "Running")],
        (),
        (),
        {"pods": 2, "count/pods": 2, "cpu": 2, "requests.cpu": 2, "limits.cpu": 2},
    ),
    "one pods in terminal state": (
        [make_pod("p1", "", "1", "Running"), make_pod("p2", "", "1", "Succeeded")],
        (),
        (),
        {"pods": 1, "count/pods": 2, "cpu": 1, "requests.cpu": 1, "limits.cpu": 1},
    ),
    "partial pods matching quotaScopeSelector": (
        [
            make_pod("p1", "high-priority", "1", "Running"),
            make_pod("p2", "high-priority", "1", "Succeeded"),
            make_pod("p3", "low-priority", "1", "Running"),
        ],
        (),
        (HIGH,),
        {"pods": 1, "count/pods": 2, "cpu": 1, "requests.cpu": 1, "limits.cpu": 1},
    ),
    "partial pods matching quotaScopeSelector - w/ scopeName specified": (
        [
            make_pod("p1", "high-priority", "1", "Running"),
            make_pod("p2", "high-priority", "1", "Succeeded"),
            make_pod("p3", "low-priority", "1", "Running"),
        ],
        ("PriorityClass",),
        (HIGH,),
        {"pods": 1, "count/pods": 2, "cpu": 1, "requests.cpu": 1, "limits.cpu": 1},
    ),
    "partial pods matching quotaScopeSelector - w/ multiple scopeNames specified": (
        [
            make_pod("p1", "high-priority", "1", "Running"),
            make_pod("p2", "high-priority", "1", "Succeeded"),
            make_pod("p3", "low-priority", "1", "Running"),
            make_pod("p4", "high-priority", None, "Failed"),
        ],
        ("PriorityClass", "BestEffort"),
        (HIGH,),
        {"count/pods": 1},
    ),
}


@pytest.mark.parametrize("name", USAGE_STATS)
def test_pod_evaluator_usage_stats(name: str) -> None:
    """TestPodEvaluatorUsageStats, through CalculateUsage for a quota that tracks the
    resources of the expected result (plus memory, which stays zero)."""
    objects, scopes, selector, want = USAGE_STATS[name]
    hard = dict.fromkeys(["pods", "count/pods", "cpu", "requests.cpu", "limits.cpu", "memory"], 100)
    got = calculate_usage(quota(hard, scopes, selector), objects)
    assert {k: v.value for k, v in got.items() if v.value} == {
        k: Fraction(v) for k, v in want.items()
    }
    assert got["memory"].value == 0


def test_calculate_usage_tracks_counts_and_skips_untracked_names() -> None:
    """Every count/* name and legacy alias is tracked; an untracked hard name gets no usage."""
    hard = {"count/deployments.apps": 5, "configmaps": 5, "services": 5, "widgets": 5}
    objects = [
        ("apps", "Deployment", {}),
        ("", "ConfigMap", {}),
        ("", "ConfigMap", {}),
        ("", "Service", {"spec": {}}),
    ]
    got = calculate_usage(quota(hard), objects)
    assert {k: v.value for k, v in got.items()} == {
        "count/deployments.apps": 1,
        "configmaps": 2,
        "services": 1,
    }
