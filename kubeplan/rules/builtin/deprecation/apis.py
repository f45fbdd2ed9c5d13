"""apiVersions deprecated in, or removed by, the target Kubernetes version.

The facts are the release lifecycle table (kubeplan/kube/data/api_lifecycle.yaml, read through
kubeplan.kube.lifecycle), one row per (apiVersion, kind) with its prerelease-lifecycle source.
A deprecation is reported from the release that deprecates it, as the API server warns
(staging/src/k8s.io/apiserver/pkg/endpoints/deprecation/deprecation.go WarningMessage), and the
replacement named is one the target release serves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube.lifecycle import Lifecycle, lifecycle, replacement_at
from kubeplan.model import Resource
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check


def _use(entry: Lifecycle, release: str) -> str:
    """'; use X Kind', naming only an apiVersion the target release serves."""
    target = replacement_at(entry, release)
    later = lifecycle(entry.replacement, entry.kind) if entry.replacement else None
    if target is None:
        if later is not None and later.introduced:
            return (
                f"; Kubernetes {release} serves no replacement yet"
                f" ({entry.replacement} {entry.kind} from {later.introduced})"
            )
        return "; it has no replacement"
    text = f"; use {target} {entry.kind}"
    if target != entry.replacement and later is not None and later.introduced:
        text += f" ({entry.replacement} from {later.introduced})"
    return text


@check("removed-api")
def removed_api(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    entry = lifecycle(resource.api_version, resource.kind)
    if entry is None or not entry.removed_in(ctx.kubernetes_version):
        return
    yield Violation(
        ("apiVersion",),
        f"{resource.api_version} {resource.kind} was removed in Kubernetes {entry.removed}"
        f" (target {ctx.kubernetes_version}){_use(entry, ctx.kubernetes_version)}",
    )


@check("deprecated-api")
def deprecated_api(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    entry = lifecycle(resource.api_version, resource.kind)
    if entry is None or not entry.deprecated_in(ctx.kubernetes_version):
        return
    unavailable = f", unavailable in v{entry.removed}+" if entry.removed else ""
    yield Violation(
        ("apiVersion",),
        f"{resource.api_version} {resource.kind} is deprecated in v{entry.deprecated}+"
        f"{unavailable}{_use(entry, ctx.kubernetes_version)}",
    )
