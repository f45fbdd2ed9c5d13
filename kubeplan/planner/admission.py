"""Admission in the plan: which steps admission refuses (a Pod, a PVC), whose rollout stalls
because the pods their controller creates are refused (a workload), and what relabelling a
namespace to a stricter Pod Security level does to the workloads already running in it.

The verdicts come from kubeplan/admission/run.py, the same ones `check` reports; this module
decides which steps create pods (a create, a rollout, a scale-up) and attaches the verdicts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kubeplan.admission.run import PSA_ENFORCE, AdmissionOptions, admit, pod_security_config
from kubeplan.kube.values import object_labels
from kubeplan.kube.workloads import is_workload, pod_template
from kubeplan.model import Finding, Resource, Severity, finding_for
from kubeplan.planner.diff.pairing import CREATE, UPDATE

RELABEL = "pod-security-relabel"
_ROLLS = frozenset({"rollout", "recreate"})


def admit_steps(
    steps: list[Any], diff: Any, config: Any, options: Any
) -> tuple[list[Finding], Any]:
    """Admission's findings on the steps the API server accepts, and the admission result;
    sets each step's `refused` (the object is refused) and `stalls` (its pods are refused)."""
    sent = [s for s in steps if s.action in (CREATE, UPDATE) and not s.rejected]
    by_id = {id(s.resource): s for s in sent}
    admission_options = AdmissionOptions(
        diff.kubernetes_version,
        pod_security_config(options.admission_config or config.admission_config),
        config.namespaces,
        nodes=options.nodes,
        creates_pods=lambda r: _creates_pods(by_id.get(id(r))),
        charged=lambda r: getattr(by_id.get(id(r)), "action", None) == CREATE,
        old_of=lambda r: _stored(by_id.get(id(r))),
        policy_paths=list(options.admission_paths),
        user=options.user or "",
        groups=tuple(options.groups),
    )
    result = admit(
        [s.resource for s in sent],
        admission_options,
        base=diff.base.resources,
        context=diff.new.resources,
    )
    for step in sent:
        step.refused = list(result.refused_objects.get(id(step.resource), ()))
        step.stalls = list(result.refused_pods.get(id(step.resource), ()))
    findings = list(result.findings)
    findings += _relabels(steps, diff, admission_options, result.refused_pods)
    findings += _new_quotas(sent, admission_options)
    return findings, result


def _new_quotas(sent: list[Any], options: AdmissionOptions) -> list[Finding]:
    """A ResourceQuota created in this apply has no `status.used` until the quota controller
    computes it; until then every object it tracks is refused ("status unknown for quota",
    apiserver pkg/admission/plugin/resourcequota/controller.go `CheckRequest`). The objects'
    controllers retry, so their pods follow once it is computed; a bare object (a Pod, a
    ConfigMap) applied in the same `kubectl apply` may be refused for good."""
    from kubeplan.admission.quota.model import quotas_from

    out = []
    for step in sent:
        quota = step.resource
        if step.action != CREATE or quota.kind != "ResourceQuota" or quota.group != "":
            continue
        parsed = quotas_from([quota])
        if not parsed:
            continue
        later = [
            s.resource
            for s in sent
            if s.resource.namespace == quota.namespace
            and s.resource is not quota
            and _tracked(parsed[0], s.resource, s.action == CREATE, options)
        ]
        if not later:
            continue
        names = ", ".join(f"{r.kind} {r.name}" for r in later[:5])
        more = f" and {len(later) - 5} more" if len(later) > 5 else ""
        out.append(
            finding_for(
                quota,
                "quota-status-unknown",
                Severity.WARNING,
                f"this quota is created with no usage computed: until the quota controller"
                f" computes it, the API server refuses what it tracks in namespace"
                f' "{quota.namespace}" (status unknown for quota: {quota.name}): {names}{more}.'
                " Controllers retry, so their pods follow; a bare object applied with it may"
                " need applying again",
            )
        )
    return out


def quota_rollouts(steps: list[Any], admission: Any) -> list[Finding]:
    """Each updated workload's rollout against its namespace's quotas (quota_rollout.py); a
    rollout that stops for good makes its step stall."""
    from kubeplan.admission.run import defaulted_spec
    from kubeplan.planner.quota_rollout import rollout_quota_findings

    ledger = admission.ledger
    out: list[Finding] = []
    for step in steps:
        if step.action != UPDATE or step.rollout is None or step.rejected or step.stalls:
            continue
        if ledger is None or not ledger.covers(step.resource.namespace):
            continue
        view = admission.namespaces[step.resource.namespace]
        pair = step.change.pair
        old_spec = defaulted_spec(pair.old, view) if pair.old is not None else None
        new_spec = defaulted_spec(step.resource, view)
        found = rollout_quota_findings(step, ledger, old_spec, new_spec)
        step.stalls += [f for f in found if f.severity == Severity.ERROR]
        out += found
    return out


def _tracked(quota: Any, resource: Resource, created: bool, options: AdmissionOptions) -> bool:
    """Does `quota` track `resource` (created), or the pods it creates now?"""
    from kubeplan.admission.quota.scopes import matches

    if created and matches(quota, resource.group, resource.kind, resource.body):
        return True
    found = pod_template(resource)
    if found is None or not options.creates_pods(resource):
        return False
    pod = {"apiVersion": "v1", "kind": "Pod", **found[1]}
    return matches(quota, "", "Pod", pod)


