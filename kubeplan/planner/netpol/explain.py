"""`kubeplan reach --explain FROM TO`: which policy and rule allow a connection, or which
policy isolates an endpoint with no rule that allows it."""

from __future__ import annotations

from kubeplan.kube.selectors import matches
from kubeplan.planner.netpol.engine import Reachability
from kubeplan.planner.netpol.ports import ALL, NONE


def _rule_name(direction: str, index: int) -> str:
    return f"spec.{direction}[{index}]"


def explain(reach: Reachability, src_text: str, dst_text: str) -> list[str]:
    """Lines of explanation; the first line gives the verdict."""
    src_bit, dst_bit = reach.bit_of(src_text), reach.bit_of(dst_text)
    if src_bit is None or dst_bit is None:
        missing = src_text if src_bit is None else dst_text
        return [f"{missing}: no such workload or address in the input"]
    src_ep, dst_ep = reach.find(src_text), reach.find(dst_text)
    src_name = src_ep.key if src_ep else reach.segment_label(src_bit)
    dst_name = dst_ep.key if dst_ep else reach.segment_label(dst_bit)
    if src_ep is None and dst_ep is None:
        return [f"{src_name} -> {dst_name}: both are external; NetworkPolicy does not apply"]
    ports = reach.ports(src_bit, dst_bit)
    if src_ep is not None and src_ep is dst_ep:
        return [f"{src_name} -> {dst_name}: all (a pod cannot block traffic to itself)"]
    lines = [f"{src_name} -> {dst_name}: {ports.describe() if ports else 'no connection'}"]
    for direction, endpoint, peer_bit in (
        ("egress", src_ep, dst_bit),
        ("ingress", dst_ep, src_bit),
    ):
        if endpoint is None:
            continue
        side = "egress of the source" if direction == "egress" else "ingress of the destination"
        hits = reach.rule_hits(endpoint.key, direction)
        if hits is None:
            lines.append(
                f"  {side}: not isolated (no policy with {direction.title()} selects it): all"
            )
            continue
        isolating = sorted(
            {
                p.ref
                for p in reach.policies
                if p.namespace == endpoint.namespace
                and (p.ingress if direction == "ingress" else p.egress)
                and matches(p.pod_selector, endpoint.labels)
            }
        )
        lines.append(f"  {side}: isolated by {', '.join(isolating)}")
        allowed = NONE
        for hit in hits:
            if not hit.peers >> peer_bit & 1:
                continue
            opened = reach.resolve_for(hit, dst_bit)
            if not opened:
                continue
            allowed = allowed | opened
            lines.append(
                f"    allowed by {hit.policy.ref} {_rule_name(direction, hit.rule.index)}:"
                f" {opened.describe()}"
            )
        if not allowed:
            peer = src_name if direction == "ingress" else dst_name
            lines.append(f"    no rule allows {peer}: denied")
        elif allowed != ALL and not allowed.covers(ports):
            lines.append(f"    this side allows {allowed.describe()}")
    return lines
