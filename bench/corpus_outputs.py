"""Record kubeplan's output on every corpus set, and compare two records byte for byte.

A refactor must not change what users see. This runs every command in every format
on the real manifest sets of ``../shared/corpus`` (and the revision pairs for
``diff`` and ``plan``) and writes each run's stdout, stderr and exit code to a folder:

    python bench/corpus_outputs.py record /tmp/before
    ... change the code ...
    python bench/corpus_outputs.py record /tmp/after
    python bench/corpus_outputs.py compare /tmp/before /tmp/after

``compare`` prints every run whose bytes differ and exits 1 if any does.
Runs go through the installed ``kubeplan`` in subprocesses, two at a time.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT.parent / "shared" / "corpus"
FORMATS = ("text", "json", "sarif", "junit", "markdown", "github")

SETS = {
    "microservices-demo": "microservices-demo/release",
    "microservices-demo-kustomize": "microservices-demo/kubernetes-manifests",
    "bookinfo": "bookinfo/samples",
    "kube-prometheus": "kube-prometheus/manifests",
    "kubernetes-examples": "kubernetes-examples",
    "sock-shop": "sock-shop",
    "sock-shop-upstream": "sock-shop-upstream/deploy",
    "ingress-nginx": "ingress-nginx/deploy",
    "kueue-rbac": "kueue-rbac/config",
    "netpol-recipes": "netpol-recipes/extracted",
    "netpol-analyzer": "netpol-analyzer/tests",
}

PAIRS = {
    "boutique-v0.8-v0.10": (
        "microservices-demo/revisions/v0.8.0",
        "microservices-demo/revisions/v0.10.0",
    ),
    "boutique-v0.10.5-top": ("microservices-demo/revisions/v0.10.5", "microservices-demo/release"),
    "prometheus-netpol-added": (
        "kube-prometheus/revisions/2022-04-04_a182d78",
        "kube-prometheus/revisions/2022-04-05_01004de",
    ),
    "prometheus-v0.17-v0.18": (
        "kube-prometheus/revisions/v0.17.0",
        "kube-prometheus/revisions/v0.18.0",
    ),
    "ingress-cloud-baremetal": (
        "ingress-nginx/deploy/static/provider/cloud/deploy.yaml",
        "ingress-nginx/deploy/static/provider/baremetal/deploy.yaml",
    ),
}


def runs() -> list[tuple[str, list[str]]]:
    """Every (name, argv) to record; paths are relative to the corpus folder."""
    out: list[tuple[str, list[str]]] = [("rules", ["rules"])]
    out += [(f"rules.{fmt}", ["rules", "--format", fmt]) for fmt in ("json", "markdown")]
    for name, path in SETS.items():
        for command in ("check", "validate", "lint", "plan", "reach"):
            for fmt in FORMATS:
                if command == "reach" and fmt not in ("text", "json"):
                    continue
                out.append((f"{name}.{command}.{fmt}", [command, path, "--format", fmt]))
        out.append((f"{name}.check.text.verbose", ["check", path, "-v", "--show-suppressed"]))
        out.append((f"{name}.who-can.secrets", ["who-can", "get", "secrets", path]))
        out.append(
            (
                f"{name}.can-i",
                ["can-i", "create", "deployments", "-n", "default", "--as", "jane", path],
            )
        )
    for name, (base, new) in PAIRS.items():
        for command in ("diff", "plan", "reach"):
            for fmt in FORMATS:
                if command == "reach" and fmt not in ("text", "json"):
                    continue
                argv = [command, new, "--base", base, "--format", fmt]
                out.append((f"pair.{name}.{command}.{fmt}", argv))
        out.append(
            (
                f"pair.{name}.plan.as",
                ["plan", new, "--base", base, "--as", "system:serviceaccount:ci:deployer", "-v"],
            )
        )
    return out


def run_one(argv: list[str]) -> bytes:
    env = dict(os.environ, NO_COLOR="1", COLUMNS="100")
    env.pop("KUBEPLAN_DEBUG", None)
    proc = subprocess.run(
        ["kubeplan", *argv], cwd=CORPUS, capture_output=True, env=env, timeout=600
    )
    return (
        b"$ kubeplan " + " ".join(argv).encode() + b"\n"
        b"exit "
        + str(proc.returncode).encode()
        + b"\n--- stdout\n"
        + proc.stdout
        + b"\n--- stderr\n"
        + proc.stderr
    )


def record(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    todo = runs()
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = pool.map(lambda item: (item[0], run_one(item[1])), todo)
        for name, data in results:
            (folder / f"{name}.out").write_bytes(data)
    print(f"recorded {len(todo)} runs in {folder}")
    return 0


def compare(before: Path, after: Path) -> int:
    names = sorted({p.name for p in before.glob("*.out")} | {p.name for p in after.glob("*.out")})
    differ = []
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists() or a.read_bytes() != b.read_bytes():
            differ.append(name)
    for name in differ:
        print(f"differs: {name}")
    print(f"{len(names) - len(differ)} of {len(names)} runs byte-identical")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("record").add_argument("folder", type=Path)
    cmp_parser = sub.add_parser("compare")
    cmp_parser.add_argument("before", type=Path)
    cmp_parser.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.action == "record":
        return record(args.folder)
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
