"""Who can reach whom: NetworkPolicy evaluation over equivalence classes and bitsets.

Semantics (kubernetes/website content/en/docs/concepts/services-networking/network-policies.md;
kubernetes/kubernetes staging/src/k8s.io/api/networking/v1/types.go):
- a pod is isolated for ingress (egress) when some policy in its namespace selects it and has
  Ingress (Egress) in its policyTypes; a direction that is not isolated allows everything;
- an isolated direction allows the union of the rules of every policy that selects the pod;
- a connection needs the source's egress side and the destination's ingress side;
- a pod cannot block traffic to itself, so self pairs are left out of the output;
- ipBlock matches external addresses only (pods have no IPs offline; np-guard's tools do the
  same), and external ranges are never isolated (no policy selects them).

Scale: endpoints with the same namespace, labels and named ports answer every selector the
same way, so they form one class. A set of classes and external ranges is a Python int used as
a bitset. Selectors are answered from label indexes with & and | (never per pod), and each
isolated class keeps its rules grouped by port set: cost grows with classes x rules, plus the
size of the answer, never with pods squared.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubeplan.model import Finding, Resource, Severity, finding_for
from kubeplan.planner.netpol.endpoints import (
    Endpoint,
    Service,
    build_endpoints,
    build_namespaces,
    build_services,
    kube_dns,
)
from kubeplan.planner.netpol.policy import (
    ABSENT,
    V4_MAX,
    V6_MAX,
    Peer,
    Policy,
    Rule,
    parse_policy,
)
from kubeplan.planner.netpol.ports import ALL, NONE, PortSet, union
from kubeplan.planner.netpol.unmodelled import unmodelled_findings

Segment = tuple[int, int, int]  # (ip version, first, last) as integers
VARIANT = "netpol-owner-variants"


@dataclass(frozen=True)
class Connection:
    src: str
    dst: str
    ports: PortSet

    def to_json(self) -> dict[str, Any]:
        return {"from": self.src, "to": self.dst, "ports": self.ports.to_json()}


@dataclass
class RuleHit:
    """One rule of one policy as it applies to one isolated class."""

    policy: Policy
    rule: Rule
    peers: int  # bitset of classes and external segments
    ports: PortSet | None  # None: resolved per destination (egress named ports)


@dataclass
class Reachability:
    endpoints: list[Endpoint]
    namespaces: dict[str, dict[str, str]]
    policies: list[Policy]
    services: list[Service]
    segments: list[Segment]
    findings: list[Finding] = field(default_factory=list)
    declared: Sequence[Any] = ()
    connections: list[Connection] = field(default_factory=list)
    # class-level answer: (source class, destination class) -> ports
    pairs: dict[tuple[int, int], PortSet] = field(default_factory=dict, repr=False)
    # (class, "in"|"out") -> {segment index: ports}, or None: every segment, every port (the
    # side is not isolated; kept implicit so open workloads cost nothing per segment)
    external: dict[tuple[int, str], dict[int, PortSet] | None] = field(
        default_factory=dict, repr=False
    )
    class_count: int = 0
    class_members: list[list[Endpoint]] = field(default_factory=list, repr=False)
    in_hits: list[list[RuleHit] | None] = field(default_factory=list, repr=False)
    out_hits: list[list[RuleHit] | None] = field(default_factory=list, repr=False)
    class_ports: list[tuple[tuple[str, str, int], ...]] = field(default_factory=list, repr=False)
    _keys: dict[str, Endpoint] = field(default_factory=dict, repr=False)

    @property
    def by_key(self) -> dict[str, Endpoint]:
        if len(self._keys) != len(self.endpoints):
            self._keys = {e.key: e for e in self.endpoints}
        return self._keys

    def find(self, text: str) -> Endpoint | None:
        """An endpoint by `ns/name[Kind]`, `ns/name`, a unique `name`, or a Service name whose
        selector picks exactly one workload."""
        keyed = self.by_key
        if text in keyed:
            return keyed[text]
        namespace, _, name = text.rpartition("/")
        found = [
            e
            for e in self.endpoints
            if e.name == name and (e.namespace == namespace or (not namespace and not e.implicit))
        ]
        if not found:  # a Service name stands for its backend when it has exactly one
            backends = {
                b.key: b
                for s in self.services
                if s.name == name and (s.namespace == namespace or not namespace)
                for b in s.backends
            }
            found = list(backends.values())
        return found[0] if len(found) == 1 else None

    def segment_of(self, text: str) -> int | None:
        """The bit of the external segment holding this address, or None."""
        try:
            address = ipaddress.ip_address(text.split("/")[0].split("-")[0])
        except ValueError:
            return None
        value = int(address)
        for index, (version, lo, hi) in enumerate(self.segments):
            if version == address.version and lo <= value <= hi:
                return self.class_count + index
        return None

    def bit_of(self, text: str) -> int | None:
        endpoint = self.find(text)
        return endpoint.class_index if endpoint else self.segment_of(text)

    def ports(self, src: str | int, dst: str | int) -> PortSet:
        """What src may open to dst (by key, name or address; or by bit)."""
        a = src if isinstance(src, int) else self.bit_of(src)
        b = dst if isinstance(dst, int) else self.bit_of(dst)
        if a is None or b is None:
            return NONE
        same = isinstance(src, str) and isinstance(dst, str) and a == b
        if same and self.find(src) is not None and self.find(src) is self.find(dst):
            return ALL  # a pod cannot block traffic to itself
        count = self.class_count
        if a >= count and b >= count:
            return NONE  # NetworkPolicy says nothing about external-to-external
        if b >= count or a >= count:
            cls, direction, segment = (a, "out", b - count) if b >= count else (b, "in", a - count)
            table = self.external.get((cls, direction), {})
            return ALL if table is None else table.get(segment, NONE)
        return self.pairs.get((a, b), NONE)

    def external_of(self, cls: int, direction: str) -> dict[int, PortSet]:
        table = self.external.get((cls, direction), {})
        if table is None:
            return dict.fromkeys(range(len(self.segments)), ALL)
        return table

    def isolated(self, key: str, direction: str) -> bool:
        endpoint = self.find(key)
        if endpoint is None:
            return False
        hits = self.in_hits if direction == "ingress" else self.out_hits
        return hits[endpoint.class_index] is not None

    def rule_hits(self, key: str, direction: str) -> list[RuleHit] | None:
        endpoint = self.find(key)
        if endpoint is None:
            return None
        hits = self.in_hits if direction == "ingress" else self.out_hits
        return hits[endpoint.class_index]

    def resolve_for(self, hit: RuleHit, dst_bit: int) -> PortSet:
        """The ports a rule opens towards one destination (named ports resolve there)."""
        if hit.ports is not None:
            return hit.ports
        named = self.class_ports[dst_bit] if dst_bit < self.class_count else ()
        return _resolve(hit.rule, named, allow_named=dst_bit < self.class_count)

    def segment_label(self, bit: int) -> str:
        version, lo, hi = self.segments[bit - self.class_count]
        return range_label(version, lo, hi)


def range_label(version: int, lo: int, hi: int) -> str:
    """`10.0.0.0/8` when the range is one CIDR, else `first-last`."""
    first = ipaddress.ip_address(lo) if version == 4 else ipaddress.IPv6Address(lo)
    last = ipaddress.ip_address(hi) if version == 4 else ipaddress.IPv6Address(hi)
    networks = list(ipaddress.summarize_address_range(first, last))  # type: ignore[type-var]
    if len(networks) == 1:
        return str(networks[0])
    return f"{first}-{last}"


def bits(value: int) -> Iterator[int]:
    while value:
        low = value & -value
        yield low.bit_length() - 1
        value ^= low


def ip_cuts(policies: Iterable[Policy]) -> set[tuple[int, int]]:
    """Every (version, boundary) at which an ipBlock cidr or except starts or ends+1."""
    cuts = {(4, 0)}
    for policy in policies:
        for rule in policy.rules:
            for peer in rule.peers or ():
                for block in ([peer.cidr] if peer.cidr else []) + peer.excepts:
                    cuts.add((block.version, block.lo))
                    cuts.add((block.version, block.hi + 1))
                    if block.version == 6:
                        cuts.add((6, 0))
    return cuts


def _segments(cuts: set[tuple[int, int]]) -> list[Segment]:
    out: list[Segment] = []
    for version, top in ((4, V4_MAX), (6, V6_MAX)):
        points = sorted(p for v, p in cuts if v == version and p <= top)
        if not points:
            continue
        points.append(top + 1)
        out.extend((version, lo, nxt - 1) for lo, nxt in itertools.pairwise(points) if lo < nxt)
    return out


def parse_policies(resources: list[Resource]) -> tuple[list[Policy], list[Finding]]:
    findings: list[Finding] = unmodelled_findings(resources)
    policies = [
        parse_policy(r, findings)
        for r in resources
        if r.kind == "NetworkPolicy" and r.group == "networking.k8s.io"
    ]
    return policies, findings


class _Index:
    """Label indexes of classes (and of namespaces) answering selectors as bitsets."""

    def __init__(self, labels: list[dict[str, str]]) -> None:
        self.all = (1 << len(labels)) - 1
        self.pairs: dict[tuple[str, str], int] = {}
        self.keys: dict[str, int] = {}
        for index, item in enumerate(labels):
            bit = 1 << index
            for key, value in item.items():
                self.pairs[(key, value)] = self.pairs.get((key, value), 0) | bit
                self.keys[key] = self.keys.get(key, 0) | bit
        self.cache: dict[str, int] = {}

    def select(self, selector: dict[str, Any]) -> int:
        """kubeplan/kube/selectors.py semantics, answered for every member at once."""
        cache_key = repr(selector)
        found = self.cache.get(cache_key)
        if found is not None:
            return found
        result = self.all
        match_labels = selector.get("matchLabels") or {}
        expressions = selector.get("matchExpressions") or []
        if not isinstance(match_labels, dict) or not isinstance(expressions, list):
            result = 0  # not a LabelSelector: the API server refuses the object
            match_labels, expressions = {}, []
        for key, value in match_labels.items():
            result &= self.pairs.get((key, value), 0) if isinstance(value, str) else 0
        for expression in expressions:
            result &= self._expression(expression)
        self.cache[cache_key] = result
        return result

    def _expression(self, expression: Any) -> int:
        if not isinstance(expression, dict):
            return 0
        key = expression.get("key")
        operator = expression.get("operator")
        values = expression.get("values") or []
        if not isinstance(key, str) or not isinstance(values, list):
            return 0
        chosen = 0
        for value in values:
            chosen |= self.pairs.get((key, value), 0) if isinstance(value, str) else 0
        if operator == "In":
            return chosen
        if operator == "NotIn":
            return self.all & ~chosen
        if operator == "Exists":
            return self.keys.get(key, 0)
        if operator == "DoesNotExist":
            return self.all & ~self.keys.get(key, 0)
        return 0


def _resolve(rule: Rule, named: tuple[tuple[str, str, int], ...], allow_named: bool) -> PortSet:
    """The ports of a rule at a destination whose named container ports are `named`.

    A named port matches a container port with that name AND protocol
    (test/e2e/network/netpol/network_policy.go "named port"; netpol-analyzer issue #405);
    a destination without it gets no port from that entry, and an IP never matches a name."""
    if rule.ports is None:
        return ALL
    sets = []
    for spec in rule.ports:
        if spec.port is None:
            sets.append(PortSet.whole(spec.protocol))
        elif isinstance(spec.port, int):
            sets.append(PortSet.of(spec.protocol, spec.port, spec.end_port))
        elif allow_named:
            sets.extend(
                PortSet.of(proto, number)
                for name, proto, number in named
                if name == spec.port and proto == spec.protocol
            )
    return union(sets)


def _has_named(rule: Rule) -> bool:
    return any(isinstance(spec.port, str) for spec in rule.ports or ())


def analyse(
    resources: list[Resource],
    *,
    declared: Sequence[Any] = (),
    cuts: set[tuple[int, int]] | None = None,
) -> Reachability:
    """Reachability of every workload pair and external range in `resources`.

    `cuts` (from `ip_cuts`) lets two revisions share external segments for a diff."""
    policies, findings = parse_policies(resources)
    variants: list[tuple[Resource, Endpoint]] = []
    endpoints = build_endpoints(resources, variants)
    for resource, first in variants:
        where = first.resource.origin if first.resource is not None else None
        findings.append(
            finding_for(
                resource,
                VARIANT,
                Severity.WARNING,
                f"pods of {first.key} differ in labels or named ports; the first"
                f" ({where.file}:{where.line}) stands for all of them"
                if where
                else f"pods of {first.key} differ in labels or named ports",
                ("metadata", "labels"),
            )
        )
    # The cluster DNS is always a (hidden) endpoint, so "egress now restricted, DNS cut" can be
    # told apart in a diff even when the base had no egress policy.
    if not any(
        e.namespace == "kube-system" and e.labels.get("k8s-app") == "kube-dns" for e in endpoints
    ):
        endpoints.append(kube_dns())
    referenced = {e.namespace for e in endpoints} | {p.namespace for p in policies}
    namespaces = build_namespaces(resources, referenced)
    services = build_services(resources, endpoints)
    segments = _segments(cuts if cuts is not None else ip_cuts(policies))

    # Equivalence classes: same namespace, labels and named ports.
    class_of: dict[Any, int] = {}
    members: list[list[Endpoint]] = []
    class_labels: list[dict[str, str]] = []
    class_ns: list[str] = []
    class_ports: list[tuple[tuple[str, str, int], ...]] = []
    for endpoint in endpoints:
        key = (endpoint.namespace, frozenset(endpoint.labels.items()), endpoint.named_ports)
        index = class_of.get(key)
        if index is None:
            index = class_of[key] = len(members)
            members.append([])
            class_labels.append(endpoint.labels)
            class_ns.append(endpoint.namespace)
            class_ports.append(endpoint.named_ports)
        endpoint.class_index = index
        members[index].append(endpoint)
    count = len(members)
    reach = Reachability(
        endpoints=endpoints,
        namespaces=namespaces,
        policies=policies,
        services=services,
        segments=segments,
        findings=findings,
        declared=declared,
        class_count=count,
        class_members=members,
        class_ports=class_ports,
    )

    pods = _Index(class_labels)
    ns_names = sorted(namespaces)
    ns_index = _Index([namespaces[n] for n in ns_names])
    ns_classes: dict[str, int] = {}
    for index, namespace in enumerate(class_ns):
        ns_classes[namespace] = ns_classes.get(namespace, 0) | (1 << index)
    all_classes = (1 << count) - 1
    all_segments = ((1 << len(segments)) - 1) << count
    everything = all_classes | all_segments
    ns_cache: dict[str, int] = {}

    def namespaces_bits(selector: dict[str, Any]) -> int:
        cache_key = repr(selector)
        if cache_key not in ns_cache:
            chosen = 0
            for position in bits(ns_index.select(selector)):
                chosen |= ns_classes.get(ns_names[position], 0)
            ns_cache[cache_key] = chosen
        return ns_cache[cache_key]

    def ip_bits(peer: Peer) -> int:
        cidr = peer.cidr
        assert cidr is not None
        chosen = 0
        for index, (version, lo, hi) in enumerate(segments):
            if version != cidr.version or lo < cidr.lo or hi > cidr.hi:
                continue
            if any(e.version == version and e.lo <= lo and hi <= e.hi for e in peer.excepts):
                continue
            chosen |= 1 << (count + index)
        return chosen

    def peer_bits(policy: Policy, rule: Rule) -> int:
        if rule.peers is None:
            return everything
        chosen = 0
        for peer in rule.peers:
            if not peer.valid:
                continue
            if peer.is_ip:
                chosen |= ip_bits(peer)
                continue
            if peer.namespace_selector is ABSENT:
                scope = ns_classes.get(policy.namespace, 0)
            else:
                scope = namespaces_bits(peer.namespace_selector)
            if peer.pod_selector is not ABSENT:
                scope &= pods.select(peer.pod_selector)
            chosen |= scope
        return chosen

    in_hits: list[list[RuleHit] | None] = [None] * count
    out_hits: list[list[RuleHit] | None] = [None] * count
    for policy in policies:
        subject = ns_classes.get(policy.namespace, 0) & pods.select(policy.pod_selector)
        if not subject:
            continue
        rule_peers = [(rule, peer_bits(policy, rule)) for rule in policy.rules]
        for direction, table in (("ingress", in_hits), ("egress", out_hits)):
            if not (policy.ingress if direction == "ingress" else policy.egress):
                continue
            for index in bits(subject):
                hits = table[index]
                if hits is None:
                    hits = table[index] = []
                for rule, peers in rule_peers:
                    if rule.direction != direction:
                        continue
                    if direction == "ingress":
                        ports: PortSet | None = _resolve(rule, class_ports[index], True)
                    else:
                        ports = None if _has_named(rule) else _resolve(rule, (), False)
                    hits.append(RuleHit(policy, rule, peers, ports))
    reach.in_hits, reach.out_hits = in_hits, out_hits

    # Group each isolated side's rules by port set: {ports: peers bitset}.
    def grouped_in(hits: list[RuleHit]) -> dict[PortSet, int]:
        groups: dict[PortSet, int] = {}
        for hit in hits:
            if hit.ports:
                groups[hit.ports] = groups.get(hit.ports, 0) | hit.peers
        return groups

    by_signature: dict[tuple[tuple[str, str, int], ...], int] = {}
    for index, named in enumerate(class_ports):
        by_signature[named] = by_signature.get(named, 0) | (1 << index)

    def grouped_out(hits: list[RuleHit]) -> dict[PortSet, int]:
        groups: dict[PortSet, int] = {}
        for hit in hits:
            if hit.ports is not None:
                if hit.ports:
                    groups[hit.ports] = groups.get(hit.ports, 0) | hit.peers
                continue
            numeric = _resolve(hit.rule, (), False)
            if numeric:
                groups[numeric] = groups.get(numeric, 0) | hit.peers
            for named, members_bits in by_signature.items():
                resolved = _resolve(hit.rule, named, True) - numeric
                if resolved and hit.peers & members_bits:
                    groups[resolved] = groups.get(resolved, 0) | (hit.peers & members_bits)
        return groups

    in_groups = [None if h is None else grouped_in(h) for h in in_hits]
    out_groups = [None if h is None else grouped_out(h) for h in out_hits]
    pairs = reach.pairs
    union_cache: dict[tuple[int, ...], PortSet] = {}

    def side(groups: dict[PortSet, int] | None, bit: int) -> PortSet:
        if groups is None:
            return ALL
        chosen = tuple(i for i, b in enumerate(groups.values()) if b >> bit & 1)
        if not chosen:
            return NONE
        key = (id(groups), *chosen)
        found = union_cache.get(key)
        if found is None:
            values = list(groups)
            found = union_cache[key] = union(values[i] for i in chosen)
        return found

    external = reach.external
    for cls in range(count):
        for direction, groups in (("in", in_groups[cls]), ("out", out_groups[cls])):
            if groups is None:
                external[(cls, direction)] = None
                continue
            candidates = 0
            for peers in groups.values():
                candidates |= peers
            table: dict[int, PortSet] = {}
            for bit in bits(candidates & all_segments):
                allowed = side(groups, bit)
                if allowed:
                    table[bit - count] = allowed
            external[(cls, direction)] = table
    for dst in range(count):
        groups_in = in_groups[dst]
        candidates = all_classes
        if groups_in is not None:
            candidates = 0
            for peers in groups_in.values():
                candidates |= peers
            candidates &= all_classes
        for src in bits(candidates):
            allowed = side(groups_in, src)
            if allowed:
                allowed = allowed & side(out_groups[src], dst)
            if allowed:
                pairs[(src, dst)] = allowed
    reach.connections = _expand(reach)
    return reach


def _expand(reach: Reachability) -> list[Connection]:
    """Class pairs to workload pairs; adjacent external segments with equal ports merged."""
    members = reach.class_members
    out: list[Connection] = []
    for (a, b), ports in reach.pairs.items():
        for src in members[a]:
            if src.implicit:
                continue
            for dst in members[b]:
                if dst is not src and not dst.implicit:
                    out.append(Connection(src.key, dst.key, ports))
    whole = merged_ranges(reach.segments, [(i, ALL) for i in range(len(reach.segments))])
    for (cls, direction), table in reach.external.items():
        if table is not None and not table:
            continue
        ranges = whole if table is None else merged_ranges(reach.segments, list(table.items()))
        for endpoint in members[cls]:
            if endpoint.implicit:
                continue
            for label, ports in ranges:
                out.append(
                    Connection(endpoint.key, label, ports)
                    if direction == "out"
                    else Connection(label, endpoint.key, ports)
                )
    out.sort(key=lambda c: (c.src, c.dst))
    return out


def merged_ranges(
    segments: list[Segment], items: list[tuple[int, PortSet]]
) -> list[tuple[str, PortSet]]:
    """Adjacent segments with the same ports as one labelled range."""
    out: list[tuple[str, PortSet]] = []
    run: list[int] | None = None  # [version, lo, hi]
    run_ports = NONE
    for index, ports in sorted(items, key=lambda item: item[0]):
        version, lo, hi = segments[index]
        if run is not None and run[0] == version and run[2] + 1 == lo and ports == run_ports:
            run[2] = hi
            continue
        if run is not None:
            out.append((range_label(*run), run_ports))
        run, run_ports = [version, lo, hi], ports
    if run is not None:
        out.append((range_label(*run), run_ports))
    return out
