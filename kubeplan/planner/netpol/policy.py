"""NetworkPolicy objects read into rules, with the API server's defaulting applied.

Sources (kubernetes/kubernetes):
- staging/src/k8s.io/api/networking/v1/types.go: field meanings (empty vs absent peers and ports,
  podSelector/namespaceSelector in one peer is AND, separate peers are OR).
- pkg/apis/networking/v1/defaults.go SetDefaults_NetworkPolicy: no policyTypes -> [Ingress],
  plus Egress only when `len(spec.egress) != 0`; SetDefaults_NetworkPolicyPort: protocol TCP.
- pkg/apis/networking/validation/validation.go: what the API server rejects (ipBlock with a
  selector, a peer with no field, except not inside cidr, endPort with a named port or below
  port, protocols other than TCP/UDP/SCTP). A rejected piece is reported and matches nothing.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from kubeplan.kube.values import as_list
from kubeplan.model import Finding, Resource, Severity, finding_for
from kubeplan.planner.netpol.endpoints import namespace_of
from kubeplan.planner.netpol.ports import MAX_PORT, MIN_PORT, PROTOCOLS

INVALID = "netpol-invalid"
ABSENT = object()  # a selector field that is not there (different from `{}`)

V4_MAX = (1 << 32) - 1
V6_MAX = (1 << 128) - 1


@dataclass
class IpRange:
    version: int
    lo: int
    hi: int


@dataclass
class Peer:
    pod_selector: Any = ABSENT  # dict, or ABSENT
    namespace_selector: Any = ABSENT
    cidr: IpRange | None = None
    excepts: list[IpRange] = field(default_factory=list)
    valid: bool = True

    @property
    def is_ip(self) -> bool:
        return self.cidr is not None


@dataclass
class PortSpec:
    protocol: str
    port: int | str | None  # None: every port of the protocol
    end_port: int | None = None


@dataclass
class Rule:
    direction: str  # ingress or egress
    index: int
    peers: list[Peer] | None  # None: every source/destination (from/to missing or empty)
    ports: list[PortSpec] | None  # None: every port and protocol


@dataclass
class Policy:
    resource: Resource
    namespace: str
    name: str
    pod_selector: dict[str, Any]
    ingress: bool  # isolates the selected pods for ingress
    egress: bool
    rules: list[Rule]

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"


def _selector(value: Any) -> Any:
    """`{matchLabels: null}` and `{}` both select everything; a non-mapping selects nothing."""
    if value is None:
        return {}
    return value if isinstance(value, dict) else {"matchLabels": {"\0invalid": "\0"}}


def parse_ip(text: Any) -> IpRange | None:
    try:
        network = ipaddress.ip_network(str(text), strict=False)
    except ValueError:
        return None
    return IpRange(network.version, int(network.network_address), int(network.broadcast_address))


def parse_policy(resource: Resource, findings: list[Finding]) -> Policy:
    spec = resource.body.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    namespace = namespace_of(resource)

    def invalid(path: tuple[Any, ...], message: str) -> None:
        findings.append(
            finding_for(resource, INVALID, Severity.ERROR, message, path,
                        hint="the API server rejects this; kubeplan treats it as matching nothing")
        )  # fmt: skip

    types = spec.get("policyTypes")
    if isinstance(types, list) and types:
        ingress, egress = "Ingress" in types, "Egress" in types
    else:  # SetDefaults_NetworkPolicy
        egress_list = spec.get("egress")
        ingress, egress = True, isinstance(egress_list, list) and len(egress_list) != 0
    rules: list[Rule] = []
    for direction, key, peer_key in (("ingress", "ingress", "from"), ("egress", "egress", "to")):
        # Rules of a direction not in policyTypes are ignored (netpol-analyzer does the same:
        # pkg/netpol/eval/internal/k8s/netpol.go policyAffectsDirection).
        if not (ingress if direction == "ingress" else egress):
            continue
        for index, raw in enumerate(as_list(spec.get(key))):
            raw = raw if isinstance(raw, dict) else {}
            base = (key, index)
            peers = _peers(raw.get(peer_key), (*base, peer_key), invalid)
            ports = _ports(raw.get("ports"), (*base, "ports"), invalid)
            rules.append(Rule(direction, index, peers, ports))
    return Policy(
        resource=resource,
        namespace=namespace,
        name=resource.name or "",
        pod_selector=_selector(spec.get("podSelector")),
        ingress=ingress,
        egress=egress,
        rules=rules,
    )


def _peers(raw: Any, path: tuple[Any, ...], invalid: Any) -> list[Peer] | None:
    if not isinstance(raw, list) or not raw:
        return None  # missing or empty: all sources/destinations (types.go)
    peers = []
    for index, item in enumerate(raw):
        item = item if isinstance(item, dict) else {}
        where = (*path, index)
        peer = Peer()
        has_pod = "podSelector" in item
        has_ns = "namespaceSelector" in item
        block = item.get("ipBlock")
        if has_pod:
            peer.pod_selector = _selector(item["podSelector"])
        if has_ns:
            peer.namespace_selector = _selector(item["namespaceSelector"])
        if block is not None:
            if has_pod or has_ns:
                invalid(where, "a peer may not combine ipBlock with podSelector/namespaceSelector")
                peer.valid = False
            block = block if isinstance(block, dict) else {}
            peer.cidr = parse_ip(block.get("cidr"))
            if peer.cidr is None:
                invalid((*where, "ipBlock", "cidr"), f"invalid CIDR {block.get('cidr')!r}")
                peer.valid = False
            for e_index, text in enumerate(as_list(block.get("except"))):
                excepted = parse_ip(text)
                cidr = peer.cidr
                if (
                    excepted is None
                    or cidr is None
                    or not (
                        excepted.version == cidr.version
                        and cidr.lo <= excepted.lo
                        and excepted.hi <= cidr.hi
                        and (excepted.lo, excepted.hi) != (cidr.lo, cidr.hi)
                    )
                ):
                    invalid(
                        (*where, "ipBlock", "except", e_index),
                        f"except {text!r} must be a strict subset of cidr {block.get('cidr')!r}",
                    )
                    if excepted is None:
                        continue
                peer.excepts.append(excepted)
        elif not has_pod and not has_ns:
            invalid(where, "a peer must specify podSelector, namespaceSelector or ipBlock")
            peer.valid = False
        peers.append(peer)
    return peers


def _ports(raw: Any, path: tuple[Any, ...], invalid: Any) -> list[PortSpec] | None:
    if not isinstance(raw, list) or not raw:
        return None  # missing or empty: every port (types.go NetworkPolicyIngressRule.Ports)
    specs = []
    for index, item in enumerate(raw):
        item = item if isinstance(item, dict) else {}
        where = (*path, index)
        protocol = item.get("protocol") or "TCP"  # SetDefaults_NetworkPolicyPort
        if protocol not in PROTOCOLS:
            invalid((*where, "protocol"), f"protocol {protocol!r} is not TCP, UDP or SCTP")
            continue
        port = item.get("port")
        end_port = item.get("endPort")
        if isinstance(port, bool) or not isinstance(port, (int, str, type(None))):
            invalid((*where, "port"), f"port {port!r} is neither a number nor a name")
            continue
        if isinstance(port, str) and port.isascii() and port.isdigit():
            port = int(port)  # IntOrString given as a quoted number
        if isinstance(port, int) and not MIN_PORT <= port <= MAX_PORT:
            invalid((*where, "port"), f"port {port} is outside 1-65535")
            continue
        if end_port is not None:
            if not isinstance(port, int):
                invalid((*where, "endPort"), "endPort needs a numeric port")
                continue
            if not isinstance(end_port, int) or not port <= end_port <= MAX_PORT:
                invalid((*where, "endPort"), f"endPort {end_port!r} must be >= port and <= 65535")
                continue
        specs.append(PortSpec(str(protocol), port, end_port))
    return specs
