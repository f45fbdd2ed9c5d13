"""Resource lists as quota adds, compares and prints them, with the format of each amount.

Source: staging/src/k8s.io/apiserver/pkg/quota/v1/resources.go (`Add`, `Subtract`,
`SubtractWithNonNegativeResult`, `Mask`, `RemoveZeros`, `IsNegative`, `LessThanOrEqual`) and
apimachinery pkg/api/resource/quantity.go `Quantity.Add`/`Sub`: the sum keeps the format of
the left operand, unless it is zero, then it takes the right one's. Messages print amounts with
`Quantity.String()` (kube/quantity.py `canonical`), so `1Gi` and `1073741824` differ there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

from kubeplan.kube.quantity import Quantity, canonical

ResourceList = dict[str, Quantity]

ZERO = Quantity(Fraction(0), "DecimalSI")


def amount(value: Fraction | int, fmt: str = "DecimalSI") -> Quantity:
    return Quantity(Fraction(value), fmt)


def plus(a: Quantity, b: Quantity) -> Quantity:
    """`Quantity.Add`: a's format, or b's when a is zero."""
    return Quantity(a.value + b.value, b.format if a.value == 0 else a.format)


def minus(a: Quantity, b: Quantity) -> Quantity:
    """`Quantity.Sub`: a's format, or b's when a is zero."""
    return Quantity(a.value - b.value, b.format if a.value == 0 else a.format)


def add(a: Mapping[str, Quantity], b: Mapping[str, Quantity]) -> ResourceList:
    """`Add`: a + b for each name of either."""
    out = dict(a)
    for name, value in b.items():
        out[name] = plus(out[name], value) if name in out else value
    return out


def subtract_non_negative(a: Mapping[str, Quantity], b: Mapping[str, Quantity]) -> ResourceList:
    """`SubtractWithNonNegativeResult`: a - b, never below zero; names only in b give zero."""
    out: ResourceList = {}
    for name, value in a.items():
        diff = minus(value, b[name]) if name in b else value
        out[name] = diff if diff.value > 0 else ZERO
    for name in b:
        out.setdefault(name, ZERO)
    return out


def mask(resources: Mapping[str, Quantity], names: Iterable[str]) -> ResourceList:
    """`Mask`: only the named entries."""
    keep = set(names)
    return {k: v for k, v in resources.items() if k in keep}


def remove_zeros(resources: Mapping[str, Quantity]) -> ResourceList:
    return {k: v for k, v in resources.items() if v.value != 0}


def negative(resources: Mapping[str, Quantity]) -> list[str]:
    """`IsNegative`: the names with a negative amount."""
    return [k for k, v in resources.items() if v.value < 0]


def exceeded(a: Mapping[str, Quantity], b: Mapping[str, Quantity]) -> list[str]:
    """`LessThanOrEqual(a, b)`'s second result: names of b whose amount in a is larger."""
    return [k for k, limit in b.items() if k in a and a[k].value > limit.value]


def pretty_print(resources: Mapping[str, Quantity]) -> str:
    """controller.go `prettyPrint`: `name=value` sorted by name, comma-joined."""
    return ",".join(f"{k}={canonical(resources[k])}" for k in sorted(resources))


def pretty_print_names(names: Iterable[str]) -> str:
    """controller.go `prettyPrintResourceNames`: sorted, comma-joined (duplicates kept)."""
    return ",".join(sorted(names))


def values(resources: Mapping[str, Quantity]) -> dict[str, Fraction]:
    return {k: v.value for k, v in resources.items()}
