"""`kubeplan diff` for people (reads like `terraform plan`) and as JSON."""

from __future__ import annotations

import json
import os
from typing import Any

from kubeplan.planner.diff.effects.classify import ClassifiedChange
from kubeplan.planner.diff.locate import field_position
from kubeplan.planner.diff.run import ChangeReport, DiffResult
from kubeplan.report.escape import printable
from kubeplan.report.json_report import SCHEMA_VERSION
from kubeplan.report.style import Style

SYMBOL = {"create": "+", "delete": "-", "update": "~", "unchanged": " "}
COLOUR = {"create": "green", "delete": "red", "update": "yellow"}
EFFECT_COLOUR = {
    "rollout": "yellow",
    "recreate": "red",
    "immutable": "red",
    "scale": "blue",
    "staged": "blue",
    "config-not-reloaded": "yellow",
    "unknown": "dim",
    "no-pod-effect": "dim",
}


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str) and "\n" in value.strip():
        return f"({value.count(chr(10)) + 1} lines of text)"
    text = (
        json.dumps(value, ensure_ascii=False, sort_keys=True)
        if not isinstance(value, str)
        else value
    )
    # Elide the middle: the end of an image reference (its tag) is what people look for.
    return printable(text if len(text) <= 72 else text[:30] + "…" + text[-41:])


def where(path: str) -> str:
    """A file under the working directory is shown relative to it: shorter, and clickable."""
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        if not relative.startswith(".."):
            return printable(relative)
    return printable(path)


def _title(report: ChangeReport) -> str:
    resource = report.resource
    namespace = f"{resource.namespace}/" if resource.namespace else ""
    origin = resource.origin
    name = printable(f"{resource.kind} {namespace}{resource.name}")
    return f"{name}  ({where(origin.file)}:{origin.line})"


def _delta(change: ClassifiedChange) -> str:
    if change.kind == "added":
        return f"+ {_value(change.new)}"
    if change.kind == "removed":
        return f"- {_value(change.old)}"
    if change.kind == "reordered":
        return "order changed"
    inner = _inner(change.old, change.new, "")
    if inner is not None and 0 < len(inner) <= INNER_SHOWN:
        return "; ".join(f"{printable(where)}: {_value(a)} → {_value(b)}" for where, a, b in inner)
    return f"{_value(change.old)} → {_value(change.new)}"


# A long value (multi-line ConfigMap data, a CRD's schema, a Role's rules, a JSON blob) is
# compared line by line: the summary line alone would hide which line changed.
DIFF_LINES_SHOWN = 40


