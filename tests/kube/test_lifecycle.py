"""The release lifecycle table (kubeplan/kube/data/api_lifecycle.yaml) against the schemas that
kubeplan bundles for every release: "served" must mean the same in both.

The schemas are the OpenAPI documents of each release, which list exactly the types its API
server installs (a type whose APILifecycleRemoved has come is not installed:
staging/src/k8s.io/apiserver/pkg/server/deleted_kinds.go).
"""

from __future__ import annotations

import itertools
import json
import os
from functools import cache

import pytest

from kubeplan.kube.lifecycle import lifecycles
from kubeplan.kube.versions import minor
from kubeplan.schemas.catalog import bundled_versions, schema_root

# Envelopes the OpenAPI documents list under every group version; not resources.
ENVELOPES = {"APIGroup", "APIGroupList", "APIResourceList", "APIVersions", "DeleteOptions"}
ENVELOPES |= {"Status", "WatchEvent", "Scale", "Eviction"}


@cache
def served_by_schemas(release: str) -> frozenset[tuple[str, str]]:
    """(apiVersion, kind) of every top-level type in the bundled schemas of `release`."""
    path = os.path.join(schema_root(), f"v{release}.0-local", "_definitions.json")
    with open(path, encoding="utf-8") as handle:
        definitions = json.load(handle)["$defs"]
    out = set()
    for schema in definitions.values():
        for gvk in schema.get("x-kubernetes-group-version-kind", ()):
            kind = gvk["kind"]
            if kind in ENVELOPES or kind.endswith("List"):
                continue
            group, version = gvk["group"], gvk["version"]
            out.add((f"{group}/{version}" if group else version, kind))
    return frozenset(out)


@pytest.mark.parametrize("release", bundled_versions())
def test_every_row_agrees_with_the_bundled_schemas(release: str) -> None:
    served = served_by_schemas(release)
    wrong = [
        f"{key[0]} {key[1]}: table says {'served' if entry.served_in(release) else 'not served'}"
        for key, entry in lifecycles().items()
        if entry.served_in(release) != (key in served)
    ]
    assert not wrong, f"Kubernetes {release}: " + "; ".join(wrong)


def test_every_type_a_release_stops_serving_is_a_row_with_its_removal() -> None:
    """A type in the schemas of one release and gone from a later one is removed there: the
    table must say so, or removed-api would be silent about it."""
    releases = bundled_versions()
    missing = []
    for earlier, later in itertools.pairwise(releases):
        for key in served_by_schemas(earlier) - served_by_schemas(later):
            entry = lifecycles().get(key)
            if entry is None or entry.removed != later:
                missing.append(f"{key[0]} {key[1]} (gone in {later})")
    assert not missing, missing


def test_every_type_a_release_starts_serving_has_its_introduction() -> None:
    """A prerelease type first served by a bundled release carries that release."""
    releases = bundled_versions()
    for earlier, later in itertools.pairwise(releases):
        for key in served_by_schemas(later) - served_by_schemas(earlier):
            entry = lifecycles().get(key)
            if entry is not None:
                assert entry.introduced == later, key


def test_every_replacement_has_a_row_so_its_release_is_known() -> None:
    for entry in lifecycles().values():
        if entry.replacement:
            assert (entry.replacement, entry.kind) in lifecycles(), entry


def test_deprecation_comes_before_removal() -> None:
    for entry in lifecycles().values():
        if entry.deprecated and entry.removed:
            assert minor(entry.deprecated) < minor(entry.removed), entry
        if entry.introduced and entry.removed:
            assert minor(entry.introduced) < minor(entry.removed), entry
