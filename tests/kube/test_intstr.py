"""Int-or-percent values (kube/intstr.py) against apimachinery's own test table."""

from __future__ import annotations

import pytest

from kubeplan.kube import intstr

# -- intstr_test.go (staging/src/k8s.io/apimachinery/pkg/util/intstr) ------------------------------


@pytest.mark.parametrize(
    ("value", "total", "round_up", "expected"),
    [
        pytest.param(123, 0, False, 123, id="TestGetIntFromIntOrPercent/int"),
        pytest.param("90%", 100, True, 90, id="TestGetIntFromIntOrPercent/90% of 100"),
        pytest.param("90%", 95, True, 86, id="TestGetIntFromIntOrPercent/90% of 95 up"),
        pytest.param("90%", 95, False, 85, id="TestGetIntFromIntOrPercent/90% of 95 down"),
    ],
)
def test_scaled_value(value, total, round_up, expected):
    assert intstr.scaled_value(value, total, round_up) == expected


@pytest.mark.parametrize("value", ["%", "90#", "#%", "90"])
def test_scaled_value_rejects(value):
    # TestGetIntFromIntOrPercent error cases
    with pytest.raises(intstr.IntOrStringError):
        intstr.scaled_value(value, 100, True)
