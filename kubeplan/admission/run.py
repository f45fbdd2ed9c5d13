"""The verdicts of admission on a set of objects, read by `check` and `plan` alike.

For every object, in the order admission runs its plugins (pkg/kubeapiserver/options/
plugins.go `AllOrderedPlugins`; reference: ../shared/reference/admission.md section 0):

1. defaulting of the pod the API server stores (`SetDefaults_Pod`), then LimitRanger's
   defaults (mutating phase);
2. LimitRanger's validation, then PodSecurity, then ResourceQuota (validating phase; the first
   refusal ends the request, so a pod LimitRanger refuses is not charged to a quota).

A bare Pod (and a PersistentVolumeClaim) is refused itself. A workload is admitted with Pod
Security's warnings only (admission.go `ValidatePodController`); its pods are refused later,
when its controller creates them, so its rollout stalls. `Admission.refused_pods` names those
workloads and `Admission.refused_objects` the objects the API server refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kubeplan.admission.namespaces import NamespaceView, namespaces
from kubeplan.admission.podsecurity.api import (
    Level,
    LevelVersion,
    PolicyDefaults,
    policy_to_evaluate,
)
from kubeplan.admission.podsecurity.config import DEFAULT_CONFIG, PodSecurityConfig
from kubeplan.admission.podsecurity.evaluate import evaluate_pod, violation_message
from kubeplan.kube.podresources import POD_LEVEL_DEFAULT_MINOR
from kubeplan.kube.values import object_labels
from kubeplan.kube.versions import minor
from kubeplan.kube.workloads import pod_template
from kubeplan.model import Finding, Path, Resource, Severity, finding_for, format_path

PSA_ENFORCE = "pod-security-enforce"
PSA_WARN = "pod-security-warn"
PSA_AUDIT = "pod-security-audit"
LIMITRANGE = "limitrange-violation"


@dataclass
class AdmissionOptions:
    kubernetes_version: str
    pod_security: PodSecurityConfig | None = None  # None: the API server's defaults
    declared: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    nodes: int | None = None  # DaemonSet pods: one per node
    # Does applying this object create pods now? (plan: only steps whose rollout does; check:
    # every workload). Pod Security's warnings are given for every workload either way.
    creates_pods: Callable[[Resource], bool] = lambda _resource: True
    # Is the object created (its quota usage charged)? plan: its create steps; check: all.
    charged: Callable[[Resource], bool] = lambda _resource: True
    # The stored object an apply updates (plan: the base's), for `oldObject`; None: a create.
    old_of: Callable[[Resource], Resource | None] = lambda _resource: None
    # ValidatingAdmissionPolicies, their bindings and params known besides the input and the
    # base (`--admission DIR|DUMP`), and the identity that applies (`--as`, `--as-group`).
    policy_paths: list[str] = field(default_factory=list)
    user: str = ""
    groups: tuple[str, ...] = ()


@dataclass
class Admission:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # id(resource) -> the findings that refuse the pods of a workload (its rollout stalls)
    refused_pods: dict[int, list[Finding]] = field(default_factory=dict)
    # id(resource) -> the findings that refuse the object itself (a Pod, a PVC)
    refused_objects: dict[int, list[Finding]] = field(default_factory=dict)
    # The namespaces and the quota ledger the verdicts were made with (the plan's rollouts
    # are charged to the same quotas: kubeplan/planner/quota_rollout.py).
    namespaces: Any = None
    ledger: Any = None


def admit(
    objects: list[Resource],
    options: AdmissionOptions,
    *,
    base: Iterable[Resource] = (),
    context: Iterable[Resource] = (),
) -> Admission:
    """Admission's verdicts on `objects`, in the namespaces `objects`, `context`, `base` and
    the config describe."""
    result = Admission()
    base = list(base)
    views = namespaces([*objects, *context], base, options.declared)
    config = options.pod_security or pod_security_config(None)
    server_minor = minor(options.kubernetes_version)[1]
    ledger = _ledger(views, base, options)
    result.namespaces, result.ledger = views, ledger
    from kubeplan.admission.policies import Policies

    given = _policy_inputs(options.policy_paths, result)
    policies = Policies.of([*given, *base, *context, *objects], server_minor)
    result.notes += policies.notes
    for resource in objects:
        if resource.group == "admissionregistration.k8s.io":
            pass  # the API server does not run policies on policies (generic/plugin.go)
        elif policies and _policy_refuses(resource, views, policies, options, result):
            continue
        if options.charged(resource) and not _quota_object(resource, ledger, result):
            continue
        if resource.group == "" and resource.kind == "Namespace":
            refusals = _namespace_labels(resource, config)
            if refusals:
                result.findings += refusals
                result.refused_objects[id(resource)] = refusals
            continue
        found = pod_template(resource)
        if found is None:
            if resource.group == "" and resource.kind == "PersistentVolumeClaim":
                _pvc(resource, views[resource.namespace], result)
            continue
        path, template = found
        view = views[resource.namespace]
        _pod(resource, path, template, view, config, server_minor, options, result, ledger)
        if policies and id(resource) not in result.refused_pods and options.creates_pods(resource):
            spec = defaulted_spec(resource, view, server_minor)
            refusals = policies.pod_findings(resource, spec, view, _stall_message)
            result.findings += refusals
            denied = [f for f in refusals if f.rule == policies.DENIED]
            if denied and not (resource.group == "" and resource.kind == "Pod"):
                result.refused_pods[id(resource)] = denied
    if ledger.assumed & {r.namespace for r in objects if ledger.covers(r.namespace)}:
        listed = ", ".join(sorted(ledger.assumed))
        result.notes.append(
            f"ResourceQuota usage in {listed}: no status.used was read (the base is not a dump"
            " of the cluster), so kubeplan assumed the quota charges exactly what the manifests"
            " run at rest"
        )
    return result


def _policy_inputs(paths: list[str], result: Admission) -> list[Resource]:
    """`--admission DIR|DUMP`: the cluster's policies, bindings and params; what cannot be
    read there is a finding of its own, as for any input."""
    if not paths:
        return []
    from kubeplan.schemas import loader

    loaded = loader.load(paths)
    result.findings += loaded.findings
    return loaded.resources


def _policy_refuses(
    resource: Resource, views: Any, policies: Any, options: AdmissionOptions, result: Admission
) -> bool:
    """The object's own request through the ValidatingAdmissionPolicies: True when a Deny
    binding refuses it (the API server refuses the create or update)."""
    found = policies.object_findings(
        resource, options.old_of(resource), views[resource.namespace], options.user, options.groups
    )
    result.findings += found
    denied = [f for f in found if f.rule == policies.DENIED]
    if denied:
        result.refused_objects[id(resource)] = denied[:1]
    return bool(denied)


def _ledger(views: Any, base: list[Resource], options: AdmissionOptions) -> Any:
    """The quotas of every namespace, charged with what `base` runs at rest."""
    from kubeplan.admission.ledger import Ledger

    quota_objects = [q for view in views for q in view.quotas]
    if not quota_objects:
        return Ledger()
    quota_objects = [_with_live_status(q, base) for q in quota_objects]
    at_rest = []
    for resource in base:
        if resource.namespace is None:
            continue
        spec = defaulted_spec(resource, views[resource.namespace])
        at_rest.append((resource, spec, pod_count(resource, options.nodes) if spec else 0))
    return Ledger.of(quota_objects, at_rest)


def _with_live_status(quota: Resource, base: list[Resource]) -> Resource:
    """A quota of the manifests keeps the usage its live twin in a dump has (`status.used`):
    applying the manifest does not reset what the quota controller counted. Its hard limits
    are the manifest's (the controller copies spec.hard into status.hard)."""
    if quota.server_fields.get("status"):
        return quota
    for live in base:
        status = live.server_fields.get("status")
        if live.identity == quota.identity and isinstance(status, dict) and "used" in status:
            from dataclasses import replace

            fields = {**quota.server_fields, "status": {"used": status["used"]}}
            return replace(quota, server_fields=fields)
    return quota


