"""ValidatingAdmissionPolicy in the admission run: the requests kubeplan makes of the engine
(kubeplan/admission/vap/) and the findings it turns their outcomes into.

The plugin is on by default from 1.30, when the API went GA (pkg/kubeapiserver/options/
plugins.go; before, the ValidatingAdmissionPolicy feature gate and the alpha/beta API had to
be switched on): below 1.30 kubeplan says so and evaluates nothing.

For each object the apply request (CREATE, or UPDATE with the stored object as `oldObject`), as
the identity that applies (`--as`; none: an unnamed user). For each workload whose controller
creates pods now, the Pod its controller creates, as the controller's service account: a
denied Pod stalls the rollout as a Pod Security refusal does. Outcomes by the binding's
validationActions: Deny refuses (error), Warn warns, Audit is recorded (info); what kubeplan
cannot decide (an authorizer check, a namespace whose labels it does not know) is said, never
guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kubeplan.admission.vap import Outcome, PolicySet, evaluate, policies_from
from kubeplan.admission.vap.requests import pod_request, request_for
from kubeplan.model import Finding, Resource, Severity, finding_for

# The release whose API server runs ValidatingAdmissionPolicy by default (GA).
ON_BY_DEFAULT_MINOR = 30
_RULES = {
    "Deny": ("admission-policy-denied", Severity.ERROR),
    "Warn": ("admission-policy-warning", Severity.WARNING),
    "Audit": ("admission-policy-audit", Severity.INFO),
    "NotEvaluated": ("admission-policy-not-evaluated", Severity.WARNING),
}


@dataclass
class Policies:
    policy_set: PolicySet | None
    notes: list[str] = field(default_factory=list)
    DENIED = "admission-policy-denied"

    @classmethod
    def of(cls, resources: Iterable[Resource], server_minor: int) -> Policies:
        resources = _latest_first(resources)
        if not any(r.group == "admissionregistration.k8s.io" and r.kind ==
                   "ValidatingAdmissionPolicyBinding" for r in resources):  # fmt: skip
            return cls(None)
        if server_minor < ON_BY_DEFAULT_MINOR:
            return cls(
                None,
                [
                    "ValidatingAdmissionPolicy: off by default before Kubernetes 1.30 (a feature"
                    " gate and the alpha/beta API must be switched on); the policies are not"
                    " evaluated"
                ],
            )
        found = policies_from(resources, server_minor)
        return cls(found if found.policies and found.bindings else None, list(found.notes))

    def __bool__(self) -> bool:
        return self.policy_set is not None

    def object_findings(
        self,
        resource: Resource,
        old: Resource | None,
        view: Any,
        user: str,
        groups: tuple[str, ...],
    ) -> list[Finding]:
        operation = "UPDATE" if old is not None else "CREATE"
        request = request_for(resource, operation=operation, old=old, user=user, groups=groups)
        if request is None:
            return []
        return self._findings(resource, request, view, _refused(resource), ())

    def pod_findings(
        self, resource: Resource, spec: Any, view: Any, stall: Callable[[Resource, str], str]
    ) -> list[Finding]:
        request = pod_request(resource, spec=dict(spec) if spec is not None else None)
        if request is None:
            return []
        prefix = _template_path(resource)
        return self._findings(resource, request, view, lambda text: stall(resource, text), prefix)

    def _findings(
        self,
        resource: Resource,
        request: Any,
        view: Any,
        wording: Callable[[str], str],
        prefix: tuple[str | int, ...],
    ) -> list[Finding]:
        assert self.policy_set is not None
        outcomes = evaluate(
            self.policy_set,
            request,
            namespace_labels=view.labels if view.known else None,
            namespace_object=view.resource.body if view.resource is not None else None,
        )
        out = []
        denied = False
        for outcome in outcomes:
            rule, severity = _RULES.get(outcome.action, _RULES["NotEvaluated"])
            if outcome.action == "Deny":
                if denied:
                    continue  # the API server refuses with the first denial only
                denied = True
                message = wording(outcome.message)
            else:
                message = _other(outcome)
            at = (*prefix, *outcome.path) if outcome.path else prefix
            out.append(finding_for(resource, rule, severity, message, at))
        return out


def _other(outcome: Outcome) -> str:
    if outcome.action == "NotEvaluated":
        where = f" with binding '{outcome.binding}'" if outcome.binding else ""
        return (
            f"ValidatingAdmissionPolicy '{outcome.policy}'{where} was not evaluated:"
            f" {outcome.message}"
        )
    return outcome.message


def _refused(resource: Resource) -> Callable[[str], str]:
    from kubeplan.kube.kinds import builtin_kind

    info = builtin_kind(resource.group, resource.kind)
    plural = info.resource if info is not None else resource.kind.lower()
    return lambda text: f'{plural} "{resource.name}" is forbidden: {text}'


def _template_path(resource: Resource) -> tuple[str | int, ...]:
    from kubeplan.kube.workloads import pod_template

    found = pod_template(resource)
    return tuple(found[0]) if found is not None else ()


def _latest_first(resources: Iterable[Resource]) -> list[Resource]:
    """One object per identity, the input's over the base's (the later of equal identities in
    the order given wins), kept in the order given."""
    chosen: dict[Any, Resource] = {}
    for resource in resources:
        chosen[resource.identity] = resource
    return list(chosen.values())
