"""`kubeplan plan`: the diff, put in apply order, with each workload's rollout and the checks
that can block a step (rejection by the API server, RBAC of the applying identity, connections
a NetworkPolicy change cuts).

A step is one object of the diff that `kubectl apply` (or the deletion of a removed object)
touches; unchanged objects are not steps. Each stage is its own module; this one joins them:

- `diff.run.run_diff`: pairing and field effects, immutable-field findings;
- `graph.apply_order`: dependency order in waves (networkx);
- `rollout.plan.plan_rollout`: the scaling steps of each controller;
- `rbac`: the requests each step makes and whether the identity may make them (with `--as`);
- `netpol`: reachability of the base and of the new revision, and what is lost or gained.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kubeplan.model import Finding, Resource, ResourceId, Severity, fails
from kubeplan.planner.diff.pairing import CREATE, DELETE, UPDATE
from kubeplan.planner.diff.run import ChangeReport, DiffResult, run_diff
from kubeplan.planner.netpol.unmodelled import is_other_policy
from kubeplan.rules.known import REJECTING_RULES

# Findings that block a step although the API server would accept it: the identity may not
# make the request, or the step cuts a connection that is used or declared required.
BLOCKING_RULES = frozenset({"rbac-denied", "netpol-cuts-connection", "netpol-blocks-declared"})

POD_EFFECTS = frozenset({"rollout", "recreate", "scale", "staged"})


@dataclass
class PlanOptions:
    kubernetes_version: str
    nodes: int | None = None  # DaemonSet rollouts: nodes the DaemonSet runs on
    user: str | None = None  # --as: check RBAC for this identity
    groups: tuple[str, ...] = ()
    rbac_paths: list[str] = field(default_factory=list)
    server_side: bool = False
    force_conflicts: bool = False  # --force-conflicts (with --server-side)
    prune: bool = False  # --prune: live objects no manifest names are deleted
    admission_config: str | None = None  # --admission-config: Pod Security defaults, exemptions
    namespace: str | None = None  # -n: as kubectl apply -n
    # --admission: the cluster's ValidatingAdmissionPolicies, bindings and params
    admission_paths: list[str] = field(default_factory=list)
    # The config.load.Config the command read (kubeplan/config/; its defaults without a file).
    config: Any = None


@dataclass
class PlanStep:
    order: int
    wave: int
    action: str  # create | update | delete
    resource: Resource
    change: ChangeReport
    depends_on: list[ResourceId] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rollout: Any = None  # rollout.Rollout
    rbac: Any = None  # rbac.StepVerdict
    findings: list[Finding] = field(default_factory=list)
    # The steps it depends on that the API server rejects, or that cannot happen themselves.
    rejected_dependencies: list[ResourceId] = field(default_factory=list)
    # Admission (kubeplan/admission): the findings that refuse the object itself (a Pod, a
    # PVC), and those that refuse the pods a workload's controller creates (it stalls).
    refused: list[Finding] = field(default_factory=list)
    stalls: list[Finding] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        """The API server refuses the request. Every rejecting finding the plan attaches is an
        error when made; the config may re-grade or silence it (it then no longer fails the
        run), but the API server still refuses the step (rules/suppress.py)."""
        return bool(self.refused) or any(f.rule in REJECTING_RULES for f in self.findings)

    @property
    def blocked(self) -> bool:
        """The API server would accept it, but the identity may not, or it cuts a connection."""
        if self.rejected:
            return False
        if self.rbac is not None and not self.rbac.allowed:
            return True
        return any(
            f.severity == Severity.ERROR and f.rule in BLOCKING_RULES and not f.suppressed
            for f in self.findings
        )

    @property
    def cannot_happen(self) -> bool:
        """The API server would accept it, but a step it depends on is rejected (or cannot
        happen itself): what it needs will not exist (a ServiceAccount, a ConfigMap, a
        Namespace), so its pods, or the object itself, fail."""
        return not self.rejected and not self.blocked and bool(self.rejected_dependencies)

    @property
    def verdict(self) -> str:
        """What the plan shows: the action, or `rejected` / `blocked` / `cannot-happen`."""
        if self.rejected:
            return "rejected"
        if self.blocked:
            return "blocked"
        if self.rejected_dependencies:
            return "cannot-happen"
        if self.stalls:
            return "stalls"
        return self.action

    @property
    def stalled(self) -> bool:
        """Accepted, but admission refuses the pods its controller creates: the rollout stalls."""
        return self.verdict == "stalls"

    @property
    def effects(self) -> set[str]:
        return self.change.effects()

    @property
    def strategy_changed(self) -> bool:
        """A lowered partition or a switch to RollingUpdate replaces pods an older change left
        on the previous revision (pkg/controller/statefulset/stateful_set_control.go)."""
        return any(change.path[:2] == ("spec", "updateStrategy") for change in self.change.fields)

    @property
    def rolls(self) -> bool:
        """Pods are replaced: a template change, or pods an earlier change left behind."""
        if self.rejected:
            return False
        if {"rollout", "recreate"} & self.effects:
            return True
        return self.strategy_changed and self.rollout is not None and bool(self.rollout.steps)


@dataclass
class Plan:
    diff: DiffResult
    steps: list[PlanStep]
    rollouts: list[Any]
    cycles: list[list[ResourceId]]
    findings: list[Finding]
    reach: Any = None  # netpol ReachChange, when either revision has NetworkPolicies
    identity: Any = None  # rbac Identity, with --as
    notes: list[str] = field(default_factory=list)
    fail_on: str | None = None  # from the config

    def counts(self) -> dict[str, int]:
        updates = [s for s in self.steps if s.action == UPDATE]
        return {
            "create": sum(s.action == CREATE for s in self.steps),
            "update": len(updates),
            "delete": sum(s.action == DELETE for s in self.steps),
            "rollout": sum(s.rolls for s in updates),
            "scale": sum("scale" in s.effects and not s.rolls for s in updates),
            "staged": sum("staged" in s.effects and not s.rolls for s in updates),
            "no_pod_effect": sum(not (POD_EFFECTS & s.effects) and not s.rolls for s in updates),
            "rejected": sum(s.rejected for s in self.steps),
            "blocked": sum(s.blocked for s in self.steps),
            "cannot_happen": sum(s.cannot_happen for s in self.steps),
            "stalls": sum(s.stalled for s in self.steps),
            "waves": max((s.wave for s in self.steps), default=0),
            "cycles": len(self.cycles),
        }

    def failed(self, fail_on: str) -> bool:
        """A rejected or blocked step has an error finding (rejections, `rbac-denied`, a cut
        connection); silenced or re-graded in the config, it no longer fails the run."""
        return fails(self.findings, fail_on)

    def has_changes(self) -> bool:
        """Would applying change anything (a step to create, update or delete)?"""
        return bool(self.steps)


def build_plan(
    paths: list[str],
    base: str | None,
    options: PlanOptions,
    progress: Callable[[int, int, str], None] | None = None,
) -> Plan:
    """Diff PATHs against BASE and plan the apply (raises InputError)."""
    from kubeplan.schemas import renderguard

    config = options.config
    renderguard.configure_from_config(config.allow_remote, config.render)
    from kubeplan.rules.ignore_paths import matcher

    ignored = matcher(config.ignore_paths, config.path)
    diff = run_diff(
        paths,
        base,
        options.kubernetes_version,
        progress,
        ignored,
        namespace=options.namespace,
        server_side=options.server_side,
        force_conflicts=options.force_conflicts,
        prune=options.prune,
    )
    diff.config = config.path
    findings = list(diff.findings)
    changes = [
        (report.action, report.resource)
        for report in diff.changes
        if report.action in (CREATE, UPDATE, DELETE)
    ]
    by_resource = {
        id(report.resource): report for report in diff.changes if report.action != "unchanged"
    }
    findings += _rejections(diff, [r for action, r in changes if action != DELETE])

    from kubeplan.planner.graph import apply_order

    order = apply_order(
        changes,
        diff.new.resources,
        diff.compared_base,
        _external(config.external, diff.base.resources),
    )
    steps = [
        PlanStep(
            step.order,
            step.wave,
            step.action,
            step.resource,
            by_resource[id(step.resource)],
            list(step.depends_on),
            list(step.reasons),
            list(step.warnings),
        )
        for step in order.steps
    ]
    _attach(findings, steps)  # a rejected step rolls nothing
    attached = len(findings)
    from kubeplan.planner.admission import admit_steps, quota_rollouts

    admitted, admission = admit_steps(steps, diff, config, options)
    findings += admitted
    rollouts = _rollouts(steps, diff, options)
    findings += quota_rollouts(steps, admission)
    identity = None
    if options.user is not None:
        identity, rbac_findings = _authorize(steps, diff, options)
        findings += rbac_findings
    findings += _granted_risks(diff)
    findings += _crd_deletions(steps, diff)
    reach = None
    if _has_policies(diff.new.resources) or _has_policies(diff.compared_base):
        reach, reach_findings = _reachability(diff, config)
        findings += reach_findings
    _attach(findings[attached:], steps)
    findings = _silence(findings, steps, diff, config.lint)
    _propagate_rejections(steps)
    findings.sort(key=Finding.sort_key)
    notes = [*diff.notes, *admission.notes]
    return Plan(
        diff,
        steps,
        rollouts,
        order.cycles,
        findings,
        reach,
        identity,
        notes,
        config.fail_on,
    )


def _silence(
    findings: list[Finding], steps: list[PlanStep], diff: DiffResult, settings: Any
) -> list[Finding]:
    """The config's `rules:` and `exclude:` and the ignore annotation, as lint applies them."""
    from kubeplan.rules import suppress

    objects = suppress.index(diff.new.resources, diff.base.resources)
    kept = suppress.apply(findings, objects, settings)
    still = {id(f) for f in kept}
    for step in steps:
        step.findings = [f for f in step.findings if id(f) in still]
    return kept