def defaulted_spec(
    resource: Resource, view: NamespaceView, server_minor: int = 99
) -> dict[str, Any] | None:
    """The pod spec the API server stores for a pod of `resource`: SetDefaults_Pod, then the
    namespace's LimitRange defaults."""
    from kubeplan.admission import limitrange
    from kubeplan.kube.podresources import default_pod_spec

    found = pod_template(resource)
    spec = found[1].get("spec") if found is not None else None
    if not isinstance(spec, Mapping):
        return None
    spec = default_pod_spec(spec, pod_level=server_minor >= POD_LEVEL_DEFAULT_MINOR)
    if view.limitranges:
        spec, _ = limitrange.default_containers(spec, limitrange.limit_rules(view.limitranges))
    return spec


def _quota_object(resource: Resource, ledger: Any, result: Admission) -> bool:
    """Charge the object itself (its count, a Service's ports, a PVC's storage); False when a
    quota refuses it (the API server refuses the create)."""
    if not ledger.covers(resource.namespace) or (resource.kind == "Pod" and resource.group == ""):
        return True
    refusal = ledger.admit_object(resource)
    if refusal is None:
        return True
    message = f'{_resource_name(resource)} "{resource.name}" is forbidden: {refusal.message}'
    finding = finding_for(resource, refusal.rule, Severity.ERROR, message)
    result.findings.append(finding)
    result.refused_objects[id(resource)] = [finding]
    return False


