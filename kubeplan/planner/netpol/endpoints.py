"""Endpoints of the reachability model: workloads (one per owner), namespaces, Services.

- A workload stands for all its pods: its pod template labels, namespace and container ports.
  A bare Pod whose ownerReference names a controller stands for that owner (`ns/name[Kind]`),
  so the replicas of a `kubectl get pods -o yaml` dump collapse into one endpoint, the way
  np-guard/netpol-analyzer prints them.
- Every namespace carries `kubernetes.io/metadata.name=<name>`: the API server sets it and
  overwrites any user value (kubernetes/kubernetes pkg/apis/core/v1/defaults.go
  SetDefaults_Namespace). Namespaces that are only referenced get just that label.
- Objects without a namespace go to `default`, where `kubectl apply` would put them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kubeplan.kube.selectors import map_matches
from kubeplan.kube.values import as_list
from kubeplan.kube.workloads import containers, is_workload, pod_labels
from kubeplan.model import Resource

NAME_LABEL = "kubernetes.io/metadata.name"
DEFAULT_NAMESPACE = "default"

# A named container port: (name, protocol, number). Protocol defaults to TCP
# (kubernetes/kubernetes pkg/apis/core/v1/defaults.go SetDefaults_ContainerPort).
NamedPort = tuple[str, str, int]


@dataclass
class Endpoint:
    key: str  # ns/name[Kind]
    namespace: str
    name: str
    kind: str
    labels: dict[str, str]
    named_ports: tuple[NamedPort, ...]
    resource: Resource | None
    implicit: bool = False  # added by kubeplan (kube-dns), not in the input
    class_index: int = -1

    def port_numbers(self, name: str, protocol: str) -> list[int]:
        return [n for (pname, proto, n) in self.named_ports if pname == name and proto == protocol]


@dataclass
class Service:
    namespace: str
    name: str
    selector: dict[str, str]
    ports: list[dict[str, Any]]
    resource: Resource
    backends: list[Endpoint] = field(default_factory=list)


def namespace_of(resource: Resource) -> str:
    return resource.namespace or DEFAULT_NAMESPACE


def _named_ports(resource: Resource) -> tuple[NamedPort, ...]:
    out = []
    for ref in containers(resource):
        for port in as_list(ref.container.get("ports")):
            if not isinstance(port, dict):
                continue
            number = port.get("containerPort")
            name = port.get("name")
            if isinstance(number, int) and isinstance(name, str):
                protocol = port.get("protocol") or "TCP"
                out.append((name, str(protocol), number))
    return tuple(sorted(set(out)))


def _owner(resource: Resource) -> tuple[str, str] | None:
    metadata = resource.body.get("metadata")
    owners = metadata.get("ownerReferences") if isinstance(metadata, dict) else None
    if not isinstance(owners, list):
        return None
    for owner in owners:
        if isinstance(owner, dict) and owner.get("controller", True) and owner.get("name"):
            return str(owner.get("kind") or "Pod"), str(owner["name"])
    return None


def build_endpoints(
    resources: list[Resource], variants: list[tuple[Resource, Endpoint]] | None = None
) -> list[Endpoint]:
    """One endpoint per workload; pods of one owner collapse into the owner's endpoint.

    A pod whose labels or named ports differ from the first pod of its owner is appended to
    `variants` (the first stands for all; netpol-analyzer refuses such input, issue #480)."""
    by_identity = {(r.kind, namespace_of(r), r.name): r for r in resources if is_workload(r)}
    endpoints: dict[str, Endpoint] = {}
    for resource in resources:
        if not is_workload(resource) or not resource.name:
            continue
        namespace = namespace_of(resource)
        kind, name = resource.kind, resource.name
        # Follow controller owners present in the input (Pod -> ReplicaSet -> Deployment);
        # an owner missing from the input still names the endpoint, as a dump shows it.
        seen = 0
        current = resource
        while seen < 4:
            owner = _owner(current)
            if owner is None:
                break
            kind, name = owner
            parent = by_identity.get((kind, namespace, name))
            if parent is None:
                break
            current = parent
            seen += 1
        key = f"{namespace}/{name}[{kind}]"
        if key in endpoints:
            first = endpoints[key]
            different = pod_labels(resource) != first.labels or (
                _named_ports(resource) != first.named_ports
            )
            if different and variants is not None:
                variants.append((resource, first))
            continue  # replicas of one owner: the first stands for all
        endpoints[key] = Endpoint(
            key=key,
            namespace=namespace,
            name=name,
            kind=kind,
            labels=pod_labels(resource),
            named_ports=_named_ports(resource),
            resource=resource,
        )
    return sorted(endpoints.values(), key=lambda e: e.key)


def build_namespaces(resources: list[Resource], referenced: set[str]) -> dict[str, dict[str, str]]:
    namespaces: dict[str, dict[str, str]] = {}
    for resource in resources:
        if resource.kind == "Namespace" and resource.group == "" and resource.name:
            metadata = resource.body.get("metadata")
            labels = metadata.get("labels") if isinstance(metadata, dict) else None
            clean = (
                {k: v for k, v in labels.items() if isinstance(v, str)}
                if isinstance(labels, dict)
                else {}
            )
            namespaces[resource.name] = clean
    for name in referenced:
        namespaces.setdefault(name, {})
    for name, labels in namespaces.items():
        labels[NAME_LABEL] = name
    return namespaces


def build_services(resources: list[Resource], endpoints: list[Endpoint]) -> list[Service]:
    # Endpoints by (namespace, label, value): a Service's selector looks only at the endpoints
    # that carry its rarest pair, so the cost grows with Services x matches, not x workloads.
    by_pair: dict[tuple[str, str, str], list[Endpoint]] = {}
    for endpoint in endpoints:
        for key, value in endpoint.labels.items():
            by_pair.setdefault((endpoint.namespace, key, value), []).append(endpoint)
    services = []
    for resource in resources:
        if resource.kind != "Service" or resource.group != "" or not resource.name:
            continue
        spec = resource.body.get("spec")
        spec = spec if isinstance(spec, dict) else {}
        selector = spec.get("selector")
        selector = selector if isinstance(selector, dict) else {}
        ports = [p for p in as_list(spec.get("ports")) if isinstance(p, dict)]
        namespace = namespace_of(resource)
        service = Service(namespace, resource.name, selector, ports, resource)
        # A Service without a selector has no managed endpoints (pkg/controller/endpointslice).
        # A selector value that is not a string (`cell: {}`) cannot be decoded into the API's
        # map[string]string: the API server refuses the Service, so it selects nothing here.
        candidates: list[Endpoint] = []
        if all(isinstance(value, str) for value in selector.values()):
            candidates = min(
                (by_pair.get((namespace, key, value), []) for key, value in selector.items()),
                key=len,
                default=[],
            )
        service.backends = [e for e in candidates if map_matches(selector, e.labels)]
        services.append(service)
    return services


def kube_dns() -> Endpoint:
    """The cluster DNS as kubeadm deploys it (cmd/kubeadm/app/phases/addons/dns/manifests.go:
    Deployment coredns in kube-system, pod label k8s-app=kube-dns, ports dns/UDP 53,
    dns-tcp/TCP 53), used when the input has no DNS pods and egress is restricted."""
    return Endpoint(
        key="kube-system/kube-dns[implicit]",
        namespace="kube-system",
        name="kube-dns",
        kind="implicit",
        labels={"k8s-app": "kube-dns"},
        named_ports=(("dns", "UDP", 53), ("dns-tcp", "TCP", 53), ("metrics", "TCP", 9153)),
        resource=None,
        implicit=True,
    )
