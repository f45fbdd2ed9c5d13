"""The API requests `kubectl apply` makes for one step of a plan.

Sources: staging/src/k8s.io/kubectl/pkg/cmd/apply/apply.go (applyOneObject) and
staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go; rbac.md §4.1.

- client-side apply GETs the object first (verb get, with its name); when it is absent it POSTs
  it (create), otherwise it sends a three-way PATCH (patch), or nothing when the patch is `{}`
  (an unchanged object needs only the get);
- server-side apply sends one PATCH of type apply-patch+yaml (patch), no GET; when the object
  does not exist yet the server also authorizes `create` with the same attributes
  (patch.go: createAuthorizerAttributes);
- a removed object is deleted (delete).

Attributes follow requestinfo.go: a namespaced kind in its namespace, a cluster-scoped kind with
namespace ""; a Namespace object addressed by name (/api/v1/namespaces/NAME) is in namespace NAME,
while creating one (POST /api/v1/namespaces) is not. A create carries no name (POST goes to the
collection), so a resourceNames rule never allows it.

The resource name comes from kubeplan/kube/data/kinds.yaml for built-in kinds and from the
CRDs in the input (spec.names.plural); for a kind neither knows, the resource is unknown and
only a rule with resources ["*"] can allow it (`Request.resource` is "*?" then: it matches
nothing but a "*").
"""

from __future__ import annotations

from kubeplan.kube.kinds import builtin_kind
from kubeplan.model import Resource
from kubeplan.planner.rbac.model import Request

UNKNOWN_RESOURCE = "*?"  # no rule names this resource; only "*" matches it
ACTIONS = ("create", "update", "delete", "unchanged")


def resource_of(
    resource: Resource, custom_kinds: dict[tuple[str, str], tuple[str, bool]] | None = None
) -> tuple[str, bool | None]:
    """(REST resource, namespaced) of an object's kind; (UNKNOWN_RESOURCE, None) if unknown."""
    info = builtin_kind(resource.group, resource.kind)
    if info is not None:
        return info.resource, info.namespaced
    custom = (custom_kinds or {}).get((resource.group, resource.kind))
    if custom is not None:
        return custom
    return UNKNOWN_RESOURCE, resource.namespaced


def requests_for(
    action: str,
    resource: Resource,
    *,
    server_side: bool = False,
    custom_kinds: dict[tuple[str, str], tuple[str, bool]] | None = None,
) -> list[Request]:
    """The requests of one step: `action` is create, update, delete or unchanged."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    plural, namespaced = resource_of(resource, custom_kinds)
    name = resource.name or ""
    namespace = (resource.namespace or "") if namespaced is not False else ""
    by_name = namespace
    if resource.group == "" and resource.kind == "Namespace":
        by_name = name  # requestinfo.go: /api/v1/namespaces/NAME sets the namespace to NAME

    def req(verb: str, named: bool = True) -> Request:
        return Request(
            verb,
            resource.group,
            plural,
            namespace=by_name if named else namespace,
            name=name if named else "",
        )

    if action == "delete":
        return [req("delete")]
    if server_side:
        if action == "create":
            # patch.go authorizes create with the same attributes, the name included.
            return [req("patch"), req("create")]
        return [req("patch")]
    if action == "create":
        return [req("get"), req("create", named=False)]
    if action == "update":
        return [req("get"), req("patch")]
    return [req("get")]
