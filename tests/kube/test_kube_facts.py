"""The Kubernetes facts of kubeplan/kube/, each checked against the source it cites."""

from __future__ import annotations

import pytest

from kubeplan.kube import autoscaling, intstr, selectors, versions, workloads
from kubeplan.kube.images import ImageRef, default_pull_policy, parse_image
from kubeplan.schemas import loader

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("r:5000/a/b:1@" + DIGEST, ImageRef("r:5000/a/b", "1", DIGEST)),
        ("r:5000/a", ImageRef("r:5000/a", "", "")),
        ("localhost:5000", ImageRef("localhost", "5000", "")),  # a single element: name:tag
        ("nginx", ImageRef("nginx", "", "")),
        # distribution/reference: path components are lowercase; Go's `$` does not match
        # before a final newline; a digest needs 32 hex digits or more.
        ("Nginx", None),
        ("nginx\n", None),
        (" nginx", None),
        ("nginx@sha256:x", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_image(image: object, expected: ImageRef | None) -> None:
    assert parse_image(image) == expected


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),
        ("nginx:latest@" + DIGEST, "Always"),
        ("nginx@" + DIGEST, "IfNotPresent"),
        ("nginx:1.27", "IfNotPresent"),
        # pkg/apis/core/v1/defaults.go ignores ParseImageName's error: the tag is "", not latest
        ("Nginx", "IfNotPresent"),
        ("nginx:1.27 ", "IfNotPresent"),
    ],
)
def test_default_pull_policy(image: str, policy: str) -> None:
    assert default_pull_policy(image) == policy


@pytest.mark.parametrize(
    ("value", "number"),
    [(25, 25), ("25%", 25), ("0%", 0), ("25", None), ("25%\n", None), ("+5%", None), (True, None)],
)
def test_int_or_percent_value(value: object, number: int | None) -> None:
    """getIntOrPercentValue (pkg/apis/apps/validation): IsValidPercent's `^[0-9]+%$` in Go."""
    assert intstr.int_or_percent_value(value) == number


def test_scaled_value_refuses_what_go_refuses() -> None:
    """GetScaledValueFromIntOrPercent: "25%\\n" has no "%" suffix in Go: an error, not 25%."""
    assert intstr.scaled_value("25%", 10, round_up=True) == 3
    with pytest.raises(intstr.IntOrStringError):
        intstr.scaled_value("25%\n", 10, round_up=True)


def test_parse_int_or_percent() -> None:
    assert str(intstr.parse_int_or_percent("30%")) == '"30%"'
    assert intstr.parse_int_or_percent(-1) is None
    assert intstr.parse_int_or_percent("30%").scaled(5, round_up=False) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.33", (1, 33)), ("v1.33.2", (1, 33)), (" 1.9 ", (1, 9)), ("v1.34", (1, 34))],
)
def test_minor(text: str, expected: tuple[int, int]) -> None:
    assert versions.minor(text) == expected


def test_an_unreadable_version_is_the_newest() -> None:
    """One reading for every layer: the pod-security and deprecation rules, the RBAC policy
    table, rollouts and effects (some copies said 1.0, one raised)."""
    assert versions.minor("latest") == versions.minor(None) == versions.NEWEST
    assert versions.minor("latest") > (1, 99)


def test_exact_minor() -> None:
    assert versions.exact_minor("v1.33.2") == (1, 33)
    assert versions.exact_minor("1.33\n") == (1, 33)  # surrounding space is stripped first
    assert versions.exact_minor("1.33.2.1") is None
    assert versions.exact_minor("1.33-rc") is None


def test_hpa_index_first_wins_in_the_hpas_namespace() -> None:
    text = "".join(
        f"""---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: {name}{namespace}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}
  maxReplicas: 3
"""
        for name, namespace in (("a", ", namespace: shop"), ("b", ", namespace: shop"), ("c", ""))
    )
    resources = loader.load_text("hpa.yaml", text).resources
    index = autoscaling.hpa_targets(resources)
    assert {key: hpa.name for key, hpa in index.items()} == {
        ("shop", "Deployment", "web"): "a",
        ("default", "Deployment", "web"): "c",
    }


@pytest.mark.parametrize(
    ("selector", "text"),
    [
        ({"matchLabels": {"tier": "front", "app": "web"}}, "app=web,tier=front"),
        (
            {
                "matchLabels": {"app": "web"},
                "matchExpressions": [
                    {"key": "zone", "operator": "In", "values": ["b", "a"]},
                    {"key": "env", "operator": "NotIn", "values": ["dev"]},
                    {"key": "canary", "operator": "DoesNotExist"},
                    {"key": "team", "operator": "Exists"},
                ],
            },
            "app=web,!canary,env notin (dev),team,zone in (a,b)",
        ),
        ({}, "<none>"),
        (None, "<none>"),
        ({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}, "<error>"),
        ({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]}, "<error>"),
    ],
)
def test_format_label_selector(selector: object, text: str) -> None:
    """FormatLabelSelector (apimachinery meta/v1 helpers.go): requirements sorted by key."""
    assert selectors.format_label_selector(selector) == text


def test_format_set_selector() -> None:
    assert selectors.format_set_selector({"tier": "front", "app": "web"}) == "app=web,tier=front"


@pytest.mark.parametrize(
    ("api_version", "kind", "workload"),
    [
        ("apps/v1", "Deployment", True),
        ("extensions/v1beta1", "DaemonSet", True),
        ("batch/v1", "CronJob", True),
        ("v1", "ReplicationController", True),
        # Served by no group: k8s.io/api has no batch Deployment, core Deployment, apps Job, or
        # extensions StatefulSet; the lint copy accepted any of four groups for every kind.
        ("batch/v1", "Deployment", False),
        ("v1", "Deployment", False),
        ("apps/v1", "Job", False),
        ("extensions/v1beta1", "StatefulSet", False),
        ("v1", "PodTemplate", False),  # holds a template, runs nothing
    ],
)
def test_workload_kinds_are_the_apis(api_version: str, kind: str, workload: bool) -> None:
    text = f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x}}\nspec: {{}}\n"
    (resource,) = loader.load_text("w.yaml", text).resources
    assert workloads.is_workload(resource) is workload


def test_pod_template_paths() -> None:
    assert workloads.pod_template_path("", "PodTemplate") == ("template",)
    assert workloads.pod_template_path("batch", "CronJob") == (
        "spec",
        "jobTemplate",
        "spec",
        "template",
    )
    assert workloads.pod_template_path("extensions", "StatefulSet") is None
    assert workloads.POD_SPEC_PREFIXES[0] == "spec.jobTemplate.spec.template.spec."
