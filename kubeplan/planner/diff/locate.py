"""Where a changed field sits: the file, line and column of one `ClassifiedChange`.

A change's path addresses an element of a keyed list by its index in the NEW list, or in the
OLD list for a removed element (fielddiff.py), so:
- a field that is added, changed or reordered is located in the new file;
- a removed field is located in the old file (the base: a prior copy, a dump, `git:REV:path`),
  where it still is.

`in_new_file` answers for findings, which must point into the files under review (a GitHub
annotation on a file the pull request does not touch is dropped): a removal points at the
mapping or list that lost the field. Only the last part of a removal's path is an old index;
the elements above it are named by their new indices, so in the old file they are matched by
their merge keys (`_in_old`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubeplan.model import Path, Resource
from kubeplan.planner.diff.effects.classify import ClassifiedChange
from kubeplan.planner.diff.fielddiff import KEY_DEFAULTS, MERGE_KEYS

# Every merge key of a keyed list, longest first (ports: containerPort + protocol).
_KEY_SETS = sorted(set(MERGE_KEYS.values()), key=len, reverse=True)

REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class FieldPosition:
    file: str
    line: int
    column: int


def field_position(
    old: Resource | None, new: Resource | None, change: ClassifiedChange
) -> FieldPosition | None:
    """The change's place: in the old file for a removal, in the new one otherwise."""
    if change.kind == REMOVED:
        if old is None:
            return None
        path = _in_old(old, new, change.path) if new is not None else change.path
        line, column = old.position(path)
        return FieldPosition(old.origin.file, line, column)
    if new is None:
        return None
    line, column = new.position(change.path)
    return FieldPosition(new.origin.file, line, column)


def _key_of(item: Any, keys: tuple[str, ...]) -> tuple[Any, ...] | None:
    if not isinstance(item, dict) or keys[0] not in item:
        return None
    return tuple(item.get(k, KEY_DEFAULTS.get(k)) for k in keys)


def _old_index(old_list: list[Any], new_item: Any) -> int | None:
    """The index in the old list of the element with the new element's merge key."""
    for keys in _KEY_SETS:
        key = _key_of(new_item, keys)
        if key is None:
            continue
        found = [i for i, item in enumerate(old_list) if _key_of(item, keys) == key]
        if len(found) == 1:
            return found[0]
    return None


def _in_old(old: Resource, new: Resource, path: Path) -> Path:
    """`path` with the indices of the elements both lists hold (new-list indices in a change's
    path) turned into old-list ones; the last part, the removed field, is the old one already.
    Stops at the first element it cannot match: the position is then its parent's."""
    out: list[str | int] = []
    old_node: Any = old.body
    new_node: Any = new.body
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        if isinstance(part, int) and not last:
            if not (isinstance(old_node, list) and isinstance(new_node, list)):
                break
            if part >= len(new_node):
                break
            index = _old_index(old_node, new_node[part])
            if index is None:
                break
            out.append(index)
            old_node, new_node = old_node[index], new_node[part]
            continue
        out.append(part)
        if last:
            break
        old_node = old_node.get(part) if isinstance(old_node, dict) else None
        new_node = new_node.get(part) if isinstance(new_node, dict) else None
    return tuple(out)


def in_new_file(change: ClassifiedChange) -> Path:
    """The path a finding about `change` is located at, in the new file."""
    if change.kind == REMOVED:
        return change.path[:-1]
    return change.path