def _text_lines(value: Any) -> list[str] | None:
    """The value as lines to compare: multi-line text as written, a JSON text pretty-printed,
    a mapping or list as sorted YAML; None for a short scalar."""
    if isinstance(value, str):
        if "\n" in value.strip():
            return value.splitlines()
        if len(value) > 72 and value.lstrip()[:1] in ("{", "["):
            try:
                parsed = json.loads(value)
            except ValueError:
                return None
            return json.dumps(parsed, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
        return None
    if isinstance(value, dict | list):
        import yaml

        text = yaml.safe_dump(value, default_flow_style=False, sort_keys=True, allow_unicode=True)
        return text.splitlines()
    return None


def value_diff(change: ClassifiedChange, style: Style, indent: str) -> list[str]:
    """The changed lines of a long value, as a unified diff (at most DIFF_LINES_SHOWN lines);
    nothing when the one-line summary already shows the whole change."""
    if change.kind != "changed":
        return []
    inner = _inner(change.old, change.new, "")
    short = inner is not None and 0 < len(inner) <= INNER_SHOWN
    if short and all(_text_lines(a) is None and _text_lines(b) is None for _, a, b in inner):
        return []  # the summary names each leaf that differs, whole
    old, new = _text_lines(change.old), _text_lines(change.new)
    if old is None or new is None:
        return []
    import difflib

    out = []
    for line in list(difflib.unified_diff(old, new, lineterm="", n=1))[2:]:
        if line.startswith("@@"):
            out.append(style(f"{indent}{printable(line)}", "dim"))
        elif line.startswith("-"):
            out.append(style(f"{indent}{printable(line)}", "red"))
        elif line.startswith("+"):
            out.append(style(f"{indent}{printable(line)}", "green"))
        else:
            out.append(f"{indent}{printable(line)}")
    if len(out) > DIFF_LINES_SHOWN:
        more = len(out) - DIFF_LINES_SHOWN
        out = [*out[:DIFF_LINES_SHOWN], style(f"{indent}… {more} more lines", "dim")]
    return out


# A list field without a strategic-merge key (a NetworkPolicy's ingress rules, a container's
# args) is replaced whole on apply (k8s.io/apimachinery/pkg/util/strategicpatch/patch.go: only a
# `patchStrategy: merge` list with a `patchMergeKey` is merged; fielddiff.MERGE_KEYS lists them),
# so it is one change; for people, the few leaves that differ inside it say more.
INNER_SHOWN = 3


def _inner(old: Any, new: Any, where: str) -> list[tuple[str, Any, Any]] | None:
    """The leaves that differ between two values of the same shape, or None when the shapes
    differ (a list that grew, a mapping that lost a key): then the whole value is shown."""
    if isinstance(old, dict) and isinstance(new, dict):
        if old.keys() != new.keys():
            return None
        out: list[tuple[str, Any, Any]] = []
        for key in old:
            part = _inner(old[key], new[key], f"{where}.{key}" if where else str(key))
            if part is None:
                return None
            out += part
        return out
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return None
        out = []
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            part = _inner(a, b, f"{where}[{index}]")
            if part is None:
                return None
            out += part
        return out
    if isinstance(old, dict | list) or isinstance(new, dict | list):
        return None
    return [] if old == new and type(old) is type(new) else [(where, old, new)]


def field_lines(report: ChangeReport, style: Style, indent: str = "    ") -> list[str]:
    """One aligned line per field (path, effect, old → new), then each distinct reason once.

    A template edit touches many fields for one reason; saying it once per object keeps a
    large diff readable."""
    rows = _collapsed(report.fields)
    path_width = max(len(label) for label, _ in rows)
    effect_width = max(len(change.effect) for change in report.fields)
    lines = []
    reasons: dict[tuple[str, str], None] = {}
    for label, group in rows:
        change = group[0]
        effect = style(change.effect.ljust(effect_width), EFFECT_COLOUR.get(change.effect, "dim"))
        delta = _delta(change) if len(group) == 1 else _map_delta(group)
        lines.append(f"{indent}~ {label.ljust(path_width)}  {effect}  {delta}")
        if len(group) == 1:
            lines.extend(value_diff(change, style, indent + "    "))
        for member in group:
            reasons[(member.effect, member.reason)] = None
    for effect, reason in reasons:
        lines.append(style(f"{indent}  {effect}: {printable(reason)}", "dim"))
    return lines


_MAPS = (("metadata", "labels"), ("metadata", "annotations"))


def _collapsed(fields: list[ClassifiedChange]) -> list[tuple[str, list[ClassifiedChange]]]:
    """(label, changes) per line: the keys of one object's labels or annotations that change
    with one effect share a line (a chart's version bump relabels every object), any other
    field has its own."""
    rows: list[tuple[str, list[ClassifiedChange]]] = []
    groups: dict[tuple[Any, ...], list[ClassifiedChange]] = {}
    for change in fields:
        key = (tuple(change.path[:2]), change.effect)
        if tuple(change.path[:2]) in _MAPS and len(change.path) == 3:
            if key not in groups:
                groups[key] = []
                rows.append((printable(".".join(map(str, change.path[:2]))), groups[key]))
            groups[key].append(change)
        else:
            rows.append((printable(change.label), [change]))
    # a map with one changed key keeps its own label (metadata.labels.tier)
    return [(printable(g[0].label), g) if len(g) == 1 else (label, g) for label, g in rows]


def _map_delta(group: list[ClassifiedChange]) -> str:
    parts = []
    for change in group:
        key = printable(str(change.path[2]))
        if change.kind == "added":
            parts.append(f"{key} + {_value(change.new)}")
        elif change.kind == "removed":
            parts.append(f"{key} - {_value(change.old)}")
        else:
            parts.append(f"{key}: {_value(change.old)} → {_value(change.new)}")
    return f"{len(group)} keys: " + "; ".join(parts)


def render_text(
    result: DiffResult, style: Style, show_unchanged: bool = False, show_suppressed: bool = False
) -> str:
    lines: list[str] = [style(f"kubeplan diff against {printable(result.base_label)}", "bold"), ""]
    for report in result.changes:
        action = report.action
        if action == "unchanged" and not show_unchanged:
            continue
        symbol = style(SYMBOL[action], COLOUR.get(action, "dim"))
        title = _title(report)
        extra = ""
        if report.pair.renamed_from is not None:
            old = report.pair.renamed_from
            extra = style(
                f"  looks like a rename of {printable(old.name)}: the object is recreated", "yellow"
            )
        lines.append(f"{symbol} {title}{extra}")
        if report.fields:
            lines.extend(field_lines(report, style))
            lines.append("")
    if len(lines) == 2:
        lines.append("No changes.")
    if result.not_compared:
        lines.append(style(not_compared_note(result.not_compared), "dim"))
    lines.extend(style(f"note: {printable(note)}", "dim") for note in result.notes)
    if lines[-1]:
        lines.append("")
    for finding in result.findings:
        if finding.suppressed and not show_suppressed:  # by the config or an annotation
            continue
        colour = "red" if str(finding.severity) == "error" else "yellow"
        lines.append(
            style(str(finding.severity), "dim" if finding.suppressed else colour)
            + f" {where(finding.file)}:{finding.line}: {printable(finding.message)}"
            + f"  [{printable(finding.rule)}]"
            + (
                style(f"  (suppressed: {finding.suppressed_by})", "dim")
                if finding.suppressed
                else ""
            )
        )
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def not_compared_note(count: int) -> str:
    return (
        f"{count} object{'s' if count != 1 else ''} of the base made by a controller or by the"
        " cluster itself (ownerReferences; the default ServiceAccount, kube-root-ca.crt, ...)"
        " not compared: no manifest makes them"
    )


def counts_text(c: dict[str, int], details: tuple[tuple[str, str], ...]) -> str:
    """`N to create, M to update (a roll pods, ...), K to delete`; `details` are the (count key,
    words) of the updates, each shown when its count is not zero."""
    detail = [f"{c[key]} {word}" for key, word in details if c[key]]
    update = f"{c['update']} to update" + (f" ({', '.join(detail)})" if detail else "")
    return f"{c['create']} to create, {update}, {c['delete']} to delete"


def summary(result: DiffResult) -> str:
    c = result.counts()
    details = (
        ("rollout", "roll pods"),
        ("scale", "scale"),
        ("staged", "staged"),
        ("config", "change config pods will not reload"),
        ("unknown", "unknown"),
    )
    text = counts_text(c, details)
    if c["rejected"]:
        text += f"; {c['rejected']} rejected"
    return text + "."


def to_document(result: DiffResult) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "kubernetes_version": result.kubernetes_version,
        "config": result.config,
        "base": result.base_label,
        "changes": [
            {
                "resource": report.resource.ref(),
                "action": report.action,
                "file": report.resource.origin.file,
                "line": report.resource.origin.line,
                **(
                    {"renamed_from": report.pair.renamed_from.name}
                    if report.pair.renamed_from is not None
                    else {}
                ),
                "fields": [_field_document(report, change) for change in report.fields],
            }
            for report in result.changes
        ],
        "findings": [f.to_json() for f in result.findings],
        "notes": list(result.notes),
        "summary": {
            **result.counts(),
            "resources": result.resources,
            "files": result.files,
            "not_compared": result.not_compared,
        },
    }


def _field_document(report: ChangeReport, change: ClassifiedChange) -> dict[str, Any]:
    """One changed field (docs/json-output.md, `changes[].fields[]`): `path` is the short form
    people read, `full_path` the path from the object root; `line`/`column` place the field in
    the new file, or in the old one for a removal, whose `file` is then given too."""
    document: dict[str, Any] = {
        "path": change.label,
        "full_path": change.full_label,
        "old": change.old,
        "new": change.new,
        "change": change.kind,
        "effect": change.effect,
        "reason": change.reason,
        "source": change.source,
    }
    place = field_position(report.pair.old, report.pair.new, change)
    if place is not None:
        document["line"] = place.line
        document["column"] = place.column
        if place.file != report.resource.origin.file:
            document["file"] = place.file
    return document


def render_json(result: DiffResult) -> str:
    return (
        json.dumps(to_document(result), ensure_ascii=False, separators=(",", ":"), default=str)
        + "\n"
    )