def _stored(step: Any) -> Resource | None:
    """The object an update replaces (`oldObject`), None for a create."""
    if step is None or step.action != UPDATE:
        return None
    return step.change.pair.old


def _creates_pods(step: Any) -> bool:
    """Does applying the step make its controller create pods now? A create, a template change
    that rolls, a scale-up, or a strategy change that replaces pods left behind."""
    if step is None:
        return False
    if step.action == CREATE:
        return True
    if _ROLLS & step.effects or step.strategy_changed:
        return True
    if "scale" in step.effects:
        pair = step.change.pair
        return _replicas(pair.new_body) > _replicas(pair.old_body)
    if step.resource.kind == "Pod":  # admission.go isSignificantPodUpdate: an image or a container
        return any(c.path[:2] == ("spec", "containers") for c in step.change.fields)
    return False


def _replicas(body: Any) -> int:
    spec = body.get("spec") if isinstance(body, dict) else None
    value = spec.get("replicas", 1) if isinstance(spec, dict) else 1
    return value if isinstance(value, int) else 1


def _relabels(
    steps: list[Any],
    diff: Any,
    options: AdmissionOptions,
    refused_pods: dict[int, list[Finding]],
) -> list[Finding]:
    """A Namespace step that makes Pod Security stricter: the workloads of the new revision in
    it whose next pod would be refused, other than those whose own step already says so.

    The API server accepts the relabel and only warns about existing pods (admission.go
    `ValidateNamespace`, `EvaluatePodsInNamespace`); running pods keep running, but the next
    pod each of those workloads creates (a restart, an eviction, a scale-up) is refused."""
    out: list[Finding] = []
    for step in steps:
        resource = step.resource
        if step.action != UPDATE or resource.kind != "Namespace" or resource.group != "":
            continue
        if step.rejected:
            continue
        stricter = _stricter_enforce(step.change.pair.old, resource, options)
        if stricter is None:
            continue
        workloads = [
            r
            for r in diff.new.resources
            if r.namespace == resource.name and is_workload(r) and id(r) not in refused_pods
        ]
        refused = _refused_under(workloads, resource, options)
        if refused:
            out.append(_relabel_finding(resource, stricter, refused))
    return out


def _stricter_enforce(old: Resource | None, new: Resource, options: AdmissionOptions) -> Any:
    """The new enforce level when it is stricter than the old one (admission.go
    `ValidateNamespace`: checked when enforce changes and is not a relaxation), else None."""
    from kubeplan.admission.podsecurity.api import Level, is_stricter, policy_to_evaluate

    config = options.pod_security or pod_security_config(None)
    if new.name in config.exempt_namespaces:
        return None
    old_policy, _ = policy_to_evaluate(_labels(old), config.defaults)
    new_policy, _ = policy_to_evaluate(_labels(new), config.defaults)
    if new_policy.enforce.level == Level.PRIVILEGED:
        return None
    if not is_stricter(new_policy.enforce, old_policy.enforce):
        return None
    return new_policy.enforce


def _labels(resource: Resource | None) -> dict[str, str]:
    return object_labels(resource.body) if resource is not None else {}


def _refused_under(
    workloads: Iterable[Resource], namespace: Resource, options: AdmissionOptions
) -> list[tuple[Resource, Finding]]:
    """The workloads whose pods the namespace's new labels refuse, with the refusal."""
    from dataclasses import replace

    check = replace(options, creates_pods=lambda _r: True)
    listed = [w for w in workloads if pod_template(w) is not None]
    result = admit(listed, check, context=[namespace])
    out = []
    for workload in listed:
        refusals = [
            f
            for f in [
                *result.refused_pods.get(id(workload), ()),
                *result.refused_objects.get(id(workload), ()),
            ]
            if f.rule == PSA_ENFORCE
        ]
        if refusals:
            out.append((workload, refusals[0]))
    return out


def _relabel_finding(
    namespace: Resource, enforce: Any, refused: list[tuple[Resource, Finding]]
) -> Finding:
    shown = refused[:5]
    names = "; ".join(f"{w.kind} {w.name} ({_reasons(f.message)})" for w, f in shown)
    more = f"; and {len(refused) - len(shown)} more" if len(refused) > len(shown) else ""
    message = (
        f'the new PodSecurity enforce level "{enforce.text}" refuses the next pod of'
        f" {len(refused)} workload{'s' if len(refused) != 1 else ''} already in namespace"
        f' "{namespace.name}": {names}{more}. The API server accepts the relabel with a'
        " warning and running pods keep running; a restart, an eviction or a scale-up is refused"
    )
    return finding_for(
        namespace,
        RELABEL,
        Severity.ERROR,
        message,
        ("metadata", "labels", "pod-security.kubernetes.io/enforce"),
    )


def _reasons(message: str) -> str:
    """The checks a Pod Security message lists (what follows `PodSecurity "level:version": `)."""
    start = message.find('PodSecurity "')
    _, _, listed = message[start:].partition('": ')
    return listed or message
