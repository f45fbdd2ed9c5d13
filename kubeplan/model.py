"""The core data every layer shares: resources, their origin, and findings.

`Resource` keeps the YAML node it came from, so the line and column of any field path can be
found when (and only when) a finding needs it: most resources never produce a finding, and
building a position map for every field of every document would cost more than the parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from kubeplan import position

Path = tuple[str | int, ...]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.ERROR: 3, Severity.WARNING: 2, Severity.INFO: 1}


def fails(findings: list[Finding], fail_on: str) -> bool:
    """Exit 1? True when an unsuppressed finding is at or above `fail_on` (`never`: never)."""
    if fail_on == "never":
        return False
    threshold = Severity(fail_on).rank
    return any(f.severity.rank >= threshold for f in findings if not f.suppressed)


@dataclass(frozen=True, slots=True)
class ResourceId:
    """Identity of an object as the API server sees it: (group, kind, namespace, name)."""

    group: str
    kind: str
    namespace: str | None
    name: str

    def __str__(self) -> str:
        kind = f"{self.kind}.{self.group}" if self.group else self.kind
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{kind} {where}{self.name}"


@dataclass(slots=True)
class Origin:
    """Where a document came from.

    `file` is a path, `<stdin>`, or `git:REV:path`. `template` is the Helm template named by a
    `# Source:` comment above the document, when the stream is `helm template` output.
    """

    file: str
    doc_index: int
    line: int
    column: int = 1
    template: str | None = None


@dataclass(slots=True)
class Resource:
    api_version: str
    kind: str
    name: str | None
    namespace: str | None
    body: dict[str, Any]
    origin: Origin
    node: Any = field(default=None, repr=False)
    line_offset: int = 0  # node marks are relative to the document; this makes them file lines
    # Server-populated fields (status, managedFields, uid, ...) set aside from a dump.
    server_fields: dict[str, Any] = field(default_factory=dict, repr=False)
    namespaced: bool | None = None
    # Derived views (the pod template, its containers) that many rules ask for, computed once.
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def version(self) -> str:
        return self.api_version.rpartition("/")[2]

    @property
    def identity(self) -> ResourceId:
        return ResourceId(self.group, self.kind, self.namespace, self.name or "")

    def position(self, path: Path = ()) -> tuple[int, int]:
        """Line and column (1-based) of `path`, or of its nearest existing parent."""
        if self.node is None:
            return self.origin.line, self.origin.column
        if not path:
            return self.kind_position()
        return position.locate(self.node, path, self.line_offset)

    def kind_position(self) -> tuple[int, int]:
        """A finding about a whole resource points at its `kind:` line."""
        if self.node is None:
            return self.origin.line, self.origin.column
        return position.locate(self.node, ("kind",), self.line_offset)

    def ref(self) -> dict[str, str | None]:
        return {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
        }


@dataclass(slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    file: str
    line: int
    column: int = 1
    path: str = ""
    resource: dict[str, str | None] | None = None
    template: str | None = None
    hint: str | None = None
    suppressed: bool = False
    suppressed_by: str | None = None  # "annotation" or "config", with the reason when given

    def sort_key(self) -> tuple[Any, ...]:
        return (self.file, self.line, self.column, self.rule, self.message)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "severity": str(self.severity),
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "resource": self.resource,
        }
        if self.template:
            out["template"] = self.template
        if self.hint:
            out["hint"] = self.hint
        if self.suppressed:
            out["suppressed"] = True
            out["suppressed_by"] = self.suppressed_by
        return out


def finding_for(
    resource: Resource,
    rule: str,
    severity: Severity,
    message: str,
    path: Path = (),
    hint: str | None = None,
    ref: dict[str, str | None] | None = None,
) -> Finding:
    """A finding located at `path` inside `resource` (its `kind:` line when the path is empty).

    `ref` lets a caller that reports many findings on one object share one resource dict."""
    line, column = resource.position(path)
    return Finding(
        rule=rule,
        severity=severity,
        message=message,
        file=resource.origin.file,
        line=line,
        column=column,
        path=format_path(path),
        resource=ref if ref is not None else resource.ref(),
        template=resource.origin.template,
        hint=hint,
    )


_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")


@lru_cache(maxsize=8192)
def format_path(path: Path) -> str:
    """`('spec', 'containers', 0, 'image')` -> `spec.containers[0].image`.

    Keys that are not plain identifiers (annotation keys, say) are bracketed and quoted:
    `metadata.annotations["kubeplan.io/ignore"]`.
    """
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _PLAIN_KEY.match(part):
            out.append(f".{part}" if out else part)
        else:
            out.append(f'["{part}"]')
    return "".join(out)
