"""`--changed-since REV`: keep only the findings on what a pull request touched.

The same PATHs are read at REV (a git revision, or a folder holding the prior copy, as `diff
--base` takes it) and paired with the current objects by identity (planner.diff.pairing.pair, which
compares the objects as the API server stores them). A finding is kept when its object is new or
changed; a finding about a file rather than an object (broken YAML) is kept when that file
differs from REV. Everything is still loaded, validated and linted as a whole, so a reference to
an unchanged object in another file resolves as usual.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from kubeplan.model import Finding, Resource
from kubeplan.planner.diff.pairing import CREATE, UPDATE, pair
from kubeplan.planner.diff.run import git_output, manifests_folder, resolve_base
from kubeplan.report.progress import Progress
from kubeplan.schemas import loader

Identity = tuple[str, str, str, str]


@dataclass
class ChangedScope:
    label: str
    objects: set[Identity] = field(default_factory=set)
    files: set[str] | None = None  # real paths that differ; None: unknown (keep file findings)

    def keeps(self, finding: Finding) -> bool:
        resource = finding.resource
        if resource:
            return _identity(resource) in self.objects
        if self.files is None:
            return True
        return os.path.realpath(finding.file) in self.files


def _identity(resource: dict[str, str | None]) -> Identity:
    group = (resource.get("apiVersion") or "").rpartition("/")[0]
    return (
        group,
        resource.get("kind") or "",
        resource.get("namespace") or "",
        resource.get("name") or "",
    )


def changed_since(rev: str, paths: list[str], resources: list[Resource]) -> ChangedScope:
    """What changed in `paths` since `rev` (raises sources.InputError for a bad REV)."""
    base_paths, label = resolve_base(rev, paths, option="--changed-since")
    progress = Progress()
    try:
        old = (
            loader.load(base_paths, progress=progress.update) if base_paths else loader.LoadResult()
        )
    finally:
        progress.close()
    scope = ChangedScope(label)
    for paired in pair(old.resources, resources):
        if paired.action in (CREATE, UPDATE) and paired.new is not None:
            scope.objects.add(_identity(paired.new.ref()))
    if label.startswith("git:"):
        scope.files = _changed_files(label[len("git:") :], paths)
    return scope


def _changed_files(revision: str, paths: list[str]) -> set[str] | None:
    top = git_output(["rev-parse", "--show-toplevel"], manifests_folder(paths))
    if top is None:
        return None
    relative = [os.path.relpath(os.path.abspath(p), top) for p in paths if p != "-"]
    diffed = git_output(["diff", "--name-only", revision, "--", *relative], top)
    untracked = git_output(["ls-files", "--others", "--exclude-standard", "--", *relative], top)
    if diffed is None or untracked is None:
        return None
    names = [n for n in (diffed + "\n" + untracked).splitlines() if n]
    return {os.path.realpath(os.path.join(top, n)) for n in names}


def restrict(findings: list[Finding], scope: ChangedScope) -> list[Finding]:
    return [f for f in findings if scope.keeps(f)]
