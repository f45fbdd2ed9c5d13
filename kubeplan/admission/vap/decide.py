"""Every policy and binding on one request: what the API server would do with it.

Source: k8s.io/apiserver pkg/admission/plugin/policy/validating/dispatcher.go `Dispatch`:
- for each policy whose matchConstraints match, each of its bindings whose matchResources
  match, each param (generic/policy_dispatcher.go `CollectParams`), the validator's decisions;
- a deny decision (or an evaluation error under failurePolicy Fail) goes through the binding's
  validationActions: Deny: `ValidatingAdmissionPolicy '<p>' with binding '<b>' denied request:
  <message>`; Warn: `Validation failed for ValidatingAdmissionPolicy '<p>' with binding '<b>':
  <message>`; Audit: the annotation `validation.policy.admission.k8s.io/validation_failure`;
- configuration errors (params, namespaced paramRef on a cluster-scoped request) deny under
  Fail whatever the actions (`addConfigError`: `failed to configure binding: <error>`), and
  are ignored under Ignore;
- auditAnnotations are published as `<policy>/<key>`, distinct values of several bindings
  joined with ", ", values over 10 KiB cut;
- ValidatingAdmissionPolicy(Binding) and MutatingAdmissionPolicy(Binding) and the webhook
  configurations are never subject to policies (webhook/predicates/rules/rules.go
  `IsExemptAdmissionConfigurationResource`).

The API server refuses with the first Deny outcome only; every outcome is returned here (the
caller reports the first as the refusal).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from kubeplan.admission.vap import authz
from kubeplan.admission.vap.evaluate import Decision, namespace_object, plain, validate
from kubeplan.admission.vap.matching import matches
from kubeplan.admission.vap.model import Binding, Policy, PolicySet
from kubeplan.admission.vap.types import AUDIT, DENY, NOT_EVALUATED, WARN, Outcome, Request

FAILURE_KEY = "validation.policy.admission.k8s.io/validation_failure"
MAX_ANNOTATION = 10 * 1024
_EXEMPT = {
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
}  # fmt: skip


class ConfigError(Exception):
    """A binding the API server cannot use for this request (failurePolicy decides)."""


def evaluate(
    policies: PolicySet,
    request: Request,
    *,
    namespace_labels: Mapping[str, str] | None,
    namespace_object: Mapping | None,
    params_lookup: Callable[..., list[Mapping]] | None = None,
    authorizer: Callable[..., str | None] | None = None,
) -> list[Outcome]:
    """The outcomes of every policy on `request`, in the order of `policies`.

    `namespace_labels`: the labels of the request's namespace (None: not known);
    `namespace_object`: that Namespace object (for `namespaceObject`), if there is one;
    `params_lookup(api_version=, kind=, namespace=, name=, selector=)`: the param objects
    (defaults to the objects `policies` was read from); `authorizer(user=, groups=, verb=,
    group=, resource=, subresource=, namespace=, name=, path=)`: "allowed", "denied" or None
    (not known)."""
    if request.group == "admissionregistration.k8s.io" and request.kind in _EXEMPT:
        return []
    lookup = params_lookup or policies.params_lookup
    outcomes: list[Outcome] = []
    for policy in policies.policies.values():
        bindings = policies.bindings_of(policy.name)
        if not bindings:
            continue
        found = matches(policy.match_constraints, request, namespace_labels)
        if not found.matched:
            continue
        if found.unknown:
            outcomes.append(_not_evaluated(policy.name, "", found.unknown))
            continue
        annotations: dict[str, list[str]] = {}
        for binding in bindings:
            outcomes.extend(
                _binding(policies, policy, binding, request, namespace_labels,
                         namespace_object, lookup, authorizer, annotations)
            )  # fmt: skip
        outcomes.extend(_annotations(policy, annotations))
    return outcomes


def _binding(
    policies: PolicySet,
    policy: Policy,
    binding: Binding,
    request: Request,
    namespace_labels: Mapping[str, str] | None,
    namespace: Mapping | None,
    lookup: Callable[..., list[Mapping]],
    authorizer: Callable[..., str | None] | None,
    annotations: dict[str, list[str]],
) -> list[Outcome]:
    found = matches(binding.match_resources, request, namespace_labels)
    if not found.matched:
        return []
    if found.unknown:
        return [_not_evaluated(policy.name, binding.name, found.unknown)]
    try:
        params = collect_params(policies, policy, binding, request, lookup)
    except ConfigError as error:
        return _config_error(policy, binding, str(error))
    except LookupError as why:
        return [_not_evaluated(policy.name, binding.name, str(why))]
    outcomes: list[Outcome] = []
    base = _activation(request, namespace)
    for param in params:
        result = validate(policy, {**base, "params": plain(param)}, authorizer)
        for decision in result.decisions:
            outcomes.extend(_outcomes(policy, binding, decision))
        for key, value in result.annotations:
            values = annotations.setdefault(key, [])
            if value[:MAX_ANNOTATION] not in values:
                values.append(value[:MAX_ANNOTATION])
    return outcomes


def collect_params(
    policies: PolicySet,
    policy: Policy,
    binding: Binding,
    request: Request,
    lookup: Callable[..., list[Mapping]],
) -> list[Mapping | None]:
    """generic.CollectParams: [None] without paramKind or paramRef; ConfigError for the API
    server's configuration errors; LookupError when kubeplan cannot know (the paramKind's
    scope)."""
    ref = binding.param_ref
    if policy.param_kind is None or ref is None:
        return [None]
    api_version, kind = policy.param_kind
    namespaced = policies.param_namespaced(api_version, kind)
    if namespaced is None:
        raise LookupError(
            f"paramKind {api_version} {kind}: kubeplan does not know this kind (no CRD and no"
            " object of it in the input)"
        )
    namespace = None
    if namespaced:
        namespace = str(ref.get("namespace") or "") or request.namespace
        if not namespace:
            raise ConfigError(
                "cannot use namespaced paramRef in policy binding that matches cluster-scoped"
                " resources"
            )
    elif ref.get("namespace"):
        raise ConfigError(
            "paramRef.namespace must not be provided for a cluster-scoped `paramKind`"
        )
    name, selector = ref.get("name"), ref.get("selector")
    if name and selector is not None:
        raise ConfigError("paramRef.name and paramRef.selector are mutually exclusive")
    if not name and selector is None:
        raise ConfigError("one of name or selector must be provided")
    found = lookup(
        api_version=api_version,
        kind=kind,
        namespace=namespace,
        name=str(name) if name else None,
        selector=selector if not name else None,
    )
    if not found and ref.get("parameterNotFoundAction") == "Deny":
        raise ConfigError("no params found for policy binding with `Deny` parameterNotFoundAction")
    return list(found)


def _activation(request: Request, namespace: Mapping | None) -> dict[str, Any]:
    is_namespace = (request.group, request.version, request.kind) == ("", "v1", "Namespace")
    has_namespace = bool(request.namespace) and not is_namespace
    return {
        "object": plain(request.object),
        "oldObject": plain(request.old_object),
        "request": request_variable(request),
        "namespaceObject": namespace_object(namespace) if has_namespace else None,
        "authorizer": authz.authorizer(
            request.user,
            request.groups,
            {
                "group": request.group,
                "resource": request.resource,
                "subresource": request.subresource,
                "namespace": request.namespace or "",
                "name": request.name,
            },
        ),
    }


def request_variable(request: Request) -> dict[str, Any]:
    """cel.CreateAdmissionRequest, as unstructured (empty optional fields left out)."""
    kind = {"group": request.group, "version": request.version, "kind": request.kind}
    resource = {"group": request.group, "version": request.version, "resource": request.resource}
    out: dict[str, Any] = {
        "uid": "",
        "kind": kind,
        "resource": resource,
        "requestKind": dict(kind),
        "requestResource": dict(resource),
        "operation": request.operation,
        "userInfo": {"username": request.user, "groups": list(request.groups)},
        "dryRun": False,
    }
    if not request.user:
        del out["userInfo"]["username"]
    if not request.groups:
        del out["userInfo"]["groups"]
    if request.subresource:
        out["subResource"] = out["requestSubResource"] = request.subresource
    if request.name:
        out["name"] = request.name
    if request.namespace:
        out["namespace"] = request.namespace
    return out


def _outcome(policy: Policy, binding: Binding, action: str, message: str, **extra: Any) -> Outcome:
    return Outcome(
        policy=policy.name,
        binding=binding.name,
        action=action,
        message=message,
        reason=extra.get("reason", ""),
        expression_index=extra.get("index"),
        path=extra.get("path", ()),
        error=extra.get("error", False),
    )


def _not_evaluated(policy: str, binding: str, why: str) -> Outcome:
    return Outcome(policy, binding, NOT_EVALUATED, why, "", None, (), False)


def _config_error(policy: Policy, binding: Binding, error: str) -> list[Outcome]:
    if policy.failure_policy == "Ignore":
        return []
    if policy.failure_policy != "Fail":
        message = f"unrecognized failure policy: '{policy.failure_policy}'"
    else:
        message = f"failed to configure binding: {error}"
    text = f"ValidatingAdmissionPolicy '{policy.name}' with binding '{binding.name}' denied request: {message}"
    return [_outcome(policy, binding, DENY, text, reason="Invalid", error=True)]


def _outcomes(policy: Policy, binding: Binding, decision: Decision) -> list[Outcome]:
    """validationActions applied to one decision (an error first through failurePolicy)."""
    if decision.kind == "unknown":
        return [_not_evaluated(policy.name, binding.name, decision.message)]
    if decision.kind == "annotation":  # AuditAnnotationActionError: denied directly
        if decision.ignorable and policy.failure_policy == "Ignore":
            return []
        text = (
            f"ValidatingAdmissionPolicy '{policy.name}' with binding '{binding.name}'"
            f" denied request: {decision.message}"
        )
        return [_outcome(policy, binding, DENY, text, reason="Invalid", error=True)]
    error = decision.kind == "error"
    if error and policy.failure_policy == "Ignore":
        return []
    reason = decision.reason or "Invalid"
    extra = {"index": decision.index, "path": decision.path, "error": error}
    out = []
    for action in binding.validation_actions:
        if action == DENY:
            text = (
                f"ValidatingAdmissionPolicy '{policy.name}' with binding '{binding.name}'"
                f" denied request: {decision.message}"
            )
            out.append(_outcome(policy, binding, DENY, text, reason=reason, **extra))
        elif action == WARN:
            text = (
                f"Validation failed for ValidatingAdmissionPolicy '{policy.name}' with binding"
                f" '{binding.name}': {decision.message}"
            )
            out.append(_outcome(policy, binding, WARN, text, **extra))
        elif action == AUDIT:
            out.append(
                _outcome(policy, binding, AUDIT, _audit_text(policy, binding, decision), **extra)
            )
    return out


def _audit_text(policy: Policy, binding: Binding, decision: Decision) -> str:
    """The audit annotation as `key: value` (dispatcher.go publishValidationFailureAnnotation;
    Go's JSON encoder escapes <, > and &)."""
    value = json.dumps(
        [
            {
                "message": decision.message,
                "policy": binding.policy_name,
                "binding": binding.name,
                "expressionIndex": decision.index if decision.index is not None else 0,
                "validationActions": list(binding.validation_actions),
            }
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    value = value.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"{FAILURE_KEY}: {value}"


def _annotations(policy: Policy, annotations: dict[str, list[str]]) -> list[Outcome]:
    return [
        Outcome(
            policy.name, "", AUDIT, f"{policy.name}/{key}: {', '.join(values)}", "", None, (), False
        )
        for key, values in annotations.items()
    ]
