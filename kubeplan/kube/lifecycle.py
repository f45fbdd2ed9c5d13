"""What each Kubernetes release serves, deprecates and removes, from `data/api_lifecycle.yaml`.

One row per (apiVersion, kind) whose life is not forever, each citing its prerelease-lifecycle
file and the bundled schemas. The API server's own rules, which these functions follow:
- a type is served from `introduced` until the release before `removed`
  (staging/src/k8s.io/apiserver/pkg/server/deleted_kinds.go: a type whose APILifecycleRemoved is
  at or below the binary's version is not installed);
- a request for it gets a deprecation warning from `deprecated` on
  (staging/src/k8s.io/apiserver/pkg/endpoints/deprecation/deprecation.go IsDeprecated), worded
  `<group/version> <Kind> is deprecated in v1.X+, unavailable in v1.Y+; use <group/version> <Kind>`
  (WarningMessage there).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

from kubeplan.datafiles import read_yaml
from kubeplan.kube.versions import minor

_DATA = os.path.join(os.path.dirname(__file__), "data", "api_lifecycle.yaml")


@dataclass(frozen=True, slots=True)
class Lifecycle:
    api_version: str
    kind: str
    introduced: str | None  # None: served before the oldest bundled release
    deprecated: str | None
    removed: str | None
    replacement: str | None
    note: str

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    def served_in(self, release: str) -> bool:
        at = minor(release)
        if self.introduced is not None and at < minor(self.introduced):
            return False
        return self.removed is None or at < minor(self.removed)

    def removed_in(self, release: str) -> bool:
        return self.removed is not None and minor(self.removed) <= minor(release)

    def deprecated_in(self, release: str) -> bool:
        """The API server of `release` warns on it: deprecated by then, and still served."""
        if self.deprecated is None or self.removed_in(release):
            return False
        return minor(self.deprecated) <= minor(release)


@cache
def lifecycles() -> dict[tuple[str, str], Lifecycle]:
    """(apiVersion, kind) -> Lifecycle, for every row of the table."""
    table: dict[tuple[str, str], Lifecycle] = {}
    for row in read_yaml(_DATA)["apis"]:
        entry = Lifecycle(
            row["api_version"],
            row["kind"],
            row["introduced"],
            row["deprecated"],
            row["removed"],
            row["replacement"],
            " ".join(str(row.get("note") or "").split()),
        )
        table[(entry.api_version, entry.kind)] = entry
    return table


def lifecycle(api_version: str, kind: str) -> Lifecycle | None:
    return lifecycles().get((api_version, kind))


def _stability(api_version: str) -> tuple[int, int, int]:
    """Sort key, most stable last: v1 > v1beta2 > v1beta1 > v1alpha1, then the higher major."""
    version = api_version.rpartition("/")[2]
    number, _, level = version[1:].partition("alpha")
    rank = 0
    if not level:
        number, _, level = version[1:].partition("beta")
        rank = 1 if level else 2
    try:
        return (rank, int(number), int(level or 0))
    except ValueError:
        return (-1, 0, 0)


def served_versions(group: str, kind: str, release: str) -> list[str]:
    """apiVersions of the table that serve `kind` of `group` in `release`, most stable first."""
    found = [
        entry.api_version
        for entry in lifecycles().values()
        if entry.kind == kind and entry.group == group and entry.served_in(release)
    ]
    return sorted(found, key=_stability, reverse=True)


def replacement_at(entry: Lifecycle, release: str) -> str | None:
    """The apiVersion to move `entry` to that `release` serves: the named replacement when it is
    served then, else the most stable version served then that is more stable than `entry` (a
    beta is never sent back to an alpha); None when it serves none."""
    if entry.replacement and (
        (replacement := lifecycle(entry.replacement, entry.kind)) is None
        or replacement.served_in(release)
    ):
        return entry.replacement
    others = [
        version
        for version in served_versions(entry.group, entry.kind, release)
        if _stability(version) > _stability(entry.api_version)
    ]
    return others[0] if others else None


def builtin_groups() -> frozenset[str]:
    """Every API group the table knows as Kubernetes' own, served now or in the past."""
    return frozenset(entry.group for entry in lifecycles().values())
