"""Whether a Kustomize or Helm folder may be rendered, and what in a kustomization would make
kustomize reach the network.

kustomize fetches while it builds (kubernetes-sigs/kustomize api/internal/loader/fileloader.go):
`New(path)` clones a git repository when `git.NewRepoSpecFromURL` accepts the path (schemes
`https://`, `http://`, `ssh://`, `file://`, scp-style `user@host:`, `github.com/...`, with a
`git::` prefix stripped; api/internal/git/repospec.go) or pulls an OCI artifact (`oci://`), and
`Load(path)` GETs any `http(s)://` file. Kustomization fields that go through `New`: resources,
bases, components (and generators, transformers, validators, which accept kustomizations);
through `Load`: crds, configurations, patchesStrategicMerge, patches[].path,
patchesJson6902[].path, replacements[].path, openapi.path, the files/envs/env of
configMapGenerator and secretGenerator, and the same keys of builtin plugin configs listed under
generators/transformers. `helmCharts[].repo` names a chart repository (fetched only with
`--enable-helm`, which kubeplan never passes; refused all the same).

Before rendering, the kustomization and every local kustomization it reaches are read (at most
MAX_KUSTOMIZATIONS) and every entry that would reach the network is reported; the folder is then
not rendered unless remote access is allowed (`--allow-remote`, config `allow-remote: true`).
Rendering as a whole can be switched off (`--no-render`, config `render: false`).

The settings are process-wide: the command line sets them once per command (`configure`), the
config fills in what the command line left open (`configure_from_config`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kubeplan.position import locate
from kubeplan.schemas import yamlnodes

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
MAX_KUSTOMIZATIONS = 100
MAX_FILE_BYTES = 1024 * 1024

_RESOURCE_FIELDS = ("resources", "bases", "components", "generators", "transformers", "validators")
_PLUGIN_FIELDS = ("generators", "transformers", "validators")
_FILE_FIELDS = ("crds", "configurations", "patchesStrategicMerge")
_ENTRY_FIELDS = {
    "patches": ("path",),
    "patchesJson6902": ("path",),
    "replacements": ("path",),
    "configMapGenerator": ("files", "envs", "env"),
    "secretGenerator": ("files", "envs", "env"),
    "helmCharts": ("repo",),
    "helmChartInflationGenerator": ("chartRepoUrl",),
}
# Keys of builtin plugin configs that kustomize loads (PatchTransformer, ConfigMapGenerator, ...).
_PLUGIN_KEYS = ("path", "paths", "files", "envs", "env", "repo", "chartRepoUrl")

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_SCP_USER = re.compile(r"^[A-Za-z][A-Za-z0-9-]*@")


@dataclass
class _Settings:
    allow_remote: bool | None = None  # None: not said on the command line
    render: bool | None = None


_CLI = _Settings()
_CONFIG = _Settings()


def configure(allow_remote: bool = False, no_render: bool = False) -> None:
    """The command line's say, for one command: a flag not given leaves it to the config."""
    global _CLI, _CONFIG
    _CLI = _Settings(True if allow_remote else None, False if no_render else None)
    _CONFIG = _Settings()


def configure_from_config(allow_remote: bool | None, render: bool | None) -> None:
    _CONFIG.allow_remote, _CONFIG.render = allow_remote, render


def remote_allowed() -> bool:
    return bool(_first(_CLI.allow_remote, _CONFIG.allow_remote, False))


def render_enabled() -> bool:
    return bool(_first(_CLI.render, _CONFIG.render, True))


def _first(*values: bool | None) -> bool | None:
    return next((v for v in values if v is not None), None)


@dataclass
class RemoteRef:
    file: str
    line: int
    field: str  # `resources[2]`
    value: str  # what kustomize would fetch, or "" when the file could not be checked
    reason: str = ""
    column: int = 1


def is_remote(entry: str) -> bool:
    """Would kustomize fetch `entry` (clone, pull or GET) rather than read a local path?"""
    text = entry.strip()
    lowered = text.lower()
    if lowered.startswith(("git::", "gh:", "github.com/", "github.com:")):
        return True
    if _SCHEME.match(text) or _SCP_USER.match(text):
        return True
    return "?ref=" in lowered or "?version=" in lowered or "_git/" in lowered


