"""Resource quantities as the API server parses, compares and prints them, and the one text
kubeplan's diff gives every equal amount.

Source: staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go (`ParseQuantity`:
`<signedNumber><suffix>`, suffixes from suffix.go: binary Ki Mi Gi Ti Pi Ei, decimal
n u m "" k M G T P E, and exponents `e3`/`E-3`; values are rounded up, away from zero, to the
nano scale on parse; the format kept from the suffix, `CanonicalizeBytes` behind `String()`) and
pkg/apis/core/v1/defaults.go `SetDefaults_ResourceList` (every ResourceList value is rounded up
to the milli scale before validation). Values are exact fractions.

`parse` is the one parser. The diff reads it through `parse_quantity` (surrounding space
stripped, ValueError where ParseQuantity fails) and writes `format_quantity`: Kubernetes
re-emits a quantity in the format it was written in (`1073741824` stays decimal); the diff
renders every equal value the same way instead, because what matters to it is the amount: the
largest decimal suffix that keeps an integral mantissa (`500m`, `2`, `1G`, `1E`), or for
integral multiples of 1024 the largest binary one when that is no longer (`1Gi` for 1073741824
and 1024Mi, `128Mi`, `1000Mi`, but `4096k` for 4000Ki).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

_QUANTITY = re.compile(
    r"(?P<sign>[+-]?)(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?"
    r"(?P<suffix>|[numkMGTPE]|[KMGTPE]i|[eE][+-]?[0-9]+)"
)
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SUFFIX = {exp: suffix for suffix, exp in _DECIMAL.items()}
_BINARY_SUFFIX = {exp // 10: suffix for suffix, exp in _BINARY.items()}
# The API server keeps a DecimalExponent quantity as an inf.Dec whose scale is the exponent
# (quantity.go ParseQuantity: `amount.SetScale(amount.Scale() - inf.Scale(exponent))`), never
# expanded. kubeplan compares exact fractions, so `1e999999999` would expand to a billion
# digits: beyond this exponent a quantity is not read (bounded time on any input).
_MAX_EXPONENT = 1000
_MILLI = Fraction(1, 1000)
# The diff's rendering: largest suffix first.
_BINARY_RENDER = sorted(((1 << e, s) for s, e in _BINARY.items()), reverse=True)
_DECIMAL_RENDER = sorted(((Fraction(10) ** e, s) for s, e in _DECIMAL.items()), key=lambda p: -p[0])


@dataclass(frozen=True)
class Quantity:
    value: Fraction
    format: str  # "DecimalSI", "BinarySI" or "DecimalExponent"

    def __str__(self) -> str:
        return canonical(self)


def parse(text: Any) -> Quantity | None:
    """`ParseQuantity`, or None where it fails. An int or float from YAML is read as its
    decimal text (the JSON number the API server decodes)."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return Quantity(Fraction(text), "DecimalSI")
    if isinstance(text, float):
        text = repr(text)
    if not isinstance(text, str):
        return None
    match = _QUANTITY.fullmatch(text)
    if match is None or not (match["int"] or match["frac"]):
        return None
    frac = match["frac"] or ""
    value = Fraction(int((match["int"] or "0") + frac), 10 ** len(frac))
    suffix = match["suffix"]
    if suffix in _BINARY:
        value *= 1 << _BINARY[suffix]
        fmt = "BinarySI"
    elif suffix in _DECIMAL:
        value *= Fraction(10) ** _DECIMAL[suffix]
        fmt = "DecimalSI"
    else:
        exponent = int(suffix[1:])
        if abs(exponent) > _MAX_EXPONENT:
            return None
        value *= Fraction(10) ** exponent
        fmt = "DecimalExponent"
    if 10**9 % value.denominator:
        value = _round_up(value, Fraction(1, 10**9))
    return Quantity(-value if match["sign"] == "-" else value, fmt)


def _round_up(value: Fraction, step: Fraction) -> Fraction:
    """Round away from zero to a multiple of `step` (inf.RoundUp)."""
    units = abs(value) / step
    whole = units.numerator // units.denominator
    if whole != units:
        whole += 1
    result = whole * step
    return -result if value < 0 else result


