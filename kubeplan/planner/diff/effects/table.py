"""The effects tables: data, not code.

`kubeplan/planner/diff/data/effects/*.yaml`, one file per kind family, each listing the
`(group, kind)`s it covers and its `rows`. A row::

    - kinds: [Deployment]            # optional: a subset of the file's kinds
      path: spec.template.**         # or a list of patterns
      when: {new: {spec.paused: true}}
      effect: staged
      reason: "paused: nothing rolls until resumed"
      source: pkg/controller/deployment/sync.go (...)

Patterns are dotted segments matched against the whole `FieldChange.path`: a literal key,
`*` for exactly one key or list index, `**` for any number (zero included), so
`spec.template.**` also matches `spec.template` itself.

`when` holds conditions, all of which must hold:
  `old:` / `new:` / `either:` / `both:`  {dotted path: expected} on the normalised base /
      new body (`either`: on at least one side, `both`: on the two). `expected` is a value
      (compared strictly: `true` is not `1`), or `{gt: n}`, `{in: [..]}`, `{absent: true}`;
  `change:`   the change kind(s): changed, added, removed, reordered;
  `check:`    named predicate(s) in `checks.py` (`CHECKS`), for what a comparison cannot say
      (quantities, additions-only lists, consumers, the state of the base object);
  `version:`  a Kubernetes version bound such as `">=1.27"`.
A row may carry `default:` for the `same_as_default` check.

The reason is a `str.format` template over the facts in `facts.py` (`FACTS`: `{old}`, `{new}`,
`{label}`, `{kind}`, `{name}`, `{partition}`, `{consumers}`, ...); every placeholder, check
and effect is validated when the tables load.

The rows of a kind are its family's rows in file order, then the rows of `common.yaml`
(metadata and status); the first matching row wins. A field no row matches is `unknown`, and
a kind with no table (a custom resource) is `unknown` for every field, metadata included:
kubeplan does not know what its operator does with it.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from importlib import resources as importlib_resources
from typing import Any

import yaml

from kubeplan.datafiles import read_yaml
from kubeplan.planner.diff.effects.bodies import as_list, version_bound
from kubeplan.planner.diff.effects.checks import CHECKS
from kubeplan.planner.diff.effects.facts import FACTS
from kubeplan.planner.diff.pairing import pairing_group

EFFECTS = (
    "rollout",
    "scale",
    "immutable",
    "config-not-reloaded",
    "recreate",
    "staged",
    "no-pod-effect",
    "unknown",
)

DATA_DIR = ("data", "effects")


@dataclass(frozen=True)
class Row:
    family: str
    file: str
    index: int
    kinds: frozenset[str] | None  # None: every kind of the file
    patterns: tuple[tuple[str, ...], ...]
    when: dict[str, Any]
    checks: tuple[str, ...]
    effect: str
    reason: str
    source: str
    default: Any = None

    def matches(self, path: tuple[str | int, ...]) -> bool:
        return any(_match(pattern, path, 0, 0) for pattern in self.patterns)


@dataclass(frozen=True)
class Table:
    family: str
    file: str
    kinds: tuple[tuple[str, str], ...]  # (group, kind)
    rows: tuple[Row, ...]
    common: bool = False


_WHEN_KEYS = {"old", "new", "either", "both", "change", "check", "version"}
_CHANGE_KINDS = {"changed", "added", "removed", "reordered"}
_ROW_KEYS = {"kinds", "path", "when", "effect", "reason", "source", "default"}


def _match(pattern: tuple[str, ...], path: tuple[str | int, ...], i: int, j: int) -> bool:
    while i < len(pattern):
        segment = pattern[i]
        if segment == "**":
            if i == len(pattern) - 1:
                return True
            return any(_match(pattern, path, i + 1, k) for k in range(j, len(path) + 1))
        if j >= len(path):
            return False
        part = path[j]
        if segment != "*" and (not isinstance(part, str) or part != segment):
            return False
        i += 1
        j += 1
    return j == len(path)


def _parse_row(family: str, file: str, index: int, raw: Any, kinds: set[str]) -> Row:
    where = f"{file} row {index + 1}"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: not a mapping")
    unknown_keys = set(raw) - _ROW_KEYS
    if unknown_keys:
        raise ValueError(f"{where}: unknown keys {sorted(unknown_keys)}")
    for key in ("path", "effect", "reason", "source"):
        if not raw.get(key):
            raise ValueError(f"{where}: `{key}` is required")
    effect = raw["effect"]
    if effect not in EFFECTS:
        raise ValueError(f"{where}: effect {effect!r} is not one of {EFFECTS}")
    row_kinds = raw.get("kinds")
    if row_kinds is not None:
        row_kinds = frozenset(as_list(row_kinds))
        if kinds and not row_kinds <= kinds:
            raise ValueError(f"{where}: kinds {sorted(row_kinds - kinds)} are not in the file")
    when = raw.get("when") or {}
    if not isinstance(when, dict) or set(when) - _WHEN_KEYS:
        raise ValueError(f"{where}: `when` keys must be among {sorted(_WHEN_KEYS)}")
    for key in ("old", "new", "either", "both"):
        if key in when and not isinstance(when[key], dict):
            raise ValueError(f"{where}: `when.{key}` must map dotted paths to values")
    if not set(as_list(when.get("change"))) <= _CHANGE_KINDS:
        raise ValueError(f"{where}: `when.change` must be among {sorted(_CHANGE_KINDS)}")
    if "version" in when:
        version_bound(str(when["version"]))  # raises on a bad bound
    checks = tuple(as_list(when.get("check")))
    for check in checks:
        if check not in CHECKS:
            raise ValueError(f"{where}: unknown check {check!r}")
    reason = " ".join(str(raw["reason"]).split())
    for _, field_name, _, _ in string.Formatter().parse(reason):
        if field_name is not None and field_name not in FACTS:
            raise ValueError(f"{where}: unknown fact {{{field_name}}} in the reason")
    patterns = tuple(tuple(str(p).split(".")) for p in as_list(raw["path"]))
    return Row(
        family=family,
        file=file,
        index=index,
        kinds=row_kinds,
        patterns=patterns,
        when=when,
        checks=checks,
        effect=effect,
        reason=reason,
        source=" ".join(str(raw["source"]).split()),
        default=raw.get("default"),
    )


def _parse_table(file: str, raw: Any) -> Table:
    if not isinstance(raw, dict) or "rows" not in raw or "family" not in raw:
        raise ValueError(f"{file}: a table needs `family` and `rows`")
    kinds = tuple((str(k.get("group", "")), str(k["kind"])) for k in raw.get("kinds") or [])
    kind_names = {kind for _, kind in kinds}
    rows = tuple(
        _parse_row(raw["family"], file, index, row, kind_names)
        for index, row in enumerate(raw["rows"])
    )
    common = bool(raw.get("common"))
    if not common and not kinds:
        raise ValueError(f"{file}: a table needs `kinds` (or `common: true`)")
    return Table(raw["family"], file, kinds, rows, common)


@cache
def tables() -> tuple[Table, ...]:
    """Every effects table, validated, in file-name order."""
    folder = importlib_resources.files("kubeplan.planner.diff").joinpath(*DATA_DIR)
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            try:
                raw = read_yaml(entry)
            except yaml.YAMLError as error:
                raise ValueError(f"{entry.name}: {error}") from error
            out.append(_parse_table(entry.name, raw))
    return tuple(out)


@cache
def _rows_by_kind() -> dict[tuple[str, str], tuple[Row, ...]]:
    common = [row for table in tables() if table.common for row in table.rows]
    out: dict[tuple[str, str], tuple[Row, ...]] = {}
    for table in tables():
        for group, kind in table.kinds:
            if (group, kind) in out:
                raise ValueError(f"{table.file}: {kind} already has a table")
            rows = [r for r in table.rows if r.kinds is None or kind in r.kinds]
            out[(group, kind)] = (*rows, *common)
    return out


def rows_for(group: str, kind: str) -> tuple[Row, ...] | None:
    """The rows that classify a kind's fields, or None when kubeplan has no table for it."""
    return _rows_by_kind().get((pairing_group(group, kind), kind))


def row_count() -> int:
    return sum(len(table.rows) for table in tables())
