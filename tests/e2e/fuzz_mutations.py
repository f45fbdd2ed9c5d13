"""Hypothesis strategies that turn real manifests into hostile ones, for tests/e2e/test_fuzz.py.

Seeds are the project's fixtures and, when present, the shared corpus (tests/conftest.py finds
it). A mutated input is a seed changed in structure (a key deleted, duplicated or retyped, a
scalar swapped for a list or a map, a huge integer, deep nesting, anchors and aliases) and then,
maybe, in bytes (a flipped byte, control characters, a truncation, text that is not UTF-8).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from conftest import CORPUS, FIXTURES
from hypothesis import strategies as st

SEED_LIMIT = 64 * 1024  # bytes: larger files make each run slow and find nothing more
HOSTILE_TEXT = [
    "\n::error file=x::pwned",
    "\x1b[2J",
    "\u202e",
    "\x00",
    "\r",
    "\x85",
    "\ud800",
    "%0A::warning::x",
    "{{ .Values.x }}",
    "*alias",
    "!!python/object:os.system",
]
HUGE = [10**400, -(2**63) - 1, 2**64, 1e308 * 10, float("nan"), -0.0, 0]


@cache
def seeds() -> tuple[tuple[str, bytes], ...]:
    """(name, bytes) of every fixture and corpus manifest under SEED_LIMIT."""
    roots = [FIXTURES] + ([CORPUS] if CORPUS.is_dir() else [])
    found = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix not in (".yaml", ".yml", ".json") or not path.is_file():
                continue
            data = path.read_bytes()
            if 0 < len(data) <= SEED_LIMIT:
                found.append((str(path.relative_to(root.parent)), data))
    return tuple(found)


def _documents(data: bytes) -> list[Any] | None:
    try:
        return [d for d in yaml.safe_load_all(data.decode("utf-8")) if d is not None]
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError):
        return None


def _paths(value: Any, limit: int = 40) -> list[tuple[Any, ...]]:
    """Every path to a value inside the documents (keys and list indexes), at most `limit`
    levels deep (deep nesting is made on purpose, and is not walked again)."""
    out: list[tuple[Any, ...]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), value)]
    while stack:
        prefix, item = stack.pop()
        out.append(prefix)
        if len(prefix) >= limit:
            continue
        if isinstance(item, dict):
            stack.extend(((*prefix, key), child) for key, child in item.items())
        elif isinstance(item, list):
            stack.extend(((*prefix, index), child) for index, child in enumerate(item))
    return out


def _get(root: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        root = root[step]
    return root


def _set(root: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    _get(root, path[:-1])[path[-1]] = value
    return root


def _nest(value: Any, depth: int, as_list: bool) -> Any:
    for _ in range(depth):
        value = [value] if as_list else {"k": value}
    return value


def _replacement(draw: Callable[..., Any], old: Any) -> Any:
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return [old]
    if choice == 1:
        return {"x": old}
    if choice == 2:
        return draw(st.sampled_from(HUGE))
    if choice == 3:
        return None
    if choice == 4:
        return draw(st.sampled_from([True, "", "true", "1e3", "0x10", "-", "null", [], {}]))
    if choice == 5:
        return _nest(old, draw(st.sampled_from([30, 120])), draw(st.booleans()))
    if choice == 6:
        text = old if isinstance(old, str) else str(old)
        return text + draw(st.sampled_from(HOSTILE_TEXT))
    if choice == 7:
        return draw(st.text(max_size=20))
    if choice == 8 and isinstance(old, dict) and old:
        return list(old.values())
    return draw(st.sampled_from(HOSTILE_TEXT))


@st.composite
def structure_mutation(draw: Callable[..., Any], documents: list[Any]) -> list[Any]:
    """The documents with 1 to 4 values deleted, retyped or replaced."""
    documents = copy.deepcopy(documents)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(documents)[1:]  # not the list of documents itself
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _get(documents, path[:-1])
        if draw(st.booleans()) and isinstance(parent, dict | list) and len(path) > 1:
            del parent[path[-1]]
        else:
            documents = _set(documents, path, _replacement(draw, _get(documents, path)))
    return documents


def _dump(documents: list[Any]) -> str:
    try:
        return yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True)
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError):
        return ""


TEXT_EDITS = ("duplicate-line", "alias-bomb", "anchor-alias", "tab-indent", "deep-flow", "none")


def _text_edit(draw: Callable[..., Any], text: str) -> str:
    edit = draw(st.sampled_from(TEXT_EDITS))
    lines = text.split("\n")
    if edit == "duplicate-line" and lines:  # a key twice in one mapping
        index = draw(st.integers(0, len(lines) - 1))
        lines.insert(index, lines[index])
    elif edit == "alias-bomb":
        width = draw(st.sampled_from([2, 9]))
        bomb = ["bomb:", "  a: &a [x, x]"]
        names = "abcdefghij"
        for prev, name in itertools.pairwise(names[:width]):
            bomb.append(f"  {name}: &{name} [" + ", ".join([f"*{prev}"] * width) + "]")
        lines = [*bomb, *lines] if not text.lstrip().startswith(("{", "[")) else lines
    elif edit == "anchor-alias" and len(lines) > 2:
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        if ": " in line:
            key, _, value = line.partition(": ")
            lines[index] = f"{key}: &anchor {value}"
            lines.insert(min(index + 1, len(lines)), f"{key}: *anchor")
    elif edit == "deep-flow":  # nesting far past any parser's or kubeplan's bound
        depth = draw(st.sampled_from([200, 5000, 100_000]))
        brackets = draw(st.sampled_from(["[]", "{}"]))
        inner = "[" * depth + "]" * depth if brackets == "[]" else "{a: " * depth + "}" * depth
        lines.append(f"deep: {inner}")
    elif edit == "tab-indent" and lines:
        index = draw(st.integers(0, len(lines) - 1))
        lines[index] = lines[index].replace("  ", "\t", 1)
    return "\n".join(lines)


BYTE_EDITS = ("none", "flip", "insert", "truncate", "latin-1", "utf-16", "bom", "nul")
CONTROL_BYTES = [
    b"\x00",
    b"\x1b[2J",
    b"\r",
    b"\x7f",
    b"\xc2\x85",
    b"\xe2\x80\xae",
    b"\n::error file=x::pwned\n",
    b"\xff\xfe",
    b"\xed\xa0\x80",
]


def _byte_edit(draw: Callable[..., Any], data: bytes) -> bytes:
    edit = draw(st.sampled_from(BYTE_EDITS))
    if not data or edit == "none":
        return data
    at = draw(st.integers(0, len(data) - 1))
    if edit == "flip":
        return data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1 :]
    if edit == "insert":
        return data[:at] + draw(st.sampled_from(CONTROL_BYTES)) + data[at:]
    if edit == "truncate":
        return data[:at]
    if edit == "latin-1":
        return data.decode("utf-8", "replace").encode("latin-1", "replace") + b"\xe9\xff"
    if edit == "utf-16":
        return data.decode("utf-8", "replace").encode("utf-16")
    if edit == "bom":
        return b"\xef\xbb\xbf" + data
    return data[:at] + b"\x00" * 64 + data[at:]


@st.composite
def hostile_manifest(draw: Callable[..., Any]) -> tuple[str, bytes, bytes]:
    """(seed name, seed bytes, mutated bytes)."""
    name, data = draw(st.sampled_from(seeds()))
    documents = _documents(data)
    text = data.decode("utf-8", "replace")
    if documents and draw(st.integers(0, 3)):
        mutated_documents = draw(structure_mutation(documents))
        text = _dump(mutated_documents) or text
    text = _text_edit(draw, text)
    try:
        mutated = text.encode("utf-8", "surrogatepass")
    except UnicodeEncodeError:
        mutated = text.encode("utf-8", "replace")
    return name, data, _byte_edit(draw, mutated)


def suffix(name: str) -> str:
    return Path(name).suffix or ".yaml"
