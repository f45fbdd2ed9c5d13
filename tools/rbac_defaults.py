#!/usr/bin/env python3
"""Regenerate kubeplan/planner/rbac/data/defaults.json: the default RBAC of each release.

Input: Kubernetes' golden files of the bootstrap policy
(plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/*.yaml), one copy per stored version
under tools/rbac_defaults/testdata/COMMIT/FILE, and tools/rbac_defaults/sources.yaml, which says
which version serves which release, how that was established, and the few limits taken from
other sources. Nothing is fetched: the copies were read with the search tools (see the head of
sources.yaml), and any copy of the real file (kind: List with items) works as input too.

Output: one table, a row per object and per run of releases over which it stays the same, each
row citing the file and commit it comes from. It is JSON, one object per line and one rule or
subject per line, because kubeplan reads it on every can-i, who-can and plan: json parses it in
a few milliseconds where YAML takes about a hundred.

    python tools/rbac_defaults.py            # write the table
    python tools/rbac_defaults.py --check    # exit 1 when the table is not what the inputs give
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent / "rbac_defaults"
OUT = ROOT / "kubeplan" / "planner" / "rbac" / "data" / "defaults.json"
FILES = (
    "cluster-roles.yaml",
    "cluster-role-bindings.yaml",
    "namespace-roles.yaml",
    "namespace-role-bindings.yaml",
    "controller-roles.yaml",
    "controller-role-bindings.yaml",
)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
RULE_KEYS = ("verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs")
SUBJECT_KEYS = ("kind", "name", "namespace")


def minor(version: str) -> tuple[int, int]:
    major, _, rest = version.partition(".")
    return int(major), int(rest)


def object_key(item: dict[str, Any]) -> str:
    """Kind/name, or Kind/namespace/name for a Role or RoleBinding."""
    meta = item.get("metadata") or {}
    namespace = meta.get("namespace")
    middle = f"{namespace}/" if namespace else ""
    return f"{item['kind']}/{middle}{meta['name']}"


def _rule(body: dict[str, Any]) -> dict[str, Any]:
    return {k: list(body[k]) for k in RULE_KEYS if body.get(k)}


def _matches(rule: dict[str, Any], pattern: dict[str, Any]) -> bool:
    return all(rule.get(k) == v for k, v in pattern.items())


@dataclass
class Manifest:
    releases: list[str]
    files: dict[str, list[dict[str, Any]]]
    overrides: list[dict[str, Any]]
    exclude: list[dict[str, Any]]
    repository: str
    path: str

    @classmethod
    def read(cls, path: Path) -> Manifest:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            [str(r) for r in data["releases"]],
            data["files"],
            data.get("overrides") or [],
            data.get("exclude") or [],
            data["repository"],
            data["path"],
        )

    def version_for(self, name: str, release: str) -> dict[str, Any]:
        """The stored version of `name` that serves `release` (since <= release < until)."""
        for version in self.files[name]:
            since, until = version.get("since"), version.get("until")
            if since and minor(release) < minor(str(since)):
                continue
            if until and minor(release) >= minor(str(until)):
                continue
            return version
        raise SystemExit(f"sources.yaml: no version of {name} serves {release}")

    def excluded(self, name: str, key: str) -> bool:
        return any(e["file"] == name and e["object"] == key for e in self.exclude)

    def object_live(self, name: str, key: str, release: str) -> bool:
        """False when an override without `rule` limits the object to other releases."""
        return not any(
            o["file"] == name
            and o["object"] == key
            and "rule" not in o
            and not _in_range(o, release)
            for o in self.overrides
        )

    def rule_range(self, name: str, key: str, rule: dict[str, Any]) -> dict[str, str]:
        for o in self.overrides:
            if (
                o["file"] == name
                and o["object"] == key
                and "rule" in o
                and _matches(rule, o["rule"])
            ):
                return {k: str(o[k]) for k in ("since", "until") if o.get(k)}
        return {}


def _in_range(row: dict[str, Any], release: str) -> bool:
    since, until = row.get("since"), row.get("until")
    if since and minor(release) < minor(str(since)):
        return False
    return not (until and minor(release) >= minor(str(until)))


def read_items(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise SystemExit(f"{path}: missing; fetch it as the head of sources.yaml says")
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise SystemExit(f"{path}: not a List with items")
    return data["items"]


def content(manifest: Manifest, name: str, item: dict[str, Any]) -> dict[str, Any]:
    """The part of an object kubeplan reads, with the release limits of its rules."""
    key = object_key(item)
    meta = item.get("metadata") or {}
    out: dict[str, Any] = {"kind": item["kind"], "name": meta["name"]}
    if meta.get("namespace"):
        out["namespace"] = meta["namespace"]
    if item["kind"] in ("ClusterRole", "Role"):
        if meta.get("labels"):
            out["labels"] = dict(sorted(meta["labels"].items()))
        if item.get("aggregationRule"):
            out["aggregationRule"] = item["aggregationRule"]
        rules = []
        for body in item.get("rules") or []:
            rule = _rule(body)
            rules.append({**rule, **manifest.rule_range(name, key, rule)})
        out["rules"] = rules
    else:
        ref = item["roleRef"]
        out["roleRef"] = {"kind": ref["kind"], "name": ref["name"]}
        out["subjects"] = [
            {k: s[k] for k in SUBJECT_KEYS if s.get(k)} for s in item.get("subjects") or []
        ]
    return out


@dataclass
class Row:
    body: dict[str, Any]
    releases: list[str] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=dict)  # file@commit -> releases


def _span(releases: list[str]) -> str:
    return releases[0] if len(releases) == 1 else f"{releases[0]}-{releases[-1]}"


def build(manifest: Manifest, testdata: Path) -> list[Row]:
    rows: list[Row] = []
    open_rows: dict[str, Row] = {}
    cache: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for release in manifest.releases:
        seen: set[str] = set()
        for name in FILES:
            version = manifest.version_for(name, release)
            commit = version["commit"]
            if (name, commit) not in cache:
                cache[(name, commit)] = read_items(testdata / commit / name)
            for item in cache[(name, commit)]:
                key = object_key(item)
                if manifest.excluded(name, key) or not manifest.object_live(name, key, release):
                    continue
                body = content(manifest, name, item)
                row = open_rows.get(key)
                if (
                    row is None
                    or row.body != body
                    or row.releases[-1] != _previous(manifest, release)
                ):
                    row = Row(body)
                    rows.append(row)
                    open_rows[key] = row
                row.releases.append(release)
                row.sources.setdefault(f"{name}@{commit}", []).append(release)
                seen.add(key)
        for key in list(open_rows):
            if key not in seen:
                del open_rows[key]
    return rows


def _previous(manifest: Manifest, release: str) -> str | None:
    index = manifest.releases.index(release)
    return manifest.releases[index - 1] if index else None


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _object_lines(entry: dict[str, Any]) -> str:
    """One object: its fields on one line, then each rule or subject on its own line."""
    listed = next((k for k in ("rules", "subjects") if k in entry), None)
    head = {k: v for k, v in entry.items() if k != listed}
    text = "  " + _line(head)[:-1]
    if listed is None:
        return text + "}"
    items = entry[listed]
    if not items:
        return text + f', "{listed}": []}}'
    body = ",\n".join("    " + _line(item) for item in items)
    return text + f', "{listed}": [\n{body}]}}'


ABOUT = [
    "GENERATED by tools/rbac_defaults.py from tools/rbac_defaults/sources.yaml and the copies",
    "under tools/rbac_defaults/testdata/: do not edit by hand.",
    "The default ClusterRoles, ClusterRoleBindings, Roles and RoleBindings an API server",
    "reconciles at start-up, from {repository} {path}/*.yaml.",
    "served_by says which stored version of each file serves each release; where the index",
    "holds no version of that release the nearest one serves it: sources.yaml says which, why,",
    "and what is known to differ. A row holds for since <= release < until (no until: to the",
    "newest release); a rule with its own since/until likewise. source names file@commit and",
    "the releases it gave the row.",
]


def render(manifest: Manifest, rows: list[Row]) -> str:
    last = manifest.releases[-1]
    objects = []
    for row in rows:
        entry: dict[str, Any] = {"kind": row.body["kind"], "name": row.body["name"]}
        if "namespace" in row.body:
            entry["namespace"] = row.body["namespace"]
        entry["since"] = row.releases[0]
        if row.releases[-1] != last:
            entry["until"] = _after(manifest, row.releases[-1])
        entry["source"] = [f"{src} ({_span(rels)})" for src, rels in row.sources.items()]
        entry.update({k: v for k, v in row.body.items() if k not in ("kind", "name", "namespace")})
        objects.append(entry)
    about = [line.format(repository=manifest.repository, path=manifest.path) for line in ABOUT]
    served = ",\n".join(
        f"  {_line(release)}: "
        + _line({name: manifest.version_for(name, release)["commit"][:12] for name in FILES})
        for release in manifest.releases
    )
    parts = [
        '{\n"about": [\n' + ",\n".join("  " + _line(line) for line in about) + "],\n",
        '"served_by": {\n' + served + "},\n",
        '"objects": [\n' + ",\n".join(_object_lines(o) for o in objects) + "]\n}\n",
    ]
    return "".join(parts)


def _after(manifest: Manifest, release: str) -> str:
    return manifest.releases[manifest.releases.index(release) + 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=HERE / "sources.yaml")
    parser.add_argument("--testdata", type=Path, default=HERE / "testdata")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    manifest = Manifest.read(args.sources)
    text = render(manifest, build(manifest, args.testdata))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"{args.out}: out of date; run tools/rbac_defaults.py", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