def _external(
    patterns: Iterable[Any], base: list[Resource]
) -> Callable[[str, str, str | None, str], bool]:
    """Objects that exist without being in the input: the config's, and the namespaces the base
    revision already has objects in (they exist when the plan runs). The objects every cluster
    has are the apply-order graph's own concern (graph.py)."""
    known = tuple(patterns)
    live_namespaces = {r.namespace for r in base if r.namespace}

    def external(group: str, kind: str, namespace: str | None, name: str) -> bool:
        if group == "" and kind == "Namespace" and name in live_namespaces:
            return True
        return any(p.matches(kind, namespace, name) for p in known)

    return external


def _rejections(diff: DiffResult, resources: list[Resource]) -> list[Finding]:
    """Schema errors of the objects the plan sends: the API server refuses each request."""
    from kubeplan.schemas import catalog as catalogs
    from kubeplan.schemas.validate import validate

    catalog = catalogs.load_catalog(diff.kubernetes_version, True)
    return [
        f
        for f in validate(resources, catalog, diff.new.crds)
        if f.severity == Severity.ERROR and f.rule in REJECTING_RULES
    ]


def _rollouts(steps: list[PlanStep], diff: DiffResult, options: PlanOptions) -> list[Any]:
    from kubeplan.kube.autoscaling import target_key
    from kubeplan.kube.workloads import is_workload
    from kubeplan.planner.diff.effects.indexes import hpa_targets
    from kubeplan.planner.rollout.plan import plan_rollout

    autoscaled = hpa_targets(diff.new.resources)
    out = []
    for step in steps:
        resource = step.resource
        # plan_rollout knows which controllers it replays; this only skips the other kinds
        if not is_workload(resource) or step.action == DELETE:
            continue
        if step.action == UPDATE and not (POD_EFFECTS & step.effects or step.strategy_changed):
            continue
        if step.rejected:
            continue  # nothing rolls: the API server refuses the update
        pair = step.change.pair
        step.rollout = plan_rollout(
            pair.old,
            resource,
            kubernetes_version=diff.kubernetes_version,
            nodes=options.nodes,
            autoscaled=target_key(resource) in autoscaled,
            old_body=pair.old_body if pair.old is not None else None,
            new_body=pair.new_body,
        )
        if step.rollout is not None:
            out.append(step.rollout)
    return out


