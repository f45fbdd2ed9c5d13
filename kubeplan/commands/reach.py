"""`kubeplan reach`: load the manifests (and the base), read declared connections, analyse,
and write the report (text, JSON, Mermaid or dot).

Reachability is computed from whatever loads: schema problems never stop it, and documents
that cannot be read are reported as the loader's findings while the rest are analysed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kubeplan.commands import common
from kubeplan.errors import KubeplanError
from kubeplan.model import Finding, Resource, Severity, fails
from kubeplan.planner.netpol.change import (
    ReachChange,
    check_declared,
    reach_change,
    required_connections,
)
from kubeplan.planner.netpol.engine import Reachability, analyse
from kubeplan.planner.netpol.explain import explain
from kubeplan.rules.ignore_paths import leave_out
from kubeplan.schemas import loader

if TYPE_CHECKING:
    from kubeplan.config.settings import Settings


@dataclass
class ReachRun:
    reach: Reachability
    change: ReachChange | None
    findings: list[Finding] = field(default_factory=list)
    explanation: list[str] | None = None

    @property
    def own_findings(self) -> list[Finding]:
        """The reachability findings (`netpol-*`) that decide the exit code; the loader's
        findings are shown too, but `kubeplan check` is the command that gates on them."""
        return [f for f in self.findings if f.rule.startswith("netpol-")]


def run_reach(
    paths: list[str],
    base: str | None,
    declared: Sequence[tuple[str, int]],
    source: str,
    explain_pair: tuple[str, str] | None,
    settings: Settings,
) -> ReachRun:
    """The config's ignore-paths are left out of both revisions."""
    ignored = settings.ignored()
    new = leave_out(loader.load(paths), ignored)
    if not new.files and not new.resources and not new.findings:
        raise KubeplanError(common.NOTHING_TO_READ)
    findings = [f for f in new.findings if f.severity == Severity.ERROR]
    if base is not None:
        from kubeplan.planner.diff.run import resolve_base

        base_paths, _label = resolve_base(base, paths)
        old = leave_out(loader.load(base_paths), ignored) if base_paths else loader.LoadResult()
        change = reach_change(old.resources, new.resources, declared=declared, source=source)
        findings += change.new.findings + change.problems + change.findings
        findings = silence(findings, settings, new.resources, old.resources)
        return _finish(ReachRun(change.new, change, findings), explain_pair)
    reach = analyse(new.resources, declared=declared)
    wanted, problems = required_connections(reach, new.resources, declared, source)
    findings += reach.findings + problems + check_declared(reach, wanted)
    findings = silence(findings, settings, new.resources)
    return _finish(ReachRun(reach, None, findings), explain_pair)


def silence(
    findings: list[Finding],
    settings: Settings,
    new: list[Resource],
    base: list[Resource] | None = None,
) -> list[Finding]:
    """The config's `rules:` and `exclude:` and the ignore annotation on reach's findings."""
    if not findings:
        return findings  # nothing to silence: the rule engine is not imported (start-up time)
    from kubeplan.rules.suppress import silence as apply_config

    return apply_config(findings, new, base or [], settings.lint())


def _finish(run: ReachRun, explain_pair: tuple[str, str] | None) -> ReachRun:
    if explain_pair:
        run.explanation = explain(run.reach, *explain_pair)
    run.findings.sort(key=Finding.sort_key)
    return run


def main(
    paths: list[str],
    *,
    base: str | None,
    explain: tuple[str, str] | None,
    output_format: str,
    output: str | None,
    config: str | None,
    fail_on: str | None,
    no_color: bool,
    verbose: bool,
) -> int:
    """`kubeplan reach`: exit 1 when a `netpol-*` finding is at or above --fail-on."""
    from kubeplan.report import failure, reach_report
    from kubeplan.report.document import ReportData
    from kubeplan.report.outputs import emit

    common.refuse_overwrite([output], paths, base, config)
    if output:
        common.refuse_format_word(output)
    failure.expect([(output_format, output)])
    settings = common.settings(config, None, fail_on, verbose, with_version=False)
    declared = settings.config.connections if settings.config is not None else []
    source = settings.config_path or ".kubeplan.yaml"
    result = run_reach(paths, base, declared, source, explain, settings)
    report = ReportData(
        command="reach",
        findings=result.findings,
        text=lambda style: reach_report.render_text(
            result.reach, result.change, result.findings, style, result.explanation
        ),
        json=lambda: reach_report.render_json(
            result.reach, result.change, result.findings, result.explanation, settings.config_path
        ),
        formats={
            "mermaid": lambda _style: reach_report.render_mermaid(result.reach, result.change),
            "dot": lambda _style: reach_report.render_dot(result.reach, result.change),
        },
    )
    emit(report, [(output_format, output)], no_color=no_color, one_file=True)
    return 1 if fails(result.own_findings, settings.fail_on) else 0