def round_milli(quantity: Quantity) -> Quantity:
    """`SetDefaults_ResourceList`: `val.RoundUp(-3)`."""
    if 1000 % quantity.value.denominator == 0:
        return quantity
    return Quantity(_round_up(quantity.value, Fraction(1, 1000)), quantity.format)


def resource_list_value(text: Any) -> Quantity | None:
    """A ResourceList entry as the API server holds it after defaulting (parsed, rounded up to
    the milli scale), or None where it does not parse. Cached: manifests repeat `100m`."""
    if isinstance(text, (str, int, float)) and not isinstance(text, bool):
        return _resource_list_value(type(text), text)
    return None


@lru_cache(maxsize=4096)
def _resource_list_value(_kind: type, text: Any) -> Quantity | None:
    parsed = parse(text)
    return None if parsed is None else round_milli(parsed)


def canonical(quantity: Quantity) -> str:
    """`Quantity.String()` (`CanonicalizeBytes`): BinarySI values of at least 1024 that are
    whole print with the largest power of 1024 that keeps the number whole; everything else
    with the largest power of 1000 (or of ten for DecimalExponent) that does."""
    value = quantity.value
    if value == 0:
        return "0"
    fmt = quantity.format
    if fmt == "BinarySI" and (abs(value) < 1024 or value.denominator != 1):
        fmt = "DecimalSI"
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if fmt == "BinarySI":
        number = magnitude.numerator
        power = 0
        while power < 6 and number % 1024 == 0:
            number //= 1024
            power += 1
        return f"{sign}{number}{_BINARY_SUFFIX[power] if power else ''}"
    exponent = 0
    while (magnitude * Fraction(10) ** -exponent).denominator != 1:
        exponent -= 3
    while exponent < 18 and (magnitude * Fraction(10) ** -(exponent + 3)).denominator == 1:
        exponent += 3
    number = magnitude * Fraction(10) ** -exponent
    if fmt == "DecimalExponent":
        suffix = f"e{exponent}" if exponent else ""
    else:
        suffix = _DECIMAL_SUFFIX[exponent]
    return f"{sign}{number.numerator}{suffix}"


# ---------------------------------------------------------------------------------------------
# The diff's reading and writing


def parse_quantity(text: Any) -> Fraction:
    """A quantity as an exact fraction: `"1.5Gi"`, `"250m"`, `"1e3"`, `2`; surrounding space is
    stripped. Raises ValueError for anything `ParseQuantity` rejects."""
    parsed = parse(text.strip() if isinstance(text, str) else text)
    if parsed is None:
        raise ValueError(f"not a quantity: {text!r}")
    return parsed.value


def format_quantity(value: Fraction) -> str:
    """The canonical text the diff gives an amount (see the module docstring)."""
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    value = abs(value)
    text = f"{float(value)!r}"  # finer than nano: cannot come from parse_quantity
    for factor, suffix in _DECIMAL_RENDER:
        mantissa = value / factor
        if mantissa.denominator == 1:
            text = f"{mantissa.numerator}{suffix}"
            break
    if value.denominator == 1 and value.numerator % 1024 == 0:
        for factor, suffix in _BINARY_RENDER:
            if value.numerator % factor == 0:
                binary = f"{value.numerator // factor}{suffix}"
                if len(binary) <= len(text):
                    text = binary
                break
    return sign + text


def canonical_quantity(text: Any, milli: bool = False) -> Any:
    """`text` in the diff's canonical form, or unchanged when it is not a quantity.

    `milli` rounds up to the milli scale, as the server does for every ResourceList
    (`SetDefaults_ResourceList` in pkg/apis/core/v1/defaults.go: `val.RoundUp(-3)`).
    """
    if isinstance(text, (str, int, float)) and not isinstance(text, bool):
        return _canonical_cached(type(text), text, milli)
    return text


@lru_cache(maxsize=8192)
def _canonical_cached(_type: type, text: Any, milli: bool) -> Any:
    try:
        value = parse_quantity(text)
    except ValueError:
        return text
    if milli:
        value = _round_up(value, _MILLI)
    return format_quantity(value)