def _authorize(
    steps: list[PlanStep], diff: DiffResult, options: PlanOptions
) -> tuple[Any, list[Finding]]:
    """Each step's requests, authorized against the RBAC in force when the plan is applied:
    the base revision's RBAC objects over `--rbac` (a dump of the cluster's) over the defaults.
    A binding's roleRef resolves in the new revision: a Role the plan creates in an earlier
    wave exists when the binding is written."""
    from kubeplan.planner.rbac import Identity, authorize_step
    from kubeplan.planner.rbac.policy import plan_policies
    from kubeplan.schemas import loader

    extra = loader.load(options.rbac_paths) if options.rbac_paths else loader.LoadResult()
    policies = plan_policies(
        diff.base.resources, diff.new.resources, extra.resources, diff.kubernetes_version
    )
    policy, after = policies.before, policies.after
    findings = [*extra.findings, *policies.findings]
    identity = Identity.of(options.user or "", options.groups)
    for step in steps:
        verdict = authorize_step(
            policy,
            identity,
            step.action,
            step.resource,
            server_side=options.server_side,
            roles_after=after,
        )
        step.rbac = verdict
        if not verdict.allowed:
            missing = "; ".join(m.get("message", "") for m in verdict.missing)
            message = f"{identity.user} may not {step.action} this object: {missing}"
            findings.append(_step_finding(step, "rbac-denied", message, verdict.hint))
    return identity, findings


