"""kubeplan.admission.limitrange against the tables of
plugin/pkg/admission/limitranger/admission_test.go (sidecar-aware version) and
admission_overflow_test.go, case by case; each test names the Go test it ports.

The Go tests build LimitRanges with `Convert_core_LimitRange_To_v1_LimitRange`, which applies
no defaulting, so the rules here are read with `defaulted=False`. Where a Go case only asserts
"an error", the exact message is asserted too (the constraint functions' format strings).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kubeplan.admission.limitrange import (
    admit_pod,
    default_containers,
    limit_ranger_annotation,
    pod_forbidden_message,
    pvc_forbidden_message,
    rule_from_item,
    supports,
    validate_pvc,
)
from kubeplan.admission.limitrange.defaults import container_defaults
from kubeplan.admission.limitrange.validate import (
    max_constraint,
    max_request_constraint,
    min_constraint,
    ratio_constraint,
)
from kubeplan.kube import quantity


def compute(cpu: str = "", memory: str = "") -> dict[str, str]:
    """getComputeResourceList."""
    out = {}
    if cpu:
        out["cpu"] = cpu
    if memory:
        out["memory"] = memory
    return out


def local(storage: str = "") -> dict[str, str]:
    """getLocalStorageResourceList."""
    return {"ephemeral-storage": storage} if storage else {}


def storage(value: str = "") -> dict[str, str]:
    """getStorageResourceList."""
    return {"storage": value} if value else {}


def reqs(requests: dict, limits: dict) -> dict:
    """getResourceRequirements."""
    return {"requests": dict(requests), "limits": dict(limits)}


def create_limit_range(
    kind: str, mn=None, mx=None, default=None, default_request=None, ratio=None
) -> list:
    """createLimitRange: one item in LimitRange "abc", not defaulted."""
    item = {
        "type": kind,
        "min": mn or {},
        "max": mx or {},
        "default": default or {},
        "defaultRequest": default_request or {},
        "maxLimitRequestRatio": ratio or {},
    }
    return [rule_from_item(item, "abc", "test", 0, defaulted=False)]


def valid_limit_range() -> list:
    """validLimitRange."""
    items = [
        {"type": "Pod", "max": compute("200m", "4Gi"), "min": compute("50m", "2Mi")},
        {
            "type": "Container",
            "max": compute("100m", "2Gi"),
            "min": compute("25m", "1Mi"),
            "default": compute("75m", "10Mi"),
            "defaultRequest": compute("50m", "5Mi"),
        },
    ]
    return [rule_from_item(item, "abc", "test", i, defaulted=False) for i, item in enumerate(items)]


def valid_limit_range_no_defaults() -> list:
    """validLimitRangeNoDefaults."""
    items = [
        {"type": "Pod", "max": compute("200m", "4Gi"), "min": compute("50m", "2Mi")},
        {"type": "Container", "max": compute("100m", "2Gi"), "min": compute("25m", "1Mi")},
    ]
    return [rule_from_item(item, "abc", "test", i, defaulted=False) for i, item in enumerate(items)]


def valid_pod(name: str, n: int, resources: dict) -> dict:
    """validPod: n containers foo-0.. with (separate copies of) the same resources."""
    containers = [
        {"name": f"foo-{i}", "image": f"foo:V{i}", "resources": copy.deepcopy(resources)}
        for i in range(n)
    ]
    return {"name": name, "spec": {"containers": containers}}


def valid_pod_init(pod: dict, *resources: dict) -> dict:
    """validPodInit."""
    init = pod["spec"].setdefault("initContainers", [])
    for i, r in enumerate(resources):
        init.append({"name": f"foo-{i}", "image": f"foo:V{i}", "resources": copy.deepcopy(r)})
    return pod


def with_restartable_init_container(requests: dict, limits: dict, pod: dict) -> dict:
    """withRestartableInitContainer."""
    init = pod["spec"].setdefault("initContainers", [])
    n = len(init)
    init.append(
        {
            "name": f"foo-{n}",
            "image": f"foo:V{n}",
            "restartPolicy": "Always",
            "resources": reqs(requests, limits),
        }
    )
    return pod


def test_default_container_resource_requirements() -> None:
    """TestDefaultContainerResourceRequirements."""
    requests, limits = container_defaults(valid_limit_range())
    assert {k: str(v) for k, (v, _) in requests.items()} == {"cpu": "50m", "memory": "5Mi"}
    assert {k: str(v) for k, (v, _) in limits.items()} == {"cpu": "75m", "memory": "10Mi"}


def test_merge_pod_resource_requirements_empty() -> None:
    """TestMergePodResourceRequirements: a pod with no resources gets every default."""
    pod = valid_pod("empty-resources", 1, reqs({}, {}))
    spec, defaulted = default_containers(pod["spec"], valid_limit_range())
    assert spec["containers"][0]["resources"] == reqs(compute("50m", "5Mi"), compute("75m", "10Mi"))
    assert limit_ranger_annotation(defaulted) == (
        "LimitRanger plugin set: cpu, memory request for container foo-0; cpu, memory limit for container foo-0"
    )


def test_merge_pod_resource_requirements_partial() -> None:
    """TestMergePodResourceRequirements: only the missing values are merged, in containers and
    init containers. (The Go case shares one map between the container and the init container,
    so its annotation names the container only; decoded pods never share maps.)"""
    given = reqs(compute("", "512Mi"), compute("", ""))
    pod = valid_pod_init(valid_pod("limit-memory", 1, given), given)
    spec, defaulted = default_containers(pod["spec"], valid_limit_range())
    expected = reqs(compute("50m", "512Mi"), compute("75m", "10Mi"))
    assert spec["containers"][0]["resources"] == expected
    assert spec["initContainers"][0]["resources"] == expected
    assert limit_ranger_annotation(defaulted) == (
        "LimitRanger plugin set: cpu request for container foo-0; cpu, memory limit for container foo-0; "
        "cpu request for init container foo-0; cpu, memory limit for init container foo-0"
    )


def test_merge_pod_resource_requirements_complete() -> None:
    """TestMergePodResourceRequirements: nothing merged, no annotation."""
    given = reqs(compute("100m", "512Mi"), compute("200m", "1G"))
    init = reqs(compute("200m", "1G"), compute("400m", "2G"))
    pod = valid_pod_init(valid_pod("limit-memory", 1, given), init)
    spec, defaulted = default_containers(pod["spec"], valid_limit_range())
    assert spec["containers"][0]["resources"] == given
    assert spec["initContainers"][0]["resources"] == init
    assert defaulted == []
    assert limit_ranger_annotation(defaulted) == ""


C, P = "Container", "Pod"

# TestPodLimitFunc successCases: (pod, limitRange).
SUCCESS = [
    (
        valid_pod("ctr-min-cpu-request", 1, reqs(compute("100m"), {})),
        create_limit_range(C, compute("50m")),
    ),
    (
        valid_pod("ctr-min-cpu-request-limit", 1, reqs(compute("100m"), compute("200m"))),
        create_limit_range(C, compute("50m")),
    ),
    (
        valid_pod("ctr-min-memory-request", 1, reqs(compute("", "60Mi"), {})),
        create_limit_range(C, compute("", "50Mi")),
    ),
    (
        valid_pod(
            "ctr-min-memory-request-limit", 1, reqs(compute("", "60Mi"), compute("", "100Mi"))
        ),
        create_limit_range(C, compute("", "50Mi")),
    ),
    (
        valid_pod("ctr-max-cpu-request-limit", 1, reqs(compute("500m"), compute("1"))),
        create_limit_range(C, None, compute("2")),
    ),
    (
        valid_pod("ctr-max-cpu-limit", 1, reqs({}, compute("1"))),
        create_limit_range(C, None, compute("2")),
    ),
    (
        valid_pod("ctr-max-mem-request-limit", 1, reqs(compute("", "250Mi"), compute("", "500Mi"))),
        create_limit_range(C, None, compute("", "1Gi")),
    ),
    (
        valid_pod("ctr-max-cpu-ratio", 1, reqs(compute("500m"), compute("750m"))),
        create_limit_range(C, None, None, None, None, compute("1.5")),
    ),
    (
        valid_pod("ctr-max-mem-limit", 1, reqs({}, compute("", "500Mi"))),
        create_limit_range(C, None, compute("", "1Gi")),
    ),
    (
        valid_pod("pod-min-cpu-request", 2, reqs(compute("75m"), {})),
        create_limit_range(P, compute("100m")),
    ),
    (
        valid_pod("pod-min-cpu-request-limit", 2, reqs(compute("75m"), compute("200m"))),
        create_limit_range(P, compute("100m")),
    ),
    (
        valid_pod("pod-min-memory-request", 2, reqs(compute("", "60Mi"), {})),
        create_limit_range(P, compute("", "100Mi")),
    ),
    (
        valid_pod(
            "pod-min-memory-request-limit", 2, reqs(compute("", "60Mi"), compute("", "100Mi"))
        ),
        create_limit_range(P, compute("", "100Mi")),
    ),
    (
        valid_pod_init(
            valid_pod("pod-init-min-memory-request", 2, reqs(compute("", "60Mi"), {})),
            reqs(compute("", "100Mi"), {}),
        ),
        create_limit_range(P, compute("", "100Mi")),
    ),
    (
        valid_pod_init(
            valid_pod(
                "pod-init-min-memory-request-limit",
                2,
                reqs(compute("", "60Mi"), compute("", "100Mi")),
            ),
            reqs(compute("", "80Mi"), compute("", "100Mi")),
        ),
        create_limit_range(P, compute("", "100Mi")),
    ),
    (
        valid_pod("pod-max-cpu-request-limit", 2, reqs(compute("500m"), compute("1"))),
        create_limit_range(P, None, compute("2")),
    ),
    (
        valid_pod("pod-max-cpu-limit", 2, reqs({}, compute("1"))),
        create_limit_range(P, None, compute("2")),
    ),
    (
        valid_pod_init(
            valid_pod("pod-init-max-cpu-request-limit", 2, reqs(compute("500m"), compute("1"))),
            reqs(compute("1"), compute("2")),
            reqs(compute("1"), compute("1")),
        ),
        create_limit_range(P, None, compute("2")),
    ),
    (
        valid_pod_init(
            valid_pod("pod-init-max-cpu-limit", 2, reqs({}, compute("1"))),
            reqs({}, compute("2")),
            reqs({}, compute("2")),
        ),
        create_limit_range(P, None, compute("2")),
    ),
    (
        valid_pod("pod-max-mem-request-limit", 2, reqs(compute("", "250Mi"), compute("", "500Mi"))),
        create_limit_range(P, None, compute("", "1Gi")),
    ),
    (
        valid_pod("pod-max-mem-limit", 2, reqs({}, compute("", "500Mi"))),
        create_limit_range(P, None, compute("", "1Gi")),
    ),
    (
        valid_pod("pod-max-mem-ratio", 3, reqs(compute("", "300Mi"), compute("", "450Mi"))),
        create_limit_range(P, None, compute("", "2Gi"), None, None, compute("", "1.5")),
    ),
    (
        valid_pod("ctr-1-min-local-ephemeral-storage-request", 1, reqs(local("60Mi"), {})),
        create_limit_range(C, local("50Mi")),
    ),
    (
        valid_pod(
            "ctr-1-min-local-ephemeral-storage-request-limit",
            1,
            reqs(local("60Mi"), local("100Mi")),
        ),
        create_limit_range(C, local("50Mi")),
    ),
    (
        valid_pod(
            "ctr-1-max-local-ephemeral-storage-request-limit",
            1,
            reqs(local("250Mi"), local("500Mi")),
        ),
        create_limit_range(C, None, local("1Gi")),
    ),
    (
        valid_pod("ctr-1-max-local-ephemeral-storage-limit", 1, reqs({}, local("500Mi"))),
        create_limit_range(C, None, local("1Gi")),
    ),
    (
        valid_pod("ctr-2-min-local-ephemeral-storage-request", 2, reqs(local("60Mi"), {})),
        create_limit_range(C, local("50Mi")),
    ),
    (
        valid_pod(
            "ctr-2-min-local-ephemeral-storage-request-limit",
            2,
            reqs(local("60Mi"), local("100Mi")),
        ),
        create_limit_range(C, local("50Mi")),
    ),
    (
        valid_pod(
            "ctr-2-max-local-ephemeral-storage-request-limit",
            2,
            reqs(local("250Mi"), local("500Mi")),
        ),
        create_limit_range(C, None, local("600Mi")),
    ),
    (
        valid_pod("ctr-2-max-local-ephemeral-storage-limit", 2, reqs({}, local("500Mi"))),
        create_limit_range(C, None, local("600Mi")),
    ),
    (
        valid_pod("pod-min-local-ephemeral-storage-request", 2, reqs(local("60Mi"), {})),
        create_limit_range(P, local("100Mi")),
    ),
    (
        valid_pod(
            "pod-min-local-ephemeral-storage-request-limit", 2, reqs(local("60Mi"), local("100Mi"))
        ),
        create_limit_range(P, local("100Mi")),
    ),
    (
        valid_pod_init(
            valid_pod("pod-init-min-local-ephemeral-storage-request", 2, reqs(local("60Mi"), {})),
            reqs(local("100Mi"), {}),
        ),
        create_limit_range(P, local("100Mi")),
    ),
    (
        valid_pod_init(
            valid_pod(
                "pod-init-min-local-ephemeral-storage-request-limit",
                2,
                reqs(local("60Mi"), local("100Mi")),
            ),
            reqs(local("80Mi"), local("100Mi")),
        ),
        create_limit_range(P, local("100Mi")),
    ),
    (
        valid_pod(
            "pod-max-local-ephemeral-storage-request-limit", 2, reqs(local("250Mi"), local("500Mi"))
        ),
        create_limit_range(P, None, local("1Gi")),
    ),
    (
        valid_pod("pod-max-local-ephemeral-storage-limit", 2, reqs({}, local("500Mi"))),
        create_limit_range(P, None, local("1Gi")),
    ),
    (
        valid_pod("pod-max-local-ephemeral-storage-ratio", 3, reqs(local("300Mi"), local("450Mi"))),
        create_limit_range(P, None, local("2Gi"), None, None, local("1.5")),
    ),
]


@pytest.mark.parametrize(("pod", "rules"), SUCCESS, ids=[p["name"] for p, _ in SUCCESS])
def test_pod_limit_func_success(pod: dict, rules: list) -> None:
    """TestPodLimitFunc successCases: PodMutateLimitFunc then PodValidateLimitFunc, no error."""
    _, _, violations = admit_pod(pod["spec"], rules)
    assert violations == []


# TestPodLimitFunc errorCases: (pod, limitRange, the message of each violation).
ERRORS = [
    (
        valid_pod("ctr-min-cpu-request", 1, reqs(compute("40m"), {})),
        create_limit_range(C, compute("50m")),
        ["minimum cpu usage per Container is 50m, but request is 40m"],
    ),
    (
        valid_pod("ctr-min-cpu-request-limit", 1, reqs(compute("40m"), compute("200m"))),
        create_limit_range(C, compute("50m")),
        ["minimum cpu usage per Container is 50m, but request is 40m"],
    ),
    (
        valid_pod("ctr-min-cpu-no-request-limit", 1, reqs({}, {})),
        create_limit_range(C, compute("50m")),
        ["minimum cpu usage per Container is 50m.  No request is specified"],
    ),
    (
        valid_pod("ctr-min-memory-request", 1, reqs(compute("", "40Mi"), {})),
        create_limit_range(C, compute("", "50Mi")),
        ["minimum memory usage per Container is 50Mi, but request is 40Mi"],
    ),
    (
        valid_pod(
            "ctr-min-memory-request-limit", 1, reqs(compute("", "40Mi"), compute("", "100Mi"))
        ),
        create_limit_range(C, compute("", "50Mi")),
        ["minimum memory usage per Container is 50Mi, but request is 40Mi"],
    ),
    (
        valid_pod("ctr-min-memory-no-request-limit", 1, reqs({}, {})),
        create_limit_range(C, compute("", "50Mi")),
        ["minimum memory usage per Container is 50Mi.  No request is specified"],
    ),
    (
        valid_pod("ctr-max-cpu-request-limit", 1, reqs(compute("500m"), compute("2500m"))),
        create_limit_range(C, None, compute("2")),
        ["maximum cpu usage per Container is 2, but limit is 2500m"],
    ),
    (
        valid_pod("ctr-max-cpu-limit", 1, reqs({}, compute("2500m"))),
        create_limit_range(C, None, compute("2")),
        ["maximum cpu usage per Container is 2, but limit is 2500m"],
    ),
    (
        valid_pod("ctr-max-cpu-no-request-limit", 1, reqs({}, {})),
        create_limit_range(C, None, compute("2")),
        ["maximum cpu usage per Container is 2.  No limit is specified"],
    ),
    (
        valid_pod("ctr-max-cpu-ratio", 1, reqs(compute("1250m"), compute("2500m"))),
        create_limit_range(C, None, None, None, None, compute("1")),
        ["cpu max limit to request ratio per Container is 1, but provided ratio is 2.000000"],
    ),
    (
        valid_pod("ctr-max-mem-request-limit", 1, reqs(compute("", "250Mi"), compute("", "2Gi"))),
        create_limit_range(C, None, compute("", "1Gi")),
        ["maximum memory usage per Container is 1Gi, but limit is 2Gi"],
    ),
    (
        valid_pod("ctr-max-mem-limit", 1, reqs({}, compute("", "2Gi"))),
        create_limit_range(C, None, compute("", "1Gi")),
        ["maximum memory usage per Container is 1Gi, but limit is 2Gi"],
    ),
    (
        valid_pod("ctr-max-mem-no-request-limit", 1, reqs({}, {})),
        create_limit_range(C, None, compute("", "1Gi")),
        ["maximum memory usage per Container is 1Gi.  No limit is specified"],
    ),
    (
        valid_pod("pod-min-cpu-request", 1, reqs(compute("75m"), {})),
        create_limit_range(P, compute("100m")),
        ["minimum cpu usage per Pod is 100m, but request is 75m"],
    ),
    (
        valid_pod("pod-min-cpu-request-limit", 1, reqs(compute("75m"), compute("200m"))),
        create_limit_range(P, compute("100m")),
        ["minimum cpu usage per Pod is 100m, but request is 75m"],
    ),
    (
        valid_pod("pod-min-memory-request", 1, reqs(compute("", "60Mi"), {})),
        create_limit_range(P, compute("", "100Mi")),
        ["minimum memory usage per Pod is 100Mi, but request is 60Mi"],
    ),
    (
        valid_pod(
            "pod-min-memory-request-limit", 1, reqs(compute("", "60Mi"), compute("", "100Mi"))
        ),
        create_limit_range(P, compute("", "100Mi")),
        ["minimum memory usage per Pod is 100Mi, but request is 60Mi"],
    ),
    (
        valid_pod("pod-max-cpu-request-limit", 3, reqs(compute("500m"), compute("1"))),
        create_limit_range(P, None, compute("2")),
        ["maximum cpu usage per Pod is 2, but limit is 3"],
    ),
    (
        valid_pod("pod-max-cpu-limit", 3, reqs({}, compute("1"))),
        create_limit_range(P, None, compute("2")),
        ["maximum cpu usage per Pod is 2, but limit is 3"],
    ),
    (
        valid_pod("pod-max-mem-request-limit", 3, reqs(compute("", "250Mi"), compute("", "500Mi"))),
        create_limit_range(P, None, compute("", "1Gi")),
        ["maximum memory usage per Pod is 1Gi, but limit is 1500Mi"],
    ),
    (
        valid_pod("pod-max-mem-limit", 3, reqs({}, compute("", "500Mi"))),
        create_limit_range(P, None, compute("", "1Gi")),
        ["maximum memory usage per Pod is 1Gi, but limit is 1500Mi"],
    ),
    (
        valid_pod_init(
            valid_pod("pod-init-max-mem-limit", 1, reqs({}, compute("", "500Mi"))),
            reqs({}, compute("", "1.5Gi")),
        ),
        create_limit_range(P, None, compute("", "1Gi")),
        ["maximum memory usage per Pod is 1Gi, but limit is 1536Mi"],
    ),
    (
        valid_pod("pod-max-mem-ratio", 3, reqs(compute("", "250Mi"), compute("", "500Mi"))),
        create_limit_range(P, None, compute("", "2Gi"), None, None, compute("", "1.5")),
        ["memory max limit to request ratio per Pod is 1500m, but provided ratio is 2.000000"],
    ),
    (
        valid_pod("ctr-1-min-local-ephemeral-storage-request", 1, reqs(local("40Mi"), {})),
        create_limit_range(C, local("50Mi")),
        ["minimum ephemeral-storage usage per Container is 50Mi, but request is 40Mi"],
    ),
    (
        valid_pod(
            "ctr-1-min-local-ephemeral-storage-request-limit",
            1,
            reqs(local("40Mi"), local("100Mi")),
        ),
        create_limit_range(C, local("50Mi")),
        ["minimum ephemeral-storage usage per Container is 50Mi, but request is 40Mi"],
    ),
    (
        valid_pod("ctr-1-min-local-ephemeral-storage-no-request-limit", 1, reqs({}, {})),
        create_limit_range(C, local("50Mi")),
        ["minimum ephemeral-storage usage per Container is 50Mi.  No request is specified"],
    ),
    (
        valid_pod(
            "ctr-1-max-local-ephemeral-storage-request-limit", 1, reqs(local("250Mi"), local("2Gi"))
        ),
        create_limit_range(C, None, local("1Gi")),
        ["maximum ephemeral-storage usage per Container is 1Gi, but limit is 2Gi"],
    ),
    (
        valid_pod("ctr-1-max-local-ephemeral-storage-limit", 1, reqs({}, local("2Gi"))),
        create_limit_range(C, None, local("1Gi")),
        ["maximum ephemeral-storage usage per Container is 1Gi, but limit is 2Gi"],
    ),
    (
        valid_pod("ctr-1-max-local-ephemeral-storage-no-request-limit", 1, reqs({}, {})),
        create_limit_range(C, None, local("1Gi")),
        ["maximum ephemeral-storage usage per Container is 1Gi.  No limit is specified"],
    ),
    (
        valid_pod("ctr-2-min-local-ephemeral-storage-request", 2, reqs(local("40Mi"), {})),
        create_limit_range(C, local("50Mi")),
        ["minimum ephemeral-storage usage per Container is 50Mi, but request is 40Mi"] * 2,
    ),
    (
        valid_pod(
            "ctr-2-min-local-ephemeral-storage-request-limit",
            2,
            reqs(local("40Mi"), local("100Mi")),
        ),
        create_limit_range(C, local("50Mi")),
        ["minimum ephemeral-storage usage per Container is 50Mi, but request is 40Mi"] * 2,
    ),
    (
        valid_pod("ctr-2-min-local-ephemeral-storage-no-request-limit", 2, reqs({}, {})),
        create_limit_range(C, local("50Mi")),
        ["minimum ephemeral-storage usage per Container is 50Mi.  No request is specified"] * 2,
    ),
    (
        valid_pod(
            "ctr-2-max-local-ephemeral-storage-request-limit", 2, reqs(local("250Mi"), local("2Gi"))
        ),
        create_limit_range(C, None, local("1Gi")),
        ["maximum ephemeral-storage usage per Container is 1Gi, but limit is 2Gi"] * 2,
    ),
    (
        valid_pod("ctr-2-max-local-ephemeral-storage-limit", 2, reqs({}, local("2Gi"))),
        create_limit_range(C, None, local("1Gi")),
        ["maximum ephemeral-storage usage per Container is 1Gi, but limit is 2Gi"] * 2,
    ),
    (
        valid_pod("ctr-2-max-local-ephemeral-storage-no-request-limit", 2, reqs({}, {})),
        create_limit_range(C, None, local("1Gi")),
        ["maximum ephemeral-storage usage per Container is 1Gi.  No limit is specified"] * 2,
    ),
    (
        valid_pod("pod-min-local-ephemeral-storage-request", 1, reqs(local("60Mi"), {})),
        create_limit_range(P, local("100Mi")),
        ["minimum ephemeral-storage usage per Pod is 100Mi, but request is 60Mi"],
    ),
    (
        valid_pod(
            "pod-min-local-ephemeral-storage-request-limit", 1, reqs(local("60Mi"), local("100Mi"))
        ),
        create_limit_range(P, local("100Mi")),
        ["minimum ephemeral-storage usage per Pod is 100Mi, but request is 60Mi"],
    ),
    (
        valid_pod(
            "pod-max-local-ephemeral-storage-request-limit", 3, reqs(local("250Mi"), local("500Mi"))
        ),
        create_limit_range(P, None, local("1Gi")),
        ["maximum ephemeral-storage usage per Pod is 1Gi, but limit is 1500Mi"],
    ),
    (
        valid_pod("pod-max-local-ephemeral-storage-limit", 3, reqs({}, local("500Mi"))),
        create_limit_range(P, None, local("1Gi")),
        ["maximum ephemeral-storage usage per Pod is 1Gi, but limit is 1500Mi"],
    ),
    (
        valid_pod_init(
            valid_pod("pod-init-max-local-ephemeral-storage-limit", 1, reqs({}, local("500Mi"))),
            reqs({}, local("1.5Gi")),
        ),
        create_limit_range(P, None, local("1Gi")),
        ["maximum ephemeral-storage usage per Pod is 1Gi, but limit is 1536Mi"],
    ),
    (
        valid_pod("pod-max-local-ephemeral-storage-ratio", 3, reqs(local("250Mi"), local("500Mi"))),
        create_limit_range(P, None, local("2Gi"), None, None, local("1.5")),
        [
            "ephemeral-storage max limit to request ratio per Pod is 1500m, but provided ratio is 2.000000"
        ],
    ),
    (
        # The sidecar's request runs beside the container's: 1000m + 1500m.
        with_restartable_init_container(
            compute("1500m"),
            {},
            valid_pod(
                "ctr-max-cpu-limit-restartable-init-container",
                1,
                reqs(compute("1000m"), compute("1500m")),
            ),
        ),
        create_limit_range(P, None, compute("2")),
        ["maximum cpu usage per Pod is 2, but request is 2500m"],
    ),
]


@pytest.mark.parametrize(
    ("pod", "rules", "messages"), ERRORS, ids=[p["name"] for p, _, _ in ERRORS]
)
def test_pod_limit_func_error(pod: dict, rules: list, messages: list[str]) -> None:
    """TestPodLimitFunc errorCases: PodMutateLimitFunc then PodValidateLimitFunc fails."""
    _, _, violations = admit_pod(pod["spec"], rules)
    assert [v.message for v in violations] == messages
    # Repeated messages appear once in the refusal (utilerrors aggregate).
    assert (
        pod_forbidden_message(pod["name"], violations)
        == f'pods "{pod["name"]}" is forbidden: {messages[0]}'
    )


def test_pod_limit_func_apply_default() -> None:
    """TestPodLimitFuncApplyDefault: containers and init containers get the defaults."""
    pod = valid_pod_init(valid_pod("foo", 1, reqs({}, {})), reqs({}, {}))
    spec, _ = default_containers(pod["spec"], valid_limit_range())
    for container in [*spec["containers"], *spec["initContainers"]]:
        assert container["resources"] == {
            "limits": {"cpu": "75m", "memory": "10Mi"},
            "requests": {"cpu": "50m", "memory": "5Mi"},
        }


def test_limit_ranger_admit_pod() -> None:
    """TestLimitRangerAdmitPod / TestLimitRangerIgnoresSubresource: a pod without resources is
    refused on CREATE; updates, subresources and terminating objects are not handled."""
    pod = valid_pod("testPod", 1, {})
    _, defaulted, violations = admit_pod(pod["spec"], valid_limit_range_no_defaults())
    assert defaulted == []
    assert pod_forbidden_message("testPod", violations) == (
        'pods "testPod" is forbidden: ['
        "minimum cpu usage per Pod is 50m.  No request is specified, "
        "minimum memory usage per Pod is 2Mi.  No request is specified, "
        "maximum cpu usage per Pod is 200m.  No limit is specified, "
        "maximum memory usage per Pod is 4Gi.  No limit is specified, "
        "minimum cpu usage per Container is 25m.  No request is specified, "
        "minimum memory usage per Container is 1Mi.  No request is specified, "
        "maximum cpu usage per Container is 100m.  No limit is specified, "
        "maximum memory usage per Container is 2Gi.  No limit is specified]"
    )
    assert supports("Pod", "CREATE")
    assert not supports("Pod", "UPDATE")
    assert not supports("Pod", "UPDATE", "status")
    assert supports("Pod", "UPDATE", "resize")
    assert not supports("Pod", "UPDATE", "", old_deleting=True)
    assert supports("PersistentVolumeClaim", "CREATE") and supports(
        "PersistentVolumeClaim", "UPDATE"
    )
    assert not supports("PersistentVolumeClaim", "UPDATE", "status")
    assert not supports("Deployment", "CREATE")
    assert not supports("Pod", "DELETE")


def pvc(name: str, requests: dict) -> dict:
    """validPersistentVolumeClaim."""
    return {"metadata": {"name": name}, "spec": {"resources": {"requests": requests}}}


@pytest.mark.parametrize(
    ("claim", "rules"),
    [
        (
            pvc("pvc-is-min-storage-request", storage("1Gi")),
            create_limit_range("PersistentVolumeClaim", storage("1Gi")),
        ),
        (
            pvc("pvc-is-max-storage-request", storage("1Gi")),
            create_limit_range("PersistentVolumeClaim", None, storage("1Gi")),
        ),
        (
            pvc("pvc-no-minmax-storage-request", storage("100Gi")),
            create_limit_range("PersistentVolumeClaim"),
        ),
        (
            pvc("pvc-within-minmax-storage-request", storage("5Gi")),
            create_limit_range("PersistentVolumeClaim", storage("1Gi"), storage("10Gi")),
        ),
    ],
)
def test_persistent_volume_claim_limit_func_success(claim: dict, rules: list) -> None:
    """TestPersistentVolumeClaimLimitFunc successCases."""
    assert validate_pvc(claim, rules) == []


@pytest.mark.parametrize(
    ("claim", "rules", "message"),
    [
        (
            pvc("pvc-below-min-storage-request", storage("500Mi")),
            create_limit_range("PersistentVolumeClaim", storage("1Gi")),
            "minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi",
        ),
        (
            pvc("pvc-exceeds-max-storage-request", storage("100Gi")),
            create_limit_range("PersistentVolumeClaim", storage("1Gi"), storage("1Gi")),
            "maximum storage usage per PersistentVolumeClaim is 1Gi, but request is 100Gi",
        ),
    ],
)
def test_persistent_volume_claim_limit_func_error(claim: dict, rules: list, message: str) -> None:
    """TestPersistentVolumeClaimLimitFunc errorCases."""
    violations = validate_pvc(claim, rules)
    assert [v.message for v in violations] == [message]
    assert violations[0].path == ("spec", "resources", "requests", "storage")
    name = claim["metadata"]["name"]
    assert (
        pvc_forbidden_message(name, violations)
        == f'persistentvolumeclaims "{name}" is forbidden: {message}'
    )


def test_pvc_update_skips_an_unchanged_request() -> None:
    """PersistentVolumeClaimValidateLimitFunc with the stored claim (`unchangedRequest`): a
    request equal to the stored one is not checked again; a changed one is."""
    rules = create_limit_range("PersistentVolumeClaim", storage("1Gi"), storage("10Gi"))
    old = pvc("data", storage("20Gi"))  # stored before the LimitRange existed
    assert validate_pvc(pvc("data", storage("20Gi")), rules, old=old) == []
    assert [v.message for v in validate_pvc(pvc("data", storage("30Gi")), rules, old=old)] == [
        "maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 30Gi"
    ]


# ---------------------------------------------------------------------------------------------
# admission_overflow_test.go: exact comparisons, never the int64 projections


def mq(text: str) -> quantity.Quantity:
    """resource.MustParse (no milli rounding)."""
    parsed = quantity.parse(text)
    assert parsed is not None
    return parsed


def mem(text: str) -> dict[str, Any]:
    return {"memory": mq(text)}


def test_constraints_are_overflow_safe() -> None:
    """TestConstraintsAreOverflowSafe (the 1e2147483647 row is left out: kube/quantity.py does
    not read exponents beyond 1000)."""
    huge, normal, small = mq("18446744073709551616"), mq("1000"), mq("1")
    assert max_constraint("Container", "memory", normal, {}, {"memory": huge}) is not None
    assert max_request_constraint("Container", "memory", normal, {"memory": huge}) is not None
    assert min_constraint("Container", "memory", huge, {"memory": small}, {}) is not None
    assert (
        ratio_constraint("Container", "memory", normal, {"memory": small}, {"memory": huge})
        is not None
    )
    assert max_constraint("Container", "memory", normal, {}, {"memory": small}) is None


@pytest.mark.parametrize(
    ("desc", "req", "lim", "ratio", "fails"),
    [
        ("ratio at the maximum", "100", "200", "2", False),
        ("ratio above the maximum", "100", "300", "2", True),
        ("limit whose projection wraps negative", "1", "9223372036854775809", "2", True),
        (
            "equal request and limit at 2^63",
            "9223372036854775808",
            "9223372036854775808",
            "1",
            False,
        ),
        (
            "equal request and limit at 2^64",
            "18446744073709551616",
            "18446744073709551616",
            "1",
            False,
        ),
        (
            "ratio at the maximum past 2^63",
            "9223372036854775808",
            "18446744073709551616",
            "2",
            False,
        ),
        (
            "ratio above the maximum past 2^63",
            "9223372036854775808",
            "27670116110564327424",
            "2",
            True,
        ),
        ("ratio one unit below the maximum", "9007199254740992", "18014398509481983", "2", False),
        ("ratio exactly at the maximum", "9007199254740992", "18014398509481984", "2", False),
        ("ratio one unit above the maximum", "9007199254740992", "18014398509481985", "2", True),
    ],
)
def test_limit_ranger_ratio_is_exact(
    desc: str, req: str, lim: str, ratio: str, fails: bool
) -> None:
    """TestLimitRangerRatioIsExact."""
    result = ratio_constraint("Container", "memory", mq(ratio), mem(req), mem(lim))
    assert (result is not None) is fails, desc


def test_constraints_reject_values_the_projection_rounded() -> None:
    """TestConstraintsRejectValuesTheProjectionRounded."""
    assert min_constraint("Container", "memory", mq("1"), mem("0.9999"), {}) is not None
    assert max_constraint("Container", "memory", mq("1.0001"), {}, mem("1.0009")) is not None
    assert max_request_constraint("Container", "memory", mq("1.0001"), mem("1.0009")) is not None
    assert ratio_constraint("Container", "memory", mq("2"), mem("1.0001"), mem("2.001")) is not None


def test_ratio_message_rounds_half_to_even() -> None:
    """ratioString: six decimals, QuoRound(..., RoundHalfEven): 2/3 and a tie."""
    failed = ratio_constraint("Container", "cpu", mq("1"), {"cpu": mq("3")}, {"cpu": mq("2")})
    assert failed is None
    failed = ratio_constraint("Container", "cpu", mq("0.5"), {"cpu": mq("3")}, {"cpu": mq("2")})
    assert failed is not None and failed[0].endswith("provided ratio is 0.666667")
    tie = ratio_constraint(
        "Container", "cpu", mq("1"), {"cpu": mq("2000000")}, {"cpu": mq("2000001")}
    )
    assert tie is not None and tie[0].endswith("provided ratio is 1.000000")  # 1.0000005 -> even
