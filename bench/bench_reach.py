"""Benchmark `kubeplan reach` against network-config-analyzer (NCA), and at scale.

    python bench/bench_reach.py                  # corpus sets vs NCA, then the generated set
    python bench/bench_reach.py --scale-only     # only 1,000 workloads x 1,000 policies
    python bench/bench_reach.py --nca /tmp/ncavenv/bin/nca

NCA (`pip install network-config-analyzer`, in its own virtualenv, never in kubeplan's) runs as
`nca --connectivity DIR -r DIR -o txt_no_fw_rules`. Both tools are timed as whole processes
(start-up included), best of five runs, each with its modules compiled to bytecode as an install
leaves them (pip compiles NCA's; kubeplan's package is compiled here first, since an editable
install under PYTHONDONTWRITEBYTECODE would otherwise recompile it on every run). The start-up
floor of kubeplan's stack (the interpreter importing typer and PyYAML, nothing of kubeplan) is
timed in the same run: NCA's time over that floor is the most any typer + PyYAML command could
reach. The connectivity is compared after the conventions
documented in docs/reach.md (NCA's "livesim" kube-dns and ingress-controller pods are dropped;
IP ranges are refined to common boundaries; self pairs are absent in both).

Targets (issue 8): at least 10x faster than NCA on the corpus sets; 1,000 workloads with 1,000
policies in under 10 s.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import ipaddress
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("KUBEPLAN_CORPUS", ROOT.parent / "shared" / "corpus"))
sys.path.insert(0, str(ROOT))

from kubeplan.planner.netpol import analyse  # noqa: E402
from kubeplan.planner.netpol.change import reach_change  # noqa: E402
from kubeplan.planner.netpol.ports import ALL, NONE, PortSet, union  # noqa: E402
from kubeplan.schemas import loader  # noqa: E402

NPA = CORPUS / "netpol-analyzer"


def corpus_sets() -> list[tuple[str, list[Path]]]:
    sets = []
    connlist = NPA / "test_outputs" / "connlist"
    if connlist.is_dir():
        for name in sorted(os.listdir(connlist)):
            case = name.removesuffix("_connlist_output.txt")
            sets.append((f"netpol-analyzer/{case}", [NPA / "tests" / case]))
    demo = CORPUS / "microservices-demo"
    sets.append(
        (
            "microservices-demo",
            [
                demo / "release" / "kubernetes-manifests.yaml",
                demo / "kustomize" / "components" / "network-policies",
            ],
        )
    )
    sock = CORPUS / "sock-shop-upstream" / "deploy" / "kubernetes"
    sets.append(("sock-shop-upstream", [sock / "complete-demo.yaml", sock / "manifests-policy"]))
    sets.append(("kube-prometheus", [CORPUS / "kube-prometheus" / "manifests"]))
    return [(name, paths) for name, paths in sets if all(p.exists() for p in paths)]


def staged(paths: list[Path], into: Path) -> Path:
    """One folder holding every input (NCA takes one resource folder per run)."""
    for index, path in enumerate(paths):
        target = into / f"{index}"
        if path.is_dir():
            shutil.copytree(path, target, ignore=shutil.ignore_patterns("*output*"))
        else:
            target.mkdir()
            shutil.copy(path, target / path.name)
    return into


def best_of(command: list[str], runs: int = 5) -> tuple[float, str]:
    best, output = float("inf"), ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        best = min(best, time.perf_counter() - start)
        output = done.stdout + done.stderr
    return best, output


def parse_nca_conn(text: str) -> PortSet:
    """`All connections`, `{protocols:TCP, UDP,dst_ports:53}`, `All but {...}`, several `{}`."""
    text = text.strip()
    if text == "All connections":
        return ALL
    negate = text.startswith("All but ")
    sets = []
    for group in re.findall(r"\{([^}]*)\}", text):
        match = re.match(r"protocols:(.*?)(?:,dst_ports:(.*))?$", group)
        if not match:
            continue
        protocols = [p.strip() for p in match.group(1).split(",")]
        spans = match.group(2)
        for protocol in protocols:
            if protocol not in ("TCP", "UDP", "SCTP"):
                continue
            if not spans:
                sets.append(PortSet.whole(protocol))
                continue
            for span in spans.split(","):
                lo, _, hi = span.strip().partition("-")
                sets.append(PortSet.of(protocol, int(lo), int(hi) if hi else None))
    found = union(sets)
    return ALL - found if negate else found


def _ip(text: str) -> tuple[int, int] | None:
    text = text.removesuffix("[External]")
    if text.endswith("]"):
        return None
    if "/" in text:
        network = ipaddress.ip_network(text)
        return int(network.network_address), int(network.broadcast_address)
    first, _, last = text.partition("-")
    try:
        return int(ipaddress.ip_address(first)), int(ipaddress.ip_address(last or first))
    except ValueError:
        return None


def normalise(lines: list[tuple[str, str, PortSet]]) -> tuple[dict, dict]:
    pairs, external = {}, {}
    for src, dst, ports in lines:
        if "livesim" in src or "livesim" in dst or "{" in src + dst:
            continue
        src_ip, dst_ip = _ip(src), _ip(dst)
        if src_ip and dst_ip:
            continue
        if src_ip:
            external.setdefault((dst, "in"), []).append((src_ip, ports))
        elif dst_ip:
            external.setdefault((src, "out"), []).append((dst_ip, ports))
        else:  # NCA may print one pair on several lines, one per protocol group
            pairs[(src, dst)] = pairs.get((src, dst), NONE) | ports
    return pairs, external


def differences(a: list, b: list) -> int:
    pa, xa = normalise(a)
    pb, xb = normalise(b)
    count = sum(pa.get(k) != pb.get(k) for k in set(pa) | set(pb))
    for key in set(xa) | set(xb):
        items_a, items_b = xa.get(key, []), xb.get(key, [])
        points = {lo for (lo, _), _ in items_a + items_b}
        points |= {hi + 1 for (_, hi), _ in items_a + items_b}

        def at(items: list, x: int) -> PortSet:  # NCA may split one range per protocol
            return union(p for (lo, hi), p in items if lo <= x <= hi)

        count += any(at(items_a, x) != at(items_b, x) for x in points if x < 1 << 32)
    return count


def nca_lines(output: str) -> list[tuple[str, str, PortSet]]:
    lines = []
    for line in output.splitlines():
        if " => " not in line or " : " not in line:
            continue
        pair, conn = line.split(" : ", 1)
        src, dst = pair.split(" => ")
        lines.append((src.strip(), dst.strip(), parse_nca_conn(conn)))
    return lines


def libyaml_events(folder: Path) -> float:
    """Best of 3: every YAML/JSON file of `folder` through libyaml's event parser, building
    nothing: a floor under any loader built on PyYAML (kubeplan's composes nodes and values)."""
    texts = [
        p.read_text()
        for p in sorted(folder.rglob("*"))
        if p.suffix in (".yaml", ".yml", ".json") and p.is_file()
    ]
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for text in texts:
            for _event in yaml.parse(text, Loader=yaml.CSafeLoader):
                pass
        best = min(best, time.perf_counter() - start)
    return best


def compare_with_nca(nca: str) -> None:
    kubeplan = [sys.executable, "-m", "kubeplan", "reach"]
    compileall.compile_dir(str(ROOT / "kubeplan"), quiet=1)
    floor, _ = best_of([sys.executable, "-c", "import typer, yaml"], runs=7)
    print("process: whole command, start-up included; work: kubeplan load + analyse in-process,")
    print("NCA its own 'Total run time' (it includes NCA's parsing); analyse: kubeplan without")
    print("the YAML loader; libyaml: the set's text through libyaml's event parser alone, the")
    print("least any PyYAML-based loader spends. Best of 5 (in-process figures: best of 3).")
    print(f"start-up floor of the stack (python -c 'import typer, yaml'): {floor:.3f}s")
    header = f"{'set':44} {'process kp':>10} {'NCA':>6} {'ratio':>5} {'work kp':>8} {'NCA':>6}"
    print(f"{header} {'ratio':>5} {'analyse':>8} {'libyaml':>8}  same connectivity")
    ratios, work_ratios, analyse_ratios, floor_ratios, parse_ratios = [], [], [], [], []
    for name, paths in corpus_sets():
        with tempfile.TemporaryDirectory() as tmp:
            folder = staged(paths, Path(tmp))
            ours_time, _ = best_of([*kubeplan, str(folder), "-o", "json"])
            nca_time, nca_out = best_of(
                [nca, "--connectivity", str(folder), "-r", str(folder), "-o", "txt_no_fw_rules"]
            )
            work = only = float("inf")
            for _ in range(3):
                start = time.perf_counter()
                resources = loader.load([str(folder)]).resources
                middle = time.perf_counter()
                reach = analyse(resources)
                end = time.perf_counter()
                work, only = min(work, end - start), min(only, end - middle)
            parse = libyaml_events(folder)
        reported = re.search(r"Total run time:\s+([\d.]+) seconds", nca_out)
        nca_work = float(reported.group(1)) if reported else float("nan")
        ours = [(c.src, c.dst, c.ports) for c in reach.connections]
        theirs = nca_lines(nca_out)
        if not theirs and "=>" not in nca_out:
            verdict = "NCA gave no connectivity map"
        else:
            diff = differences(ours, theirs)
            verdict = "yes" if not diff else f"no: {diff} pairs differ"
        ratio, work_ratio = nca_time / ours_time, nca_work / work
        if reported:  # a run that gave no answer is no comparison
            ratios.append(ratio)
            floor_ratios.append(nca_time / floor)
            work_ratios.append(work_ratio)
            analyse_ratios.append(nca_work / only)
            parse_ratios.append(nca_work / parse)
        print(
            f"{name[-44:]:44} {ours_time:9.2f}s {nca_time:5.2f}s {ratio:4.1f}x"
            f" {work:7.3f}s {nca_work:5.2f}s {work_ratio:4.0f}x {only:7.4f}s {parse:7.4f}s"
            f"  {verdict}"
        )
    print("ratios over the sets where NCA gave a connectivity map:")
    for label, values in (
        ("process: NCA / kubeplan", ratios),
        ("work: NCA total run time / kubeplan load + analyse", work_ratios),
        ("NCA total run time / kubeplan analyse", analyse_ratios),
        ("ceiling: NCA process / start-up floor of typer + PyYAML", floor_ratios),
        ("ceiling: NCA total run time / libyaml's events alone", parse_ratios),
    ):
        if values:
            ordered = sorted(values)
            print(
                f"  {label}: min {ordered[0]:.1f}x,"
                f" median {ordered[len(ordered) // 2]:.1f}x, max {ordered[-1]:.1f}x"
            )


def generated(folder: Path, workloads: int = 1000, policies: int = 1000) -> None:
    """`workloads` Deployments in 50 namespaces and `policies` NetworkPolicies: a default deny
    per namespace, ingress rules by label across namespaces with numeric, named and ranged
    ports, and egress rules with ipBlocks."""
    namespaces = 50
    per_ns = workloads // namespaces
    docs = []
    for n in range(namespaces):
        docs.append(
            f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns{n}\n"
            f"  labels: {{team: t{n % 10}, env: {'prod' if n % 2 else 'dev'}}}\n"
        )
        for w in range(per_ns):
            docs.append(
                f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{w}\n"
                f"  namespace: ns{n}\nspec:\n  selector:\n    matchLabels: {{app: app{w}}}\n"
                f"  template:\n    metadata:\n      labels: {{app: app{w}, tier: tier{w % 5},"
                f" version: v{(n + w) % 3}}}\n    spec:\n      containers:\n"
                f"        - name: main\n          image: registry.example/app{w}:1\n"
                f"          ports:\n            - {{name: http, containerPort: {8000 + w}}}\n"
                f"            - {{name: metrics, containerPort: 9100}}\n"
            )
    made = 0
    for n in range(namespaces):
        if made >= policies:
            break
        docs.append(
            f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n"
            f"  name: default-deny\n  namespace: ns{n}\nspec:\n  podSelector: {{}}\n"
            f"  policyTypes: [Ingress]\n"
        )
        made += 1
    index = 0
    while made < policies:
        n, w = index % namespaces, (index // namespaces) % per_ns
        peer_ns = (n + 1) % namespaces
        egress = ""
        if index % 10 == 0:
            egress = (
                "  egress:\n    - to:\n        - ipBlock:\n"
                f"            cidr: 10.{index % 256}.0.0/16\n"
                f"            except: [10.{index % 256}.{index % 7}.0/24]\n"
                "      ports: [{port: 443}]\n"
                "    - to:\n        - namespaceSelector: {matchLabels: {env: prod}}\n"
                f"          podSelector: {{matchLabels: {{tier: tier{(w + 1) % 5}}}}}\n"
            )
        docs.append(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n"
            f"  name: p{index}\n  namespace: ns{n}\nspec:\n"
            f"  podSelector: {{matchLabels: {{app: app{w}}}}}\n"
            f"  policyTypes: [Ingress{', Egress' if egress else ''}]\n"
            "  ingress:\n    - from:\n"
            f"        - podSelector: {{matchLabels: {{tier: tier{(w + 2) % 5}}}}}\n"
            f"        - namespaceSelector: {{matchLabels: {{team: t{peer_ns % 10}}}}}\n"
            "          podSelector:\n            matchExpressions:\n"
            f"              - {{key: version, operator: In, values: [v{index % 3}]}}\n"
            "      ports:\n        - port: http\n"
            f"        - {{port: {30000 + index % 100}, endPort: {30010 + index % 100}}}\n"
            f"{egress}"
        )
        made += 1
        index += 1
    (folder / "generated.yaml").write_text("---\n".join(docs))


def scale(workloads: int = 1000, policies: int = 1000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generated(folder, workloads, policies)
        start = time.perf_counter()
        loaded = loader.load([str(folder)])
        load_time = time.perf_counter() - start
        start = time.perf_counter()
        reach = analyse(loaded.resources)
        analyse_time = time.perf_counter() - start
        command = [sys.executable, "-m", "kubeplan", "reach", str(folder), "-o", "json"]
        wall, _ = best_of(command, runs=1)
        # The change: every seventh policy removed (what `reach --base` and `plan` compute).
        removed = {f"p{i}" for i in range(0, policies, 7)}
        new = [r for r in loaded.resources if not (r.kind == "NetworkPolicy" and r.name in removed)]
        start = time.perf_counter()
        change = reach_change(loaded.resources, new)
        change_time = time.perf_counter() - start
    print(
        f"generated: {workloads} workloads x {policies} policies:"
        f" load {load_time:.2f}s, analyse {analyse_time:.2f}s"
        f" ({reach.class_count} classes, {len(reach.connections)} connections);"
        f" whole `kubeplan reach -o json` {wall:.2f}s (target < 10 s);"
        f" before/after with {len(removed)} policies removed {change_time:.2f}s"
        f" ({len(change.lost)} lost, {len(change.gained)} gained)"
    )


def generated_vs_nca(nca: str, sizes: list[int], timeout: float) -> None:
    """Both tools, whole process, on generated sets of growing size (N workloads x N policies):
    where the analysis, not start-up, decides the time. Connectivity is compared as above."""
    print("generated sets, whole process (one run each), NCA vs kubeplan:")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            generated(folder, size, size)
            ours_time, _ = best_of([sys.executable, "-m", "kubeplan", "reach", str(folder)], 1)
            reach = analyse(loader.load([str(folder)]).resources)
            command = [nca, "--connectivity", str(folder), "-r", str(folder)]
            start = time.perf_counter()
            try:
                done = subprocess.run(
                    [*command, "-o", "txt_no_fw_rules"],
                    capture_output=True,
                    text=True,
                    check=False,
                    timeout=timeout,
                )
            except subprocess.TimeoutExpired:
                print(f"  {size} x {size}: kubeplan {ours_time:.2f}s, NCA over {timeout:.0f}s")
                continue
            nca_time = time.perf_counter() - start
        ours = [(c.src, c.dst, c.ports) for c in reach.connections]
        diff = differences(ours, nca_lines(done.stdout))
        verdict = "same connectivity" if not diff else f"{diff} pairs differ"
        print(
            f"  {size} x {size}: kubeplan {ours_time:.2f}s, NCA {nca_time:.2f}s,"
            f" {nca_time / ours_time:.1f}x; {len(ours)} connections, {verdict}"
        )


def main() -> None:
    gc.disable()  # as kubeplan's CLI does (kubeplan/cli.py main)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nca", default=shutil.which("nca") or "/tmp/ncavenv/bin/nca")
    parser.add_argument("--scale-only", action="store_true")
    parser.add_argument(
        "--nca-sizes",
        default="100,175,250",
        help="generated sets (N workloads x N policies) both tools run on; NCA takes ~25 s at 250",
    )
    parser.add_argument("--nca-timeout", type=float, default=600)
    args = parser.parse_args()
    if not args.scale_only:
        if os.path.exists(args.nca):
            compare_with_nca(args.nca)
            sizes = [int(n) for n in args.nca_sizes.split(",") if n]
            generated_vs_nca(args.nca, sizes, args.nca_timeout)
        else:
            print(f"NCA not found at {args.nca}: skipping the comparison")
    scale()


if __name__ == "__main__":
    main()
