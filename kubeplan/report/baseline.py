"""Baselines: record today's findings so that a team adopting kubeplan fails only on new ones.

A finding is matched by its rule, the identity of its object (API group, kind, namespace, name)
and its field path; never by line or message, so an edit above it (or a reworded message) does
not bring it back. A finding about a file rather than an object (broken YAML) is matched by
rule and file. Keys are counted: a baseline that holds a key twice covers two findings.

`kubeplan baseline write PATH...` writes the file (default `.kubeplan/baseline.json`: a hidden
folder, so that walking the repository never reads it as a manifest; JSON, `"kind": "kubeplan-baseline"`,
sorted, one entry per finding with its message for people reading the diff); `--baseline FILE`
marks the findings it covers as suppressed by "baseline", so they no longer fail the run and
are listed with `--show-suppressed`.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from typing import Any

from kubeplan.errors import KubeplanError
from kubeplan.model import Finding
from kubeplan.report.document import display_path

BASELINE_KIND = "kubeplan-baseline"
BASELINE_VERSION = 1
SUPPRESSED_BY = "baseline"

Key = tuple[str, str, str, str, str, str]


class BaselineError(KubeplanError):
    pass


def key(finding: Finding) -> Key:
    resource = finding.resource
    if resource:
        group = (resource.get("apiVersion") or "").rpartition("/")[0]
        return (
            finding.rule,
            group,
            resource.get("kind") or "",
            resource.get("namespace") or "",
            resource.get("name") or "",
            finding.path,
        )
    return (finding.rule, "", "", "", display_path(finding.file), finding.path)


def _entry(finding: Finding) -> dict[str, Any]:
    rule, group, kind, namespace, name, path = key(finding)
    entry: dict[str, Any] = {"rule": rule}
    if finding.resource:
        entry["resource"] = {"group": group, "kind": kind, "namespace": namespace, "name": name}
    else:
        entry["file"] = name
    entry["path"] = path
    entry["message"] = finding.message
    return entry


def _entry_key(entry: dict[str, Any]) -> Key:
    resource = entry.get("resource")
    if isinstance(resource, dict):
        return (
            str(entry["rule"]),
            str(resource.get("group") or ""),
            str(resource.get("kind") or ""),
            str(resource.get("namespace") or ""),
            str(resource.get("name") or ""),
            str(entry.get("path") or ""),
        )
    return (
        str(entry["rule"]),
        "",
        "",
        "",
        str(entry.get("file") or ""),
        str(entry.get("path") or ""),
    )


def document(findings: Iterable[Finding]) -> dict[str, Any]:
    entries = [_entry(f) for f in findings if not f.suppressed]
    entries.sort(key=lambda e: (_entry_key(e), e["message"]))
    return {"kind": BASELINE_KIND, "schema_version": BASELINE_VERSION, "findings": entries}


def write(findings: Iterable[Finding], path: str) -> int:
    """Write the baseline of the unsuppressed findings; returns how many it holds."""
    doc = document(findings)
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    try:
        if os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except OSError as error:
        raise BaselineError(f"cannot write {path}: {error.strerror or error}") from None
    return len(doc["findings"])


def load(path: str) -> Counter[Key]:
    from kubeplan.schemas import inputfs

    try:  # bounded, and never a FIFO or a device: the baseline file lives in the repository
        doc = json.loads(inputfs.read_regular(path)[0])
    except inputfs.Refused as refused:
        raise BaselineError(f"--baseline {path}: {refused.message}") from None
    except ValueError as error:
        raise BaselineError(f"--baseline {path}: not JSON ({error})") from None
    if not isinstance(doc, dict) or doc.get("kind") != BASELINE_KIND:
        raise BaselineError(
            f"--baseline {path}: not a kubeplan baseline (write one with `kubeplan baseline write`)"
        )
    if doc.get("schema_version") != BASELINE_VERSION:
        raise BaselineError(
            f"--baseline {path}: schema_version {doc.get('schema_version')!r}, expected {BASELINE_VERSION}"
        )
    entries = doc.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("rule"), str) for e in entries
    ):
        raise BaselineError(f"--baseline {path}: 'findings' must be a list of objects with a rule")
    return Counter(_entry_key(e) for e in entries)


def apply(findings: Iterable[Finding], baseline: Counter[Key]) -> int:
    """Mark the findings the baseline covers as suppressed; returns how many."""
    left = Counter(baseline)
    matched = 0
    for finding in findings:
        if finding.suppressed:
            continue
        k = key(finding)
        if left[k] > 0:
            left[k] -= 1
            finding.suppressed = True
            finding.suppressed_by = SUPPRESSED_BY
            matched += 1
    return matched
