"""Time and memory of kubeplan on hostile inputs: what an untrusted pull request can send.

Each case writes its input under a temporary folder and runs the real CLI (`python -m kubeplan`)
as a subprocess under `/usr/bin/time -v`, with an address-space limit (`--memory-limit`, default
4 GiB) so that a case that allocates per pod cannot take the machine down, and a timeout. The
table shows wall time, CPU time (user + system: the machine may be shared), peak RSS and the exit
code; a killed case shows `timeout` or `MemoryError`.

Cases:
- `sts-10m`: a StatefulSet scaled from 3 to 10,000,000 replicas with a new image (`plan`);
- `deploy-10m`: a Deployment scaled from 3 to 10,000,000 replicas, maxSurge 1, maxUnavailable 0,
  with a new image (`plan`): 20 million controller steps;
- `ds-30m`: a DaemonSet with a new image on `--nodes 30000000` (`plan`);
- `configmap-120k`, `configmap-1m`: a ConfigMap whose one minified line (120 KB, 1 MB) names a
  Service thousands of times, mounted by a Deployment (`reach`);
- `keys-30k`: a Deployment with 30,000 unknown fields in one mapping (`validate`);
- `deployments-25k`: 25,000 small Deployments in 250 files (`check`): peak memory per object.

Run `python bench/bench_hostile.py` (all cases) or `--cases sts-10m,keys-30k`.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The kubeplan sources to run: this checkout, or another (`--root`, e.g. an export of an older
# revision to measure "before").

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: shop}}
spec:
  replicas: {replicas}
{strategy}  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: web, image: "registry.example/web:{tag}"}}]
{extra}"""

STATEFULSET = """apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db, namespace: data}}
spec:
  replicas: {replicas}
  serviceName: db
  selector: {{matchLabels: {{app: db}}}}
  template:
    metadata: {{labels: {{app: db}}}}
    spec:
      containers: [{{name: db, image: "registry.example/db:{tag}"}}]
"""

DAEMONSET = """apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: agent, namespace: ops}}
spec:
  selector: {{matchLabels: {{app: agent}}}}
  template:
    metadata: {{labels: {{app: agent}}}}
    spec:
      containers: [{{name: agent, image: "registry.example/agent:{tag}"}}]
"""

SURGE_ONE = "  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}\n"


def _plan_pair(work: Path, old: str, new: str) -> list[str]:
    (work / "base").mkdir()
    (work / "head").mkdir()
    (work / "base" / "w.yaml").write_text(old)
    (work / "head" / "w.yaml").write_text(new)
    return ["plan", str(work / "head"), "--base", str(work / "base"), "--format", "json"]


def sts_10m(work: Path) -> list[str]:
    old = STATEFULSET.format(replicas=3, tag="1")
    return _plan_pair(work, old, STATEFULSET.format(replicas=10_000_000, tag="2"))


def deploy_10m(work: Path) -> list[str]:
    def body(replicas: int, tag: str) -> str:
        return DEPLOYMENT.format(
            name="web", replicas=replicas, strategy=SURGE_ONE, tag=tag, extra=""
        )

    return _plan_pair(work, body(3, "1"), body(10_000_000, "2"))


def ds_30m(work: Path) -> list[str]:
    args = _plan_pair(work, DAEMONSET.format(tag="1"), DAEMONSET.format(tag="2"))
    return [*args, "--nodes", "30000000"]


def _configmap(work: Path, size: int) -> list[str]:
    """A minified JSON line, the value of a `key = value` line whose key names a host, naming the
    Service `cache` again and again; the spaces make it a config file
    (kubeplan/planner/netpol/infer.py)."""
    item = '"k":"cache",'
    line = "upstream = {" + item * (size // len(item)) + '"end":1}'
    text = (
        f"""apiVersion: v1
kind: ConfigMap
metadata: {{name: app, namespace: shop}}
data:
  app.json: '{line}'
---
apiVersion: v1
kind: Service
metadata: {{name: cache, namespace: shop}}
spec:
  selector: {{app: cache}}
  ports: [{{port: 6379}}]
---
"""
        + DEPLOYMENT.format(name="cache", replicas=1, strategy="", tag="1", extra="")
        + "---\n"
        + DEPLOYMENT.format(
            name="app",
            replicas=1,
            strategy="",
            tag="1",
            extra="      volumes: [{name: c, configMap: {name: app}}]\n",
        )
    )
    (work / "set.yaml").write_text(text)
    return ["reach", str(work / "set.yaml"), "--format", "json"]


def configmap_120k(work: Path) -> list[str]:
    return _configmap(work, 120_000)


def configmap_1m(work: Path) -> list[str]:
    return _configmap(work, 1_000_000)


def keys_30k(work: Path) -> list[str]:
    keys = "".join(f"  bogus{i}: 1\n" for i in range(30_000))
    text = DEPLOYMENT.format(name="web", replicas=1, strategy=keys, tag="1", extra="")
    (work / "w.yaml").write_text(text)
    return ["validate", str(work / "w.yaml"), "--format", "json"]


def deployments_25k(work: Path) -> list[str]:
    folder = work / "set"
    folder.mkdir()
    for file in range(250):
        docs = [
            DEPLOYMENT.format(name=f"web-{file}-{i}", replicas=2, strategy="", tag="1", extra="")
            for i in range(100)
        ]
        (folder / f"f{file:03}.yaml").write_text("---\n".join(docs))
    return ["check", str(folder), "--format", "json"]


CASES: dict[str, Callable[[Path], list[str]]] = {
    "sts-10m": sts_10m,
    "deploy-10m": deploy_10m,
    "ds-30m": ds_30m,
    "configmap-120k": configmap_120k,
    "configmap-1m": configmap_1m,
    "keys-30k": keys_30k,
    "deployments-25k": deployments_25k,
}


def run_case(name: str, timeout: float, limit: int, root: Path) -> tuple[str, str, str, str, str]:
    """(wall seconds, CPU seconds, peak RSS MiB, exit code, a word about the output) of a case."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        args = CASES[name](work)
        command = ["/usr/bin/time", "-v", sys.executable, "-m", "kubeplan", *args]

        def cap() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        start = time.perf_counter()
        try:
            done = subprocess.run(
                command,
                cwd=root,
                capture_output=True,
                text=True,
                timeout=timeout,
                preexec_fn=cap,
                env={**os.environ, "PYTHONPATH": str(root)},
            )
        except subprocess.TimeoutExpired:
            return f">{timeout:.0f}", "?", "?", "timeout", ""
        wall = time.perf_counter() - start
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
        cpu = sum(
            float(t) for t in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", done.stderr)
        )
        peak = f"{int(rss[1]) / 1024:.0f}" if rss else "?"
        tail = done.stderr.strip().splitlines()
        word = next((line for line in tail if "Error" in line), "")[:60]
        out = word or f"{len(done.stdout):,} B out"
        return f"{wall:.2f}", f"{cpu:.2f}", peak, str(done.returncode), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--memory-limit", type=int, default=4096, help="MiB per case")
    parser.add_argument("--root", type=Path, default=ROOT, help="kubeplan sources to run")
    options = parser.parse_args()
    print(f"{'case':<18}{'wall s':>10}{'cpu s':>8}{'peak MiB':>10}{'exit':>9}  output")
    for name in options.cases.split(","):
        wall, cpu, peak, code, word = run_case(
            name, options.timeout, options.memory_limit << 20, options.root
        )
        print(f"{name:<18}{wall:>10}{cpu:>8}{peak:>10}{code:>9}  {word}", flush=True)


if __name__ == "__main__":
    main()
