"""What the reference checks look things up in: the pods each workload creates (labels and
ports, per namespace), Services by name, Secrets made by controllers, and where else an object
of a name exists.

A rule sees every object of the input (all files), so these checks do not depend on how the
manifests are split. Objects that live outside the manifests are found by `ctx.exists` (the
input, the user's declared externals, and kube/data/cluster_objects.yaml). The indexes a check
needs (pod labels and ports per namespace, Services by name, Secrets made by controllers) are
built once per context and kept on it.

StatefulSet pods carry `statefulset.kubernetes.io/pod-name` and `apps.kubernetes.io/pod-index`
(pkg/controller/statefulset/stateful_set_utils.go updateIdentity); Job pods carry `job-name` and
`batch.kubernetes.io/job-name` (pkg/registry/batch/job/strategy.go generateSelector). A selector
on those labels (per-pod Services, Indexed Job Services) selects those pods.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kubeplan.kube import refs, workloads
from kubeplan.kube.values import as_dict as _dict
from kubeplan.kube.values import as_int as _int
from kubeplan.kube.values import as_list as _list
from kubeplan.kube.values import as_str as _str
from kubeplan.kube.values import namespace_of as _namespace
from kubeplan.model import Resource
from kubeplan.rules.context import LintContext

# A StatefulSet is expanded into one pod entry per ordinal (for its per-pod labels) up to this.
_MAX_ORDINALS = 256
_SHOWN = 3  # how many selected workloads a message names


def workload_names(resources: Iterable[Resource]) -> str:
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
class PodEntry:
    """The pods one workload creates: their labels and the ports their containers declare."""

    owner: Resource
    labels: dict[str, str]
    ports: tuple[tuple[str | None, int | None, str], ...]  # (name, containerPort, protocol)


@dataclass
class ReferenceIndex:
    pods: dict[str, list[PodEntry]] = field(default_factory=lambda: defaultdict(list))
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
    selected: dict[tuple[Any, ...], list[PodEntry]] = field(default_factory=dict)
    # kind -> name -> namespaces, for a hint when the object exists elsewhere
    elsewhere: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    # namespace -> word of a container's command or args -> who says it ('container "x" of Job
    # y'): a name passed to a program (--secret-name=NAME) is often what it creates at runtime
    said: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))

    def select(
        self,
        namespace: str,
        pairs: dict[str, Any],
        expressions: list[dict[str, Any]],
        accept: Callable[[dict[str, str]], bool],
        first: bool = False,
    ) -> list[PodEntry]:
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
        candidates: Iterable[PodEntry] = pods if best is None else (pods[i] for i in best)
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


def _build(ctx: LintContext) -> ReferenceIndex:
    index = ReferenceIndex()
    for resource in ctx.workloads:
        namespace = _namespace(resource)
        labels = workloads.pod_labels(resource)
        ports = _ports(resource)
        pods = index.pods[namespace]
        table = index.by_pair[namespace]
        keys = index.by_key[namespace]
        for label_set in _pod_label_sets(resource, labels):
            position = len(pods)
            pods.append(PodEntry(resource, label_set, ports))
            for pair in label_set.items():
                table[pair].append(position)
                keys[pair[0]].append(position)
        if resource.name:
            for template_name in refs.claim_template_names(resource):
                index.claim_templates[namespace].append((template_name, resource.name))
    for service in ctx.of_kind("Service"):
        if service.name and service.group == "":
            index.services[(_namespace(service), service.name)] = service
    for resource in ctx.workloads:
        _index_words(index.said[_namespace(resource)], resource)
    producers = ctx.of_kind("Certificate", "ExternalSecret", "SealedSecret")
    index.made_secrets.update(refs.secret_producers(producers))
    index.made_secrets.update(_shim_secrets(ctx.of_kind("Ingress", "Gateway")))
    for kind in ("ConfigMap", "Secret", "PersistentVolumeClaim", "ServiceAccount", "Service"):
        names: dict[str, set[str]] = defaultdict(set)
        for resource in ctx.of_kind(kind):
            if resource.name and resource.namespace:
                names[resource.name].add(resource.namespace)
        index.elsewhere[kind] = names
    return index


# cert-manager's certificate-shim makes a Certificate (and so its Secret) for each TLS secret an
# annotated Ingress or Gateway names: pkg/controller/certificate-shim/sync.go SyncFnFor and
# buildCertificates (Ingress spec.tls[].secretName; Gateway listeners' tls.certificateRefs in the
# Gateway's namespace), annotations cert-manager.io/issuer and cert-manager.io/cluster-issuer
# (pkg/apis/certmanager/v1 IngressIssuerNameAnnotationKey, IngressClusterIssuerNameAnnotationKey)
# and, on an Ingress only, the default auto annotation kubernetes.io/tls-acme: "true"
# (--auto-certificate-annotations).
_SHIM_ANNOTATIONS = ("cert-manager.io/issuer", "cert-manager.io/cluster-issuer")
_GATEWAY_GROUP = "gateway.networking.k8s.io"


def _shim_annotated(resource: Resource) -> bool:
    annotations = _dict(_dict(resource.body.get("metadata")).get("annotations"))
    if any(_str(annotations.get(key)) for key in _SHIM_ANNOTATIONS):
        return True
    return resource.kind == "Ingress" and annotations.get("kubernetes.io/tls-acme") == "true"


def _shim_secrets(resources: Iterable[Resource]) -> set[tuple[str, str]]:
    """(namespace, name) of the Secrets cert-manager makes for annotated Ingresses and Gateways."""
    out: set[tuple[str, str]] = set()
    for resource in resources:
        if not _shim_annotated(resource):
            continue
        namespace = _namespace(resource)
        spec = _dict(resource.body.get("spec"))
        if resource.kind == "Ingress" and resource.group in ("networking.k8s.io", "extensions"):
            names = [_str(_dict(tls).get("secretName")) for tls in _list(spec.get("tls"))]
        elif resource.kind == "Gateway" and resource.group == _GATEWAY_GROUP:
            names = [
                _str(_dict(ref).get("name"))
                for listener in _list(spec.get("listeners"))
                for ref in _list(_dict(_dict(listener).get("tls")).get("certificateRefs"))
                if _str(_dict(ref).get("kind")) in (None, "Secret")
                and _str(_dict(ref).get("namespace")) in (None, namespace)
            ]
        else:
            continue
        out.update((namespace, name) for name in names if name)
    return out


def _index_words(said: dict[str, str], resource: Resource) -> None:
    """The words of each container's command and args (`--flag=VALUE` gives VALUE too)."""
    for ref in workloads.containers(resource):
        who = f'container "{ref.container.get("name")}" of {resource.kind} {resource.name}'
        for key in ("command", "args"):
            for arg in _list(ref.container.get(key)):
                if not isinstance(arg, str):
                    continue
                for word in arg.split():
                    for part in {word, word.rpartition("=")[2]}:
                        said.setdefault(part.strip("'\""), who)


def runtime_hint(index: ReferenceIndex, namespace: str, name: str) -> str:
    """Who in the namespace passes `name` to its program, so may create it at runtime."""
    who = index.said.get(namespace, {}).get(name)
    return f" ({who} passes the name to its program, which may create it at runtime)" if who else ""


def reference_index(ctx: LintContext) -> ReferenceIndex:
    return ctx.index(_build)


def elsewhere_hint(index: ReferenceIndex, kind: str, namespace: str, name: str) -> str:
    others = sorted(index.elsewhere.get(kind, {}).get(name, set()) - {namespace})
    if not others:
        return ""
    where = ", ".join(f'"{n}"' for n in others[:_SHOWN])
    return f" (the input has one in namespace {where})"


def missing_text(index: ReferenceIndex, kind: str, namespace: str, name: str) -> str:
    return f'{kind} "{name}" does not exist in namespace "{namespace}"' + elsewhere_hint(
        index, kind, namespace, name
    )
