"""apiVersions deprecated in, or removed by, the target Kubernetes version.

The table is data: ../data/deprecated_apis.yaml, one row per (apiVersion, kind), each with its
source (the Kubernetes deprecation guide, the prerelease-lifecycle files, the bundled schemas).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from typing import Any

from kubeplan.datafiles import read_yaml
from kubeplan.model import Resource
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

_TABLE = os.path.join(os.path.dirname(__file__), "..", "data", "deprecated_apis.yaml")


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


@cache
def deprecated_apis() -> dict[tuple[str, str], dict[str, Any]]:
    rows = read_yaml(_TABLE)["apis"]
    return {(row["api_version"], row["kind"]): row for row in rows}


def _use(row: dict[str, Any]) -> str:
    replacement = row.get("replacement")
    return f"; use {replacement}" if replacement else "; it has no replacement"


@check("removed-api")
def removed_api(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    row = deprecated_apis().get((resource.api_version, resource.kind))
    if not row or not row.get("removed_in"):
        return
    if _minor(row["removed_in"]) <= _minor(ctx.kubernetes_version):
        yield Violation(
            ("apiVersion",),
            f"{resource.api_version} {resource.kind} was removed in Kubernetes {row['removed_in']}"
            f" (target {ctx.kubernetes_version}){_use(row)}",
        )


@check("deprecated-api")
def deprecated_api(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    row = deprecated_apis().get((resource.api_version, resource.kind))
    if not row:
        return
    target = _minor(ctx.kubernetes_version)
    removed = row.get("removed_in")
    if removed and _minor(removed) <= target:
        return  # removed-api reports it
    deprecated = row.get("deprecated_in")
    if removed:
        # Still served by the target, gone in a later release: an upgrade will break it.
        since = f"deprecated since {deprecated}, " if deprecated else ""
        yield Violation(
            ("apiVersion",),
            f"{resource.api_version} {resource.kind} is {since}removed in Kubernetes {removed}{_use(row)}",
        )
    elif deprecated and _minor(deprecated) <= target:
        yield Violation(
            ("apiVersion",),
            f"{resource.api_version} {resource.kind} is deprecated since {deprecated}{_use(row)}",
        )
