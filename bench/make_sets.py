"""Build the benchmark scale sets of real Kubernetes manifests.

What it makes
    Reads the read-only manifest corpus (default ``<repo>/../shared/corpus``, i.e.
    ``/work/shared/corpus``; override with ``--corpus``) and writes, under the output folder
    (default ``bench/.sets/``, git-ignored):

    * ``r1000/``  -- 1,000 resources in 100 multi-document YAML files of 10 resources each;
    * ``r10000/`` -- 10,000 resources in 1,000 files of 10 resources each;
    * ``single/deployment.yaml`` -- one small valid Deployment (the smallest in the pool);
    * ``manifest.json`` -- per set: resource count, file count, file list; plus the pool size.

How resources are picked
    Every ``*.yaml``/``*.yml``/``*.json`` file of the corpus outside ``revisions/`` folders is
    parsed with PyYAML's ``yaml.CSafeLoader``; a file that does not parse is skipped whole.
    From the files that parse, every document (and every item of a ``*List`` document) whose
    ``apiVersion``/``kind`` is one of the core kinds served by Kubernetes 1.33 (``CORE_KINDS``)
    joins the pool.  When the ``kubernetes_validate`` package is importable (it is a kubeplan
    dependency) resources that fail its strict 1.33 schema check are dropped too, so the sets
    measure the common "all valid" path; ``--no-schema-filter`` turns that off.

    A set smaller than the pool takes an evenly spread sample of it; a larger set cycles
    through the pool, renaming each further copy's ``metadata.name`` with a ``-r<N>`` suffix
    (``web`` -> ``web-r17``).  Inputs are sorted and nothing is random: the same corpus gives
    byte-identical sets.

Run
    python bench/make_sets.py                     # all sets into bench/.sets/
    python bench/make_sets.py --corpus DIR --out DIR --per-file 10
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
DEFAULT_OUT = REPO_ROOT / "bench" / ".sets"
KUBERNETES_VERSION = "1.33.0"

# (apiVersion, kind) pairs of the core kinds that Kubernetes 1.33 serves.
CORE_KINDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("apps/v1", "Deployment"),
        ("v1", "Service"),
        ("v1", "ServiceAccount"),
        ("v1", "ConfigMap"),
        ("v1", "Secret"),
        ("rbac.authorization.k8s.io/v1", "Role"),
        ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        ("rbac.authorization.k8s.io/v1", "ClusterRole"),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
        ("apps/v1", "DaemonSet"),
        ("apps/v1", "StatefulSet"),
        ("batch/v1", "Job"),
        ("policy/v1", "PodDisruptionBudget"),
        ("v1", "Namespace"),
        ("v1", "Pod"),
        ("v1", "PersistentVolumeClaim"),
    }
)
SUFFIXES = (".yaml", ".yml", ".json")
# Set name -> number of resources.
SCALE_SETS: dict[str, int] = {"r1000": 1_000, "r10000": 10_000}


@dataclass
class Pool:
    """Resources picked from the corpus, in deterministic order, with what was skipped."""

    resources: list[dict[str, Any]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    files_seen: int = 0
    files_unparsable: list[str] = field(default_factory=list)
    files_used: int = 0
    other_kinds: int = 0
    schema_rejected: int = 0
    schema_filter: str = "off"


def corpus_files(corpus: Path) -> list[Path]:
    """Manifest-like files of the corpus, sorted, outside any ``revisions/`` folder."""
    files = [
        path
        for path in corpus.rglob("*")
        if path.is_file()
        and path.suffix.lower() in SUFFIXES
        and "revisions" not in path.relative_to(corpus).parts
    ]
    return sorted(files, key=lambda p: p.relative_to(corpus).as_posix())


def objects_of(doc: Any) -> list[dict[str, Any]]:
    """The objects a document holds: itself, or the items of a ``*List`` document."""
    if not isinstance(doc, dict):
        return []
    kind = doc.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(doc.get("items"), list):
        return [item for item in doc["items"] if isinstance(item, dict)]
    return [doc]


def is_core_object(obj: dict[str, Any]) -> bool:
    """True for an object of one of ``CORE_KINDS`` that has a ``metadata`` mapping."""
    key = (obj.get("apiVersion"), obj.get("kind"))
    return key in CORE_KINDS and isinstance(obj.get("metadata"), dict)


def schema_checker(enabled: bool) -> tuple[Any, str]:
    """A ``check(obj) -> bool`` for strict 1.33 validity, or ``None``, and a description."""
    if not enabled:
        return None, "off (--no-schema-filter)"
    try:
        import kubernetes_validate  # optional: a kubeplan dependency
    except ImportError:
        return None, "off (kubernetes_validate not importable: kind/apiVersion filter only)"

    def check(obj: dict[str, Any]) -> bool:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except Exception:  # ValidationError, SchemaNotFoundError, odd values
            return False
        return True

    return check, f"on (kubernetes_validate strict {KUBERNETES_VERSION})"


def build_pool(corpus: Path, schema_filter: bool) -> Pool:
    """Parse the corpus and keep the core-kind objects (optionally only the valid ones)."""
    pool = Pool()
    check, pool.schema_filter = schema_checker(schema_filter)
    for path in corpus_files(corpus):
        pool.files_seen += 1
        rel = path.relative_to(corpus).as_posix()
        try:
            with path.open(encoding="utf-8") as handle:
                docs = list(yaml.load_all(handle, Loader=yaml.CSafeLoader))
        except (yaml.YAMLError, UnicodeDecodeError, ValueError):
            pool.files_unparsable.append(rel)
            continue
        used = False
        for doc in docs:
            for obj in objects_of(doc):
                if not is_core_object(obj):
                    pool.other_kinds += 1
                    continue
                if check is not None and not check(obj):
                    pool.schema_rejected += 1
                    continue
                pool.resources.append(obj)
                pool.sources.append(rel)
                used = True
        pool.files_used += used
    return pool


def renamed(obj: dict[str, Any], copy_index: int) -> dict[str, Any]:
    """``obj`` itself for copy 0, else a copy whose ``metadata.name`` ends in ``-r<N>``."""
    if copy_index == 0:
        return obj
    metadata = dict(obj["metadata"])
    name = metadata.get("name")
    if isinstance(name, str):
        metadata["name"] = f"{name}-r{copy_index}"
    clone = dict(obj)
    clone["metadata"] = metadata
    return clone


def pick(pool: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """``count`` resources: an even sample of ``pool`` if smaller, else renamed cycles of it."""
    size = len(pool)
    if count <= size:
        return [pool[i * size // count] for i in range(count)]
    return [renamed(pool[i % size], i // size) for i in range(count)]


class _Dumper(yaml.CSafeDumper):
    """Safe dumper that never writes anchors/aliases (each document stands alone)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(docs: list[dict[str, Any]]) -> str:
    """Multi-document YAML text for ``docs``, keys in their original order."""
    return yaml.dump_all(
        docs,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        explicit_start=True,
        width=4096,
    )


