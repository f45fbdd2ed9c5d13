"""kubeplan.admission.limitrange on malformed input: never an exception, never a mutation of
the caller's objects (validation reports the malformed fields; admission skips them)."""

from __future__ import annotations

import copy

from kubeplan.admission.limitrange import (
    admit_pod,
    default_containers,
    limit_rules,
    rule_from_item,
    validate_pod,
    validate_pvc,
)
from kubeplan.model import Origin, Resource


def limitrange(body: dict, name: str = "lr") -> Resource:
    return Resource("v1", "LimitRange", name, "ns", body, Origin("lr.yaml", 0, 1))


def test_malformed_limitranges_give_the_readable_items_only() -> None:
    resources = [
        limitrange({}),
        limitrange({"spec": "x"}),
        limitrange({"spec": {"limits": {"type": "Container"}}}),
        limitrange(
            {
                "spec": {
                    "limits": ["x", {"type": "Container", "max": {"cpu": "lots", "memory": "1Gi"}}]
                }
            }
        ),
        Resource("v1", "ConfigMap", "cm", "ns", {}, Origin("cm.yaml", 0, 1)),
    ]
    rules = limit_rules(resources)
    assert [(r.limitrange, r.index, r.type, list(r.max)) for r in rules] == [
        ("lr", 1, "Container", ["memory"])
    ]
    assert str(rules[0].default["memory"]) == "1Gi"  # SetDefaults_LimitRangeItem
    assert rules[0].path == ("spec", "limits", 1)
    assert rules[0].resource is resources[3]


def test_malformed_pod_specs_are_skipped_not_raised() -> None:
    rules = [
        rule_from_item({"type": "Container", "max": {"cpu": "1"}}, "lr"),
        rule_from_item({"type": "Pod", "max": {"cpu": "1"}}, "lr", index=1),
    ]
    spec = {
        "containers": [
            "x",
            {"name": "a", "resources": "big"},
            {"name": 3, "resources": {"limits": ["cpu"]}},
        ],
        "initContainers": {"name": "b"},
        "resources": [1],
    }
    before = copy.deepcopy(spec)
    mutated, defaulted, violations = admit_pod(spec, rules)
    assert spec == before
    assert [(d.container, d.index, d.which) for d in defaulted] == [("", 2, "request")]
    assert mutated["containers"][1]["resources"] == "big"
    # The unreadable containers have no limit, nor has the pod.
    assert [(v.message, v.path) for v in violations] == [
        (
            "maximum cpu usage per Container is 1.  No limit is specified",
            ("spec", "containers", 1, "resources", "limits", "cpu"),
        ),
        (
            "maximum cpu usage per Container is 1.  No limit is specified",
            ("spec", "containers", 2, "resources", "limits", "cpu"),
        ),
        ("maximum cpu usage per Pod is 1.  No limit is specified", ("spec",)),
    ]
    assert [v.message for v in validate_pod({}, rules)] == [
        "maximum cpu usage per Pod is 1.  No limit is specified"
    ]


def test_default_containers_leaves_the_input_alone() -> None:
    spec = {"containers": [{"name": "a"}]}
    out, defaulted = default_containers(
        spec, [rule_from_item({"type": "Container", "default": {"cpu": "1"}}, "lr")]
    )
    assert spec == {"containers": [{"name": "a"}]}
    assert out["containers"][0]["resources"] == {"limits": {"cpu": "1"}, "requests": {"cpu": "1"}}
    assert len(defaulted) == 2


def test_malformed_pvc_bodies() -> None:
    rules = [rule_from_item({"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}}, "lr")]
    for body in ({}, {"spec": 3}, {"spec": {"resources": {"requests": "x"}}}):
        assert [v.message for v in validate_pvc(body, rules)] == [
            "minimum storage usage per PersistentVolumeClaim is 1Gi.  No request is specified"
        ]
