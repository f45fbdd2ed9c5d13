"""`kubeplan reach`: load the manifests (and the base), read declared connections, analyse.

Reachability is computed from whatever loads: schema problems never stop it, and documents
that cannot be read are reported as the loader's findings while the rest are analysed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kubeplan.model import Finding, Resource, Severity
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
from kubeplan.schemas.sources import InputError


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
    explain_pair: tuple[str, str] | None = None,
    ignored: Callable[[str], bool] | None = None,
    config_path: str | None = None,
) -> ReachRun:
    """`ignored(file)`: the config's ignore-paths, left out of both revisions."""
    new = leave_out(loader.load(paths), ignored)
    if not new.files and not new.resources and not new.findings:
        raise InputError("nothing to read: no .yaml, .yml or .json file in the given paths")
    findings = [f for f in new.findings if f.severity == Severity.ERROR]
    if base is not None:
        from kubeplan.planner.diff.run import resolve_base

        base_paths, _label = resolve_base(base, paths)
        old = leave_out(loader.load(base_paths), ignored) if base_paths else loader.LoadResult()
        change = reach_change(old.resources, new.resources, declared=declared, source=source)
        findings += change.new.findings + change.problems + change.findings
        findings = silence(findings, config_path, new.resources, old.resources)
        return _finish(ReachRun(change.new, change, findings), explain_pair)
    reach = analyse(new.resources, declared=declared)
    wanted, problems = required_connections(reach, new.resources, declared, source)
    findings += reach.findings + problems + check_declared(reach, wanted)
    findings = silence(findings, config_path, new.resources)
    return _finish(ReachRun(reach, None, findings), explain_pair)


def silence(
    findings: list[Finding],
    config_path: str | None,
    new: list[Resource],
    base: list[Resource] | None = None,
) -> list[Finding]:
    """The config's `rules:` and `exclude:` and the ignore annotation on reach's findings
    (raises ConfigError)."""
    if not findings:
        return findings  # nothing to silence: the rule engine is not imported (start-up time)
    from kubeplan.rules.suppress import silence as apply_config

    return apply_config(findings, new, base or [], config_path=config_path)


def _finish(run: ReachRun, explain_pair: tuple[str, str] | None) -> ReachRun:
    if explain_pair:
        run.explanation = explain(run.reach, *explain_pair)
    run.findings.sort(key=Finding.sort_key)
    return run
