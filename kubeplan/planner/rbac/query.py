"""Inputs of `kubeplan can-i` and `kubeplan who-can`: the policy from files, the request from
the command line, resolved the way `kubectl auth can-i` resolves them.

kubectl (staging/src/k8s.io/kubectl/pkg/cmd/auth/cani.go) takes `VERB TYPE[/NAME]` or
`VERB /non-resource-url`; TYPE is a resource, singular, kind or short name, optionally with its
group (`deployments.apps`), mapped through discovery. Offline, kubeplan maps it through the kinds
table (kubeplan/kube/data/kinds.yaml) and the CRDs of the input; a name neither knows is
used as given, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kubeplan.kube.kinds import builtin_kinds
from kubeplan.model import Finding
from kubeplan.planner.rbac.model import Request
from kubeplan.planner.rbac.policy import Policy, rbac_objects
from kubeplan.schemas import loader

# When a bare resource name exists in several groups, kubectl's RESTMapper prefers the core
# group, then the groups in discovery order; kubeplan prefers core, then the group with the
# shortest name (apps over extensions), a deterministic stand-in for discovery order.


@dataclass
class Loaded:
    policy: Policy
    findings: list[Finding] = field(default_factory=list)
    resources: int = 0
    files: int = 0


def load_policy(paths: list[str], rbac_paths: list[str], kubernetes_version: str) -> Loaded:
    """Read PATHs and --rbac dumps (raises sources.InputError when unreadable)."""
    given = loader.load(paths) if paths else loader.LoadResult()
    extra = loader.load(rbac_paths) if rbac_paths else loader.LoadResult()
    policy, findings = Policy.build(given.resources, extra.resources, kubernetes_version)
    read = {_key(r.ref()) for r in rbac_objects([*given.resources, *extra.resources])}
    return Loaded(
        policy,
        [*_bearing(given.findings, read), *_bearing(extra.findings, read), *findings],
        len(given.resources) + len(extra.resources),
        given.files + extra.files,
    )


def _key(ref: dict[str, str | None]) -> tuple[str | None, ...]:
    return (ref.get("apiVersion"), ref.get("kind"), ref.get("namespace"), ref.get("name"))


def _bearing(findings: list[Finding], read: set[tuple[str | None, ...]]) -> list[Finding]:
    """The loader's findings that bear on the answer: those about a file or document as a whole
    (a broken document may have been a Role) and those about the objects the policy reads. A
    full cluster dump given as --rbac holds many other objects, whose findings (a Deployment
    defined twice) are the business of `kubeplan check`."""
    return [f for f in findings if f.resource is None or _key(f.resource) in read]


def _lookup(policy: Policy) -> dict[str, list[tuple[str, str, bool]]]:
    """Every spelling of a resource -> [(group, resource, namespaced)]."""
    table: dict[str, list[tuple[str, str, bool]]] = {}

    def add(key: str, entry: tuple[str, str, bool]) -> None:
        listed = table.setdefault(key.lower(), [])
        if entry not in listed:
            listed.append(entry)

    for info in builtin_kinds().values():
        entry = (info.group, info.resource, info.namespaced)
        add(info.resource, entry)
        add(info.kind, entry)
    for (group, kind), (plural, namespaced) in policy.custom_kinds.items():
        add(plural, (group, plural, namespaced))
        add(kind, (group, plural, namespaced))
    return table


def resolve_resource(spec: str, policy: Policy) -> tuple[str, str, bool | None, str | None]:
    """`deployments.apps` / `deploy` / `Deployment` -> (group, resource, namespaced, note)."""
    table = _lookup(policy)
    candidates = table.get(spec.lower(), [])
    if not candidates and "." in spec:
        name, _, group = spec.partition(".")
        candidates = [c for c in table.get(name.lower(), []) if c[0] == group]
        if not candidates:
            return group, name, None, f'unknown resource "{name}" in group "{group}": used as given'
    if not candidates:
        return "", spec, None, f'unknown resource "{spec}": used as given in the core group'
    group, resource, namespaced = min(candidates, key=lambda c: (c[0] != "", len(c[0]), c[0]))
    return group, resource, namespaced, None


def build_request(
    verb: str,
    target: str,
    policy: Policy,
    namespace: str,
    subresource: str = "",
    name: str = "",
) -> tuple[Request, str | None]:
    """The request of `can-i VERB TARGET`: TARGET is TYPE, TYPE/NAME, or /non-resource-url."""
    if target.startswith("/"):
        return Request(verb, path=target), None
    spec, _, named = target.partition("/")
    group, resource, namespaced, note = resolve_resource(spec, policy)
    if namespaced is False:
        namespace = ""  # cluster-scoped: requestinfo.go sets no namespace
    return (
        Request(verb, group, resource, subresource, namespace, named or name),
        note,
    )
