"""Built-in kinds: API group, REST resource and scope, from `data/kinds.yaml`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

from kubeplan.datafiles import read_yaml

_DATA = os.path.join(os.path.dirname(__file__), "data", "kinds.yaml")
_CRD_SCOPES = os.path.join(os.path.dirname(__file__), "data", "crd_scopes.yaml")


@dataclass(frozen=True, slots=True)
class KindInfo:
    kind: str
    group: str
    resource: str
    namespaced: bool


@cache
def builtin_kinds() -> dict[tuple[str, str], KindInfo]:
    """(group, kind) -> KindInfo for every built-in kind."""
    rows = read_yaml(_DATA)["kinds"]
    return {
        (row["group"], row["kind"]): KindInfo(
            row["kind"], row["group"], row["resource"], bool(row["namespaced"])
        )
        for row in rows
    }


@cache
def builtin_groups() -> frozenset[str]:
    """Every API group of a built-in kind (`""` the core group, `apps`, `batch`, ...)."""
    return frozenset(group for group, _kind in builtin_kinds())


def builtin_kind(group: str, kind: str) -> KindInfo | None:
    return builtin_kinds().get((group, kind))


@cache
def _crd_scopes() -> dict[tuple[str, str], bool]:
    return {
        (row["group"], row["kind"]): bool(row["namespaced"])
        for row in read_yaml(_CRD_SCOPES)["kinds"]
    }


def known_crd_scope(group: str, kind: str) -> bool | None:
    """Whether a well-known custom kind (Gateway API) is namespaced, when no CRD in the input
    says (data/crd_scopes.yaml, each with its source); None: not known."""
    return _crd_scopes().get((group, kind))
