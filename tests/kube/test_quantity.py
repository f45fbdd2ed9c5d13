"""kubeplan.kube.quantity: `resource.Quantity` parsing and `String()` as the API server prints
a quantity in `must be less than or equal to cpu limit of 1` (staging/src/k8s.io/apimachinery/
pkg/api/resource/quantity.go, CanonicalizeBytes), after SetDefaults_ResourceList's RoundUp(-3)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from kubeplan.kube import quantity
from kubeplan.kube.quantity import canonical_quantity, parse_quantity


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


# The diff's reading (one parser: parse) and its canonical text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", Fraction(1)),
        ("1000m", Fraction(1)),
        ("250m", Fraction(1, 4)),
        ("0.5", Fraction(1, 2)),
        (".5", Fraction(1, 2)),
        ("1Ki", Fraction(1024)),
        ("1Gi", Fraction(2**30)),
        ("1.5Gi", Fraction(3 * 2**29)),
        ("1024Mi", Fraction(2**30)),
        ("1k", Fraction(1000)),
        ("1M", Fraction(10**6)),
        ("2G", Fraction(2 * 10**9)),
        ("1E", Fraction(10**18)),
        ("1Ei", Fraction(2**60)),
        ("1e3", Fraction(1000)),
        ("1E3", Fraction(1000)),
        ("5e-3", Fraction(5, 1000)),
        ("100u", Fraction(1, 10**4)),
        ("10n", Fraction(1, 10**8)),
        ("0.1n", Fraction(1, 10**9)),  # ParseQuantity rounds up to the nano scale
        ("+2", Fraction(2)),
        ("-1", Fraction(-1)),
        (2, Fraction(2)),
        (0.25, Fraction(1, 4)),
    ],
)
def test_parse_quantity(text: Any, value: Fraction) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1K", "1Ki5", "1.2.3", "e3", "1 Gi", "Gi", True])
def test_parse_quantity_rejects_what_parsequantity_rejects(text: Any) -> None:
    with pytest.raises(ValueError):
        parse_quantity(text)


def test_equal_quantities_have_one_canonical_text() -> None:
    assert canonical_quantity("1000m") == canonical_quantity("1") == canonical_quantity(1) == "1"
    assert canonical_quantity("1Gi") == canonical_quantity("1024Mi") == "1Gi"
    assert canonical_quantity("1073741824") == "1Gi"
    assert canonical_quantity("0.5") == canonical_quantity("500m") == "500m"
    assert canonical_quantity("1e3") == canonical_quantity("1k") == "1k"
    assert canonical_quantity("1E") == "1E"
    assert canonical_quantity("not a quantity") == "not a quantity"
    # ResourceList values are rounded up to the milli scale (SetDefaults_ResourceList)
    assert canonical_quantity("0.1m", milli=True) == "1m"
