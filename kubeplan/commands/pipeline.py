"""One pass of the pipeline for `validate`, `lint`, `check` and `baseline write`: load once,
then validate and/or lint the same resources (commands/check.py and commands/baseline.py run it
and turn its `RunResult` into the report document).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kubeplan.model import Finding, Resource, Severity, fails
from kubeplan.schemas import catalog as catalogs
from kubeplan.schemas import loader, renderguard
from kubeplan.schemas.validate import validate

if TYPE_CHECKING:
    from kubeplan.config.settings import Settings
    from kubeplan.rules.engine import LintSettings


@dataclass
class Options:
    kubernetes_version: str | None = None
    strict: bool | None = None  # None: the config decides, else strict
    crd_paths: list[str] = field(default_factory=list)
    config_path: str | None = None
    inline_ignore: bool = True
    # Read so that references resolve (a Service here, its Deployment there) and CRDs are known,
    # but neither validated, linted nor reported: what a pre-commit hook on changed files needs.
    context_paths: list[str] = field(default_factory=list)
    # Real paths of files in the context that hold no objects (`check --hook`: a kustomization's
    # patches, schemas/hookscope.py), kept out of the context objects.
    context_skip: frozenset[str] = frozenset()
    config: Any = None  # the config.load.Config the command read; None: read it here
    # --admission-config: the cluster's AdmissionConfiguration (Pod Security defaults)
    admission_config: str | None = None
    namespace: str | None = None  # -n: as kubectl apply -n
    admission_paths: list[str] = field(default_factory=list)  # --admission DIR|DUMP


@dataclass
class RunResult:
    findings: list[Finding]
    resources: int
    files: int
    kubernetes_version: str
    notes: list[str] = field(default_factory=list)
    fail_on: str | None = None  # from the config, when the command line did not say
    objects: list[Resource] = field(default_factory=list, repr=False)  # what was checked
    config: str | None = None  # the config file used

    def counts(self) -> dict[str, int]:
        active = [f for f in self.findings if not f.suppressed]
        return {
            "errors": sum(f.severity == Severity.ERROR for f in active),
            "warnings": sum(f.severity == Severity.WARNING for f in active),
            "infos": sum(f.severity == Severity.INFO for f in active),
            "suppressed": sum(f.suppressed for f in self.findings),
        }

    def failed(self, fail_on: str) -> bool:
        return fails(self.findings, fail_on)


def options(
    settings: Settings,
    strict: bool | None,
    crd: list[str] | None,
    inline_ignore: bool,
    context: list[str] | None,
) -> Options:
    """The options of one run: the settings, and the command line's own."""
    return Options(
        kubernetes_version=settings.kubernetes_version,
        strict=strict,
        crd_paths=crd or [],
        config_path=settings.config_path,
        inline_ignore=inline_ignore,
        context_paths=context or [],
        config=settings.effective(),
    )


def run(paths: list[str], options: Options, mode: str = "check") -> RunResult:
    """Load every PATH, then validate and/or lint (raises InputError, CatalogError, ConfigError)."""
    from kubeplan.config.load import load_config
    from kubeplan.rules.known import rule_ids

    config = options.config or load_config(options.config_path, rule_ids)
    renderguard.configure_from_config(config.allow_remote, config.render)
    version = catalogs.normalise_version(
        options.kubernetes_version or config.kubernetes_version or catalogs.newest_version()
    )
    strict = options.strict if options.strict is not None else config.strict is not False
    from kubeplan.report.progress import Progress

    progress = Progress()
    try:
        return _run(paths, options, mode, config, version, strict, progress)
    finally:
        progress.close()


def _run(  # type: ignore[no-untyped-def]
    paths: list[str], options: Options, mode: str, config, version: str, strict: bool, progress
) -> RunResult:
    """Read, validate, admit and lint, saying each phase on the progress line."""
    lint_wanted = mode in ("lint", "check")
    loaded = loader.load(
        paths,
        extra_crd_paths=options.crd_paths,
        progress=progress.update,
        namespace=options.namespace,
    )
    resources, findings = loaded.resources, list(loaded.findings)
    from kubeplan.rules.ignore_paths import matcher

    ignored = matcher(config.ignore_paths, config.path)
    if ignored is not None:
        resources = [r for r in resources if not ignored(r.origin.file)]
        findings = [f for f in findings if not ignored(f.file)]
    context = _context(
        options.context_paths, resources, findings, ignored, options.context_skip, options.namespace
    )
    if context:
        from kubeplan.schemas import crd

        loaded.crds.add_all(r for r in context if crd.is_crd(r))
    if mode in ("validate", "check"):
        progress.stage(f"validating {len(resources)} objects")
        findings += validate(resources, catalogs.load_catalog(version, strict), loaded.crds)
    if mode == "check":
        progress.stage("admission: Pod Security, LimitRange, ResourceQuota")
        admitted = _admit(resources, findings, version, config, options, context)
        findings += admitted.findings
        loaded.notes += admitted.notes
    findings = _silence(findings, resources, config.lint, options)
    if lint_wanted:
        progress.stage(f"linting {len(resources)} objects")
        findings += _lint(resources, version, config, options, context)
        if mode == "check":
            findings = _drop_doubles(findings)
    findings.sort(key=Finding.sort_key)
    return RunResult(
        findings,
        len(resources),
        loaded.files,
        version,
        loaded.notes,
        config.fail_on,
        resources,
        config.path,
    )


