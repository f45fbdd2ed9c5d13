"""How an RBAC rule's lists match a request, shared by the lint pack and the authorizer.

Source: pkg/apis/rbac/v1/evaluation_helpers.go (VerbMatches, APIGroupMatches, ResourceMatches,
ResourceNameMatches, NonResourceURLMatches); /work/shared/reference/rbac.md §1.3. Everything is
exact, case-sensitive string equality, plus:
- `*` in verbs, apiGroups or resources matches anything (a resource `*` every subresource too);
- `*/<sub>` in resources matches that subresource of every resource; there is no other globbing
  (`pods/*` is a literal);
- resourceNames: empty matches any name; otherwise the request must name one of them exactly
  (so create, deletecollection and list/watch without a name field selector never match);
- nonResourceURLs: `*`, exact, or a trailing `*` as a prefix (`/apis/*` covers `/apis/v1`, not
  `/apis`).
"""

from __future__ import annotations

from collections.abc import Collection


def verb_matches(verbs: Collection[str], verb: str) -> bool:
    return "*" in verbs or verb in verbs


def api_group_matches(groups: Collection[str], group: str) -> bool:
    return "*" in groups or group in groups


def resource_matches(resources: Collection[str], combined: str, subresource: str = "") -> bool:
    """`combined` is `resource` or `resource/subresource`."""
    if "*" in resources or combined in resources:
        return True
    return bool(subresource) and f"*/{subresource}" in resources


def resource_name_matches(names: Collection[str], name: str) -> bool:
    return not names or name in names


def non_resource_url_matches(urls: Collection[str], path: str) -> bool:
    for candidate in urls:
        if candidate == "*" or candidate == path:
            return True
        if candidate.endswith("*") and path.startswith(candidate.rstrip("*")):
            return True
    return False