def _resource_name(resource: Resource) -> str:
    from kubeplan.kube.kinds import builtin_kind

    info = builtin_kind(resource.group, resource.kind)
    return info.resource if info is not None else resource.kind.lower()


def _namespace_labels(resource: Resource, config: PodSecurityConfig) -> list[Finding]:
    """Pod Security labels with a level or version it cannot read are refused on create
    (admission.go `ValidateNamespace`, field `metadata.labels[...]`)."""
    labels = object_labels(resource.body)
    if not labels:
        return []
    _policy, errors = policy_to_evaluate(labels, config.defaults)
    return [
        finding_for(
            resource,
            "pod-security-invalid-label",
            Severity.ERROR,
            str(error),
            ("metadata", "labels", error.label),
        )
        for error in errors
    ]


def _pod(
    resource: Resource,
    path: Path,
    template: Mapping[str, Any],
    view: NamespaceView,
    config: PodSecurityConfig,
    server_minor: int,
    options: AdmissionOptions,
    result: Admission,
    ledger: Any,
) -> None:
    """The pod of `resource` (itself, or one its controller creates) through admission."""
    from kubeplan.admission import limitrange
    from kubeplan.kube.podresources import default_pod_spec

    metadata = template.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    spec = template.get("spec")
    if not isinstance(spec, Mapping):
        return
    if not (view.limitranges or ledger.covers(view.name)) and _nothing_to_evaluate(view, config):
        return  # the common case: a privileged namespace with neither LimitRange nor quota
    bare = resource.group == "" and resource.kind == "Pod"
    creates = bare or options.creates_pods(resource)
    spec = default_pod_spec(spec, pod_level=server_minor >= POD_LEVEL_DEFAULT_MINOR)
    rules = limitrange.limit_rules(view.limitranges) if view.limitranges else []
    refusals: list[Finding] = []
    if rules:
        before = spec
        spec, defaulted = limitrange.default_containers(spec, rules)
        if creates and defaulted:
            refusals += _invalid_after_defaults(resource, path, before, spec, server_minor)
        if creates and not refusals:
            refusals += _limit_findings(resource, path, spec, rules)
    psa = _pod_security(resource, path, metadata, spec, view, config, server_minor, creates)
    refusals += [f for f in psa if f.rule == PSA_ENFORCE]
    result.findings += psa
    if creates and not refusals and options.charged(resource):  # quota runs last
        refusals += _quota_pods(resource, path, template, spec, options, ledger)
    result.findings += [f for f in refusals if f.rule != PSA_ENFORCE]
    if refusals:
        slot = result.refused_objects if bare else result.refused_pods
        slot[id(resource)] = refusals