def _admit(
    resources: list[Resource],
    findings: list[Finding],
    version: str,
    config: Any,
    options: Options,
    context: list[Resource],
) -> Any:
    """Admission's verdicts (Pod Security, LimitRange, ResourceQuota, ValidatingAdmissionPolicy)
    on the objects the API server accepts: a refused object never reaches admission."""
    from kubeplan.admission.run import AdmissionOptions, admit, pod_security_config
    from kubeplan.rules.known import REJECTING_RULES

    refused = {
        (f.file, f.resource.get("kind"), f.resource.get("namespace"), f.resource.get("name"))
        for f in findings
        if f.rule in REJECTING_RULES and f.severity == Severity.ERROR and f.resource
    }
    admitted = [r for r in resources if (r.origin.file, r.kind, r.namespace, r.name) not in refused]
    admission_options = AdmissionOptions(
        version,
        pod_security_config(options.admission_config or config.admission_config),
        config.namespaces,
        policy_paths=list(options.admission_paths),
    )
    return admit(admitted, admission_options, context=context)


def _context(
    paths: list[str],
    resources: list[Resource],
    findings: list[Finding],
    ignored: Callable[[str], bool] | None,
    skip: frozenset[str] = frozenset(),
    namespace: str | None = None,
) -> list[Resource]:
    """The resources of the --context paths that are not among those checked (same file)."""
    if not paths:
        return []
    import os

    checked = {os.path.realpath(r.origin.file) for r in resources}
    checked.update(os.path.realpath(f.file) for f in findings)
    checked.update(skip)
    from kubeplan.report.progress import Progress

    progress = Progress()
    try:  # its own findings are not this run's to report
        extra = loader.load(paths, progress=progress.update, namespace=namespace).resources
    finally:
        progress.close()
    return [
        r
        for r in extra
        if os.path.realpath(r.origin.file) not in checked
        and not (ignored is not None and ignored(r.origin.file))
    ]


def _silence(
    findings: list[Finding], resources: list[Resource], settings: LintSettings, options: Options
) -> list[Finding]:
    """The config and the ignore annotation on the reading and validation findings (the lint
    engine applies them to its own)."""
    if not findings:
        return findings
    from kubeplan.rules import suppress

    if not options.inline_ignore:
        settings.inline_ignore = False
    return suppress.apply(findings, suppress.index(resources), settings)


def _lint(  # type: ignore[no-untyped-def]
    resources: list, version: str, config, options: Options, context: list | None = None
) -> list[Finding]:
    from kubeplan.rules.context import LintContext
    from kubeplan.rules.custom import rules_from_config, rules_from_entry_points
    from kubeplan.rules.engine import lint

    extra = rules_from_config(config.custom_rules, config.path or ".kubeplan.yaml")
    extra += rules_from_entry_points()
    settings = config.lint
    if not options.inline_ignore:
        settings.inline_ignore = False
    ctx = LintContext(resources + (context or []), version, external=config.external)
    findings = lint(resources, ctx, settings, extra)
    if settings.inline_ignore:
        findings += _unknown_ignores(resources, {rule.meta.id for rule in extra})
    return findings


def _unknown_ignores(resources: list[Resource], extra_ids: set[str]) -> list[Finding]:
    """kubeplan.io/ignore naming no rule: every id kubeplan reports (lint rules, user rules,
    the findings of reading, validation and the plan) is known."""
    from kubeplan.rules.ignore_names import unknown_ignores
    from kubeplan.rules.known import all_rules

    return unknown_ignores(resources, lambda: set(all_rules()) | extra_ids)


def _drop_doubles(findings: list[Finding]) -> list[Finding]:
    """One finding per fact: `removed-api` (lint) says more than `api-version-not-served`
    (schema) about one object; the API server's own refusal of a selector that does not match
    the template (`api-invalid` at spec.template.metadata.labels, ValidateDeploymentSpec and
    its siblings) makes the lint rule `selector-mismatch` on that object a double."""
    removed = {(f.file, f.line) for f in findings if f.rule == "removed-api"}
    refused_selectors = {
        (f.file, _object_key(f))
        for f in findings
        if f.rule == "api-invalid" and "`selector` does not match template `labels`" in f.message
    }
    return [
        f
        for f in findings
        if not (f.rule == "api-version-not-served" and (f.file, f.line) in removed)
        and not (f.rule == "selector-mismatch" and (f.file, _object_key(f)) in refused_selectors)
    ]


def _object_key(finding: Finding) -> tuple[Any, ...]:
    ref = finding.resource or {}
    return (ref.get("kind"), ref.get("namespace"), ref.get("name"))