def fresh_dir(path: Path) -> None:
    """Empty ``path`` (a set folder under the output folder) and create it."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)


def write_set(out: Path, name: str, docs: list[dict[str, Any]], per_file: int) -> dict[str, Any]:
    """Write ``docs`` as ``out/name/part-NNNNN.yaml`` files of ``per_file`` documents."""
    folder = out / name
    fresh_dir(folder)
    files: list[str] = []
    width = max(5, len(str(len(docs) // per_file + 1)))
    for start in range(0, len(docs), per_file):
        file_name = f"part-{start // per_file + 1:0{width}d}.yaml"
        (folder / file_name).write_text(dump(docs[start : start + per_file]), encoding="utf-8")
        files.append(f"{name}/{file_name}")
    return {"resources": len(docs), "files": len(files), "paths": files}


def smallest_deployment(pool: Pool) -> tuple[dict[str, Any], str]:
    """The Deployment of the pool with the shortest YAML text (first one on a tie)."""
    best: tuple[int, int] | None = None
    for index, obj in enumerate(pool.resources):
        if obj.get("kind") != "Deployment":
            continue
        size = len(dump([obj]))
        if best is None or size < best[0]:
            best = (size, index)
    if best is None:
        raise SystemExit("make_sets: no Deployment in the pool, cannot build the 'single' set")
    return pool.resources[best[1]], pool.sources[best[1]]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help=f"default {DEFAULT_CORPUS}"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default {DEFAULT_OUT}")
    parser.add_argument("--per-file", type=int, default=10, help="resources per file (10)")
    parser.add_argument(
        "--no-schema-filter",
        action="store_true",
        help="keep core-kind resources even if kubernetes_validate rejects them",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    corpus: Path = args.corpus.resolve()
    out: Path = args.out.resolve()
    if not corpus.is_dir():
        print(f"make_sets: corpus folder not found: {corpus}", file=sys.stderr)
        return 2
    if args.per_file < 1:
        print("make_sets: --per-file must be at least 1", file=sys.stderr)
        return 2

    pool = build_pool(corpus, schema_filter=not args.no_schema_filter)
    if not pool.resources:
        print(f"make_sets: no usable resources in {corpus}", file=sys.stderr)
        return 1
    print(f"corpus       {corpus}")
    print(
        f"files        {pool.files_seen} read, {len(pool.files_unparsable)} do not parse, "
        f"{pool.files_used} used"
    )
    print(f"schema check {pool.schema_filter}")
    print(
        f"pool         {len(pool.resources)} resources "
        f"({pool.other_kinds} of other kinds skipped, {pool.schema_rejected} rejected by schema)"
    )

    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "corpus": str(corpus),
        "kubernetes_version": KUBERNETES_VERSION,
        "schema_filter": pool.schema_filter,
        "pool_resources": len(pool.resources),
        "per_file": args.per_file,
        "sets": {},
    }
    for name, count in SCALE_SETS.items():
        info = write_set(out, name, pick(pool.resources, count), args.per_file)
        manifest["sets"][name] = info
        print(f"set {name:<8} {info['resources']:>6} resources in {info['files']:>5} files")

    deployment, source = smallest_deployment(pool)
    fresh_dir(out / "single")
    (out / "single" / "deployment.yaml").write_text(dump([deployment]), encoding="utf-8")
    manifest["sets"]["single"] = {
        "resources": 1,
        "files": 1,
        "paths": ["single/deployment.yaml"],
        "source": source,
    }
    print(f"set single   {1:>6} resources in {1:>5} files (Deployment from {source})")

    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote        {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