def _quota_pods(
    resource: Resource,
    path: Path,
    template: Mapping[str, Any],
    spec: Mapping[str, Any],
    options: AdmissionOptions,
    ledger: Any,
) -> list[Finding]:
    """The pods the object runs, charged one after another; the refusal of the first that does
    not fit."""
    if not ledger.covers(resource.namespace):
        return []
    count = pod_count(resource, options.nodes)
    admitted = ledger.admit_pods(resource, template, spec, count)
    if admitted.refusal is None:
        return []
    bare = resource.group == "" and resource.kind == "Pod"
    refusal = admitted.refusal.message
    if bare:
        message = f'pods "{resource.name}" is forbidden: {refusal}'
    else:
        fit = f"{admitted.fit} of its {count} pods fit; " if admitted.fit else ""
        message = _stall_message(resource, f"{fit}{refusal}")
    at = (*path, "spec") if path or not bare else ("spec",)
    return [finding_for(resource, admitted.refusal.rule, Severity.ERROR, message, at)]


def _policy(view: NamespaceView, config: PodSecurityConfig) -> Any:
    """The namespace's policy (`PolicyToEvaluate`), read once per namespace and configuration."""
    return _policy_of(frozenset(view.labels.items()), config.defaults)


@lru_cache(maxsize=1024)
def _policy_of(labels: frozenset[tuple[str, str]], defaults: PolicyDefaults) -> Any:
    return policy_to_evaluate(dict(labels), defaults)[0]


def _nothing_to_evaluate(view: NamespaceView, config: PodSecurityConfig) -> bool:
    """Pod Security has nothing to say in this namespace: every mode is privileged, or the
    namespace is exempt."""
    if config.exempt_namespace(view.name):
        return True
    return _policy(view, config).fully_privileged


def _invalid_after_defaults(
    resource: Resource,
    path: Path,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    server_minor: int,
) -> list[Finding]:
    """A LimitRange default can leave a request above its limit (a container limit of 100m and
    a defaultRequest of 200m): the API server validates the pod after mutation and refuses it
    (pkg/apis/core/validation ValidatePodCreate runs after the mutating admission phase)."""
    from kubeplan.schemas.apivalidation.context import Context
    from kubeplan.schemas.apivalidation.pod import validate_pod_object

    context = Context(server_minor)

    def errors(spec: Mapping[str, Any]) -> dict[tuple[Any, str], Any]:
        found = validate_pod_object({"kind": "Pod", "spec": dict(spec)}, context)
        return {(e.path, e.body()): e for e in found if not e.warning and "resources" in e.path}

    new = {key: e for key, e in errors(after).items() if key not in errors(before)}
    if not new:
        return []
    first = next(iter(new.values()))
    detail = "; ".join(f"{format_path(e.path)}: {e.body()}" for e in new.values())
    refusal = (
        f'Pod "{resource.name}" is invalid: {detail} (after the LimitRange defaults)'
        if resource.kind == "Pod" and resource.group == ""
        else _stall_message(resource, f"the pod is invalid after the LimitRange defaults: {detail}")
    )
    at = (*path, *first.path) if path else first.path
    return [finding_for(resource, LIMITRANGE, Severity.ERROR, refusal, at)]


def _limit_findings(
    resource: Resource, path: Path, spec: Mapping[str, Any], rules: list[Any]
) -> list[Finding]:
    from kubeplan.admission import limitrange

    violations = limitrange.validate_pod(spec, rules)
    if not violations:
        return []
    bare = resource.kind == "Pod"
    name = resource.name or ""
    message = limitrange.pod_forbidden_message(name, violations)
    if not bare:
        message = _stall_message(resource, message)
    return [
        finding_for(resource, LIMITRANGE, Severity.ERROR, message, (*path, *violations[0].path))
    ]


