"""IntOrString values that are an integer or a percentage (maxSurge, maxUnavailable,
minAvailable): reading, validating and scaling them.

Sources: staging/src/k8s.io/apimachinery/pkg/util/intstr/intstr.go
(`GetScaledValueFromIntOrPercent`, `getIntOrPercentValueSafely`), pkg/util/validation
validation.go (`IsValidPercent`: `^[0-9]+%$`), pkg/apis/apps/validation/validation.go
(`getIntOrPercentValue`, `ValidateNonnegativeIntOrPercent`). Go's `$` matches only at the end
of the text, so the patterns here end in `\\Z`: `"25%\\n"` is no percentage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_PERCENT = re.compile(r"([0-9]+)%\Z")


class IntOrStringError(ValueError):
    """A value GetScaledValueFromIntOrPercent cannot resolve (the controller errors out too)."""


def percent_number(value: Any) -> int | None:
    """`n` of a string `IsValidPercent` accepts (`"25%"` -> 25), else None."""
    if isinstance(value, str):
        match = _PERCENT.match(value)
        if match is not None:
            return int(match[1])
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def int_or_percent_value(value: Any) -> int | None:
    """`getIntOrPercentValue`: an int as is, a valid percentage by its number, else None."""
    number = _int(value)
    return number if number is not None else percent_number(value)


def scaled_value(value: Any, total: int, round_up: bool) -> int:
    """`intstr.GetScaledValueFromIntOrPercent`.

    An int is returned as is; a string must be `<n>%` and resolves to `n*total/100`, rounded up or
    down. The Go code works in float64 and then applies math.Ceil/Floor; exact integer arithmetic
    gives the same result for every size a cluster can have. Any other string is an error, as in
    Go ("invalid value for IntOrString" / "is not a percentage")."""
    number = _int(value)
    if number is not None:
        return number
    if isinstance(value, str):
        percent = percent_number(value)
        if percent is None:
            raise IntOrStringError(f"invalid value for IntOrString: invalid value {value!r}")
        numerator = percent * total
        return -(-numerator // 100) if round_up else numerator // 100
    raise IntOrStringError(f"invalid value for IntOrString: {value!r}")


@dataclass(frozen=True, slots=True)
class IntOrPercent:
    """A valid non-negative int-or-percent (`ValidateNonnegativeIntOrPercent`)."""

    number: int
    percent: bool

    def scaled(self, total: int, round_up: bool) -> int:
        return scaled_value(f"{self.number}%" if self.percent else self.number, total, round_up)

    def __str__(self) -> str:
        return f'"{self.number}%"' if self.percent else str(self.number)


def parse_int_or_percent(value: Any) -> IntOrPercent | None:
    """A valid int-or-percent value (ints >= 0, strings `^[0-9]+%$`), else None."""
    number = _int(value)
    if number is not None:
        return IntOrPercent(number, False) if number >= 0 else None
    percent = percent_number(value)
    return IntOrPercent(percent, True) if percent is not None else None
