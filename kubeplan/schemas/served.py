"""Kinds the target release cannot serve, whatever CustomResourceDefinitions exist.

An unknown kind is only a warning when a CRD (not in the input) might define it. In an API group
that is Kubernetes' own, none can:
- a CRD's `spec.group` must contain a dot (staging/src/k8s.io/apiextensions-apiserver/pkg/apis/
  apiextensions/validation/validation.go ValidateCustomResourceDefinitionSpec: "should be a domain
  with at least one dot"), so the dotless groups (core `v1`, `apps`, `batch`, `autoscaling`,
  `policy`, `extensions`) never hold a custom kind;
- a GA group version the API server serves itself owns its whole URL path: the request router
  hands every path under a registered web service (`/apis/networking.k8s.io/v1/...`) to the
  built-in handlers, never to the CRD handler (staging/src/k8s.io/apiserver/pkg/server/handler.go
  director.ServeHTTP), so a CRD in such a group version is never reached.
`kubectl apply` then fails with `no matches for kind "X" in version "G/V"` (its REST mapper finds
no such kind in discovery). A dotted built-in group at a version the release does not serve
by default (`networking.k8s.io/v9`, or an alpha version) stays a warning: a CRD approved for the protected `*.k8s.io` groups
(the `api-approved.kubernetes.io` annotation) could serve it.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

from kubeplan.kube.lifecycle import builtin_groups, lifecycle
from kubeplan.model import Finding, Resource, Severity, finding_for
from kubeplan.schemas.catalog import Catalog, load_catalog

KIND_NOT_SERVED = "kind-not-served"

# Kinds listed under every group version by the OpenAPI documents (request and response
# envelopes, not resources): they say nothing about which group versions serve resources.
_ENVELOPES = frozenset(
    {
        "APIGroup",
        "APIGroupList",
        "APIResourceList",
        "APIVersions",
        "DeleteOptions",
        "Status",
        "WatchEvent",
    }
)
# Review payloads that the API server sends to webhooks and never serves as a resource.
_PAYLOAD_GROUPS = frozenset({"admission.k8s.io", "imagepolicy.k8s.io"})
# Only a GA group version is registered on every cluster: alpha versions, and betas new since
# 1.24, are off unless --runtime-config turns them on (KEP-3136), and a path no built-in handler
# claims falls through to the CRD handler.
_GA = re.compile(r"^v\d+$")


@cache
def _served(version: str, strict: bool) -> dict[tuple[str, str], frozenset[str]]:
    """(group, version) -> kinds, for every group version the release serves itself."""
    out: dict[tuple[str, str], set[str]] = {}
    for group, api, kind in load_catalog(version, strict).gvk_index:
        if kind not in _ENVELOPES and group not in _PAYLOAD_GROUPS:
            out.setdefault((group, api), set()).add(kind)
    return {key: frozenset(kinds) for key, kinds in out.items()}


def served_group_versions(catalog: Catalog) -> dict[tuple[str, str], frozenset[str]]:
    return _served(catalog.version, catalog.strict)


def refusal(resource: Resource, catalog: Catalog) -> Finding | None:
    """The finding for a kind that no CRD can make served in the target release, else None
    (the kind is served, is served at another apiVersion, or a CRD might define it)."""
    group, version, kind = resource.group, resource.version, resource.kind
    if catalog.definition_for(group, version, kind) is not None:
        return None
    entry = lifecycle(resource.api_version, kind)
    if entry is not None and entry.removed_in(catalog.version):
        return _removed(resource, catalog, entry.removed or "")
    if catalog.served_versions(group, kind):
        return None  # validate.py says which apiVersion serves it
    served = served_group_versions(catalog)
    if (group, version) in served and _GA.match(version):
        why = (
            f"{resource.api_version} is served by the API server itself, which has no such kind"
            f" in Kubernetes {catalog.version} (a CustomResourceDefinition cannot add one)"
        )
    elif "." not in group and (group in builtin_groups() or any(g == group for g, _ in served)):
        why = (
            f'"{group or "core"}" is a Kubernetes API group, which serves no such kind in'
            f" Kubernetes {catalog.version} (a CustomResourceDefinition group must contain a dot)"
        )
    else:
        return None
    return finding_for(
        resource,
        KIND_NOT_SERVED,
        Severity.ERROR,
        f'no matches for kind "{kind}" in version "{resource.api_version}": {why}'
        f"{_suggest(kind, group, version, served)}",
        ("kind",),
    )


def _removed(resource: Resource, catalog: Catalog, removed: str) -> Finding:
    served = catalog.served_versions(resource.group, resource.kind)
    use = f"; use {' or '.join(served)}" if served else ""
    return finding_for(
        resource,
        "api-version-not-served",
        Severity.ERROR,
        f"Kubernetes {catalog.version} does not serve {resource.kind} in"
        f" {resource.api_version}: removed in {removed}{use}",
        ("apiVersion",),
    )


def _suggest(
    kind: str, group: str, version: str, served: dict[tuple[str, str], frozenset[str]]
) -> str:
    """'; did you mean "Deployment"?' from the kinds of the same group version (or group)."""
    kinds = served.get((group, version)) or frozenset(
        name for (g, _), names in served.items() if g == group for name in names
    )
    names = sorted(name for name in kinds if not name.endswith("List"))
    exact = [name for name in names if name.lower() == kind.lower()]
    close = exact or difflib.get_close_matches(kind, names, n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""
