"""`kubeplan check --hook`: which of the files a commit touches are manifests to check.

pre-commit passes every staged `.yaml`, `.yml` and `.json` file. In an ordinary repository many
of them are not Kubernetes objects, and a hook that refuses them is switched off. With `--hook`
a file named on the command line is left out, with a note shown under `--verbose`, when it is:

- part of a Helm chart (a folder above it holds `Chart.yaml`): `Chart.yaml`, `values.yaml` and
  the templates are Go templates and chart metadata until `helm template` renders them;
- a file a kustomization refers to that is not an object: its patches, replacement sources,
  generator inputs, transformer and generator configs (kustomize api/types/kustomization.go:
  `patches[].path`, `patchesStrategicMerge[]`, `patchesJson6902[].path`, `replacements[].path`,
  `configMapGenerator[]`/`secretGenerator[]` `files`/`envs`/`env`, `configurations`,
  `generators`, `transformers`, `validators`, `openapi.path`, `helmCharts[].valuesFile`), or the
  kustomization itself;
- no Kubernetes manifest at all: no document is a mapping with `apiVersion` or `kind`
  (`package.json`, `docker-compose.yml`, a CI workflow, `mkdocs.yml`); a file that does not
  parse counts as a manifest when a line of it starts with `apiVersion:` or `kind:`, so a
  broken manifest is still reported.

Everything else is checked fully, as without `--hook`. The files left out are also kept out of
the `--context` objects (a patch is a partial object, not one the cluster will hold).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import yaml

from kubeplan.schemas import inputfs
from kubeplan.schemas.kustomizeinputs import (
    KUSTOMIZATION_FILES,
    SafeAnyTagLoader,
    kustomize_inputs,
)

_OBJECT_LINE = re.compile(r"""^\s*["']?(apiVersion|kind)["']?\s*:""", re.MULTILINE)
_SKIPPED_FOLDERS = frozenset({"node_modules", "venv", "__pycache__"})


@dataclass
class HookScope:
    check: list[str] = field(default_factory=list)  # the PATHs to check
    notes: list[str] = field(default_factory=list)  # one per file left out, and why
    left_out: frozenset[str] = frozenset()  # real paths of every non-object file found


def hook_scope(paths: list[str], context: list[str]) -> HookScope:
    """Split PATHs into what the hook checks and what it leaves out (with the reason)."""
    files = [p for p in paths if os.path.isfile(p)]
    kustomized = kustomize_inputs(_kustomizations(files, context))
    scope = HookScope()
    for path in paths:
        reason = _reason(path, kustomized) if path in files else None
        if reason is None:
            scope.check.append(path)
        else:
            scope.notes.append(f"{os.path.normpath(path)}: {reason}; not checked (--hook)")
    scope.left_out = frozenset(kustomized)
    return scope


def _reason(path: str, kustomized: dict[str, str]) -> str | None:
    real = os.path.realpath(path)
    if os.path.basename(path) in KUSTOMIZATION_FILES:
        return "a Kustomize file, not a manifest"
    if real in kustomized:
        return kustomized[real]
    chart = _chart_of(real)
    if chart is not None:
        return (
            f"part of the Helm chart {os.path.relpath(chart)} (check it rendered:"
            f" helm template {os.path.relpath(chart)} | kubeplan check -)"
        )
    if not _is_manifest(path):
        return "not a Kubernetes manifest (no document has apiVersion or kind)"
    return None


def _chart_of(real: str) -> str | None:
    """The folder of the Helm chart a file belongs to (Chart.yaml in it or above it)."""
    folder = os.path.dirname(real)
    while True:
        if os.path.isfile(os.path.join(folder, "Chart.yaml")):
            return folder
        if os.path.isdir(os.path.join(folder, ".git")):
            return None  # the top of the repository
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _is_manifest(path: str) -> bool:
    try:  # bounded and regular files only, as the loader reads (inputfs.py)
        text = inputfs.read_regular(path)[0].decode("utf-8-sig")
    except (inputfs.Refused, UnicodeDecodeError):
        return True  # the loader reports what it cannot read
    try:
        documents = list(yaml.load_all(text, Loader=SafeAnyTagLoader))
    except yaml.YAMLError:
        return bool(_OBJECT_LINE.search(text))
    return any(isinstance(d, dict) and ({"apiVersion", "kind"} & set(d)) for d in documents)


def _kustomizations(files: Iterable[str], context: Iterable[str]) -> Iterator[str]:
    """Kustomization files in the --context folders and in the folders of the files given."""
    seen: set[str] = set()
    folders = [c for c in context if os.path.isdir(c)]
    for root in folders:
        for folder, subfolders, names in os.walk(root):
            # as the loader walks a folder (sources.py): hidden folders are not read
            subfolders[:] = [
                s for s in subfolders if s not in _SKIPPED_FOLDERS and not s.startswith(".")
            ]
            for name in names:
                if name in KUSTOMIZATION_FILES:
                    seen.add(os.path.realpath(os.path.join(folder, name)))
    for path in files:
        folder = os.path.dirname(os.path.abspath(path))
        for _ in range(3):  # a patch sits beside its kustomization or a folder or two below
            for name in KUSTOMIZATION_FILES:
                candidate = os.path.join(folder, name)
                if os.path.isfile(candidate):
                    seen.add(os.path.realpath(candidate))
            folder = os.path.dirname(folder)
    yield from sorted(seen)
