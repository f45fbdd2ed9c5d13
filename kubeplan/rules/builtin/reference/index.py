"""Cross-resource references: what one object names must exist, and selectors must select.

A rule sees every object of the input (all files), so these checks do not depend on how the
manifests are split. Objects that live outside the manifests are found by `ctx.exists` (the
input, the user's declared externals, and data/_cluster_objects.yaml). The indexes a check
needs (pod labels and ports per namespace, Services by name, Secrets made by controllers) are
built once per context and kept on it.

Sources for the semantics are in data/reference.yaml, one per rule; the less obvious ones:
- Service targetPort defaults to port (pkg/apis/core/v1/defaults.go SetDefaults_Service), and
  a named targetPort is resolved per pod against the containerPort names of `containers` and of
  sidecar init containers (restartPolicy Always), with the same protocol (TCP by default):
  pkg/api/v1/pod/util.go FindPort. A numeric targetPort is used as is.
- StatefulSet pods carry `statefulset.kubernetes.io/pod-name` and `apps.kubernetes.io/pod-index`
  (pkg/controller/statefulset/stateful_set_utils.go updateIdentity); Job pods carry `job-name` and
  `batch.kubernetes.io/job-name` (pkg/registry/batch/job/strategy.go generateSelector). A selector
  on those labels (per-pod Services, Indexed Job Services) selects those pods.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kubeplan.model import Path, Resource
from kubeplan.rules import refs, selectors, workloads
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check
from kubeplan.rules.values import as_dict as _dict
from kubeplan.rules.values import as_int as _int
from kubeplan.rules.values import as_list as _list
from kubeplan.rules.values import as_str as _str
from kubeplan.rules.values import namespace_of as _namespace

# A StatefulSet is expanded into one pod entry per ordinal (for its per-pod labels) up to this.
_MAX_ORDINALS = 256
_SHOWN = 3  # how many selected workloads a message names


# ---------------------------------------------------------------------------------------------
# helpers on untrusted bodies


def _selector_text(selector: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in selector.items())


def _label_selector_text(selector: dict[str, Any]) -> str:
    parts = [f"{k}={v}" for k, v in _dict(selector.get("matchLabels")).items()]
    for expression in _list(selector.get("matchExpressions")):
        expression = _dict(expression)
        key, operator = expression.get("key"), expression.get("operator")
        values = ",".join(str(v) for v in _list(expression.get("values")))
        parts.append(f"{key} {operator} ({values})" if values else f"{key} {operator}")
    return "; ".join(parts) if parts else "{}"


def _names(resources: Iterable[Resource]) -> str:
    seen: list[str] = []
    for resource in resources:
        label = f"{resource.kind} {resource.name}"
        if label not in seen:
            seen.append(label)
    shown = ", ".join(seen[:_SHOWN])
    return shown + (f" and {len(seen) - _SHOWN} more" if len(seen) > _SHOWN else "")


# ---------------------------------------------------------------------------------------------
# the index


@dataclass(slots=True)
class _Pod:
    """The pods one workload creates: their labels and the ports their containers declare."""

    owner: Resource
    labels: dict[str, str]
    ports: tuple[tuple[str | None, int | None, str], ...]  # (name, containerPort, protocol)


@dataclass
class _Index:
    pods: dict[str, list[_Pod]] = field(default_factory=lambda: defaultdict(list))
    by_pair: dict[str, dict[tuple[str, str], list[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    by_key: dict[str, dict[str, list[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    services: dict[tuple[str, str], Resource] = field(default_factory=dict)
    made_secrets: set[tuple[str, str]] = field(default_factory=set)
    # namespace -> [(template name, StatefulSet name)]: PVCs <template>-<sts>-<ordinal>
    claim_templates: dict[str, list[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    selected: dict[tuple[Any, ...], list[_Pod]] = field(default_factory=dict)
    # kind -> name -> namespaces, for a hint when the object exists elsewhere
    elsewhere: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    def select(
        self,
        namespace: str,
        pairs: dict[str, Any],
        expressions: list[dict[str, Any]],
        accept: Callable[[dict[str, str]], bool],
        first: bool = False,
    ) -> list[_Pod]:
        """Pods of `namespace` whose labels `accept` takes (only the first one if `first`).

        The candidates are narrowed by the most selective requirement that the index can answer
        (an equality pair, `In` values, `Exists`), then every candidate is fully matched.
        """
        pods = self.pods.get(namespace, [])
        if not pods:
            return []
        table = self.by_pair.get(namespace, {})
        best: list[int] | None = None
        for key, value in pairs.items():
            if not isinstance(value, str):
                return []
            hits = table.get((key, value), [])
            if best is None or len(hits) < len(best):
                best = hits
        for expression in expressions:
            key, operator = expression.get("key"), expression.get("operator")
            if operator == "In":
                values = [v for v in expression.get("values", []) if isinstance(v, str)]
                hits = sorted({i for v in values for i in table.get((key, v), ())})
            elif operator == "Exists":
                hits = self.by_key.get(namespace, {}).get(key, [])
            else:
                continue
            if best is None or len(hits) < len(best):
                best = hits
        candidates: Iterable[_Pod] = pods if best is None else (pods[i] for i in best)
        out = []
        for pod in candidates:
            if accept(pod.labels):
                out.append(pod)
                if first:
                    break
        return out


def _ports(resource: Resource) -> tuple[tuple[str | None, int | None, str], ...]:
    out = []
    for ref in workloads.containers(resource, lists=("containers", "initContainers")):
        if ref.list_name == "initContainers" and ref.container.get("restartPolicy") != "Always":
            continue  # only sidecar init containers serve (FindPort)
        for port in _list(ref.container.get("ports")):
            port = _dict(port)
            protocol = _str(port.get("protocol")) or "TCP"
            out.append((_str(port.get("name")), _int(port.get("containerPort")), protocol))
    return tuple(out)


def _pod_label_sets(resource: Resource, labels: dict[str, str]) -> list[dict[str, str]]:
    """The label sets of the pods a workload creates, with the labels its controller adds."""
    spec = _dict(resource.body.get("spec"))
    name = resource.name or ""
    if resource.kind == "StatefulSet" and name:
        replicas = workloads.replicas(resource)
        replicas = replicas if isinstance(replicas, int) and replicas > 0 else 1
        start = _int(_dict(spec.get("ordinals")).get("start")) or 0
        return [
            {
                **labels,
                "statefulset.kubernetes.io/pod-name": f"{name}-{ordinal}",
                "apps.kubernetes.io/pod-index": str(ordinal),
            }
            for ordinal in range(start, start + min(replicas, _MAX_ORDINALS))
        ]
    if resource.kind == "Job" and name:
        return [{**labels, "job-name": name, "batch.kubernetes.io/job-name": name}]
    return [labels]


def _build(ctx: LintContext) -> _Index:
    index = _Index()
    for resource in ctx.workloads:
        namespace = _namespace(resource)
        labels = workloads.pod_labels(resource)
        ports = _ports(resource)
        pods = index.pods[namespace]
        table = index.by_pair[namespace]
        keys = index.by_key[namespace]
        for label_set in _pod_label_sets(resource, labels):
            position = len(pods)
            pods.append(_Pod(resource, label_set, ports))
            for pair in label_set.items():
                table[pair].append(position)
                keys[pair[0]].append(position)
        if resource.name:
            for template_name in refs.claim_template_names(resource):
                index.claim_templates[namespace].append((template_name, resource.name))
    for service in ctx.of_kind("Service"):
        if service.name and service.group == "":
            index.services[(_namespace(service), service.name)] = service
    producers = ctx.of_kind("Certificate", "ExternalSecret", "SealedSecret")
    index.made_secrets.update(refs.secret_producers(producers))
    for kind in ("ConfigMap", "Secret", "PersistentVolumeClaim", "ServiceAccount", "Service"):
        names: dict[str, set[str]] = defaultdict(set)
        for resource in ctx.of_kind(kind):
            if resource.name and resource.namespace:
                names[resource.name].add(resource.namespace)
        index.elsewhere[kind] = names
    return index


def _index(ctx: LintContext) -> _Index:
    return ctx.index(_build)


def _elsewhere(index: _Index, kind: str, namespace: str, name: str) -> str:
    others = sorted(index.elsewhere.get(kind, {}).get(name, set()) - {namespace})
    if not others:
        return ""
    where = ", ".join(f'"{n}"' for n in others[:_SHOWN])
    return f" (the input has one in namespace {where})"


def _missing(index: _Index, kind: str, namespace: str, name: str) -> str:
    return f'{kind} "{name}" does not exist in namespace "{namespace}"' + _elsewhere(
        index, kind, namespace, name
    )


# ---------------------------------------------------------------------------------------------
# Services


def _service_selector(service: Resource) -> dict[str, Any] | None:
    """The selector of a Service whose Endpoints the control plane manages, else None."""
    spec = _dict(service.body.get("spec"))
    if spec.get("type") == "ExternalName":
        return None
    selector = spec.get("selector")
    return selector if isinstance(selector, dict) and selector else None


def _selected(index: _Index, service: Resource, first: bool = False) -> list[_Pod] | None:
    selector = _service_selector(service)
    if selector is None:
        return None
    # Services of one app share selectors (and three rules ask per Service): match once.
    try:
        key = (_namespace(service), tuple(sorted(selector.items())), first)
        hash(key)
    except TypeError:
        key = None
    if key is not None and key in index.selected:
        return index.selected[key]
    pods = index.select(
        _namespace(service),
        selector,
        [],
        lambda labels: selectors.map_matches(selector, labels),
        first,
    )
    if key is not None:
        index.selected[key] = pods
    return pods


@check("service-selects-nothing")
def service_selects_nothing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    selector = _service_selector(resource)
    if selector is None:
        return
    if _selected(_index(ctx), resource, first=True):
        return
    yield Violation(
        ("spec", "selector"),
        f'selector {_selector_text(selector)} matches the pod labels of no workload in namespace "{_namespace(resource)}"',
    )


def _service_ports(service: Resource) -> Iterator[tuple[int, dict[str, Any], str, Any]]:
    """(index, port, protocol, targetPort defaulted to port) of every Service port."""
    for position, port in enumerate(_list(_dict(service.body.get("spec")).get("ports"))):
        port = _dict(port)
        number = _int(port.get("port"))
        target = port.get("targetPort")
        if target in (None, 0, ""):
            target = number
        if isinstance(target, bool) or not isinstance(target, (int, str)):
            continue
        yield position, port, _str(port.get("protocol")) or "TCP", target


def _port_label(port: dict[str, Any]) -> str:
    name = _str(port.get("name"))
    return f'port "{name}"' if name else f"port {port.get('port')}"


@check("service-target-port-missing")
def service_target_port_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pods = _selected(_index(ctx), resource)
    if not pods:
        return
    for position, port, protocol, target in _service_ports(resource):
        if not isinstance(target, str):
            continue
        if any(n == target and p == protocol for pod in pods for n, _, p in pod.ports):
            continue
        other = sorted({p for pod in pods for n, _, p in pod.ports if n == target})
        found = f" (it is a {'/'.join(other)} port there)" if other else ""
        yield Violation(
            ("spec", "ports", position, "targetPort"),
            f'{_port_label(port)}: targetPort "{target}" names no {protocol} containerPort of the'
            f" pods it selects ({_names(p.owner for p in pods)}){found}; the Service gets no"
            " endpoints for it",
        )


@check("service-target-port-undeclared")
def service_target_port_undeclared(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    pods = _selected(_index(ctx), resource)
    if not pods or not any(pod.ports for pod in pods):
        return  # nothing declared to compare with: declaring ports is optional
    declared = {(number, p) for pod in pods for _, number, p in pod.ports}
    for position, port, protocol, target in _service_ports(resource):
        if not isinstance(target, int) or (target, protocol) in declared:
            continue
        path: Path = ("spec", "ports", position, "targetPort")
        shown = f"targetPort {target}/{protocol}"
        if port.get("targetPort") in (None, 0, ""):
            path = ("spec", "ports", position, "port")
            shown = f"targetPort (unset, so the port) {target}/{protocol}"
        numbers = sorted({n for n, p in declared if p == protocol and n is not None})
        listed = ", ".join(str(n) for n in numbers[:8]) or "none"
        yield Violation(
            path,
            f"{_port_label(port)}: {shown} is not a declared containerPort"
            f" of the pods it selects ({_names(p.owner for p in pods)}; they declare {listed})",
        )


# ---------------------------------------------------------------------------------------------
# Ingress and Gateway API routes


def _service_port_match(service: Resource, number: int | None, name: str | None) -> bool:
    for port in _list(_dict(service.body.get("spec")).get("ports")):
        port = _dict(port)
        if number is not None and _int(port.get("port")) == number:
            return True
        if name is not None and port.get("name") == name:
            return True
    return False


def _service_port_list(service: Resource) -> str:
    out = []
    for port in _list(_dict(service.body.get("spec")).get("ports")):
        port = _dict(port)
        name = _str(port.get("name"))
        out.append(f"{port.get('port')} ({name})" if name else str(port.get("port")))
    return ", ".join(out) or "none"


def _check_backend(
    index: _Index,
    ctx: LintContext,
    namespace: str,
    name: str,
    number: int | None,
    port_name: str | None,
    name_path: Path,
    port_path: Path,
    what: str,
) -> Iterator[Violation]:
    if not ctx.exists("Service", namespace, name):
        yield Violation(name_path, f"{what}: {_missing(index, 'Service', namespace, name)}")
        return
    service = index.services.get((namespace, name))
    if service is None or (number is None and port_name is None):
        return  # declared external: its ports are unknown
    if _dict(service.body.get("spec")).get("type") == "ExternalName":
        return
    if not _service_port_match(service, number, port_name):
        shown = f'"{port_name}"' if port_name is not None else str(number)
        yield Violation(
            port_path,
            f'{what}: Service "{name}" has no port {shown} (its ports: {_service_port_list(service)})',
        )


@check("ingress-backend-missing")
def ingress_backend_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if resource.group not in ("networking.k8s.io", "extensions"):
        return
    index = _index(ctx)
    namespace = _namespace(resource)
    for path, backend in refs.ingress_backends(resource.body):
        service = backend.get("service")
        if isinstance(service, dict):  # networking.k8s.io/v1
            name = _str(service.get("name"))
            port = _dict(service.get("port"))
            number, port_name = _int(port.get("number")), _str(port.get("name"))
            name_path: Path = (*path, "service", "name")
            port_path: Path = (*path, "service", "port", "number" if number is not None else "name")
        elif "serviceName" in backend:  # v1beta1
            name = _str(backend.get("serviceName"))
            legacy = backend.get("servicePort")
            number, port_name = _int(legacy), legacy if isinstance(legacy, str) else None
            name_path, port_path = (*path, "serviceName"), (*path, "servicePort")
        else:
            continue  # a `resource` backend
        if name:
            yield from _check_backend(
                index, ctx, namespace, name, number, port_name, name_path, port_path, "backend"
            )


@check("httproute-backend-missing")
def httproute_backend_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if resource.group != "gateway.networking.k8s.io":
        return
    index = _index(ctx)
    for path, ref in refs.route_backend_refs(resource.body):
        group = ref.get("group", "")
        kind = ref.get("kind", "Service")
        name = _str(ref.get("name"))
        if group not in ("", None) or kind != "Service" or not name:
            continue
        namespace = _str(ref.get("namespace")) or _namespace(resource)
        number = _int(ref.get("port"))
        if number is None and ctx.exists("Service", namespace, name):
            yield Violation(
                (*path, "port"),
                f'backendRef to Service "{name}" has no port (required for a Service)',
            )
            continue
        yield from _check_backend(
            index,
            ctx,
            namespace,
            name,
            number,
            None,
            (*path, "name"),
            (*path, "port"),
            "backendRef",
        )


# ---------------------------------------------------------------------------------------------
# objects a pod template names


def _missing_refs(resource: Resource, ctx: LintContext, kind: str) -> Iterator[Violation]:
    index: _Index | None = None
    namespace = _namespace(resource)
    for ref in refs.pod_refs(resource):  # computed once, five rules read them
        if ref.kind != kind or ref.optional or ctx.exists(kind, namespace, ref.name):
            continue
        index = index or _index(ctx)
        if kind == "Secret" and (namespace, ref.name) in index.made_secrets:
            continue
        if kind == "PersistentVolumeClaim" and _statefulset_claim(ref, index, namespace):
            continue
        yield Violation(
            ref.path,
            f'{ref.why} references {kind} "{ref.name}", which does not exist in namespace'
            f' "{namespace}"{_elsewhere(index, kind, namespace, ref.name)}',
        )


def _statefulset_claim(ref: refs.Ref, index: _Index, namespace: str) -> bool:
    """A claim the StatefulSet controller creates: <template>-<statefulset>-<ordinal>."""
    return refs.statefulset_claim(ref.name, index.claim_templates.get(namespace, []))


@check("missing-configmap")
def missing_configmap(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    yield from _missing_refs(resource, ctx, "ConfigMap")


@check("missing-secret")
def missing_secret(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    yield from _missing_refs(resource, ctx, "Secret")


@check("missing-pvc")
def missing_pvc(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    yield from _missing_refs(resource, ctx, "PersistentVolumeClaim")


@check("missing-service-account")
def missing_service_account(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    found = workloads.pod_spec(resource)
    if found is None:
        return
    base, spec = found
    # serviceAccount is a deprecated alias used only when serviceAccountName is empty
    # (pkg/apis/core/v1/conversion.go); neither set means "default", which always exists.
    key = "serviceAccountName" if _str(spec.get("serviceAccountName")) else "serviceAccount"
    name = _str(spec.get(key))
    namespace = _namespace(resource)
    if name and not ctx.exists("ServiceAccount", namespace, name):
        yield Violation(
            (*base, key),
            f"{key}: {_missing(_index(ctx), 'ServiceAccount', namespace, name)}; pods are"
            " rejected at admission",
        )


@check("missing-priority-class")
def missing_priority_class(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    found = workloads.pod_spec(resource)
    if found is None:
        return
    base, spec = found
    name = _str(spec.get("priorityClassName"))
    if name and not ctx.exists("PriorityClass", None, name):
        yield Violation(
            (*base, "priorityClassName"),
            f'PriorityClass "{name}" does not exist; pods are rejected at admission',
        )


# ---------------------------------------------------------------------------------------------
# HPA, PDB, NetworkPolicy


@check("hpa-target-missing")
def hpa_target_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    target = _dict(_dict(resource.body.get("spec")).get("scaleTargetRef"))
    kind, name = _str(target.get("kind")), _str(target.get("name"))
    if not kind or not name:
        return
    namespace = _namespace(resource)
    if not ctx.exists(kind, namespace, name):
        yield Violation(
            ("spec", "scaleTargetRef", "name"),
            f'scaleTargetRef: {kind} "{name}" does not exist in namespace "{namespace}"',
        )


def _selects_a_pod(index: _Index, namespace: str, selector: dict[str, Any]) -> bool:
    """Does a metav1.LabelSelector select a pod of the namespace? (malformed: no)"""
    expressions = []
    for expression in _list(selector.get("matchExpressions")):
        expression = _dict(expression)
        if not isinstance(expression.get("key"), str):
            return False  # the API server rejects it; it selects nothing
        expressions.append({**expression, "values": _list(expression.get("values"))})
    pairs = _dict(selector.get("matchLabels"))
    clean = {"matchLabels": pairs, "matchExpressions": expressions}

    def accept(labels: dict[str, str]) -> bool:
        return selectors.matches(clean, labels)

    return bool(index.select(namespace, pairs, expressions, accept, first=True))


@check("pdb-selects-nothing")
def pdb_selects_nothing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    spec = _dict(resource.body.get("spec"))
    selector = spec.get("selector")
    namespace = _namespace(resource)
    if selector is None:
        yield Violation(("spec", "selector"), "has no selector: a null selector selects no pods")
        return
    if not isinstance(selector, dict):
        return
    if (
        resource.version == "v1beta1"
        and not selector.get("matchLabels")
        and not selector.get("matchExpressions")
    ):
        # policy/v1beta1: an empty selector matched no pods (pkg/apis/policy/helper.go).
        yield Violation(("spec", "selector"), "policy/v1beta1 empty selector selects no pods")
        return
    if not _selects_a_pod(_index(ctx), namespace, selector):
        yield Violation(
            ("spec", "selector"),
            f"selector {_label_selector_text(selector)} matches the pod labels of no workload"
            f' in namespace "{namespace}"',
        )


@check("networkpolicy-selects-nothing")
def networkpolicy_selects_nothing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    selector = _dict(resource.body.get("spec")).get("podSelector")
    if not isinstance(selector, dict):
        return
    namespace = _namespace(resource)
    if _selects_a_pod(_index(ctx), namespace, selector):
        return
    text = _label_selector_text(selector)
    if text == "{}":
        message = f'podSelector {{}} selects every pod, but namespace "{namespace}" has no workload'
    else:
        message = (
            f'podSelector {text} matches the pod labels of no workload in namespace "{namespace}"'
        )
    yield Violation(("spec", "podSelector"), message)


# ---------------------------------------------------------------------------------------------
# RBAC bindings


@check("rolebinding-role-missing")
def rolebinding_role_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    ref = _dict(resource.body.get("roleRef"))
    kind, name = _str(ref.get("kind")), _str(ref.get("name"))
    if not kind or not name:
        return
    if resource.kind == "ClusterRoleBinding" and kind != "ClusterRole":
        yield Violation(
            ("roleRef", "kind"),
            f"roleRef kind {kind} is invalid in a ClusterRoleBinding (only ClusterRole)",
        )
        return
    if kind == "Role":
        namespace = _namespace(resource)
        if not ctx.exists("Role", namespace, name):
            yield Violation(
                ("roleRef", "name"),
                f'roleRef: Role "{name}" does not exist in namespace "{namespace}"; the binding'
                " grants nothing",
            )
    elif kind == "ClusterRole":
        if not ctx.exists("ClusterRole", None, name):
            yield Violation(
                ("roleRef", "name"),
                f'roleRef: ClusterRole "{name}" does not exist; the binding grants nothing',
            )
    else:
        yield Violation(
            ("roleRef", "kind"), f"roleRef kind {kind} is invalid (Role or ClusterRole)"
        )


@check("rolebinding-subject-missing")
def rolebinding_subject_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if resource.kind == "ClusterRoleBinding":
        for i, subject in enumerate(_list(resource.body.get("subjects"))):
            subject = _dict(subject)
            name = _str(subject.get("name"))
            namespace = _str(subject.get("namespace"))
            if subject.get("kind") == "ServiceAccount" and name and namespace is None:
                yield Violation(
                    ("subjects", i),
                    f'ServiceAccount subject "{name}" has no namespace (required in a'
                    " ClusterRoleBinding)",
                )
    # The subjects as rules/refs.py reads them: a RoleBinding's namespace by default.
    for ref in refs.references(resource):
        if ref.why == "subject" and not ctx.exists("ServiceAccount", ref.namespace, ref.name):
            missing = _missing(_index(ctx), "ServiceAccount", ref.namespace, ref.name)
            yield Violation(ref.path, f"subject {missing}")
