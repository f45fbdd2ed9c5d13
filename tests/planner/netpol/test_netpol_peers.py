"""kubeplan reach against the expected outputs np-guard/netpol-analyzer ships with its test data
(corpus netpol-analyzer/test_outputs/{connlist,diff}), as ground truth.

Conventions differ in three places, which the comparison handles explicitly:
- external ranges: netpol-analyzer prints the segments its ipBlocks cut (`a-b[External]`),
  kubeplan merges adjacent segments with the same ports and prints CIDRs where it can; both are
  refined to common boundaries before comparing;
- `{ingress-controller}` lines come from its Route/Ingress analysis, which kubeplan does not
  model (NetworkPolicy only); they are left out;
- kubeplan's implicit kube-dns endpoint is never part of `connections`, so nothing to drop.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import pytest
from conftest import CORPUS, corpus

from kubeplan.planner.netpol import analyse
from kubeplan.planner.netpol.change import reach_change
from kubeplan.planner.netpol.ports import ALL, NONE, PortSet, union
from kubeplan.schemas import loader

PEER = CORPUS / "netpol-analyzer"
Line = tuple[str, str, PortSet]


def _listing(folder: str) -> list[str]:
    path = PEER / "test_outputs" / folder
    return sorted(os.listdir(path)) if path.is_dir() else []


def parse_conn(text: str) -> PortSet:
    """`All Connections`, `No Connections` or `SCTP 1-9002,TCP 80,UDP 53` (connectionset.go)."""
    text = text.strip()
    if text == "All Connections":
        return ALL
    if text == "No Connections":
        return NONE
    sets, protocol = [], "TCP"
    for token in text.split(","):
        token = token.strip()
        for name in ("TCP", "UDP", "SCTP"):
            if token.startswith(name + " "):
                protocol, token = name, token[len(name) + 1 :]
        lo, _, hi = token.partition("-")
        sets.append(PortSet.of(protocol, int(lo), int(hi) if hi else None))
    return union(sets)


def _ip_range(text: str) -> tuple[int, int]:
    """`a.b.c.d-e.f.g.h[External]` (netpol-analyzer) or `10.0.0.0/8` / `a-b` (kubeplan)."""
    text = text.removesuffix("[External]")
    if "/" in text:
        network = ipaddress.ip_network(text)
        return int(network.network_address), int(network.broadcast_address)
    first, _, last = text.partition("-")
    return int(ipaddress.ip_address(first)), int(ipaddress.ip_address(last or first))


def _split(lines: list[Line]) -> tuple[dict[tuple[str, str], PortSet], dict[tuple[str, str], list]]:
    workloads: dict[tuple[str, str], PortSet] = {}
    external: dict[tuple[str, str], list] = {}
    for src, dst, ports in lines:
        if not src.endswith("]") or src.endswith("[External]"):
            external.setdefault((dst, "in"), []).append((_ip_range(src), ports))
        elif not dst.endswith("]") or dst.endswith("[External]"):
            external.setdefault((src, "out"), []).append((_ip_range(dst), ports))
        else:
            workloads[(src, dst)] = ports
    return workloads, external


def _same_external(a: list, b: list) -> bool:
    points = sorted({lo for (lo, _), _ in a + b} | {hi + 1 for (_, hi), _ in a + b})

    def at(items: list, x: int) -> PortSet:
        return next((p for (lo, hi), p in items if lo <= x <= hi), NONE)

    return all(at(a, x) == at(b, x) for x in points if x < 1 << 32)


def assert_same(expected: list[Line], actual: list[Line]) -> None:
    we, xe = _split(expected)
    wa, xa = _split(actual)
    wrong = {k: (we.get(k), wa.get(k)) for k in set(we) | set(wa) if we.get(k) != wa.get(k)}
    assert not wrong, wrong
    bad = [k for k in set(xe) | set(xa) if not _same_external(xe.get(k, []), xa.get(k, []))]
    assert not bad, bad


def read_connlist(path: Path) -> list[Line]:
    out = []
    for line in path.read_text().splitlines():
        if "=>" not in line:
            continue
        pair, conn = line.rsplit(" : ", 1)
        src, dst = (part.strip() for part in pair.split(" => "))
        if "{" not in src + dst:
            out.append((src, dst, parse_conn(conn)))
    return out


@pytest.mark.parametrize("name", _listing("connlist") or ["<corpus missing>"])
def test_connlist_matches_netpol_analyzer(name: str) -> None:
    expected_file = corpus("netpol-analyzer", "test_outputs", "connlist", name)
    case = name.removesuffix("_connlist_output.txt")
    reach = analyse(loader.load([str(corpus("netpol-analyzer", "tests", case))]).resources)
    expected = read_connlist(expected_file)
    assert expected
    assert_same(expected, [(c.src, c.dst, c.ports) for c in reach.connections])


def _diff_pair(name: str) -> tuple[str, str]:
    """`diff_between_<new>_and_<old>.txt`: names may contain `_and_` themselves."""
    parts = name.removeprefix("diff_between_").removesuffix(".txt").split("_and_")
    for cut in range(1, len(parts)):
        new, old = "_and_".join(parts[:cut]), "_and_".join(parts[cut:])
        if (PEER / "tests" / new).is_dir() and (PEER / "tests" / old).is_dir():
            return new, old
    raise AssertionError(f"no scenario folders for {name}")


@pytest.mark.parametrize("name", _listing("diff") or ["<corpus missing>"])
def test_diff_matches_netpol_analyzer(name: str) -> None:
    expected_file = corpus("netpol-analyzer", "test_outputs", "diff", name)
    new, old = _diff_pair(name)
    lost: list[Line] = []
    gained: list[Line] = []
    for line in expected_file.read_text().splitlines():
        if not line.startswith("diff-type:"):
            continue
        fields = dict(part.split(": ", 1) for part in line.split(", ")[:3])
        ref1, ref2 = line.split("ref1: ", 1)[1].split(", ref2: ")
        ref2 = ref2.split(", workloads-diff-info")[0]
        src, dst = fields["source"], fields["destination"]
        if "{" in src + dst:
            continue
        before, after = parse_conn(ref1), parse_conn(ref2)
        if before - after:
            lost.append((src, dst, before - after))
        if after - before:
            gained.append((src, dst, after - before))
    base = loader.load([str(PEER / "tests" / old)]).resources
    head = loader.load([str(PEER / "tests" / new)]).resources
    change = reach_change(base, head)
    assert_same(lost, [(c.src, c.dst, c.ports) for c in change.lost])
    assert_same(gained, [(c.src, c.dst, c.ports) for c in change.gained])
