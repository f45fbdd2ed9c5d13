"""One entry point for every output format: `emit(report, targets, ...)`.

Every command (`validate`, `lint`, `check`, `diff`, `plan`, `can-i`, `who-can`, `reach`) builds
one `ReportData` and calls `emit` with the (format, path) pairs of its `--format`/`--output`
options. `text` and `json` are the command's own renderers (callables on the report); `sarif`,
`junit`, `github` and `markdown` are shared and read the findings, the rule metadata and the
optional sections (changes, plan steps, rollouts, RBAC verdicts, reachability) that a command
fills in when it has them.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TextIO

from kubeplan.datafiles import read_yaml
from kubeplan.model import Finding, Resource, Severity
from kubeplan.report import failure
from kubeplan.report.escape import no_workflow_commands

FORMATS = ("text", "json", "sarif", "junit", "markdown", "github")
# Formats whose lines GitHub's runner might read as workflow commands (report/escape.py); the
# github format writes only its own annotations, every property and message escaped.
HUMAN = ("text", "junit", "markdown")


class OutputError(Exception):
    """A target that cannot be written or a format list that makes no sense (exit 2)."""


# Optional sections, filled by the commands that have them. Plain strings so that every command
# can fill them from its own types; markdown renders the ones present.


@dataclass
class ChangeRow:
    """One object of a diff or plan: what applying it does."""

    action: str  # create | update | delete | unchanged
    resource: str  # "Deployment default/web"
    file: str = ""
    line: int = 0
    effects: tuple[str, ...] = ()  # rollout, scale, immutable, ... (see docs/json-output.md)
    detail: str = ""  # "image web:1.0 → web:1.1; replicas 2 → 3"


@dataclass
class PlanStep:
    order: int
    action: str  # apply | delete | wait | rollout ...
    resource: str
    verdict: str = ""  # RBAC verdict for the applying identity: allowed | denied | ""
    blocked_by: tuple[str, ...] = ()  # why the step would fail (rule ids or short reasons)
    detail: str = ""


@dataclass
class Rollout:
    resource: str
    effect: str  # rollout | recreate | staged | scale
    detail: str = ""  # "2 pods at a time, maxUnavailable 25%"


@dataclass
class RbacVerdict:
    subject: str  # "User alice", "ServiceAccount ci/deployer"
    verb: str
    resource: str  # "deployments.apps"
    namespace: str | None = None
    allowed: bool = False
    reason: str = ""  # the binding and role that allow it, or why not


@dataclass
class Flow:
    source: str
    destination: str
    port: str = ""


@dataclass
class Reachability:
    lost: list[Flow] = field(default_factory=list)
    gained: list[Flow] = field(default_factory=list)
    mermaid: str | None = None  # a `graph LR` body; built from lost/gained when None


@dataclass
class ReportData:
    """What every renderer reads. Only `command` and `findings` are required."""

    command: str
    findings: list[Finding]
    resources: int = 0
    files: int = 0
    kubernetes_version: str = ""
    title: str = ""  # "kubeplan diff against origin/main"; default "kubeplan COMMAND"
    objects: Sequence[Resource] = ()  # the resources read (JUnit lists the clean ones)
    notes: list[str] = field(default_factory=list)
    # The command's own renderers for `text` (given a Style) and `json`.
    text: Callable[[Any], str] | None = None
    json: Callable[[], str] | None = None
    changes: list[ChangeRow] = field(default_factory=list)
    plan_steps: list[PlanStep] = field(default_factory=list)
    rollouts: list[Rollout] = field(default_factory=list)
    rbac: list[RbacVerdict] = field(default_factory=list)
    reachability: Reachability | None = None
    extra_rules: dict[str, RuleInfo] = field(default_factory=dict)  # rule ids of a new command
    # Suppressed findings in SARIF (marked with `suppressions`): off by default, since GitHub code
    # scanning does not honour the mark and would show them as open alerts.
    show_suppressed: bool = False

    def active(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    def counts(self) -> dict[str, int]:
        active = self.active()
        return {
            "errors": sum(f.severity == Severity.ERROR for f in active),
            "warnings": sum(f.severity == Severity.WARNING for f in active),
            "infos": sum(f.severity == Severity.INFO for f in active),
            "suppressed": len(self.findings) - len(active),
        }

    def heading(self) -> str:
        return self.title or f"kubeplan {self.command}"

    def rule(self, rule_id: str) -> RuleInfo:
        if rule_id in self.extra_rules:
            return self.extra_rules[rule_id]
        return rule_info(rule_id)


# Rule metadata, for the formats that carry it.


@dataclass(frozen=True)
class RuleInfo:
    id: str
    severity: str
    category: str
    summary: str  # one sentence
    description: str  # why it matters
    help: str  # how to fix it
    doc: str = ""  # docs/rules.md#id
    source: str = ""  # the Kubernetes source or kubeplan module behind it


_DATA = os.path.join(os.path.dirname(__file__), "data", "finding_rules.yaml")


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    end = flat.find(". ")
    return flat if end < 0 else flat[: end + 1]


@cache
def _rule_table() -> dict[str, RuleInfo]:
    from kubeplan.rules.registry import load_rules

    table: dict[str, RuleInfo] = {}
    for row in read_yaml(_DATA)["rules"]:
        table[row["id"]] = RuleInfo(
            id=row["id"],
            severity=row["severity"],
            category=row["category"],
            summary=row["summary"],
            description=row["summary"],
            help=row["help"],
            source=row.get("source", ""),
        )
    for risk in _risks():
        table[risk["id"]] = RuleInfo(
            id=risk["id"],
            severity=risk["severity"],
            category="rbac",
            summary=f"Newly granted: {risk['what']}.",
            description=f"Newly granted: {risk['what']}.",
            help="Grant it only to the subject that needs it, in the narrowest scope.",
            source=" ".join(str(risk.get("source", "")).split()),
        )
    for rule_id, rule in load_rules().items():
        meta = rule.meta
        table[rule_id] = RuleInfo(
            id=rule_id,
            severity=str(meta.severity),
            category=meta.category,
            summary=_first_sentence(meta.rationale),
            description=" ".join(meta.rationale.split()),
            help=" ".join(meta.remediation.split()),
            doc=meta.doc,
            source=" ".join(meta.source.split()),
        )
    return table


def _risks() -> list[dict[str, Any]]:
    """The `rbac-grants-*` findings of kubeplan/planner/rbac/data/risks.yaml."""
    path = os.path.join(
        os.path.dirname(os.path.dirname(__file__)), "planner", "rbac", "data", "risks.yaml"
    )
    return list(read_yaml(path)["risks"])


def rule_info(rule_id: str) -> RuleInfo:
    """Metadata of a built-in rule or finding id; a plain entry for ids kubeplan does not know
    (a user rule from the config or an entry point)."""
    known = _rule_table().get(rule_id)
    if known is not None:
        return known
    words = rule_id.replace("-", " ")
    return RuleInfo(rule_id, "warning", "custom", f"{words[:1].upper()}{words[1:]}.", "", "")


# Targets: (format, path or None for standard output).


Target = tuple[str, str | None]


def resolve_targets(
    formats: Sequence[str], outputs: Sequence[str], order: Sequence[str] | None = None
) -> list[Target]:
    """Pair each --output with the --format given just before it.

    `order` is the sequence of "format"/"output" option occurrences as they were typed (click
    keeps each option's values in order, but not the interleaving of two options). A format may
    also carry its file: `--format sarif=kubeplan.sarif`. An --output typed before any --format
    goes to the first format (or to text when no format is given), as with a single pair.
    """
    if order is None or len(order) != len(formats) + len(outputs):
        order = ["format"] * len(formats) + ["output"] * len(outputs)
    targets: list[list[str | None]] = []
    leading: str | None = None
    explicit: list[bool] = []
    formats_left, outputs_left = list(formats), list(outputs)
    for which in order:
        if which == "format":
            name, _, path = formats_left.pop(0).partition("=")
            name = name.strip().lower()
            if name not in FORMATS:
                raise OutputError(f"unknown format {name!r}; one of {', '.join(FORMATS)}")
            targets.append([name, path or None])
            explicit.append(bool(path))
        else:
            path = outputs_left.pop(0)
            if not targets:
                if leading is not None:
                    raise OutputError("two --output before any --format")
                leading = path
            elif targets[-1][1] is None:
                targets[-1][1] = path
            else:
                raise OutputError(f"--output {path}: the --format before it already has a file")
    if not targets:
        targets.append(["text", None])
        explicit.append(False)
    if leading is not None:
        if targets[0][1] is not None:
            raise OutputError(f"--output {leading}: the first --format already has a file")
        targets[0][1] = leading
    _refuse_format_words(targets, explicit)
    on_stdout = [t[0] for t in targets if t[1] in (None, "-")]
    if len(on_stdout) > 1:
        raise OutputError(
            f"formats {', '.join(str(f) for f in on_stdout)} would all go to standard output;"
            " give each but one an --output FILE (or FORMAT=FILE)"
        )
    resolved = [(str(name), None if path in (None, "-") else path) for name, path in targets]
    failure.expect(resolved)
    return resolved


def _refuse_format_words(targets: list[list[str | None]], explicit: list[bool]) -> None:
    """`--output json` is a kubectl user asking for JSON, not a file named json."""
    from kubeplan.report.output_names import refusal

    for (name, path), in_format in zip(targets, explicit, strict=False):
        given = f"--format {name}={path}" if in_format else None
        problem = refusal(path, given) if path else None
        if problem:
            raise OutputError(problem)


# Emitting.


def render(report: ReportData, name: str, *, colour: bool = False) -> str:
    """The report in one format (colour applies to `text` only)."""
    if name == "text":
        from kubeplan.report.style import Style

        if report.text is None:
            raise OutputError(f"kubeplan {report.command} has no text output")
        return report.text(Style(colour))
    if name == "json":
        if report.json is None:
            raise OutputError(f"kubeplan {report.command} has no JSON output")
        return report.json()
    if name == "sarif":
        from kubeplan.report import sarif

        return sarif.render(report)
    if name == "junit":
        from kubeplan.report import junit

        return junit.render(report)
    if name == "markdown":
        from kubeplan.report import markdown

        return markdown.render(report)
    if name == "github":
        from kubeplan.report import github

        return github.render(report)
    raise OutputError(f"unknown format {name!r}")


def emit(
    report: ReportData,
    targets: Sequence[Target],
    *,
    no_color: bool = False,
    quiet: bool = False,
    stdout: TextIO | None = None,
) -> None:
    """Render `report` once per target and write it to its file or to standard output.

    `quiet` drops the text report when there is no unsuppressed finding (a file target is
    always written, so a CI step that uploads it finds it). Raises OutputError.
    """
    from kubeplan.report.style import use_colour

    stream = stdout or sys.stdout
    for name, path in targets:
        if path is None and quiet and name == "text" and not report.active():
            continue
        colour = path is None and use_colour(stream, no_color)
        rendered = text_of(render(report, name, colour=colour))
        if name in HUMAN:
            rendered = no_workflow_commands(rendered)
        if path is None:
            failure.stdout_written()
            stream.write(rendered)
            stream.flush()
            continue
        try:
            with open(path, "w", encoding="utf-8", errors="replace", newline="\n") as handle:
                handle.write(rendered)
        except OSError as error:
            raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    if not quiet and all(path is not None for _, path in targets):
        _say_written(targets)


def _say_written(targets: Sequence[Target]) -> None:
    """With every report in a file, one line on standard error says where: a run never prints
    nothing (a mistyped --output would otherwise look like a silent pass)."""
    written = ", ".join(f"{name} report to {path}" for name, path in targets)
    sys.stderr.write(f"kubeplan: wrote {written}\n")


def text_of(rendered: str) -> str:
    """`rendered` as valid Unicode: a file name that is not UTF-8 reaches a report as
    surrogate escapes (os.fsdecode), which no UTF-8 writer accepts; each byte becomes U+FFFD."""
    try:
        rendered.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", rendered)
    return rendered


_SURROGATE = re.compile("[\ud800-\udfff]")


def display_path(file: str) -> str:
    """The repository path of a finding's file: `git:REV:path` -> `path`, `./a` -> `a`."""
    if file.startswith("git:"):
        parts = file.split(":", 2)
        file = parts[2] if len(parts) == 3 else ""
    if os.path.isabs(file):
        relative = os.path.relpath(file)
        if not relative.startswith(".."):
            file = relative
    file = file.replace(os.sep, "/")
    while file.startswith("./"):
        file = file[2:]
    return file


def object_label(resource: dict[str, str | None] | None) -> str:
    """`Deployment/default/web`, as the text report writes it."""
    if not resource:
        return ""
    name = resource.get("name") or "<unnamed>"
    namespace = resource.get("namespace")
    kind = resource.get("kind")
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"
