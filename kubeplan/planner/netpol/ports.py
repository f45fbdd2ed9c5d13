"""Sets of (protocol, port range): what a connection allows.

NetworkPolicy is defined for TCP, UDP and SCTP only (kubernetes/kubernetes
pkg/apis/networking/validation/validation.go ValidateNetworkPolicyPort), ports 1..65535.
A `PortSet` is immutable and hashable, so rules with the same ports group together.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

PROTOCOLS = ("TCP", "UDP", "SCTP")
MIN_PORT, MAX_PORT = 1, 65535

Ranges = tuple[tuple[int, int], ...]


def _normalise(ranges: Iterable[tuple[int, int]]) -> Ranges:
    merged: list[list[int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return tuple((lo, hi) for lo, hi in merged)


def _intersect(a: Ranges, b: Ranges) -> Ranges:
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def _subtract(a: Ranges, b: Ranges) -> Ranges:
    out: list[tuple[int, int]] = []
    for lo, hi in a:
        start = lo
        for blo, bhi in b:
            if bhi < start or blo > hi:
                continue
            if blo > start:
                out.append((start, blo - 1))
            start = max(start, bhi + 1)
            if start > hi:
                break
        if start <= hi:
            out.append((start, hi))
    return tuple(out)


class PortSet:
    """Per protocol, disjoint sorted inclusive port ranges."""

    __slots__ = ("_hash", "ranges")

    def __init__(self, ranges: dict[str, Ranges] | None = None) -> None:
        self.ranges: dict[str, Ranges] = {p: r for p, r in (ranges or {}).items() if r}
        self._hash = hash(tuple(sorted(self.ranges.items())))

    @classmethod
    def of(cls, protocol: str, lo: int, hi: int | None = None) -> PortSet:
        return cls({protocol: ((lo, hi if hi is not None else lo),)})

    @classmethod
    def whole(cls, protocol: str) -> PortSet:
        return cls({protocol: ((MIN_PORT, MAX_PORT),)})

    def __bool__(self) -> bool:
        return bool(self.ranges)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PortSet) and self.ranges == other.ranges

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"PortSet({self.describe()})"

    def __or__(self, other: PortSet) -> PortSet:
        if not other.ranges or other is self:
            return self
        if not self.ranges:
            return other
        keys = set(self.ranges) | set(other.ranges)
        return PortSet(
            {p: _normalise(self.ranges.get(p, ()) + other.ranges.get(p, ())) for p in keys}
        )

    def __and__(self, other: PortSet) -> PortSet:
        if other is self or other is ALL:
            return self
        if self is ALL:
            return other
        key = (self, other)
        found = _AND.get(key)
        if found is None:
            keys = set(self.ranges) & set(other.ranges)
            found = PortSet({p: _intersect(self.ranges[p], other.ranges[p]) for p in keys})
            if len(_AND) < _MEMO_LIMIT:
                _AND[key] = found
        return found

    def __sub__(self, other: PortSet) -> PortSet:
        if not other.ranges:
            return self
        if other is self or other is ALL:
            return NONE
        key = (self, other)
        found = _SUB.get(key)
        if found is None:
            found = self._subtract(other)
            if len(_SUB) < _MEMO_LIMIT:
                _SUB[key] = found
        return found

    def _subtract(self, other: PortSet) -> PortSet:
        return PortSet(
            {p: _subtract(r, other.ranges[p]) if p in other.ranges else r
             for p, r in self.ranges.items()}
        )  # fmt: skip

    def covers(self, other: PortSet) -> bool:
        return not (other - self)

    @property
    def is_all(self) -> bool:
        return self == ALL

    def describe(self) -> str:
        """`all`, or `TCP 80,443,UDP 53`, the same shape netpol-analyzer prints."""
        if self.is_all:
            return "all"
        if not self.ranges:
            return "none"
        parts = []
        for protocol in sorted(self.ranges):
            spans = ",".join(
                f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in self.ranges[protocol]
            )
            parts.append(f"{protocol} {spans}")
        return ",".join(parts)

    def to_json(self) -> str | list[dict[str, Any]]:
        """`"all"`, or `[{"protocol", "port", "end_port"}]` (end_port equals port for one port)."""
        if self.is_all:
            return "all"
        return [
            {"protocol": protocol, "port": lo, "end_port": hi}
            for protocol in sorted(self.ranges)
            for lo, hi in self.ranges[protocol]
        ]


NONE = PortSet()
ALL = PortSet({p: ((MIN_PORT, MAX_PORT),) for p in PROTOCOLS})

# Rules reuse a handful of port sets, so intersections and differences repeat by the thousand.
_MEMO_LIMIT = 65536
_AND: dict[tuple[PortSet, PortSet], PortSet] = {}
_SUB: dict[tuple[PortSet, PortSet], PortSet] = {}


def union(sets: Iterable[PortSet]) -> PortSet:
    out = NONE
    for item in sets:
        out = out | item
        if out is ALL or out == ALL:
            return ALL
    return out


def parse_declared(text: str) -> PortSet | None:
    """`7070`, `7070/UDP`, `8000-8080` or `` (None: any port) from a declared connection."""
    if not text:
        return None
    protocol = "TCP"
    if "/" in text:
        text, protocol = text.split("/", 1)
        protocol = protocol.upper()
    lo, _, hi = text.partition("-")
    return PortSet.of(protocol, int(lo), int(hi) if hi else None)
