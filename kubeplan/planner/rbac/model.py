"""The values RBAC reasons about: rules, requests, subjects, bindings and the identity asking.

These mirror the Kubernetes types (k8s.io/api/rbac/v1 PolicyRule, Subject, RoleRef and
k8s.io/apiserver/pkg/authorization/authorizer.AttributesRecord) in frozen, hashable form, so a
rule can be compared, deduplicated and cached as the upstream code does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kubeplan.model import Resource

RBAC_GROUP = "rbac.authorization.k8s.io"

# Groups the authenticators add. Sources: staging/src/k8s.io/apiserver/pkg/authentication/user/user.go
# (AllAuthenticated, AllUnauthenticated, SystemPrivilegedGroup, Anonymous) and
# staging/src/k8s.io/apiserver/pkg/authentication/serviceaccount/util.go (MakeUsername,
# MakeGroupNames, AllServiceAccountsGroup).
AUTHENTICATED = "system:authenticated"
UNAUTHENTICATED = "system:unauthenticated"
MASTERS = "system:masters"
ANONYMOUS = "system:anonymous"
SA_PREFIX = "system:serviceaccount:"
SA_GROUP = "system:serviceaccounts"


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


@dataclass(frozen=True, slots=True)
class Rule:
    """One PolicyRule (k8s.io/api/rbac/v1 types.go)."""

    verbs: tuple[str, ...] = ()
    api_groups: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    resource_names: tuple[str, ...] = ()
    non_resource_urls: tuple[str, ...] = ()

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> Rule:
        return cls(
            _strings(body.get("verbs")),
            _strings(body.get("apiGroups")),
            _strings(body.get("resources")),
            _strings(body.get("resourceNames")),
            _strings(body.get("nonResourceURLs")),
        )

    def to_json(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {"verbs": list(self.verbs)}
        if self.non_resource_urls:
            out["nonResourceURLs"] = list(self.non_resource_urls)
        if self.api_groups or self.resources or not self.non_resource_urls:
            out["apiGroups"] = list(self.api_groups)
            out["resources"] = list(self.resources)
        if self.resource_names:
            out["resourceNames"] = list(self.resource_names)
        return out

    def __str__(self) -> str:
        if self.non_resource_urls and not self.resources:
            return f"{','.join(self.verbs)} {','.join(self.non_resource_urls)}"
        names = f" names={','.join(self.resource_names)}" if self.resource_names else ""
        listed = ",".join(g or '""' for g in self.api_groups)
        groups = "" if self.api_groups == ("",) else f" (apiGroups {listed})"
        return f"{','.join(self.verbs)} {','.join(self.resources)}{groups}{names}"


@dataclass(frozen=True, slots=True)
class Request:
    """What the authorizer sees (authorizer.AttributesRecord; requestinfo.go NewRequestInfo).

    `resource` is the plain resource (`pods`), `subresource` the part after the slash (`log`);
    `path` is set only for a non-resource request (`/healthz`). `namespace` is "" for
    cluster-scoped resources and for requests across all namespaces.
    """

    verb: str
    group: str = ""
    resource: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""
    path: str = ""

    @property
    def is_resource(self) -> bool:
        return not self.path

    @property
    def combined(self) -> str:
        return f"{self.resource}/{self.subresource}" if self.subresource else self.resource

    def to_json(self) -> dict[str, str]:
        if not self.is_resource:
            return {"verb": self.verb, "nonResourceURL": self.path}
        return {
            "verb": self.verb,
            "group": self.group,
            "resource": self.combined,
            "namespace": self.namespace,
            "name": self.name,
        }

    def __str__(self) -> str:
        if not self.is_resource:
            return f"{self.verb} {self.path}"
        what = self.combined + (f".{self.group}" if self.group else "")
        name = f" {self.name}" if self.name else ""
        where = f' in namespace "{self.namespace}"' if self.namespace else " (cluster-wide)"
        return f"{self.verb} {what}{name}{where}"


@dataclass(frozen=True, slots=True)
class Identity:
    """The user a request is made as, with the groups the API server adds.

    `Identity.of(user, groups)` adds what authentication adds: a ServiceAccount username
    (system:serviceaccount:NS:NAME) gets system:serviceaccounts and system:serviceaccounts:NS
    (serviceaccount/util.go MakeGroupNames; the impersonation filter does the same when no group
    is given), and every user except system:anonymous gets system:authenticated unless a
    group already says authenticated or unauthenticated
    (authentication/group/authenticated_group_adder.go).
    """

    user: str
    groups: tuple[str, ...] = ()

    @classmethod
    def of(cls, user: str, groups: tuple[str, ...] | list[str] = ()) -> Identity:
        out = list(dict.fromkeys(groups))
        if user.startswith(SA_PREFIX) and not groups:
            namespace = user[len(SA_PREFIX) :].partition(":")[0]
            out += [SA_GROUP, f"{SA_GROUP}:{namespace}"]
        if user == ANONYMOUS:
            if UNAUTHENTICATED not in out:
                out.append(UNAUTHENTICATED)
        elif AUTHENTICATED not in out and UNAUTHENTICATED not in out:
            out.append(AUTHENTICATED)
        return cls(user, tuple(out))

    @property
    def superuser(self) -> bool:
        """system:masters bypasses RBAC and its escalation checks (rbac.md §1.5)."""
        return MASTERS in self.groups

    def to_json(self) -> dict[str, Any]:
        return {"user": self.user, "groups": list(self.groups)}


@dataclass(frozen=True, slots=True)
class Subject:
    kind: str  # User, Group or ServiceAccount
    name: str
    namespace: str = ""

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name, "namespace": self.namespace}

    def __str__(self) -> str:
        if self.kind == "ServiceAccount":
            return f"ServiceAccount {self.namespace or '?'}/{self.name}"
        return f"{self.kind} {self.name}"


@dataclass(frozen=True, slots=True)
class RoleRef:
    kind: str  # Role or ClusterRole
    name: str


@dataclass(slots=True)
class Role:
    """A Role (namespace set) or ClusterRole (namespace "") with its effective rules."""

    kind: str
    name: str
    namespace: str
    rules: tuple[Rule, ...]
    labels: dict[str, str] = field(default_factory=dict)
    aggregation: tuple[Any, ...] | None = None  # clusterRoleSelectors, when aggregated
    source: Resource | None = None
    origin: str = "input"  # input, rbac (the --rbac dump) or default

    @property
    def id(self) -> str:
        return (
            f"{self.kind}/{self.namespace}/{self.name}"
            if self.namespace
            else f"{self.kind}/{self.name}"
        )


@dataclass(slots=True)
class Binding:
    kind: str  # RoleBinding or ClusterRoleBinding
    name: str
    namespace: str  # "" for a ClusterRoleBinding
    role_ref: RoleRef
    subjects: tuple[Subject, ...]
    source: Resource | None = None
    origin: str = "input"

    @property
    def id(self) -> str:
        return (
            f"{self.kind}/{self.namespace}/{self.name}"
            if self.namespace
            else f"{self.kind}/{self.name}"
        )

    def applies_to(self, identity: Identity) -> bool:
        return any(applies_to(s, identity, self.namespace) for s in self.subjects)


def applies_to(subject: Subject, identity: Identity, binding_namespace: str) -> bool:
    """pkg/registry/rbac/validation/rule.go appliesToUser.

    User: exact name ("*" is no wildcard). Group: exact membership. ServiceAccount: the username
    system:serviceaccount:NS:NAME, NS defaulting to the binding's namespace; in a
    ClusterRoleBinding a ServiceAccount subject without namespace matches nothing.
    """
    if subject.kind == "User":
        return identity.user == subject.name
    if subject.kind == "Group":
        return subject.name in identity.groups
    if subject.kind == "ServiceAccount":
        namespace = subject.namespace or binding_namespace
        if not namespace:
            return False
        return identity.user == f"{SA_PREFIX}{namespace}:{subject.name}"
    return False
