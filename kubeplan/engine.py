"""One pass of the pipeline for the validation and lint commands: load, validate, (lint).

The CLI only wires options to this; every command's result is a `RunResult` the renderers read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kubeplan.model import Finding, Severity
from kubeplan.schemas import catalog as catalogs
from kubeplan.schemas import loader
from kubeplan.schemas.validate import validate

FAIL_ON = ("error", "warning", "info", "never")


@dataclass
class Options:
    kubernetes_version: str | None = None
    strict: bool = True
    crd_paths: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    findings: list[Finding]
    resources: int
    files: int
    kubernetes_version: str
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        active = [f for f in self.findings if not f.suppressed]
        return {
            "errors": sum(f.severity == Severity.ERROR for f in active),
            "warnings": sum(f.severity == Severity.WARNING for f in active),
            "infos": sum(f.severity == Severity.INFO for f in active),
            "suppressed": sum(f.suppressed for f in self.findings),
        }

    def failed(self, fail_on: str) -> bool:
        if fail_on == "never":
            return False
        threshold = Severity(fail_on).rank
        return any(f.severity.rank >= threshold for f in self.findings if not f.suppressed)


def run_validate(paths: list[str], options: Options) -> RunResult:
    """Load every PATH and validate it (raises sources.InputError / catalog.CatalogError)."""
    version = catalogs.normalise_version(options.kubernetes_version or catalogs.newest_version())
    loaded = loader.load(paths, extra_crd_paths=options.crd_paths)
    catalog = catalogs.load_catalog(version, options.strict)
    findings = loaded.findings + validate(loaded.resources, catalog, loaded.crds)
    findings.sort(key=Finding.sort_key)
    return RunResult(findings, len(loaded.resources), loaded.files, version, loaded.notes)