def _step_finding(step: PlanStep, rule: str, message: str, hint: str | None) -> Finding:
    from kubeplan.model import finding_for

    return finding_for(step.resource, rule, Severity.ERROR, message, hint=hint)


def _granted_risks(diff: DiffResult) -> list[Finding]:
    from kubeplan.planner.rbac import granted_risks

    return list(granted_risks(diff.base.resources, diff.new.resources, diff.kubernetes_version))


def _crd_deletions(steps: list[PlanStep], diff: DiffResult) -> list[Finding]:
    """Deleting a CustomResourceDefinition deletes every object of its kind in the cluster
    (apiextensions-apiserver pkg/controller/finalizer/crd_finalizer.go: the
    `customresourcecleanup.apiextensions.k8s.io` finalizer deletes all custom resources before
    the CRD goes). An error when the base holds objects of the kind (they are lost), else a
    warning (the cluster may hold objects kubeplan cannot see)."""
    from kubeplan.model import finding_for
    from kubeplan.schemas.crd import is_crd

    out = []
    for step in steps:
        resource = step.resource
        if step.action != DELETE or not is_crd(resource):
            continue
        spec = resource.body.get("spec") if isinstance(resource.body.get("spec"), dict) else {}
        names = spec.get("names") if isinstance(spec.get("names"), dict) else {}
        group, kind = spec.get("group"), names.get("kind")
        lost = [r for r in diff.base.resources if r.group == group and r.kind == kind]
        if lost:
            shown = ", ".join(str(r.identity) for r in lost[:5])
            more = f" and {len(lost) - 5} more" if len(lost) > 5 else ""
            message = (
                f"deleting this CustomResourceDefinition deletes every {kind} in the cluster:"
                f" {len(lost)} in the base ({shown}{more}) are lost with it"
            )
            severity = Severity.ERROR
        else:
            message = (
                f"deleting this CustomResourceDefinition deletes every {kind} in the cluster,"
                " including objects kubeplan cannot see; the base holds none"
            )
            severity = Severity.WARNING
        out.append(finding_for(resource, "crd-deleted", severity, message))
    return out


def _has_policies(resources: list[Resource]) -> bool:
    return any(r.kind == "NetworkPolicy" or is_other_policy(r) for r in resources)


def _reachability(diff: DiffResult, config: Any) -> tuple[Any, list[Finding]]:
    from kubeplan.planner.netpol.change import reach_change

    change = reach_change(
        diff.compared_base,
        diff.new.resources,
        declared=list(config.connections),
        source=config.path or ".kubeplan.yaml",
    )
    # What reachability says of the new revision (a policy part the API server rejects, a policy
    # API it does not model), then what the change cuts or opens.
    return change, [*change.new.findings, *change.findings, *change.problems]


def _propagate_rejections(steps: list[PlanStep]) -> None:
    """A step that depends on a rejected step, or on one that cannot happen, cannot happen:
    `kubectl apply` still sends it, but what it depends on will not exist. Runs to a fixed
    point, so a chain (Namespace rejected -> ServiceAccount -> Deployment) is followed."""
    by_id = {step.resource.identity: step for step in steps}
    changed = True
    while changed:
        changed = False
        for step in steps:
            if step.rejected:
                continue
            for dependency in step.depends_on:
                other = by_id.get(dependency)
                if other is None or dependency in step.rejected_dependencies:
                    continue
                if other.rejected or other.rejected_dependencies:
                    step.rejected_dependencies.append(dependency)
                    changed = True


def _attach(findings: list[Finding], steps: list[PlanStep]) -> None:
    """Each finding about a step's object joins that step (it is what blocks or rejects it)."""
    index: dict[tuple[Any, ...], PlanStep] = {}
    for step in steps:
        ref = step.resource.ref()
        index[(ref["apiVersion"], ref["kind"], ref["namespace"], ref["name"])] = step
    for finding in findings:
        ref = finding.resource
        if not ref:
            continue
        step = index.get(
            (ref.get("apiVersion"), ref.get("kind"), ref.get("namespace"), ref.get("name"))
        )
        if step is not None:
            step.findings.append(finding)
