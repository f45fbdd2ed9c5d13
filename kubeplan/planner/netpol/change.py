"""Reachability before and after a change: lost and gained connections, and findings.

- A change that cuts a used (inferred) or declared connection is an error on the policy that
  isolates the side that now refuses it (`netpol-cuts-connection`).
- A change that newly exposes a workload to every namespace (a peer whose namespaceSelector is
  `{}`, or a rule with no peers) or to 0.0.0.0/0 is a warning (`netpol-exposes-workload`) on
  the policy whose rule does it, or on the workload when no policy isolates it any more.

Both revisions are computed over the same external segments, so ranges compare directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kubeplan.model import Finding, Resource, Severity, finding_for
from kubeplan.planner.netpol.engine import (
    Connection,
    Reachability,
    analyse,
    ip_cuts,
    merged_ranges,
    parse_policies,
)
from kubeplan.planner.netpol.infer import Required, inferred
from kubeplan.planner.netpol.infer import declared as resolve_declared
from kubeplan.planner.netpol.policy import ABSENT, V4_MAX, V6_MAX, Policy
from kubeplan.planner.netpol.ports import ALL, NONE, PortSet

CUTS = "netpol-cuts-connection"
EXPOSES = "netpol-exposes-workload"
BLOCKS_DECLARED = "netpol-blocks-declared"
ALL_NAMESPACES = "all namespaces"
ANYWHERE = "0.0.0.0/0"

Declared = Sequence[str | tuple[str, int]]


@dataclass
class ReachChange:
    base: Reachability
    new: Reachability
    lost: list[Connection] = field(default_factory=list)
    gained: list[Connection] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    required: list[Required] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)  # declared connections not understood

    def to_json(self) -> dict[str, Any]:
        return {
            "lost": [c.to_json() for c in self.lost],
            "gained": [c.to_json() for c in self.gained],
        }


def _declared_lines(items: Declared) -> list[tuple[str, int]]:
    return [(item, 0) if isinstance(item, str) else (item[0], item[1]) for item in items]


def required_connections(
    reach: Reachability, resources: list[Resource], declared: Declared, source: str
) -> tuple[list[Required], list[Finding]]:
    wanted, problems = resolve_declared(reach, _declared_lines(declared), source)
    return inferred(reach, resources) + wanted, problems


def _external_map(reach: Reachability) -> dict[tuple[str, str], int]:
    """(workload key, "in"|"out") -> its class, for workloads of the output."""
    out: dict[tuple[str, str], int] = {}
    for cls, members in enumerate(reach.class_members):
        for endpoint in members:
            if not endpoint.implicit:
                out[(endpoint.key, "in")] = out[(endpoint.key, "out")] = cls
    return out


def _difference(before: Reachability, after: Reachability) -> list[Connection]:
    """Connections (with the ports) that `before` allows and `after` does not."""
    out: list[Connection] = []
    after_map = {(c.src, c.dst): c.ports for c in after.connections}
    for c in before.connections:
        if not (c.src.endswith("]") and c.dst.endswith("]")):
            continue  # external ranges are compared per segment below
        missing = c.ports - after_map.get((c.src, c.dst), NONE)
        if missing:
            out.append(Connection(c.src, c.dst, missing))
    after_classes = _external_map(after)
    for (key, direction), cls in _external_map(before).items():
        was = before.external.get((cls, direction), {})
        if was == {}:
            continue
        other = after_classes.get((key, direction))
        now = after.external.get((other, direction), {}) if other is not None else {}
        if was is None and now is None:
            continue
        was_table, now_table = (
            before.external_of(cls, direction),
            (after.external_of(other, direction) if other is not None else {}),
        )
        items = []
        for segment, ports in was_table.items():
            missing = ports - now_table.get(segment, NONE)
            if missing:
                items.append((segment, missing))
        for label, ports in merged_ranges(before.segments, items):
            out.append(
                Connection(key, label, ports)
                if direction == "out"
                else Connection(label, key, ports)
            )
    out.sort(key=lambda c: (c.src, c.dst))
    return out


def reach_change(
    base: list[Resource],
    new: list[Resource],
    *,
    declared: Declared = (),
    source: str = ".kubeplan.yaml",
) -> ReachChange:
    cuts = ip_cuts(parse_policies(base)[0]) | ip_cuts(parse_policies(new)[0])
    before = analyse(base, declared=declared, cuts=cuts)
    after = analyse(new, declared=declared, cuts=cuts)
    change = ReachChange(before, after)
    change.lost = _difference(before, after)
    change.gained = _difference(after, before)
    needed_before, _ = required_connections(before, base, declared, source)
    needed_after, change.problems = required_connections(after, new, declared, source)
    seen: dict[tuple[str, str, PortSet | None], Required] = {}
    for item in sorted(needed_after + needed_before, key=lambda r: not r.declared):
        seen.setdefault((item.src, item.dst, item.ports), item)
    change.required = list(seen.values())
    base_bodies = {r.identity: r.body for r in base if r.kind == "NetworkPolicy"}
    reported: set[tuple[str, str]] = set()
    for item in change.required:
        if (item.src, item.dst) in reported:
            continue  # one finding per cut connection, however many references name it
        finding = _cut_finding(before, after, item, base_bodies)
        if finding is not None:
            reported.add((item.src, item.dst))
            change.findings.append(finding)
    change.findings += _exposure_findings(before, after, base_bodies)
    change.findings.sort(key=Finding.sort_key)
    return change


def check_declared(reach: Reachability, wanted: list[Required]) -> list[Finding]:
    """Without a base: a declared connection the policies do not allow is an error."""
    out = []
    for item in wanted:
        if not item.declared:
            continue
        after = reach.ports(item.src, item.dst)
        need = item.ports if item.ports is not None else ALL
        if (item.ports is None and after) or (item.ports is not None and after.covers(need)):
            continue
        refused = need - after if item.ports is not None else ALL
        culprit = _culprit(reach, item, refused, {})
        if culprit is None:
            continue
        policy, side = culprit
        out.append(
            finding_for(
                policy.resource,
                BLOCKS_DECLARED,
                Severity.ERROR,
                f"{item.src} -> {item.dst} ({_describe(item.ports)}) is declared required"
                f" ({item.reason}) but {policy.ref} isolates the {side} side without allowing it",
                hint=f"add a rule allowing it, or run kubeplan reach --explain {item.src} {item.dst}",
            )
        )
    return out


def _describe(ports: PortSet | None) -> str:
    return "any port" if ports is None else ports.describe()


def _culprit(
    reach: Reachability, item: Required, refused: PortSet, base_bodies: dict[Any, Any]
) -> tuple[Policy, str] | None:
    """The policy that isolates the refusing side; a new or changed one is preferred."""
    src, dst = reach.find(item.src), reach.find(item.dst)
    if src is None or dst is None:
        return None
    for direction, endpoint, peer in (("ingress", dst, src), ("egress", src, dst)):
        hits = reach.rule_hits(endpoint.key, direction)
        if hits is None:
            continue
        allowed = NONE
        for hit in hits:
            if hit.peers >> peer.class_index & 1:
                allowed = allowed | reach.resolve_for(hit, dst.class_index)
        if allowed.covers(refused) and item.ports is not None:
            continue
        if item.ports is None and allowed:
            continue
        isolating = _selecting(reach, endpoint.key, direction)
        if not isolating:
            continue
        changed = [p for p in isolating if base_bodies.get(p.resource.identity) != p.resource.body]
        return (changed or isolating)[0], direction
    return None


def _selecting(reach: Reachability, key: str, direction: str) -> list[Policy]:
    """Policies that isolate an endpoint in a direction, with or without rules."""
    from kubeplan.kube.selectors import matches

    endpoint = reach.find(key)
    if endpoint is None:
        return []
    return [
        p
        for p in reach.policies
        if p.namespace == endpoint.namespace
        and (p.ingress if direction == "ingress" else p.egress)
        and matches(p.pod_selector, endpoint.labels)
    ]


def _cut_finding(
    before: Reachability, after: Reachability, item: Required, base_bodies: dict[Any, Any]
) -> Finding | None:
    if before.find(item.src) is None or after.find(item.src) is None:
        return None
    if before.find(item.dst) is None or after.find(item.dst) is None:
        return None  # a workload that comes or goes is not cut by a policy
    was, now = before.ports(item.src, item.dst), after.ports(item.src, item.dst)
    if item.ports is None:
        if not was or now:
            return None
        refused = was
    else:
        refused = (item.ports & was) - now
        if not refused:
            return None
    culprit = _culprit(after, item, refused, base_bodies)
    if culprit is None:
        return None
    policy, side = culprit
    return finding_for(
        policy.resource,
        CUTS,
        Severity.ERROR,
        f"cuts {item.src} -> {item.dst} ({refused.describe()}), which is"
        f" {'declared required' if item.declared else 'used'} ({item.reason}):"
        f" {policy.ref} isolates the {side} side and no rule allows it",
        hint=f"add a rule that allows it, or see kubeplan reach --explain {item.src} {item.dst}",
    )


def exposure(reach: Reachability, key: str) -> dict[str, Policy | None]:
    """What a workload is open to, from its ingress rules: every namespace, 0.0.0.0/0.

    Decided by the rules themselves (an empty namespaceSelector selects namespaces not in the
    input too), and None as the cause when no policy isolates the workload for ingress."""
    endpoint = reach.find(key)
    if endpoint is None:
        return {}
    hits = reach.rule_hits(key, "ingress")
    if hits is None:
        return {ALL_NAMESPACES: None, ANYWHERE: None}
    out: dict[str, Policy | None] = {}
    for hit in hits:
        if not reach.resolve_for(hit, endpoint.class_index):
            continue
        if hit.rule.peers is None:
            out.setdefault(ALL_NAMESPACES, hit.policy)
            out.setdefault(ANYWHERE, hit.policy)
            continue
        for peer in hit.rule.peers:
            if not peer.valid:
                continue
            if peer.is_ip and peer.cidr is not None and not peer.excepts:
                whole = (peer.cidr.version, peer.cidr.lo, peer.cidr.hi) in (
                    (4, 0, V4_MAX),
                    (6, 0, V6_MAX),
                )
                if whole:
                    out.setdefault(ANYWHERE, hit.policy)
            elif (
                not peer.is_ip
                and _empty(peer.namespace_selector)
                and (peer.pod_selector is ABSENT or _empty(peer.pod_selector))
            ):
                out.setdefault(ALL_NAMESPACES, hit.policy)
    return out


def _empty(selector: Any) -> bool:
    return (
        isinstance(selector, dict)
        and not selector.get("matchLabels")
        and not selector.get("matchExpressions")
    )


def _exposure_findings(
    before: Reachability, after: Reachability, base_bodies: dict[Any, Any]
) -> list[Finding]:
    out = []
    for endpoint in after.endpoints:
        if endpoint.implicit or before.find(endpoint.key) is None or endpoint.resource is None:
            continue
        was = exposure(before, endpoint.key)
        now = exposure(after, endpoint.key)
        for what, policy in sorted(now.items()):
            if what in was:
                continue
            if policy is not None:
                message = f"{policy.ref} opens {endpoint.key} to {what}"
                out.append(finding_for(policy.resource, EXPOSES, Severity.WARNING, message,
                                       hint="narrow the rule's peers if this is not intended"))  # fmt: skip
            else:
                message = f"{endpoint.key} is no longer isolated for ingress: open to {what}"
                out.append(finding_for(endpoint.resource, EXPOSES, Severity.WARNING, message,
                                       hint="a NetworkPolicy that selected it was removed or changed"))  # fmt: skip
    return out
