"""kubeplan.admission.limitrange.validate_limitrange: pkg/apis/core/validation/validation.go
`ValidateLimitRange`, the value rules, after SetDefaults_LimitRangeItem."""

from __future__ import annotations

from kubeplan.admission.limitrange import validate_limitrange


def errors(*items: dict) -> list[tuple[str, str]]:
    body = {"spec": {"limits": list(items)}}
    out = []
    for e in validate_limitrange(body):
        where = ".".join(str(p) for p in e.path)
        out.append((where, e.body()))
    return out


def test_a_valid_limitrange_has_no_error() -> None:
    assert (
        errors(
            {
                "type": "Container",
                "min": {"cpu": "100m"},
                "max": {"cpu": "2"},
                "default": {"cpu": "1"},
            },
            {"type": "Pod", "max": {"memory": "4Gi"}},
            {"type": "PersistentVolumeClaim", "max": {"storage": "10Gi"}},
        )
        == []
    )


def test_min_above_max_and_the_defaults_it_implies() -> None:
    """With only min and max, SetDefaults_LimitRangeItem makes default = defaultRequest = max,
    so min > max also reads as min > default request and min > default."""
    assert errors({"type": "Container", "min": {"cpu": "2"}, "max": {"cpu": "1"}}) == [
        ("spec.limits.0.min.cpu", 'Invalid value: "2": min value 2 is greater than max value 1'),
        (
            "spec.limits.0.defaultRequest.cpu",
            'Invalid value: "1": min value 2 is greater than default request value 1',
        ),
        (
            "spec.limits.0.default.cpu",
            'Invalid value: "2": min value 2 is greater than default value 1',
        ),
    ]


def test_default_request_above_default_limit() -> None:
    assert errors(
        {"type": "Container", "default": {"memory": "128Mi"}, "defaultRequest": {"memory": "256Mi"}}
    ) == [
        (
            "spec.limits.0.defaultRequest.memory",
            'Invalid value: "256Mi": default request value 256Mi is greater than default limit value 128Mi',
        )
    ]


def test_pod_items_take_no_defaults_and_types_are_unique() -> None:
    assert errors(
        {"type": "Pod", "default": {"cpu": "1"}, "defaultRequest": {"cpu": "1"}},
        {"type": "Pod", "max": {"cpu": "1"}},
    ) == [
        ("spec.limits.0.default", "Forbidden: may not be specified when `type` is 'Pod'"),
        ("spec.limits.0.defaultRequest", "Forbidden: may not be specified when `type` is 'Pod'"),
        ("spec.limits.1.type", 'Duplicate value: "Pod"'),
    ]


def test_pvc_item_needs_min_or_max_storage() -> None:
    assert errors({"type": "PersistentVolumeClaim", "max": {"cpu": "1"}}) == [
        (
            "spec.limits.0.limits",
            "Required value: either minimum or maximum storage value is required, but neither was provided",
        )
    ]


def test_ratio_rules() -> None:
    assert errors(
        {
            "type": "Pod",
            "min": {"cpu": "1"},
            "max": {"cpu": "2"},
            "maxLimitRequestRatio": {"cpu": "500m"},
        }
    ) == [
        (
            "spec.limits.0.maxLimitRequestRatio.cpu",
            'Invalid value: "500m": ratio 500m is less than 1',
        )
    ]
    assert errors(
        {
            "type": "Pod",
            "min": {"cpu": "1"},
            "max": {"cpu": "2"},
            "maxLimitRequestRatio": {"cpu": "3"},
        }
    ) == [
        (
            "spec.limits.0.maxLimitRequestRatio.cpu",
            'Invalid value: "3": ratio 3 is greater than max/min = 2.000000',
        )
    ]
    # A zero min: max/min is +Inf, never exceeded.
    assert (
        errors(
            {
                "type": "Pod",
                "min": {"cpu": "0"},
                "max": {"cpu": "2"},
                "maxLimitRequestRatio": {"cpu": "3"},
            }
        )
        == []
    )


def test_hugepages_default_must_equal_default_request() -> None:
    assert errors(
        {
            "type": "Container",
            "default": {"hugepages-2Mi": "4Mi"},
            "defaultRequest": {"hugepages-2Mi": "2Mi"},
        }
    ) == [
        (
            "spec.limits.0.defaultRequest.hugepages-2Mi",
            'Invalid value: "2Mi": default value 4Mi must equal to defaultRequest value 2Mi in hugepages-2Mi',
        )
    ]


def test_malformed_bodies_are_not_an_error_here() -> None:
    assert validate_limitrange({"spec": {"limits": "x"}}) == []
    assert validate_limitrange({"spec": {"limits": ["x", {"type": 3}]}}) == []