def remote_references(kustomization: str) -> list[RemoteRef]:
    """Every entry of `kustomization` and the local kustomizations it reaches that would make
    kustomize reach the network, in file and line order."""
    found: list[RemoteRef] = []
    seen: set[str] = set()
    queue = [kustomization]
    while queue:
        path = queue.pop(0)
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        if len(seen) > MAX_KUSTOMIZATIONS:
            found.append(
                RemoteRef(
                    os.path.normpath(path),
                    1,
                    "",
                    "",
                    f"more than {MAX_KUSTOMIZATIONS} kustomizations are reached; kubeplan does"
                    " not check further that the build stays offline",
                )
            )
            break
        found.extend(_check_file(path, queue))
    return found


def _check_file(path: str, queue: list[str]) -> Iterator[RemoteRef]:
    name = os.path.normpath(path)
    doc = _read_mapping(path)
    if doc is None:
        yield RemoteRef(
            name, 1, "", "", "cannot be read as a mapping to check it for remote references"
        )
        return
    folder = os.path.dirname(path)
    for field_path, value in _entries(doc.data):
        line, column = locate(doc.node, field_path, doc.offset)
        label = _label(field_path)
        if is_remote(value):
            yield RemoteRef(name, line, label, value, column=column)
            continue
        if field_path[0] not in _RESOURCE_FIELDS:
            continue
        local = os.path.join(folder, value)
        nested = _kustomization_in(local)
        if nested:
            queue.append(nested)
        elif field_path[0] in _PLUGIN_FIELDS and os.path.isfile(local):
            yield from _check_plugin_file(local)


def _check_plugin_file(path: str) -> Iterator[RemoteRef]:
    """A generator/transformer config file: its builtin plugin may load files too."""
    name = os.path.normpath(path)
    for doc in _read_documents(path):
        if not isinstance(doc.data, dict):
            continue
        for field_path, value in _plugin_entries(doc.data):
            if is_remote(value):
                line, column = locate(doc.node, field_path, doc.offset)
                yield RemoteRef(name, line, _label(field_path), value, column=column)


Path = tuple[str | int, ...]


def _entries(data: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    for key in (*_RESOURCE_FIELDS, *_FILE_FIELDS):
        yield from _strings(data.get(key), (key,), single_line=True)
    for key, subkeys in _ENTRY_FIELDS.items():
        rows = data.get(key)
        for index, row in enumerate(rows if isinstance(rows, list) else []):
            if isinstance(row, dict):
                for sub in subkeys:
                    yield from _strings(row.get(sub), (key, index, sub))
    openapi = data.get("openapi")
    if isinstance(openapi, dict):
        yield from _strings(openapi.get("path"), ("openapi", "path"))


def _plugin_entries(data: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    for key in _PLUGIN_KEYS:
        yield from _strings(data.get(key), (key,))
    rows = data.get("replacements")
    for index, row in enumerate(rows if isinstance(rows, list) else []):
        if isinstance(row, dict):
            yield from _strings(row.get("path"), ("replacements", index, "path"))


def _strings(value: Any, at: Path, single_line: bool = False) -> Iterator[tuple[Path, str]]:
    """The file or URL strings of one field: a string or a list of them. A `files` entry may
    be `key=path`; an inline patch (several lines) is no reference."""
    items = [(at, value)] if isinstance(value, str) else []
    if isinstance(value, list):
        items = [((*at, i), v) for i, v in enumerate(value) if isinstance(v, str)]
    for path, text in items:
        if "\n" in text.strip():
            continue
        if path[0] in ("configMapGenerator", "secretGenerator", "files") and "=" in text:
            text = text.split("=", 1)[1]
        yield path, text


def _label(path: Path) -> str:
    return "".join(
        f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(path)
    )


def _kustomization_in(folder: str) -> str | None:
    if not os.path.isdir(folder):
        return None
    return next(
        (
            os.path.join(folder, n)
            for n in KUSTOMIZATION_FILES
            if os.path.isfile(os.path.join(folder, n))
        ),
        None,
    )


def _read_mapping(path: str) -> yamlnodes.Document | None:
    documents = [d for d in _read_documents(path) if d.node is not None]
    if not documents or documents[0].problems or not isinstance(documents[0].data, dict):
        return None
    return documents[0]


def _read_documents(path: str) -> list[yamlnodes.Document]:
    """The documents of a regular file of at most MAX_FILE_BYTES; none otherwise."""
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > MAX_FILE_BYTES:
            return []
        with open(path, "rb") as handle:
            text = handle.read(MAX_FILE_BYTES + 1).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    return yamlnodes.parse_stream(text)
