"""The apply order of a plan: which changed object must be applied before which.

Edges come from the real references between the objects (kubeplan/kube/refs.py) plus the
dependencies no field names:
- every namespaced object after its Namespace (plugin/pkg/admission/namespace/lifecycle/
  admission.go rejects a create in a namespace that does not exist);
- a custom resource after the CustomResourceDefinition whose spec.group and spec.names.kind are
  its group and kind (staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/
  customresource_handler.go crdHandler.ServeHTTP answers 404 while the CRD does not exist or
  is neither NamesAccepted nor Established); a custom resource whose CRD is not in the input
  gets no warning here (the CRD is often installed apart; validation reports the unknown kind);
- workloads after the LimitRanges and ResourceQuotas of their namespace: admission applies them
  when a pod is created (plugin/pkg/admission/limitranger/admission.go,
  plugin/pkg/admission/resourcequota/admission.go), so pods created earlier escape them;
- a workload after the CustomResourceDefinitions whose API group its ServiceAccount may act on
  (a Role or ClusterRole rule naming the group, bound to it): an operator upgraded in the same
  wave as the CRDs it writes races them, its first requests answered 404 until the CRD is
  Established;
- a PodDisruptionBudget after the workloads whose pod labels its selector matches, like an HPA
  or VPA after its target: it only means something once they exist;
- an admission webhook configuration with failurePolicy Fail (the admissionregistration/v1
  default: pkg/apis/admissionregistration/v1/defaults.go; v1beta1 defaulted to Ignore) and an
  APIService after the workloads that the Service they call selects: the API server rejects the
  requests such a webhook matches while its backend is down
  (staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/validating/dispatcher.go), and an
  unavailable APIService breaks discovery of its group
  (staging/src/k8s.io/kube-aggregator/pkg/controllers/status/available_controller.go). Webhook
  configurations also go after everything else of the plan (data/apply_order.yaml `phase: last`).

A NetworkPolicy gets no edge to the pods it selects (a selector, not a name): it only needs its
Namespace, so it lands in the first waves, before the workloads that reference anything, and
the kind table sorts it early in its wave (Helm does the same), so new pods start isolated.

A Service is *not* ordered after the workloads it selects: a Service may exist before its pods
(the EndpointSlice controller fills in endpoints as pods become ready,
pkg/controller/endpointslice), and the kind table puts Services first so pods get its
environment variables. A selector edge would also tie every Service to its Deployment for no
gain.

The kind table (data/apply_order.yaml, Helm's InstallOrder) adds no edges except `phase: last`:
it is the sort key inside a wave, so objects with no path between them still read in the
familiar order. Applies come in waves (topological generations: every step of a wave can be
applied in parallel); deletions follow in their own waves, in reverse dependency order (an object
is deleted after every deleted object that referenced it).

A reference resolves against the whole new revision: to a changed object, an edge; to an
unchanged one in the input, declared external, or present in every cluster
(kube/data/cluster_objects.yaml), nothing; otherwise a warning on the step.

An object that is both deleted and created (the integrator's recreate for an immutable field)
is deleted in the apply waves, in the wave right before its create and after everything that
create waits for, so it is absent as briefly as the plan allows.

A dependency cycle is reported with its objects and broken deterministically: the members of
each strongly connected component are sorted by kind order and identity, and every edge that
points backwards in that order is dropped (and named in a warning on the step).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import networkx as nx

from kubeplan.datafiles import read_yaml
from kubeplan.kube import refs, selectors, workloads
from kubeplan.kube.cluster import cluster_objects
from kubeplan.kube.values import as_dict as _dict
from kubeplan.kube.values import as_list as _list
from kubeplan.kube.values import as_str as _str
from kubeplan.model import Resource, ResourceId, format_path
from kubeplan.planner.diff.pairing import gc_paused

CREATE, UPDATE, DELETE = "create", "update", "delete"
External = Callable[[str, str, str | None, str], bool]

_TABLE = os.path.join(os.path.dirname(__file__), "data", "apply_order.yaml")
_BARRIER = -1  # the node every object precedes and every `phase: last` object follows
_ADMISSION = "admissionregistration.k8s.io"
_WEBHOOK_KINDS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")


@dataclass
class Step:
    order: int  # 1-based position in the plan
    wave: int  # 1-based topological generation; deletions come in waves after all applies
    action: str  # "create" | "update" | "delete"
    resource: Resource
    depends_on: list[ResourceId] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why it is ordered here
    warnings: list[str] = field(default_factory=list)  # unresolved references, broken cycles

    def to_json(self, verbose: bool = False) -> dict[str, Any]:
        """The step as docs/json-output.md documents it (`reasons` only when verbose)."""
        out: dict[str, Any] = {
            "order": self.order,
            "wave": self.wave,
            "action": self.action,
            "resource": self.resource.ref(),
            "depends_on": [identity_json(i) for i in self.depends_on],
            "warnings": list(self.warnings),
        }
        if verbose:
            out["reasons"] = list(self.reasons)
        return out


@dataclass
class ApplyOrder:
    steps: list[Step]
    cycles: list[list[ResourceId]]  # each dependency cycle with the objects in it

    @property
    def waves(self) -> int:
        return max((s.wave for s in self.steps), default=0)

    def to_json(self, verbose: bool = False) -> dict[str, Any]:
        """`steps` and `cycles` as docs/json-output.md documents them."""
        return {
            "steps": [step.to_json(verbose) for step in self.steps],
            "cycles": [[identity_json(i) for i in cycle] for cycle in self.cycles],
        }


def identity_json(identity: ResourceId) -> dict[str, str | None]:
    return {
        "group": identity.group,
        "kind": identity.kind,
        "namespace": identity.namespace,
        "name": identity.name,
    }


# ---------------------------------------------------------------------------------------------
# the kind table


@dataclass(frozen=True)
class _KindTable:
    ranks: dict[str, float]  # kind -> position (ties on kind across groups are not an issue)
    last: frozenset[str]
    unknown: float

    def rank(self, kind: str) -> float:
        return self.ranks.get(kind, self.unknown)


@cache
def kind_table() -> _KindTable:
    rows = read_yaml(_TABLE)["kinds"]
    ranks = {row["kind"]: float(i) for i, row in enumerate(rows)}
    last = frozenset(row["kind"] for row in rows if row.get("phase") == "last")
    first_last = min((ranks[k] for k in last), default=float(len(rows)))
    return _KindTable(ranks, last, first_last - 0.5)


def _sort_key(resource: Resource) -> tuple[Any, ...]:
    return (
        kind_table().rank(resource.kind),
        resource.kind,
        resource.group,
        resource.namespace or "",
        resource.name or "",
    )


def _is_last(resource: Resource) -> bool:
    return resource.kind in kind_table().last and resource.group == _ADMISSION


# ---------------------------------------------------------------------------------------------
# resolving references


def _ref_text(kind: str, namespace: str | None, name: str) -> str:
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"


def _id_text(identity: ResourceId) -> str:
    return _ref_text(identity.kind, identity.namespace, identity.name)


class _Universe:
    """Everything a reference may resolve to: the members (changed objects, graph nodes), the
    rest of the revision, the declared externals and the objects of every cluster."""

    def __init__(
        self, members: list[Resource], revision: Iterable[Resource], external: External | None
    ) -> None:
        self.strict: dict[tuple[str, str, str | None, str], int] = {}
        self.loose: dict[tuple[str, str | None, str], int] = {}
        for node, resource in enumerate(members):
            if resource.name:
                self.strict.setdefault(_key(resource), node)
                self.loose.setdefault(_key(resource)[1:], node)
        self.present_strict: set[tuple[str, str, str | None, str]] = set()
        self.present_loose: set[tuple[str, str | None, str]] = set()
        self.services: dict[tuple[str | None, str], Resource] = {}
        self.crds: dict[tuple[str, str], Resource] = {}
        # namespace -> (claim template, StatefulSet name) -> the StatefulSet
        self.claims: dict[str, dict[tuple[str, str], Resource]] = defaultdict(dict)
        revision = list(revision)
        for resource in revision:
            if not resource.name:
                continue
            key = _key(resource)
            self.present_strict.add(key)
            self.present_loose.add(key[1:])
            if resource.kind == "Service" and resource.group == "":
                self.services[(resource.namespace, resource.name)] = resource
            elif resource.kind == "CustomResourceDefinition" and resource.group == refs.CRD_GROUP:
                spec = _dict(resource.body.get("spec"))
                group, kind = _str(spec.get("group")), _str(_dict(spec.get("names")).get("kind"))
                if group and kind:
                    self.crds[(group, kind)] = resource
            elif resource.kind == "StatefulSet":
                claims = self.claims[resource.namespace or "default"]
                for template in refs.claim_template_names(resource):
                    claims[(template, resource.name)] = resource
        self.secrets = refs.secret_producers(revision)
        self.api_users = _api_users(revision)
        self.external = external
        self._outside: dict[tuple[str, str, str | None, str], bool] = {}

    def member(self, group: str, kind: str, namespace: str | None, name: str) -> int | None:
        found = self.strict.get((group, kind, namespace, name))
        if found is None:  # a built-in kind read through an older group (extensions/v1beta1)
            found = self.loose.get((kind, namespace, name))
        return found

    def present(self, group: str, kind: str, namespace: str | None, name: str) -> bool:
        if (group, kind, namespace, name) in self.present_strict:
            return True
        if (kind, namespace, name) in self.present_loose:
            return True
        return self.outside(group, kind, namespace, name)

    def outside(self, group: str, kind: str, namespace: str | None, name: str) -> bool:
        key = (group, kind, namespace, name)
        found = self._outside.get(key)
        if found is None:
            found = any(p.matches(kind, namespace, name) for p in cluster_objects()) or bool(
                self.external and self.external(group, kind, namespace, name)
            )
            self._outside[key] = found
        return found

    def producer(self, ref: refs.Ref) -> Resource | None:
        """The object of the revision that a controller makes the target from."""
        ns = ref.namespace or "default"
        if ref.kind == "Secret":
            return self.secrets.get((ns, ref.name))
        if ref.kind == "PersistentVolumeClaim":
            for pair, statefulset in self.claims.get(ns, {}).items():
                if refs.statefulset_claim(ref.name, [pair]):
                    return statefulset
        return None


def _key(resource: Resource) -> tuple[str, str, str | None, str]:
    return (resource.group, resource.kind, resource.namespace, resource.name or "")


@dataclass
class _Edges:
    graph: nx.DiGraph
    why: dict[tuple[int, int], list[str]]  # (before, after) -> why `after` depends on `before`
    warnings: dict[int, list[str]]


def _edges(
    members: list[Resource], universe: _Universe, deleted: set[tuple[str, str | None, str]]
) -> _Edges:
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(members)))
    why: dict[tuple[int, int], list[str]] = defaultdict(list)
    warnings: dict[int, list[str]] = defaultdict(list)

    def edge(before: int, after: int, text: str) -> None:
        if before == after:
            return
        graph.add_edge(before, after)
        if text not in why[(before, after)]:
            why[(before, after)].append(text)

    workloads_by_ns: dict[str | None, list[int]] = defaultdict(list)
    for node, resource in enumerate(members):
        if workloads.is_workload(resource):
            workloads_by_ns[resource.namespace].append(node)
    selector_index = _SelectorIndex(members, workloads_by_ns)

    for node, resource in enumerate(members):
        for ref in _all_refs(resource, universe):
            text = f"{ref.why} ({format_path(ref.path)})"
            target = universe.member(ref.group, ref.kind, ref.namespace, ref.name)
            if target is not None:
                if target != node:
                    edge(target, node, text)
                continue
            if universe.present(ref.group, ref.kind, ref.namespace, ref.name):
                continue
            made = universe.producer(ref)
            if made is not None:
                source = universe.member(made.group, made.kind, made.namespace, made.name or "")
                if source is not None and source != node:
                    edge(source, node, f"{text}: {made.kind} {made.name} makes it")
                continue
            if ref.optional or ref.kind == "CustomResourceDefinition":
                continue
            shown = _ref_text(ref.kind, ref.namespace, ref.name)
            if (ref.kind, ref.namespace, ref.name) in deleted:
                warnings[node].append(f"{text} references {shown}, which this plan deletes")
            else:
                warnings[node].append(
                    f"{text} references {shown}, which is neither in the input nor declared"
                    " external"
                )
        # admission objects of the namespace apply to the pods created after them
        if resource.kind in ("LimitRange", "ResourceQuota") and resource.group == "":
            for workload in workloads_by_ns.get(resource.namespace, []):
                edge(node, workload, f"{resource.kind} {resource.name} applies at pod admission")
        if resource.kind == "PodDisruptionBudget" and resource.group == "policy":
            selector = _dict(resource.body.get("spec")).get("selector")
            for workload in selector_index.select(resource.namespace, selector, label_map=False):
                edge(workload, node, "spec.selector protects its pods")
        if resource.kind == "CustomResourceDefinition" and resource.group == refs.CRD_GROUP:
            group = _str(_dict(resource.body.get("spec")).get("group"))
            accounts = universe.api_users.get(group, {})
            for workload_node in (n for nodes in workloads_by_ns.values() for n in nodes):
                workload = members[workload_node]
                role = accounts.get((workload.namespace, _service_account(workload)))
                if role is not None:
                    edge(
                        node,
                        workload_node,
                        f"its ServiceAccount may act on {group} ({role}): the controller"
                        " starts after the API it writes exists",
                    )
        if _serves_through_service(resource):
            for ref in refs.references(resource):
                service = universe.services.get((ref.namespace, ref.name))
                if ref.kind != "Service" or service is None:
                    continue
                selector = _dict(service.body.get("spec")).get("selector")
                for workload in selector_index.select(ref.namespace, selector, label_map=True):
                    edge(workload, node, f"{ref.why}: Service {ref.name} sends to its pods")
    return _Edges(graph, why, warnings)


def _service_account(workload: Resource) -> str:
    found = workloads.pod_spec(workload)
    name = found[1].get("serviceAccountName") if found is not None else None
    return name if isinstance(name, str) and name else "default"


def _api_users(revision: list[Resource]) -> dict[str, dict[tuple[str | None, str], str]]:
    """API group -> (namespace, ServiceAccount) -> the role that lets it act on that group,
    from the Roles, ClusterRoles and their bindings of the revision. A rule naming the group
    (not `*`, which every operator's wide role would match) counts; resolving roleRef as the
    RBAC authorizer does (plugin/pkg/auth/authorizer/rbac/rbac.go)."""
    rules: dict[tuple[str, str | None, str], set[str]] = {}
    for resource in revision:
        if resource.group != "rbac.authorization.k8s.io" or not resource.name:
            continue
        if resource.kind in ("Role", "ClusterRole"):
            namespace = resource.namespace if resource.kind == "Role" else None
            groups = {
                g
                for rule in _list(resource.body.get("rules"))
                for g in _list(_dict(rule).get("apiGroups"))
                if isinstance(g, str) and g not in ("", "*")
            }
            rules[(resource.kind, namespace, resource.name)] = groups
    out: dict[str, dict[tuple[str | None, str], str]] = defaultdict(dict)
    for binding in revision:
        if binding.group != "rbac.authorization.k8s.io":
            continue
        if binding.kind not in ("RoleBinding", "ClusterRoleBinding"):
            continue
        ref = _dict(binding.body.get("roleRef"))
        kind, name = _str(ref.get("kind")), _str(ref.get("name"))
        namespace = binding.namespace if kind == "Role" else None
        groups = rules.get((kind, namespace, name), set())
        for subject in _list(binding.body.get("subjects")):
            subject = _dict(subject)
            if subject.get("kind") != "ServiceAccount":
                continue
            account = (
                _str(subject.get("namespace")) or binding.namespace,
                _str(subject.get("name")),
            )
            for group in groups:
                out[group].setdefault(account, f"{kind} {name}")
    return out


def _all_refs(resource: Resource, universe: _Universe) -> list[refs.Ref]:
    """The references of the object plus its Namespace and, for a custom resource, its CRD."""
    out = list(refs.references(resource))
    if resource.namespace and resource.namespaced is not False:
        path = ("metadata", "namespace")
        out.append(refs.Ref("Namespace", resource.namespace, path, "namespace"))
    crd = universe.crds.get((resource.group, resource.kind))
    if crd is not None and crd.name:
        out.append(
            refs.Ref(
                "CustomResourceDefinition",
                crd.name,
                ("apiVersion",),
                f"the CRD that defines {resource.kind}",
                refs.CRD_GROUP,
            )
        )
    return out


def _serves_through_service(resource: Resource) -> bool:
    """A webhook configuration that fails closed, or an APIService: its backend must be up."""
    if resource.kind == "APIService" and resource.group == "apiregistration.k8s.io":
        return True
    if resource.kind not in _WEBHOOK_KINDS or resource.group != _ADMISSION:
        return False
    default = "Ignore" if resource.version == "v1beta1" else "Fail"
    hooks = _list(resource.body.get("webhooks"))
    return any(_dict(h).get("failurePolicy", default) == "Fail" for h in hooks)


class _SelectorIndex:
    """Workload nodes by namespace and pod label pair, to match selectors without scanning."""

    def __init__(self, members: list[Resource], by_ns: dict[str | None, list[int]]) -> None:
        self.members = members
        self.by_ns = by_ns
        self.labels: dict[int, dict[str, str]] = {}
        self.pairs: dict[tuple[str | None, str, str], list[int]] = defaultdict(list)
        for ns, nodes in by_ns.items():
            for node in nodes:
                labels = workloads.pod_labels(members[node])
                self.labels[node] = labels
                for pair in labels.items():
                    self.pairs[(ns, *pair)].append(node)

    def select(self, namespace: str | None, selector: Any, label_map: bool) -> list[int]:
        """Workload nodes whose pod labels the selector matches (a Service's plain map when
        `label_map`, else a metav1.LabelSelector)."""
        if not isinstance(selector, dict):
            return []
        pairs = selector if label_map else _dict(selector.get("matchLabels"))
        candidates: list[int] | None = None
        for key, value in pairs.items():
            if isinstance(key, str) and isinstance(value, str):
                hits = self.pairs.get((namespace, key, value), [])
                if candidates is None or len(hits) < len(candidates):
                    candidates = hits
        pool = self.by_ns.get(namespace, []) if candidates is None else candidates
        if label_map:
            return [n for n in pool if selectors.map_matches(selector, self.labels[n])]
        return [n for n in pool if selectors.matches(selector, self.labels[n])]


# ---------------------------------------------------------------------------------------------
# ordering


def _break_cycles(
    edges: _Edges, members: list[Resource], keys: list[tuple[Any, ...]]
) -> tuple[list[list[int]], dict[int, list[str]]]:
    """Report each cycle and drop the edges that point backwards in sort order inside it."""
    cycles: list[list[int]] = []
    notes: dict[int, list[str]] = defaultdict(list)
    graph = edges.graph
    components = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
    components.sort(key=lambda c: min(keys[n] for n in c))
    for component in components:
        ordered = sorted(component, key=lambda n: (keys[n], n))
        rank = {node: i for i, node in enumerate(ordered)}
        start = ordered[0]
        cycle = [u for u, _ in nx.find_cycle(graph.subgraph(component), source=start)]
        cycles.append(cycle)
        names = ", ".join(_id_text(members[n].identity) for n in ordered)
        for before, after in sorted(graph.subgraph(component).edges()):
            if rank[before] > rank[after]:
                graph.remove_edge(before, after)
                notes[after].append(
                    f"in a dependency cycle ({names}): ignored that it waits for"
                    f" {_id_text(members[before].identity)} to break the cycle"
                )
    return cycles, notes


def _waves(
    graph: nx.DiGraph, keys: list[tuple[Any, ...]], last: list[int], deleting: bool = False
) -> list[list[int]]:
    """Topological generations, each sorted; `phase: last` nodes after all others when
    applying, before all others when deleting (`graph` is then the reversed one).

    The barrier never overrides a real edge: an object that must follow a `phase: last` one
    anyway (when deleting: precede it) is left out of it, so it cannot close a cycle. Deleting
    a webhook configuration with its backend Service and Deployment (removing ingress-nginx or
    cert-manager) deletes the configuration first: the API server stops calling the webhook
    before its backend goes away."""
    if last:
        graph = graph.copy()
        late = set(last)
        related = nx.ancestors if deleting else nx.descendants
        tied = set().union(*(related(graph, n) for n in late)) - late
        for node in range(len(keys)):
            if node in late:
                graph.add_edge(*((node, _BARRIER) if deleting else (_BARRIER, node)))
            elif node not in tied:
                graph.add_edge(*((_BARRIER, node) if deleting else (node, _BARRIER)))
    waves = []
    for generation in nx.topological_generations(graph):
        nodes = [n for n in generation if n != _BARRIER]
        if nodes:
            waves.append(sorted(nodes, key=lambda n: (keys[n], n)))
    return waves


def _replace(edges: _Edges, universe: _Universe, members: list[Resource], old: Resource) -> None:
    """Add the deletion of `old`, which its new version in `members` recreates, as the node
    right before that create: after everything the create waits for, so the object is gone for
    as short a time as the plan allows."""
    node = len(members)
    members.append(old)
    create = universe.member(old.group, old.kind, old.namespace, old.name or "")
    if create is None:
        return
    graph = edges.graph
    for before in list(graph.predecessors(create)):
        graph.add_edge(before, node)
        edges.why[(before, node)] = ["its replacement waits for it"]
    graph.add_edge(node, create)
    edges.why[(node, create)] = ["the old object is deleted first: it is recreated, not updated"]


def _part(
    members: list[Resource],
    universe: _Universe,
    deleted: set[tuple[str, str | None, str]],
    deleting: bool,
    replaced: list[Resource],
) -> tuple[list[tuple[int, int, list[int], list[str], list[str]]], list[list[int]], int]:
    """Order one part (applies or deletions): [(node, wave, depends_on, reasons, warnings)] in
    order, the cycles, and the number of waves. `replaced`: old objects of the applies that are
    deleted and created again; their deletions get nodes len(members)... in the apply part."""
    edges = _edges(members, universe, deleted)
    if deleting:
        edges.warnings.clear()  # an object that goes away needs nothing it names
    keys = [_sort_key(r) for r in members]
    cycles, notes = _break_cycles(edges, members, keys)
    members = list(members)
    for old in replaced:
        _replace(edges, universe, members, old)
        keys.append(_sort_key(old))
    graph = edges.graph.reverse(copy=True) if deleting else edges.graph
    last = [n for n, r in enumerate(members) if _is_last(r)]
    waves = _waves(graph, keys, last, deleting)
    if deleting:
        for wave in waves:
            wave.sort(key=lambda n: (-keys[n][0], keys[n], n))
    out = []
    for number, wave in enumerate(waves, start=1):
        for node in wave:
            reasons: list[str] = []
            depends = sorted(graph.predecessors(node), key=lambda n: (keys[n], n))
            for other in depends:
                shown = _id_text(members[other].identity)
                if deleting:
                    texts = edges.why.get((node, other), [])
                    reasons += [f"deleted after {shown}, which uses it: {t}" for t in texts]
                else:
                    texts = edges.why.get((other, node), [])
                    reasons += [f"after {shown}: {t}" for t in texts]
            if _is_last(members[node]):
                reasons.append(
                    "admission webhook configuration: "
                    + ("deleted before" if deleting else "applied after")
                    + " the rest of the plan (data/apply_order.yaml phase: last)"
                )
            if not reasons:
                reasons.append(
                    f"depends on nothing in the plan; {members[node].kind} sorts by kind order"
                    " within its wave (data/apply_order.yaml)"
                )
            warnings = edges.warnings.get(node, []) + notes.get(node, [])
            out.append((node, number, depends, reasons, warnings))
    return out, cycles, len(waves)


def apply_order(
    changes: list[tuple[str, Resource]],
    new_resources: list[Resource],
    base_resources: list[Resource],
    external: External | None = None,
) -> ApplyOrder:
    """The ordered steps of a plan.

    changes: (action, resource) for every created/updated/deleted object (deleted ones are base
    resources); other actions are ignored. new_resources: the whole new revision (references
    resolve against it: a reference to an unchanged object of the input is satisfied);
    base_resources: the whole base, for the order of deletions. external(group, kind, namespace,
    name): True when the object is declared to exist outside the input.
    """
    with gc_paused():  # many small tuples and dicts, no cycles
        return _apply_order(changes, new_resources, base_resources, external)


def _apply_order(
    changes: list[tuple[str, Resource]],
    new_resources: list[Resource],
    base_resources: list[Resource],
    external: External | None,
) -> ApplyOrder:
    applies = [r for action, r in changes if action in (CREATE, UPDATE)]
    actions = [action for action, _ in changes if action in (CREATE, UPDATE)]
    applied = {(r.kind, r.namespace, r.name or "") for r in applies}
    # An object both deleted and created (an immutable field changed: delete, then create) is
    # deleted in the apply waves, right before its create.
    removals, replaced = [], []
    for action, resource in changes:
        if action == DELETE:
            key = (resource.kind, resource.namespace, resource.name or "")
            (replaced if key in applied else removals).append(resource)
    deleted = {(r.kind, r.namespace, r.name or "") for r in removals}

    steps: list[Step] = []
    cycles: list[list[ResourceId]] = []
    wave_base = 0
    parts = (
        (applies, actions, _Universe(applies, new_resources, external), False, replaced),
        (removals, [DELETE] * len(removals), _Universe(removals, base_resources, None), True, []),
    )
    for members, kinds, universe, deleting, old in parts:
        if not members:
            continue
        ordered, found, count = _part(members, universe, deleted, deleting, old)
        members = members + old
        kinds = kinds + [DELETE] * len(old)
        for node, wave, depends, reasons, warnings in ordered:
            steps.append(
                Step(
                    order=len(steps) + 1,
                    wave=wave_base + wave,
                    action=kinds[node],
                    resource=members[node],
                    depends_on=[members[d].identity for d in depends],
                    reasons=reasons,
                    warnings=warnings,
                )
            )
        cycles += [[members[n].identity for n in cycle] for cycle in found]
        wave_base += count
    return ApplyOrder(steps, cycles)
