"""`kubeplan diff`: load the new revision and its base, pair them, classify every field change.

BASE is, in this order of precedence:
- an existing file or folder (a prior copy of the manifests, or a `kubectl get -o yaml` dump of
  the live objects);
- a git revision (`HEAD~1`, `origin/main`, a sha, or `git:REV`): the same PATHs are read at that
  revision from the object store. A PATH that did not exist at REV has an empty base, so
  everything in it is created.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from kubeplan.model import Finding, Resource, Severity, finding_for
from kubeplan.planner import upstream
from kubeplan.planner.diff.effects.classify import ClassifiedChange, classify
from kubeplan.planner.diff.liveapply import LiveApply
from kubeplan.planner.diff.locate import in_new_file
from kubeplan.planner.diff.pairing import (
    CREATE,
    DELETE,
    UNCHANGED,
    UPDATE,
    Pair,
    pair,
    pair_key,
)
from kubeplan.rules.ignore_paths import leave_out
from kubeplan.schemas import loader, programs, yamlnodes
from kubeplan.schemas.sources import InputError

# How an immutable change can still be made, and what it costs the running pods.
IMMUTABLE_REMEDY = (
    "delete and recreate the object (kubectl delete, then apply; or kubectl replace --force),"
    " which for a workload stops all its pods before the new ones start"
)


@dataclass
class ChangeReport:
    pair: Pair
    fields: list[ClassifiedChange] = field(default_factory=list)
    unchanged_on_apply: bool = False  # an update whose every difference has no effect

    @property
    def action(self) -> str:
        return UNCHANGED if self.unchanged_on_apply else self.pair.action

    @property
    def resource(self) -> Resource:
        return self.pair.resource

    def effects(self) -> set[str]:
        return {change.effect for change in self.fields}


@dataclass
class DiffResult:
    changes: list[ChangeReport]
    findings: list[Finding]
    base_label: str
    resources: int
    files: int
    kubernetes_version: str
    notes: list[str] = field(default_factory=list)
    # The two revisions whole, for the stages after the diff (apply order, RBAC, reachability).
    new: loader.LoadResult = field(default_factory=loader.LoadResult, repr=False)
    base: loader.LoadResult = field(default_factory=loader.LoadResult, repr=False)
    # Base objects made by controllers or the cluster (a live dump's ReplicaSets, Pods, ...).
    not_compared: int = 0
    # The base without them: what the manifests are compared with.
    compared_base: list[Resource] = field(default_factory=list, repr=False)
    config: str | None = None  # the config file of the run (kubeplan/config/), for the JSON

    def has_changes(self) -> bool:
        """Would applying create, update or delete an object?"""
        return any(c.action != UNCHANGED for c in self.changes)

    def counts(self) -> dict[str, int]:
        updates = [c for c in self.changes if c.action == UPDATE]
        return {
            "create": sum(c.action == CREATE for c in self.changes),
            "delete": sum(c.action == DELETE for c in self.changes),
            "update": len(updates),
            "unchanged": sum(c.action == UNCHANGED for c in self.changes),
            "rollout": sum(bool({"rollout", "recreate"} & c.effects()) for c in updates),
            "scale": sum("scale" in c.effects() for c in updates),
            "staged": sum("staged" in c.effects() for c in updates),
            "rejected": sum("immutable" in c.effects() for c in updates),
            "config": sum("config-not-reloaded" in c.effects() for c in updates),
            "unknown": sum("unknown" in c.effects() for c in updates),
        }


def resolve_base(
    base: str, paths: list[str], cwd: str | None = None, option: str = "--base"
) -> tuple[list[str], str]:
    """The loader PATHs of the base revision, and a label for it (raises InputError, whose
    message names `option`, the option that gave the revision)."""
    if os.path.exists(base):
        return [base], base
    revision = base[len("git:") :] if base.startswith("git:") else base
    cwd = cwd or manifests_folder(paths)
    top = git_output(["rev-parse", "--show-toplevel"], cwd)
    if top is None:
        raise InputError(
            f"{option} {base}: no such file or folder, and not inside a git repository"
        )
    label = f"git:{revision}"
    if git_output(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], cwd) is None:
        if not upstream.is_upstream(revision):
            raise InputError(
                f"{option} {base}: no such file or folder, nor git revision{_shallow(cwd)}"
            )
        found, label = upstream.fallback(revision, cwd, git_output)
        if found is None:
            return [], label
        revision = found
    specs = []
    for path in paths:
        if path == "-":
            raise InputError(
                f"{option} REV cannot pair standard input with a revision; give a path"
            )
        relative = os.path.relpath(os.path.abspath(path), top)
        if relative.startswith(".."):
            raise InputError(f"{path}: outside the git repository at {top}")
        listing = git_output(["ls-tree", "--name-only", revision, "--", relative], top)
        if listing:  # absent at that revision: an empty base
            specs.append(f"git:{revision}:{'' if relative == '.' else relative}".rstrip(":"))
    return specs, label


def _shallow(cwd: str | None) -> str:
    """A hint when the clone is shallow: the revision is likely there, but not fetched (CI
    checkouts fetch one commit by default)."""
    if git_output(["rev-parse", "--is-shallow-repository"], cwd) != "true":
        return ""
    return (
        "; this clone is shallow (its history was not fetched): run `git fetch --unshallow`"
        " or check out with `fetch-depth: 0` (actions/checkout)"
    )


def manifests_folder(paths: list[str]) -> str | None:
    """The folder of the first PATH: a git base is read from the repository holding the
    manifests, wherever kubeplan runs from."""
    first = next((p for p in paths if p != "-" and os.path.exists(p)), None)
    if first is None:
        return None
    return first if os.path.isdir(first) else os.path.dirname(os.path.abspath(first))


def git_output(args: list[str], cwd: str | None) -> str | None:
    """The stripped stdout of a git command, or None when it fails or git is missing."""
    try:
        done = programs.run(["git", *args], capture_output=True, text=True, cwd=cwd, check=False)
    except (OSError, programs.ProgramMissing):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def run_diff(
    paths: list[str],
    base: str | None,
    kubernetes_version: str,
    progress: Callable[[int, int, str], None] | None = None,
    ignored: Callable[[str], bool] | None = None,
    namespace: str | None = None,
    server_side: bool = False,
    force_conflicts: bool = False,
    prune: bool = False,
) -> DiffResult:
    """Diff PATHs against BASE; with no BASE, against an empty cluster (everything is created).

    Against a live dump, the new side of each object is what the apply leaves (client-side
    `kubectl apply`, or `--server-side` with `server_side`; liveapply.py).

    `progress(done, total, file)` is told of each file read (the new revision, then the base);
    `ignored(file)` leaves out the files the config's ignore-paths name, in both revisions."""
    programs.note_inputs(paths)  # before git resolves the base: no git from inside them
    base_paths, label = resolve_base(base, paths) if base is not None else ([], "an empty cluster")
    with yamlnodes.shared_parses():  # the two revisions share most documents' text
        new = loader.load(paths, progress=progress, namespace=namespace)
        old = (
            loader.load(
                base_paths,
                progress=progress,
                git_cwd=manifests_folder(paths),
                namespace=namespace,
                refuse_other_namespaces=False,
            )
            if base_paths
            else loader.LoadResult()
        )
    leave_out(new, ignored)
    leave_out(old, ignored)
    findings = [_tag(f, "base") for f in old.findings if f.severity == Severity.ERROR]
    findings += [f for f in new.findings if f.severity == Severity.ERROR]
    compared, skipped = _not_made_by_controllers(old.resources, new.resources)
    live = LiveApply(kubernetes_version, server_side, force_conflicts)
    reports = []
    kept_live = 0
    for paired in pair(compared, new.resources, live):
        if paired.action == DELETE and not prune and paired.old.server_fields:
            kept_live += 1  # kubectl apply -f never deletes what the files do not name
            continue
        report = ChangeReport(paired)
        if paired.action == UPDATE:
            report.fields = classify(paired, new.resources, old.resources, kubernetes_version)
            report.unchanged_on_apply = not report.fields
            findings.extend(_immutable_findings(report))
        reports.append(report)
    findings.extend(live.findings)
    findings.sort(key=Finding.sort_key)
    return DiffResult(
        reports,
        findings,
        label,
        len(new.resources),
        new.files,
        kubernetes_version,
        [*new.notes, *live.notes(), *_deletion_note(reports, kept_live, prune)],
        new,
        old,
        skipped,
        compared,
    )


