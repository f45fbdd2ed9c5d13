"""The ResourceQuota admission decision and its messages, ported from kubernetes/kubernetes
plugin/pkg/admission/resourcequota/admission_test.go (TestAdmit...), the apiserver copy
staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/admission_test.go
(TestPrettyPrint, TestHasUsageStats) and pkg/quota/v1/evaluator/core/pods_test.go
(TestPodConstraintsFunc). Quotas are read from JSON text by the loader, as from a cluster dump
(metadata.resourceVersion set, so `status` is the server's)."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from kubeplan.admission.quota import resources as rl
from kubeplan.admission.quota.admit import admit, check, headroom, must_specify
from kubeplan.admission.quota.model import Quota, quotas_from
from kubeplan.kube.quantity import canonical, parse
from kubeplan.schemas.loader import load_text


def rq(
    name: str,
    hard: dict[str, str],
    used: dict[str, str] | None = None,
    *,
    scopes: list[str] | None = None,
    selector: list[dict] | None = None,
    namespace: str = "test",
) -> Quota:
    body: dict = {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": name, "namespace": namespace, "resourceVersion": "124"},
        "spec": {"hard": hard},
        "status": {"hard": hard},
    }
    if used is not None:
        body["status"]["used"] = used
    if scopes:
        body["spec"]["scopes"] = scopes
    if selector:
        body["spec"]["scopeSelector"] = {"matchExpressions": selector}
    loaded = load_text(f"{name}.json", json.dumps(body))
    [quota] = quotas_from(loaded.resources)
    return quota


def valid_pod(requests: dict, limits: dict, *, count: int = 1, **spec) -> dict:
    """admission_test.go validPod: containers without names, images foo:V<i>."""
    resources: dict = {}
    if requests:
        resources["requests"] = requests
    if limits:
        resources["limits"] = limits
    containers = [{"image": f"foo:V{i}", "resources": resources} for i in range(count)]
    return {
        "metadata": {"name": "p", "namespace": "test"},
        "spec": {"containers": containers, **spec},
    }


def printed(used: dict) -> dict[str, str]:
    return {k: canonical(v) for k, v in used.items()}


COMPUTE = {"cpu": "3", "memory": "100Gi", "pods": "5"}
COMPUTE_USED = {"cpu": "1", "memory": "50Gi", "pods": "3"}


def test_pretty_print() -> None:
    """TestPrettyPrint."""

    def parsed(values: dict[str, str]) -> dict:
        return {k: parse(v) for k, v in values.items()}

    assert rl.pretty_print(parsed({"cpu": "100m"})) == "cpu=100m"
    many = {
        "pods": "10",
        "services": "10",
        "replicationcontrollers": "10",
        "services.nodeports": "10",
        "requests.cpu": "100m",
        "requests.memory": "100Mi",
        "limits.cpu": "100m",
        "limits.memory": "100Mi",
    }
    assert rl.pretty_print(parsed(many)) == (
        "limits.cpu=100m,limits.memory=100Mi,pods=10,replicationcontrollers=10,"
        "requests.cpu=100m,requests.memory=100Mi,services=10,services.nodeports=10"
    )


def test_has_usage_stats() -> None:
    """TestHasUsageStats through CheckRequest: a tracked hard resource without usage is
    "status unknown"; an untracked one (services, for a pod) does not matter."""
    pod = valid_pod({"memory": "100Mi"}, {})
    assert check([rq("empty", {}, {})], {}, "", "Pod", pod) == []
    [refusal] = check([rq("hard-only", {"memory": "1Gi"}, {})], {}, "", "Pod", pod)
    assert refusal.rule == "quota-status-unknown"
    assert refusal.message == "status unknown for quota: hard-only, resources: memory"
    assert (
        check([rq("hard-used", {"memory": "1Gi"}, {"memory": "500Mi"})], {}, "", "Pod", pod) == []
    )
    relevant = rq("hard-used-relevant", {"memory": "1Gi", "services": "1"}, {"memory": "500Mi"})
    assert check([relevant], {}, "", "Pod", pod) == []


def test_manifest_quota_is_status_unknown() -> None:
    """A quota applied in the same change has no status.used: the API server refuses matching
    pods until the quota controller has computed it; the message lists every tracked hard
    resource, sorted."""
    text = json.dumps(
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "compute", "namespace": "test"},
            "spec": {"hard": {"requests.memory": "1Gi", "pods": "10", "limits.cpu": "2"}},
        }
    )
    [quota] = quotas_from(load_text("rq.json", text).resources)
    assert quota.used is None
    pod = valid_pod({"memory": "1Gi"}, {"cpu": "1"})
    [refusal] = check([quota], {}, "", "Pod", pod)
    assert refusal.message == (
        "status unknown for quota: compute, resources: limits.cpu,pods,requests.memory"
    )
    # The lead's own sums (zeros included) make the usage known.
    used = {
        "compute": {"requests.memory": Fraction(0), "pods": Fraction(0), "limits.cpu": Fraction(0)}
    }
    assert check([quota], used, "", "Pod", pod) == []


def test_admit_below_quota_limit() -> None:
    """TestAdmitBelowQuotaLimit: the new usage the plugin writes back."""
    quota = rq("quota", COMPUTE, COMPUTE_USED)
    decision = admit([quota], {}, "", "Pod", valid_pod({"cpu": "100m", "memory": "2Gi"}, {}))
    assert decision.refusals == []
    got = printed(decision.used["quota"])
    assert {k: got[k] for k in ("cpu", "memory", "pods")} == {
        "cpu": "1100m",
        "memory": "52Gi",
        "pods": "4",
    }


def test_admit_dry_run_too_large_pod() -> None:
    """TestAdmitDryRun: a pod that would exceed quota is refused (dry-run or not)."""
    quota = rq("quota", COMPUTE, COMPUTE_USED)
    pod = valid_pod({"cpu": "100m", "memory": "60Gi"}, {})
    [refusal] = check([quota], {}, "", "Pod", pod)
    assert refusal.message == (
        "exceeded quota: quota, requested: memory=60Gi, used: memory=50Gi, limited: memory=100Gi"
    )


SERVICES_HARD = {"services": "10", "services.loadbalancers": "10", "services.nodeports": "10"}
SERVICES_USED = {"services": "1", "services.loadbalancers": "1", "services.nodeports": "0"}
LOAD_BALANCER = {"metadata": {"name": "service"}, "spec": {"type": "LoadBalancer"}}
NODE_PORT = {
    "metadata": {"name": "service"},
    "spec": {"type": "NodePort", "ports": [{"port": 1234}]},
}


def test_admit_handles_old_objects() -> None:
    """TestAdmitHandlesOldObjects: LoadBalancer -> NodePort charges only the new node port;
    the load balancer is not given back (no negative deltas)."""
    quota = rq("quota", SERVICES_HARD, SERVICES_USED)
    decision = admit([quota], {}, "", "Service", NODE_PORT, old_body=LOAD_BALANCER)
    assert decision.refusals == []
    assert printed(decision.used["quota"]) == {
        "services": "1",
        "services.loadbalancers": "1",
        "services.nodeports": "1",
    }


def test_admit_handles_creating_updates() -> None:
    """TestAdmitHandlesCreatingUpdates: an old object without resourceVersion is a create."""
    quota = rq("quota", SERVICES_HARD, SERVICES_USED)
    decision = admit(
        [quota], {}, "", "Service", NODE_PORT, old_body=LOAD_BALANCER, old_stored=False
    )
    assert printed(decision.used["quota"]) == {
        "services": "2",
        "services.loadbalancers": "1",
        "services.nodeports": "1",
    }


def pvc(storage: str) -> dict:
    return {
        "metadata": {"name": "pvc-to-update"},
        "spec": {"resources": {"requests": {"storage": storage}}},
    }


PVC_HARD = {"persistentvolumeclaims": "3", "requests.storage": "100Gi"}
PVC_USED = {"persistentvolumeclaims": "1", "requests.storage": "10Gi"}


def test_admit_handles_negative_pvc_updates() -> None:
    """TestAdmitHandlesNegativePVCUpdates: shrinking charges nothing, nothing is written."""
    quota = rq("quota", PVC_HARD, PVC_USED)
    decision = admit([quota], {}, "", "PersistentVolumeClaim", pvc("5Gi"), old_body=pvc("10Gi"))
    assert decision.refusals == [] and decision.used == {}


def test_admit_handles_pvc_updates() -> None:
    """TestAdmitHandlesPVCUpdates: growing 10Gi -> 15Gi charges 5Gi."""
    quota = rq("quota", PVC_HARD, PVC_USED)
    decision = admit([quota], {}, "", "PersistentVolumeClaim", pvc("15Gi"), old_body=pvc("10Gi"))
    assert printed(decision.used["quota"]) == {
        "persistentvolumeclaims": "1",
        "requests.storage": "15Gi",
    }


def test_admit_exceed_quota_limit() -> None:
    """TestAdmitExceedQuotaLimit, with the message the API server writes."""
    quota = rq("quota", COMPUTE, COMPUTE_USED)
    [refusal] = check([quota], {}, "", "Pod", valid_pod({"cpu": "3", "memory": "2Gi"}, {}))
    assert refusal.rule == "quota-exceeded" and refusal.quota == "quota"
    assert refusal.message == "exceeded quota: quota, requested: cpu=3, used: cpu=1, limited: cpu=3"


def test_admit_enforce_quota_constraints() -> None:
    """TestAdmitEnforceQuotaConstraints: a quota on limits.memory needs every container to set
    it (validPod's containers have no name, hence the empty list)."""
    quota = rq(
        "quota",
        {**COMPUTE, "limits.memory": "200Gi"},
        {**COMPUTE_USED, "limits.memory": "100Gi"},
    )
    pod = valid_pod({"cpu": "100m", "memory": "2Gi"}, {"cpu": "200m"})
    [refusal] = check([quota], {}, "", "Pod", pod)
    assert refusal.rule == "quota-must-specify"
    assert refusal.message == "failed quota: quota: must specify limits.memory for: "


def test_admit_pod_in_namespace_without_quota() -> None:
    """TestAdmitPodInNamespaceWithoutQuota: quotas apply to their own namespace only; the
    caller passes the quotas of the object's namespace (none here)."""
    other = rq("quota", COMPUTE, COMPUTE_USED, namespace="other")
    assert other.namespace == "other"
    pod = valid_pod({"cpu": "100m", "memory": "2Gi"}, {"cpu": "200m"})
    assert check([q for q in [other] if q.namespace == "test"], {}, "", "Pod", pod) == []


def test_admit_below_terminating_quota_limit() -> None:
    """TestAdmitBelowTerminatingQuotaLimit: a pod with activeDeadlineSeconds is charged to
    the Terminating quota only."""
    non_terminating = rq("quota-non-terminating", COMPUTE, COMPUTE_USED, scopes=["NotTerminating"])
    terminating = rq("quota-terminating", COMPUTE, COMPUTE_USED, scopes=["Terminating"])
    pod = valid_pod({"cpu": "100m", "memory": "2Gi"}, {}, activeDeadlineSeconds=30)
    decision = admit([non_terminating, terminating], {}, "", "Pod", pod)
    assert list(decision.used) == ["quota-terminating"]
    got = printed(decision.used["quota-terminating"])
    assert (got["cpu"], got["memory"], got["pods"]) == ("1100m", "52Gi", "4")


def test_admit_below_best_effort_quota_limit() -> None:
    """TestAdmitBelowBestEffortQuotaLimit."""
    best_effort = rq("quota-besteffort", {"pods": "5"}, {"pods": "3"}, scopes=["BestEffort"])
    not_best_effort = rq(
        "quota-not-besteffort", {"pods": "5"}, {"pods": "3"}, scopes=["NotBestEffort"]
    )
    decision = admit([best_effort, not_best_effort], {}, "", "Pod", valid_pod({}, {}))
    assert list(decision.used) == ["quota-besteffort"]
    assert printed(decision.used["quota-besteffort"]) == {"pods": "4"}


def test_admit_best_effort_quota_limit_ignores_burstable() -> None:
    """TestAdmitBestEffortQuotaLimitIgnoresBurstable: nothing is charged."""
    best_effort = rq("quota-besteffort", {"pods": "5"}, {"pods": "3"}, scopes=["BestEffort"])
    decision = admit([best_effort], {}, "", "Pod", valid_pod({"cpu": "100m", "memory": "1Gi"}, {}))
    assert decision.refusals == [] and decision.used == {}


def test_admit_rejects_negative_usage() -> None:
    """TestAdmitRejectsNegativeUsage."""
    quota = rq("quota", PVC_HARD, PVC_USED)
    [refusal] = check([quota], {}, "", "PersistentVolumeClaim", pvc("-1Gi"))
    assert refusal.message == "quota usage is negative for resource(s): requests.storage"
    assert check([quota], {}, "", "PersistentVolumeClaim", pvc("1Gi")) == []
    # controller.go checkAttributes: without any quota in the namespace nothing is checked.
    assert check([], {}, "", "PersistentVolumeClaim", pvc("-1Gi")) == []
    # A quota that does not track storage still sees the negative usage.
    pods_only = rq("pods-only", {"pods": "3"}, {"pods": "0"})
    [refusal] = check([pods_only], {}, "", "PersistentVolumeClaim", pvc("-1Gi"))
    assert refusal.rule == "quota-negative-usage"


def test_admit_when_unrelated_resource_exceeds_quota() -> None:
    """TestAdmitWhenUnrelatedResourceExceedsQuota: services over their limit do not stop a pod."""
    quota = rq("quota", {"services": "3", "pods": "4"}, {"services": "4", "pods": "1"})
    assert check([quota], {}, "", "Pod", valid_pod({}, {})) == []


def test_admit_limited_scope_with_cover_quota_exceeded() -> None:
    """TestAdmitLimitedScopeWithCoverQuota "quota fails, though covering quota for configured
    limited scope PriorityClassNameExists exists" (the limitedResources part is not modelled;
    this outcome does not depend on it)."""
    quota = rq(
        "quota",
        {"memory": "10Gi"},
        {"memory": "1Gi"},
        selector=[{"scopeName": "PriorityClass", "operator": "Exists"}],
    )
    pod = valid_pod({"cpu": "3", "memory": "20Gi"}, {}, priorityClassName="fake-priority")
    [refusal] = check([quota], {}, "", "Pod", pod)
    assert refusal.message == (
        "exceeded quota: quota, requested: memory=20Gi, used: memory=1Gi, limited: memory=10Gi"
    )
    # The same pod with another priority class is not in this quota's scope.
    other = valid_pod({"cpu": "3", "memory": "20Gi"}, {})
    assert check([quota], {}, "", "Pod", other) == []


def test_priority_class_in_quota_only_counts_its_classes() -> None:
    """TestAdmitLimitedScopeWithCoverQuota "Pod has different priorityclass than configured
    limited": a PriorityClass In quota does not charge a pod of another class."""
    quota = rq(
        "quota",
        {"pods": "1"},
        {"pods": "1"},
        selector=[{"scopeName": "PriorityClass", "operator": "In", "values": ["cluster-services"]}],
    )
    assert check([quota], {}, "", "Pod", valid_pod({}, {}, priorityClassName="fake-priority")) == []
    [refusal] = check(
        [quota], {}, "", "Pod", valid_pod({}, {}, priorityClassName="cluster-services")
    )
    assert (
        refusal.message == "exceeded quota: quota, requested: pods=1, used: pods=1, limited: pods=1"
    )


def test_every_matching_quota_is_checked_in_order() -> None:
    """CheckRequest: constraints and usage first for every matching quota, then the charges;
    each matching quota must have room."""
    roomy = rq("a-roomy", {"pods": "10"}, {"pods": "0"})
    full = rq("b-full", {"pods": "2"}, {"pods": "2"})
    needs_limits = rq("c-limits", {"limits.cpu": "4"}, {"limits.cpu": "0"})
    refusals = check([roomy, full, needs_limits], {}, "", "Pod", valid_pod({}, {}))
    assert [(r.quota, r.rule) for r in refusals] == [
        ("c-limits", "quota-must-specify"),
        ("b-full", "quota-exceeded"),
    ]
    assert refusals[0].message == "failed quota: c-limits: must specify limits.cpu for: "


def test_used_fractions_print_with_the_status_format() -> None:
    """Used amounts the caller passes as Fractions print in the status' format when equal to
    it, else as DecimalSI (Quantity.String of a sum keeps the first addend's format)."""
    quota = rq("mem", {"requests.memory": "2Gi"}, {"requests.memory": "1Gi"})
    pod = valid_pod({"memory": "1536Mi"}, {})
    [refusal] = check([quota], {}, "", "Pod", pod)
    assert refusal.message == (
        "exceeded quota: mem, requested: requests.memory=1536Mi, used: requests.memory=1Gi, "
        "limited: requests.memory=2Gi"
    )
    [refusal] = check([quota], {"mem": {"requests.memory": Fraction(1 << 30)}}, "", "Pod", pod)
    assert "used: requests.memory=1Gi," in refusal.message
    [refusal] = check([quota], {"mem": {"requests.memory": Fraction(10**9)}}, "", "Pod", pod)
    assert "used: requests.memory=1G," in refusal.message


def test_deployment_charges_its_object_count_only() -> None:
    """A Deployment is an object count (count/deployments.apps); compute quotas never see it."""
    quota = rq(
        "objects",
        {"count/deployments.apps": "1", "pods": "1"},
        {"count/deployments.apps": "1", "pods": "0"},
    )
    deployment = {"metadata": {"name": "web"}, "spec": {"replicas": 50}}
    [refusal] = check([quota], {}, "apps", "Deployment", deployment)
    assert refusal.message == (
        "exceeded quota: objects, requested: count/deployments.apps=1, "
        "used: count/deployments.apps=1, limited: count/deployments.apps=1"
    )
    # An update of a Deployment is not charged (object counts handle CREATE only).
    assert check([quota], {}, "apps", "Deployment", deployment, old_body=deployment) == []


def test_headroom() -> None:
    quota = rq("quota", COMPUTE, COMPUTE_USED)
    assert headroom(quota, quota.used or {}) == {
        "cpu": Fraction(2),
        "memory": parse("50Gi").value,
        "pods": Fraction(2),
    }
    assert headroom(quota, {}) == quota.hard


# TestPodConstraintsFunc: the pod spec, the required resources, the message (None: no error).
CONSTRAINTS = {
    "init container resource missing": (
        {
            "initContainers": [
                {"name": "dummy", "resources": {"requests": {"cpu": "1m"}, "limits": {"cpu": "2m"}}}
            ]
        },
        ["memory"],
        "must specify memory for: dummy",
    ),
    "multiple init container resource missing": (
        {
            "initContainers": [
                {"name": "foo", "resources": {"requests": {"cpu": "1m"}, "limits": {"cpu": "2m"}}},
                {"name": "bar", "resources": {"requests": {"cpu": "1m"}, "limits": {"cpu": "2m"}}},
            ]
        },
        ["memory"],
        "must specify memory for: bar,foo",
    ),
    "container resource missing": (
        {
            "containers": [
                {"name": "dummy", "resources": {"requests": {"cpu": "1m"}, "limits": {"cpu": "2m"}}}
            ]
        },
        ["memory"],
        "must specify memory for: dummy",
    ),
    "multiple container resource missing": (
        {
            "containers": [
                {"name": "foo", "resources": {"requests": {"cpu": "1m"}, "limits": {"cpu": "2m"}}},
                {"name": "bar", "resources": {"requests": {"cpu": "1m"}, "limits": {"cpu": "2m"}}},
            ]
        },
        ["memory"],
        "must specify memory for: bar,foo",
    ),
    "container resource missing multiple": (
        {"containers": [{"name": "foo"}, {"name": "bar"}]},
        ["memory", "cpu"],
        "must specify cpu for: bar,foo; memory for: bar,foo",
    ),
    "pod-level resource set, container-level required resources missing": (
        {
            "resources": {"requests": {"cpu": "1m"}},
            "containers": [{"name": "foo"}, {"name": "bar"}],
        },
        ["memory", "cpu"],
        None,
    ),
}


@pytest.mark.parametrize("name", CONSTRAINTS)
def test_pod_constraints_func(name: str) -> None:
    """TestPodConstraintsFunc."""
    spec, required, want = CONSTRAINTS[name]
    quota = Quota("q", "test", {r: Fraction(1) for r in required}, {})
    assert must_specify(quota, spec) == want


def test_must_specify_reads_limits_as_requests_and_ignores_other_resources() -> None:
    """A container with only limits satisfies requests.* (API defaulting copies them);
    ephemeral-storage and extended resources are never required (pods.go validationSet)."""
    quota = Quota(
        "q",
        "test",
        {
            "requests.cpu": Fraction(1),
            "requests.ephemeral-storage": Fraction(1),
            "requests.example.com/gpu": Fraction(1),
        },
        {},
    )
    spec = {"containers": [{"name": "app", "resources": {"limits": {"cpu": "1"}}}]}
    assert must_specify(quota, spec) is None
    both = Quota("q", "test", {"limits.cpu": Fraction(1), "requests.memory": Fraction(1)}, {})
    spec = {
        "containers": [
            {"name": "app", "resources": {}},
            {"name": "sidecar", "resources": {"requests": {"memory": "1Gi"}}},
        ]
    }
    assert must_specify(both, spec) == (
        "must specify limits.cpu for: app,sidecar; requests.memory for: app"
    )
