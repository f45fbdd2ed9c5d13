"""ValidatingAdmissionPolicies, their bindings and the param objects, read from Resources.

Versions and fields by release (reference admission.md 5.1, from kubernetes/api tags):
v1alpha1 from 1.26, v1beta1 from 1.28, v1 (GA, plugin on by default) from 1.30. Fields a
release does not know are dropped as the API server prunes them: messageExpression,
validationActions, auditAnnotations and matchConditions arrived in 1.27; variables and
paramRef's selector and parameterNotFoundAction in 1.28. At 1.26 a binding has no
validationActions and every failure denies. Defaults (admissionregistration/v1 defaults.go):
failurePolicy Fail, matchPolicy Equivalent, selectors `{}`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubeplan.kube import kinds
from kubeplan.kube.values import object_labels
from kubeplan.model import Resource

GROUP = "admissionregistration.k8s.io"
SERVED_FROM = {"v1alpha1": 26, "v1beta1": 28, "v1": 30}
POLICY, BINDING = "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"
_FIELDS_FROM = {
    "messageExpression": 27,
    "validationActions": 27,
    "auditAnnotations": 27,
    "matchConditions": 27,
    "variables": 28,
    "selector": 28,
    "parameterNotFoundAction": 28,
}


@dataclass(frozen=True)
class Policy:
    name: str
    resource: Resource
    param_kind: tuple[str, str] | None  # (apiVersion, kind)
    match_constraints: Mapping[str, Any]
    validations: tuple[Mapping[str, Any], ...]
    variables: tuple[Mapping[str, Any], ...]
    audit_annotations: tuple[Mapping[str, Any], ...]
    match_conditions: tuple[Mapping[str, Any], ...]
    failure_policy: str


@dataclass(frozen=True)
class Binding:
    name: str
    resource: Resource
    policy_name: str
    param_ref: Mapping[str, Any] | None
    match_resources: Mapping[str, Any] | None
    validation_actions: tuple[str, ...]


@dataclass
class PolicySet:
    policies: dict[str, Policy] = field(default_factory=dict)
    bindings: list[Binding] = field(default_factory=list)
    params: list[Resource] = field(default_factory=list)  # any object a paramRef may name
    notes: list[str] = field(default_factory=list)  # objects not used, and why
    server_minor: int = 30

    def bindings_of(self, policy: str) -> list[Binding]:
        return [binding for binding in self.bindings if binding.policy_name == policy]

    def param_namespaced(self, api_version: str, kind: str) -> bool | None:
        """Whether the paramKind is namespaced: built-in kinds from kubeplan's table, others
        from the param objects of that kind (None: not known)."""
        group = api_version.rpartition("/")[0]
        info = kinds.builtin_kind(group, kind)
        if info is not None:
            return info.namespaced
        same = [r for r in self.params if r.group == group and r.kind == kind]
        for resource in same:
            if resource.namespaced is not None:  # a CRD of the input says
                return resource.namespaced
        # no CRD: a param object written with a namespace is of a namespaced kind
        return True if any(resource.namespace for resource in same) else None

    def params_lookup(
        self,
        api_version: str,
        kind: str,
        namespace: str | None,
        name: str | None,
        selector: Mapping[str, Any] | None,
    ) -> list[Mapping[str, Any]]:
        """The param objects of one kind (any version of its group: the API server serves
        them in the paramKind's version) by name or by label selector."""
        from kubeplan.kube.selectors import matches

        group = api_version.rpartition("/")[0]
        found = []
        for resource in self.params:
            if resource.group != group or resource.kind != kind:
                continue
            if namespace is not None and resource.namespace != namespace:
                continue
            if name is not None and resource.name != name:
                continue
            if name is None and not matches(selector or {}, _labels(resource.body)):
                continue
            found.append(resource.body)
        return found


def _labels(body: Mapping[str, Any]) -> dict[str, str]:
    return object_labels(body)


def policies_from(resources: Sequence[Resource], server_minor: int) -> PolicySet:
    """The policies and bindings the API server of 1.`server_minor` serves among `resources`
    (later objects of the same name win, as a later apply does); every object is kept as a
    possible param."""
    found = PolicySet(server_minor=server_minor)
    bindings: dict[str, Binding] = {}
    for resource in resources:
        found.params.append(resource)
        if resource.group != GROUP or resource.kind not in (POLICY, BINDING):
            continue
        version = resource.api_version.rpartition("/")[2]
        since = SERVED_FROM.get(version)
        if since is None or server_minor < since:
            found.notes.append(
                f"{resource.kind} {resource.name}: {resource.api_version} is not served by"
                f" Kubernetes 1.{server_minor} (served from 1.{since})"
                if since
                else f"{resource.kind} {resource.name}: {resource.api_version} is not a served version"
            )
            continue
        spec = _pruned(_mapping(resource.body.get("spec")), server_minor)
        if resource.kind == POLICY:
            policy = _policy(resource, spec)
            if policy.match_constraints.get("resourceRules"):
                found.policies[policy.name] = policy
            else:  # validation.go: matchConstraints.resourceRules is required on a policy
                found.notes.append(
                    f"{POLICY} {resource.name}: spec.matchConstraints.resourceRules: Required"
                    " value (the API server refuses it)"
                )
        else:
            binding = _binding(resource, spec, server_minor)
            if binding is not None:
                bindings[binding.name] = binding
            else:
                found.notes.append(
                    f"{BINDING} {resource.name}: no validationActions (required from 1.27):"
                    " the API server refuses it"
                )
    found.bindings = list(bindings.values())
    return found


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _pruned(spec: dict[str, Any], minor: int) -> dict[str, Any]:
    out = {k: v for k, v in spec.items() if minor >= _FIELDS_FROM.get(k, 0)}
    if isinstance(out.get("validations"), list):
        out["validations"] = [
            {k: v for k, v in _mapping(item).items() if minor >= _FIELDS_FROM.get(k, 0)}
            for item in out["validations"]
        ]
    if isinstance(out.get("paramRef"), dict):
        out["paramRef"] = {
            k: v for k, v in out["paramRef"].items() if minor >= _FIELDS_FROM.get(k, 0)
        }
    return out


def _items(value: Any) -> tuple[Mapping[str, Any], ...]:
    return (
        tuple(item for item in value if isinstance(item, dict)) if isinstance(value, list) else ()
    )


def _policy(resource: Resource, spec: dict[str, Any]) -> Policy:
    param_kind = _mapping(spec.get("paramKind"))
    return Policy(
        name=resource.name or "",
        resource=resource,
        param_kind=(
            (str(param_kind.get("apiVersion", "")), str(param_kind.get("kind", "")))
            if param_kind
            else None
        ),
        match_constraints=_mapping(spec.get("matchConstraints")),
        validations=_items(spec.get("validations")),
        variables=_items(spec.get("variables")),
        audit_annotations=_items(spec.get("auditAnnotations")),
        match_conditions=_items(spec.get("matchConditions")),
        failure_policy=str(spec.get("failurePolicy") or "Fail"),
    )


def _binding(resource: Resource, spec: dict[str, Any], minor: int) -> Binding | None:
    actions = spec.get("validationActions")
    if minor < 27:
        actions = ["Deny"]
    if not isinstance(actions, list) or not actions:
        return None
    param_ref = spec.get("paramRef")
    match_resources = spec.get("matchResources")
    return Binding(
        name=resource.name or "",
        resource=resource,
        policy_name=str(spec.get("policyName") or ""),
        param_ref=param_ref if isinstance(param_ref, dict) else None,
        match_resources=match_resources if isinstance(match_resources, dict) else None,
        validation_actions=tuple(str(a) for a in actions),
    )