def _deletion_note(reports: list[ChangeReport], kept_live: int, prune: bool) -> list[str]:
    """Which deletion model the diff used: `kubectl apply -f` never deletes an object the
    files do not name (staging/src/k8s.io/kubectl/pkg/cmd/apply/apply.go deletes only with
    --prune, scoped by a label selector or an ApplySet); a revision of the manifests that no
    longer holds an object means a GitOps tool (or --prune) deletes it."""
    if kept_live:
        return [
            f"{kept_live} live object(s) of the base are in no manifest and are kept, as kubectl"
            " apply -f never deletes; --prune models kubectl apply --prune (or a GitOps tool),"
            " which deletes them"
        ]
    deleted = sum(report.action == DELETE for report in reports)
    if not deleted:
        return []
    if prune:
        return ["--prune: objects of the base that no manifest names are deleted"]
    if deleted:
        return [
            "objects of the base revision that no manifest names any more are shown deleted, as"
            " a GitOps tool (or kubectl apply --prune) deletes them; kubectl apply -f alone"
            " leaves them"
        ]
    return []


def _not_made_by_controllers(
    base: list[Resource], new: list[Resource] | None = None
) -> tuple[list[Resource], int]:
    """The base objects a manifest could have made.

    A live dump (`kubectl get all -o yaml`) also holds what controllers made from the manifests:
    ReplicaSets of a Deployment, Pods, EndpointSlices, Jobs of a CronJob. Each names its maker in
    `metadata.ownerReferences` with `controller: true` (k8s.io/apimachinery
    pkg/apis/meta/v1/types.go OwnerReference.Controller), and none of them is in any manifest,
    so they are neither deletions nor anything to compare. The same holds for the objects every
    cluster makes itself (the `default` ServiceAccount, `kube-root-ca.crt`, the `kubernetes`
    Service; kube/data/cluster_objects.yaml) when they come from a dump, unless the manifests
    declare that object themselves (a `Namespace` `kube-system` with the team's labels): then it
    is theirs to update, and compared (never a create of what exists)."""
    from kubeplan.kube.cluster import cluster_objects

    kept: list[Resource] = []
    skipped = 0
    builtin = cluster_objects()
    declared = {pair_key(resource) for resource in new or ()}
    for resource in base:
        if (
            resource.server_fields
            and pair_key(resource) not in declared
            and (
                _controlled(resource)
                or any(
                    p.matches(resource.kind, resource.namespace, resource.name or "")
                    for p in builtin
                )
            )
        ):
            skipped += 1
        else:
            kept.append(resource)
    return kept, skipped


def _controlled(resource: Resource) -> bool:
    metadata = resource.body.get("metadata")
    owners = metadata.get("ownerReferences") if isinstance(metadata, dict) else None
    return isinstance(owners, list) and any(
        isinstance(owner, dict) and owner.get("controller") is True for owner in owners
    )


def _tag(finding: Finding, side: str) -> Finding:
    finding.message = f"({side}) {finding.message}"
    return finding


def _immutable_findings(report: ChangeReport) -> list[Finding]:
    resource = report.resource
    out = []
    for change in report.fields:
        if change.effect != "immutable":
            continue
        finding = finding_for(
            resource,
            "immutable-field-changed",
            Severity.ERROR,
            f"{change.label}: {change.reason}; the API server rejects this update",
            change.path,
            hint=f"to change it: {IMMUTABLE_REMEDY}",
        )
        # a removed field is no longer in the new file: point at what lost it (locate.py)
        finding.line, finding.column = resource.position(in_new_file(change))
        out.append(finding)
    return out
