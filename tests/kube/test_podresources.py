"""kubeplan.kube.podresources: PodRequests / PodLimits and SetDefaults_Pod's resource defaulting.

The tables are ported from staging/src/k8s.io/component-helpers/resource/helpers_test.go
(TestPodRequestsAndLimits, TestPodRequestsAndLimitsWithoutOverhead, TestPodResourceRequests,
TestPodLevelResourceRequests, TestIsSupportedPodLevelResource), spec-only cases: kubeplan reads
manifests, which have no pod status, so the `UseStatusResources` cases are left out.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from kubeplan.kube import podresources, quantity
from kubeplan.kube.podresources import (
    default_pod_spec,
    is_supported_pod_level_resource,
    pod_limit_quantities,
    pod_limits,
    pod_request_quantities,
    pod_requests,
)


def ctr(
    req: dict | None = None, lim: dict | None = None, *, sidecar: bool = False, name: str = "c"
) -> dict:
    resources: dict[str, Any] = {}
    if req is not None:
        resources["requests"] = req
    if lim is not None:
        resources["limits"] = lim
    out: dict[str, Any] = {"name": name, "image": "x", "resources": resources}
    if sidecar:
        out["restartPolicy"] = "Always"
    return out


def pod(containers=(), init=(), overhead=None, resources=None) -> dict:
    spec: dict[str, Any] = {"containers": list(containers)}
    if init:
        spec["initContainers"] = list(init)
    if overhead is not None:
        spec["overhead"] = overhead
    if resources is not None:
        spec["resources"] = resources
    return spec


def q(text: str) -> Fraction:
    return quantity.parse_quantity(text)


def amounts(**values: str) -> dict[str, Fraction]:
    return {k.replace("_", "-"): q(v) for k, v in values.items()}


# TestPodRequestsAndLimits (getPod: one container, overhead on the pod).
@pytest.mark.parametrize(
    ("case", "spec", "requests", "limits"),
    [
        ("just-limit-no-overhead", pod([ctr(lim={"cpu": "9"})]), {}, amounts(cpu="9")),
        (
            "just-overhead",
            pod([ctr()], overhead={"cpu": "5", "memory": "5"}),
            amounts(cpu="5", memory="5"),
            {},
        ),
        (
            "req-and-overhead",
            pod([ctr(req={"cpu": "1", "memory": "10"})], overhead={"cpu": "5", "memory": "5"}),
            amounts(cpu="6", memory="15"),
            {},
        ),
        (
            "all-req-lim-and-overhead",
            pod(
                [ctr(req={"cpu": "1", "memory": "10"}, lim={"cpu": "2", "memory": "12"})],
                overhead={"cpu": "5", "memory": "5"},
            ),
            amounts(cpu="6", memory="15"),
            amounts(cpu="7", memory="17"),
        ),
        (
            "req-some-lim-and-overhead",
            pod(
                [ctr(req={"cpu": "1", "memory": "10"}, lim={"cpu": "2"})],
                overhead={"cpu": "5", "memory": "5"},
            ),
            amounts(cpu="6", memory="15"),
            amounts(cpu="7"),
        ),
    ],
)
def test_pod_requests_and_limits(case: str, spec: dict, requests: dict, limits: dict) -> None:
    assert pod_requests(spec) == requests, case
    assert pod_limits(spec) == limits, case


_TWO = [
    ctr({"cpu": "1", "memory": "5"}, {"cpu": "2", "memory": "10"}, name="foobar"),
    ctr({"cpu": "4", "memory": "12"}, {"cpu": "8", "memory": "24"}, name="foobar2"),
]


# TestPodRequestsAndLimitsWithoutOverhead (ExcludeOverhead: true).
@pytest.mark.parametrize(
    ("case", "spec", "requests", "limits"),
    [
        (
            "two container no overhead - should just be sum of containers",
            pod(_TWO),
            amounts(cpu="5", memory="17"),
            amounts(cpu="10", memory="34"),
        ),
        (
            "two container with overhead - shouldn't consider overhead",
            pod(_TWO, overhead={"cpu": "3", "memory": "8"}),
            amounts(cpu="5", memory="17"),
            amounts(cpu="10", memory="34"),
        ),
        (
            "two container with overhead, massive init - should just be the largest init",
            pod(
                _TWO,
                init=[
                    ctr(
                        {"cpu": "1", "memory": "5"}, {"cpu": "1", "memory": "5"}, name="small-init"
                    ),
                    ctr(
                        {"cpu": "40", "memory": "120"},
                        {"cpu": "80", "memory": "240"},
                        name="big-init",
                    ),
                ],
                overhead={"cpu": "3", "memory": "8"},
            ),
            amounts(cpu="40", memory="120"),
            amounts(cpu="80", memory="240"),
        ),
    ],
)
def test_pod_requests_and_limits_without_overhead(
    case: str, spec: dict, requests: dict, limits: dict
) -> None:
    assert pod_requests(spec, exclude_overhead=True) == requests, case
    assert pod_limits(spec, exclude_overhead=True) == limits, case


def cpu(value: str, **kw: Any) -> dict:
    return ctr({"cpu": value}, **kw)


# TestPodResourceRequests, the cases without pod status.
@pytest.mark.parametrize(
    ("case", "spec", "options", "expected"),
    [
        ("nil options, larger init container", pod([cpu("1")], [cpu("4")]), {}, "4"),
        ("nil options, larger containers", pod([cpu("2"), cpu("3")], [cpu("2")]), {}, "5"),
        (
            "pod overhead excluded",
            pod([cpu("2"), cpu("3")], [cpu("2")], overhead={"cpu": "1"}),
            {"exclude_overhead": True},
            "5",
        ),
        (
            "restartable init container",
            pod(
                [cpu("1", name="container-1")], [cpu("1", sidecar=True, name="restartable-init-1")]
            ),
            {},
            "2",
        ),
        (
            # max(5, restartable init containers(3+2+1) + regular(1)) = 7
            "multiple restartable init containers",
            pod(
                [cpu("1")],
                [cpu("5"), cpu("1", sidecar=True), cpu("2", sidecar=True), cpu("3", sidecar=True)],
            ),
            {},
            "7",
        ),
        (
            # init-2 requires 5 + the sidecars started before it (1+2) = 8
            "multiple restartable and regular init containers",
            pod(
                [cpu("1")],
                [
                    cpu("5"),
                    cpu("1", sidecar=True),
                    cpu("2", sidecar=True),
                    cpu("5"),
                    cpu("3", sidecar=True),
                ],
            ),
            {},
            "8",
        ),
        (
            "restartable-init, init and regular",
            pod([cpu("100")], [cpu("10", sidecar=True), cpu("200")]),
            {},
            "210",
        ),
    ],
)
def test_pod_resource_requests(case: str, spec: dict, options: dict, expected: str) -> None:
    assert pod_requests(spec, **options) == {"cpu": q(expected)}, case


def test_pod_resource_requests_overhead_included() -> None:
    """TestPodResourceRequests "pod overhead included": overhead adds a resource no container
    requests (memory) as well."""
    spec = pod(
        [cpu("2"), cpu("3")],
        [ctr({"cpu": "2"}, {"cpu": "2"})],
        overhead={"cpu": "1", "memory": "1Gi"},
    )
    assert pod_requests(spec) == amounts(cpu="6", memory="1Gi")


def test_overhead_is_added_only_to_nonzero_limits() -> None:
    """helpers.go PodLimits: `if value, ok := limits[name]; ok && !value.IsZero()`."""
    spec = pod(
        [ctr(lim={"cpu": "0", "memory": "1Gi"})],
        overhead={"cpu": "1", "memory": "1Gi", "pods": "1"},
    )
    assert pod_limits(spec) == {"cpu": Fraction(0), "memory": q("2Gi")}


def res(**lists: dict) -> dict:
    return dict(lists)


# TestPodLevelResourceRequests.
@pytest.mark.parametrize(
    ("case", "spec", "pod_level", "expected"),
    [
        ("nil", pod(), True, {}),
        (
            "pod level memory resource with SkipPodLevelResources true",
            pod(resources=res(requests={"memory": "2Mi"})),
            False,
            {},
        ),
        (
            "pod level memory resource with SkipPodLevelResources false",
            pod(resources=res(requests={"memory": "2Mi"})),
            True,
            amounts(memory="2Mi"),
        ),
        (
            "pod level memory and container level cpu resources",
            pod([cpu("2m")], resources=res(requests={"memory": "2Mi"})),
            True,
            amounts(memory="2Mi", cpu="2m"),
        ),
        (
            "pod level unsupported resources set at both pod-level and container-level",
            pod([ctr({"storage": "3Mi"})], resources=res(requests={"storage": "2Mi"})),
            True,
            amounts(storage="3Mi"),
        ),
        (
            "pod level unsupported resources set at pod-level",
            pod([ctr({"memory": "3Mi"})], resources=res(requests={"storage": "2Mi"})),
            True,
            amounts(memory="3Mi"),
        ),
        (
            "both container-level and pod-level resources set",
            pod(
                [ctr({"memory": "3Mi", "cpu": "2m"})],
                resources=res(requests={"memory": "6Mi", "cpu": "8m"}),
            ),
            True,
            amounts(memory="6Mi", cpu="8m"),
        ),
        (
            "container-level resources and init container set (SkipPodLevelResources true)",
            pod([ctr({"memory": "3Mi", "cpu": "2m"})], [ctr({"memory": "5Mi", "cpu": "4m"})]),
            False,
            amounts(memory="5Mi", cpu="4m"),
        ),
        (
            "container-level resources and sidecar container set",
            pod(
                [ctr({"memory": "3Mi", "cpu": "2m"})],
                [ctr({"memory": "5Mi", "cpu": "4m"}, sidecar=True)],
            ),
            True,
            amounts(memory="8Mi", cpu="6m"),
        ),
        (
            "container-level resources, init and sidecar container set",
            pod(
                [ctr({"memory": "3Mi", "cpu": "2m"})],
                [
                    ctr({"memory": "5Mi", "cpu": "4m"}, sidecar=True),
                    ctr({"memory": "6Mi", "cpu": "8m"}),
                ],
            ),
            True,
            amounts(memory="11Mi", cpu="12m"),
        ),
        (
            "pod-level resources, container-level resources, init and sidecar container set",
            pod(
                [ctr({"memory": "3Mi", "cpu": "2m"})],
                [
                    ctr({"memory": "5Mi", "cpu": "4m"}, sidecar=True),
                    ctr({"memory": "6Mi", "cpu": "8m"}),
                ],
                resources=res(requests={"memory": "15Mi", "cpu": "18m"}),
            ),
            True,
            amounts(memory="15Mi", cpu="18m"),
        ),
        (
            "pod-level resources, hugepage request/limit single page size",
            pod(
                resources=res(
                    limits={"hugepages-2Mi": "2Mi"},
                    requests={"memory": "10Mi", "hugepages-2Mi": "2Mi"},
                )
            ),
            True,
            {"memory": q("10Mi"), "hugepages-2Mi": q("2Mi")},
        ),
        (
            "pod-level resources, container-level resources, hugepage multiple page sizes between levels",
            pod(
                [ctr({"memory": "4Mi", "hugepages-1Gi": "1Gi"}, {"hugepages-1Gi": "1Gi"})],
                resources=res(
                    limits={"hugepages-2Mi": "10Mi"}, requests={"cpu": "1", "hugepages-2Mi": "10Mi"}
                ),
            ),
            True,
            {
                "cpu": q("1"),
                "memory": q("4Mi"),
                "hugepages-2Mi": q("10Mi"),
                "hugepages-1Gi": q("1Gi"),
            },
        ),
    ],
)
def test_pod_level_resource_requests(
    case: str, spec: dict, pod_level: bool, expected: dict
) -> None:
    assert pod_requests(spec, pod_level=pod_level) == expected, case


@pytest.mark.parametrize(
    ("name", "supported"),
    [
        ("cpu", True),
        ("memory", True),
        ("ephemeral-storage", False),
        ("hugepages-2Mi", True),
        ("hugepages-1Gi", True),
    ],
)
def test_is_supported_pod_level_resource(name: str, supported: bool) -> None:
    """TestIsSupportedPodLevelResource."""
    assert is_supported_pod_level_resource(name) is supported


def test_pod_level_limits_replace_only_when_pod_level_resources_are_set() -> None:
    """PodLimits applies pod-level limits when IsPodLevelResourcesSet (requests or limits name a
    supported resource); unsupported pod-level names are ignored."""
    spec = pod(
        [ctr(lim={"cpu": "1", "memory": "1Gi"})], resources=res(limits={"cpu": "3", "storage": "1"})
    )
    assert pod_limits(spec) == amounts(cpu="3", memory="1Gi")
    assert pod_limits(spec, pod_level=False) == amounts(cpu="1", memory="1Gi")


def test_non_missing_container_requests() -> None:
    """NonMissingContainerRequests replaces missing requests only (helpers.go applyNonMissing);
    an explicit zero is kept."""
    spec = pod([ctr({"cpu": "0"}), ctr({})])
    non_missing = {"cpu": quantity.parse("100m"), "memory": quantity.parse("200Mi")}
    assert pod_requests(spec, non_missing=non_missing) == amounts(cpu="100m", memory="400Mi")


def test_totals_keep_the_format_of_the_first_term() -> None:
    """quantity.go Add keeps the receiver's format (unless zero): 512Mi + 512Mi prints `1Gi`,
    and 1G + 1Gi prints in decimal."""
    assert (
        str(
            pod_request_quantities(pod([ctr({"memory": "512Mi"}), ctr({"memory": "512Mi"})]))[
                "memory"
            ]
        )
        == "1Gi"
    )
    mixed = pod_request_quantities(pod([ctr({"memory": "1G"}), ctr({"memory": "1Gi"})]))["memory"]
    assert str(mixed) == "2073741824"
    zero_first = pod_request_quantities(pod([ctr({"memory": "0"}), ctr({"memory": "1Gi"})]))[
        "memory"
    ]
    assert str(zero_first) == "1Gi"


def test_values_are_rounded_up_to_milli() -> None:
    """SetDefaults_ResourceList: every value rounded up to the milli scale before use."""
    assert pod_requests(pod([cpu("0.0001"), cpu("0.0001")])) == {"cpu": Fraction(2, 1000)}


def test_malformed_entries_are_skipped() -> None:
    spec = {
        "containers": ["x", {"resources": {"requests": {"cpu": "lots", "memory": "1Gi"}}}],
        "initContainers": 3,
    }
    assert pod_requests(spec) == amounts(memory="1Gi")
    assert pod_limit_quantities("not a spec") == {}
    assert podresources.container_amounts({"resources": {"limits": ["cpu"]}}, "limits") == {}


# ---------------------------------------------------------------------------------------------
# default_pod_spec (pkg/apis/core/v1/defaults.go SetDefaults_Pod)


def test_limits_copied_into_missing_requests() -> None:
    spec = pod(
        [ctr({"cpu": "100m"}, {"cpu": "1", "memory": "1Gi"}, name="app")],
        [ctr(None, {"cpu": "500m"}, name="setup")],
    )
    spec["ephemeralContainers"] = [ctr(None, {"cpu": "1"}, name="debug")]
    out = default_pod_spec(spec)
    assert out["containers"][0]["resources"]["requests"] == {"cpu": "100m", "memory": "1Gi"}
    assert out["initContainers"][0]["resources"]["requests"] == {"cpu": "500m"}
    assert "requests" not in out["ephemeralContainers"][0]["resources"]  # ephemeral: untouched
    assert "requests" not in spec["initContainers"][0]["resources"]  # a copy


def test_default_pod_requests_from_containers_then_limits() -> None:
    """defaultPodRequests: pod-level requests default to the containers' aggregate request when
    one is set (cpu), else to the pod-level limit (memory)."""
    spec = pod(
        [ctr({"cpu": "100m"}), ctr({"cpu": "200m"})],
        resources=res(limits={"cpu": "1", "memory": "1Gi"}),
    )
    out = default_pod_spec(spec)
    assert out["resources"]["requests"] == {"cpu": "300m", "memory": "1Gi"}
    assert "requests" not in default_pod_spec(spec, pod_level=False)["resources"]


def test_default_pod_requests_needs_pod_level_limits() -> None:
    spec = pod([ctr({"cpu": "100m"})], resources=res(requests={"memory": "1Gi"}))
    assert default_pod_spec(spec)["resources"] == {"requests": {"memory": "1Gi"}}


def test_default_hugepage_pod_limits() -> None:
    """defaultHugePagePodLimits: pod-level hugepages limits default to the containers'
    aggregate limit, unless a pod-level request names the size; defaultPodRequests then copies
    the limit into the request (hugepages are not overcommittable)."""
    spec = pod(
        [ctr({"hugepages-2Mi": "4Mi"}, {"hugepages-2Mi": "4Mi"})],
        resources=res(requests={"memory": "1Gi"}),
    )
    out = default_pod_spec(spec)
    assert out["resources"]["limits"] == {"hugepages-2Mi": "4Mi"}
    assert out["resources"]["requests"] == {"memory": "1Gi", "hugepages-2Mi": "4Mi"}


def test_default_pod_limits_is_opt_in() -> None:
    spec = pod(
        [ctr(None, {"cpu": "1"}), ctr(None, {"cpu": "2"})], resources=res(requests={"cpu": "500m"})
    )
    assert "limits" not in default_pod_spec(spec)["resources"]
    assert default_pod_spec(spec, pod_limits_from_containers=True)["resources"]["limits"] == {
        "cpu": "3"
    }


def test_default_pod_spec_unshares_aliased_resources() -> None:
    """A YAML alias can give two containers one `resources` mapping; the API server decodes two
    maps, so the defaulted copy must not share them (LimitRanger fills each one later)."""
    shared = {"limits": {"cpu": "1"}}
    out = default_pod_spec(
        pod([{"name": "a", "resources": shared}, {"name": "b", "resources": shared}])
    )
    first, second = (c["resources"] for c in out["containers"])
    assert first == second == {"limits": {"cpu": "1"}, "requests": {"cpu": "1"}}
    assert first is not second and first["requests"] is not second["requests"]
