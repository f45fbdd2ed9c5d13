"""kubeplan.kube.quantity: `resource.Quantity` parsing and `String()` as the API server prints
a quantity in `must be less than or equal to cpu limit of 1` (staging/src/k8s.io/apimachinery/
pkg/api/resource/quantity.go, CanonicalizeBytes), after SetDefaults_ResourceList's RoundUp(-3)."""

from __future__ import annotations

import pytest

from kubeplan.kube import quantity


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("500m", "500m"),
        ("0.5", "500m"),  # DecimalSI keeps the largest power of 1000 with a whole mantissa
        ("2000m", "2"),
        ("2000", "2k"),
        ("1500", "1500"),
        ("1.5G", "1500M"),
        ("1Gi", "1Gi"),
        ("1024Mi", "1Gi"),  # BinarySI: the largest power of 1024
        ("1.5Gi", "1536Mi"),
        ("1000Mi", "1000Mi"),
        ("512", "512"),
        ("1023Ki", "1023Ki"),
        ("1e3", "1e3"),  # DecimalExponent keeps its form
        ("0.1m", "1m"),  # rounded up to the milli scale
        (250, "250"),
        ("0", "0"),
    ],
)
def test_canonical(text: object, shown: str) -> None:
    parsed = quantity.parse(text)
    assert parsed is not None
    assert str(quantity.round_milli(parsed)) == shown


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "1Qi", "--1", True, None, "1e99999"])
def test_unparsable(text: object) -> None:
    assert quantity.parse(text) is None