def _pod_security(
    resource: Resource,
    path: Path,
    metadata: Mapping[str, Any],
    spec: Mapping[str, Any],
    view: NamespaceView,
    config: PodSecurityConfig,
    server_minor: int,
    creates: bool,
) -> list[Finding]:
    """Enforce (the pods are refused), then warn and audit (admission.go `EvaluatePod`: a warning
    only when the request is allowed; a workload gets warn and audit on its own request)."""
    runtime_class = spec.get("runtimeClassName")
    if config.exempt_namespace(view.name) or config.exempt_runtime_class(
        runtime_class if isinstance(runtime_class, str) else None
    ):
        return []
    policy = _policy(view, config)
    bare = resource.group == "" and resource.kind == "Pod"
    out: list[Finding] = []
    enforced: list[Any] = []
    seen: dict[tuple[Any, Any], list[Any]] = {}  # enforce and audit often name the same level

    def evaluated(level: LevelVersion) -> list[Any]:
        key = (level.level, level.version)
        if key not in seen:
            seen[key] = evaluate_pod(level, metadata, spec, server_minor=server_minor)
        return seen[key]

    if creates and policy.enforce.level != Level.PRIVILEGED:
        enforced = evaluated(policy.enforce)
        if enforced:
            message = violation_message(policy.enforce, enforced, enforce=True)
            message = (
                f'pods "{resource.name}" is forbidden: {message}'
                if bare
                else _stall_message(resource, message)
            )
            out.append(_psa_finding(resource, path, PSA_ENFORCE, Severity.ERROR, message, enforced))
    if bare and enforced:
        return out  # refused: no warning is returned with a refusal
    for rule, severity, level in (
        (PSA_WARN, Severity.WARNING, policy.warn),
        (PSA_AUDIT, Severity.INFO, policy.audit),
    ):
        if level.level == Level.PRIVILEGED:
            continue
        results = evaluated(level)
        if not results or _same(level, policy.enforce, results, enforced):
            continue  # the enforce finding already says it
        message = violation_message(level, results, enforce=False)
        out.append(_psa_finding(resource, path, rule, severity, message, results))
    return out


def _same(
    level: LevelVersion, enforce: LevelVersion, results: list[Any], enforced: list[Any]
) -> bool:
    return bool(enforced) and level.text == enforce.text and results == enforced


def _psa_finding(
    resource: Resource, path: Path, rule: str, severity: Severity, message: str, results: list[Any]
) -> Finding:
    first = results[0].paths[0] if results and results[0].paths else ("spec",)
    return finding_for(resource, rule, severity, message, (*path, *first))


def _stall_message(resource: Resource, refusal: str) -> str:
    """A workload's pods are refused when its controller creates them: the object is accepted
    and its rollout stalls (replica_set_utils.go: condition ReplicaFailure, reason
    FailedCreate, the controller retrying)."""
    return (
        f"the {resource.kind} is accepted, but the pods it creates are refused, so its rollout"
        f" stalls: {refusal}"
    )


def _pvc(resource: Resource, view: NamespaceView, result: Admission) -> None:
    from kubeplan.admission import limitrange

    if not view.limitranges:
        return
    rules = limitrange.limit_rules(view.limitranges)
    violations = limitrange.validate_pvc(resource.body, rules)
    if not violations:
        return
    message = limitrange.pvc_forbidden_message(resource.name or "", violations)
    finding = finding_for(resource, LIMITRANGE, Severity.ERROR, message, violations[0].path)
    result.findings.append(finding)
    result.refused_objects[id(resource)] = [finding]


def pod_count(resource: Resource, nodes: int | None) -> int:
    """How many pods the object keeps running: what a quota is charged for (Deployment,
    ReplicaSet, StatefulSet, ReplicationController: spec.replicas, default 1; a Job its
    parallelism, default 1 (batch/v1 defaults.go SetDefaults_Job); a CronJob the parallelism of
    the Job it creates, charged as if it ran now; a DaemonSet one per node, `--nodes`, else
    one: an assumption, since kubeplan does not see the nodes)."""
    from kubeplan.kube.workloads import SCALABLE_KINDS, replicas

    if resource.kind == "Pod":
        return 1
    if resource.kind in SCALABLE_KINDS:
        return replicas(resource) or 0
    if resource.kind == "DaemonSet":
        return nodes or 1
    spec = resource.body.get("spec")
    if resource.kind == "CronJob":
        job = spec.get("jobTemplate") if isinstance(spec, dict) else None
        spec = job.get("spec") if isinstance(job, dict) else None
    parallelism = spec.get("parallelism", 1) if isinstance(spec, dict) else 1
    return parallelism if isinstance(parallelism, int) and parallelism >= 0 else 1


@lru_cache(maxsize=8)
def pod_security_config(path: str | None) -> PodSecurityConfig:
    """The cluster's Pod Security configuration: read from an AdmissionConfiguration file, or
    the API server's defaults (every level privileged, no exemptions) without one."""
    if path is None:
        return DEFAULT_CONFIG
    from kubeplan.admission.podsecurity.config import load_admission_config

    return load_admission_config(path)
