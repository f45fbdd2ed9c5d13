"""One policy, one binding, one param: matchConditions, variables, validations and
auditAnnotations, evaluated as the API server does.

Sources (k8s.io/apiserver pkg/admission/plugin/):
- policy/validating/validator.go `Validate`: matchConditions first (any false: the policy does
  not apply; an error with none false: failurePolicy); a validation that is not `true` denies
  with its `reason` (default Invalid) and the message chosen as: messageExpression's string,
  trimmed, if non-empty, one line and at most 5 KiB; else `message`, trimmed; else
  `failed expression: <expression>`. An evaluation error is an error decision (failurePolicy:
  Fail denies, Ignore admits). auditAnnotations: a string is published (trimmed, empty: left
  out), null is left out, another type is an error "valueExpression '<e>' resulted in
  unsupported return type: <type>. Return type must be either string or null.".
- cel/filter.go (`ForInput`) and cel/condition.go: "compilation error: <error>" and
  "expression '<e>' resulted in error: <error>" (the error's own words are cel-cpp's, not
  cel-go's); webhook/matchconditions/matcher.go: errors aggregated ("[a, b]" when several).
- cel/compile.go `createEnvForOpts`: variables object, oldObject, request, params,
  namespaceObject, authorizer (not in messageExpression), variables (not in matchConditions;
  lazily evaluated: only those an expression names, each once; cel/composition.go).
- cel/activation/CreateNamespaceObject: the reduced namespaceObject.

Cost: the API server stops at 1,000,000 cost units per expression and 10,000,000 per binding
(pkg/apis/cel/config.go). cel-cpp has no cost model; its comprehension iteration budget and a
time budget per binding stand in. A policy stopped by them is not evaluated (a warning), as is
one that uses a function kubeplan does not implement, an authorizer answer kubeplan does not
know, or any policy when no CEL engine is installed.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kubeplan.admission.vap import authz
from kubeplan.admission.vap.model import Policy
from kubeplan.schemas.cel import engine

BINDING_TIME_BUDGET_S = 2.0
MAX_MESSAGE_BYTES = 5 * 1024  # celconfig.MaxEvaluatedMessageExpressionSizeBytes
ALL = ("object", "oldObject", "request", "params", "namespaceObject", "authorizer", "variables")
MATCH_CONDITION = tuple(name for name in ALL if name != "variables")
MESSAGE = tuple(name for name in ALL if name != "authorizer")
_VARIABLE = re.compile(r"\bvariables\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)")
_OBJECT_PATH = re.compile(r"\bobject((?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)+)")


class NotEvaluated(Exception):
    """kubeplan cannot evaluate this expression (the message says why)."""


@dataclass(frozen=True)
class Decision:
    # "deny" (a validation not true), "error" (failurePolicy applies, then validationActions),
    # "annotation" (an auditAnnotation error: denies whatever the validationActions; under
    # Ignore only a type error does), "unknown" (not evaluated)
    kind: str
    message: str
    reason: str = ""
    index: int | None = None
    path: tuple = ()
    ignorable: bool = True  # "annotation": failurePolicy Ignore leaves it out


@dataclass
class Result:
    decisions: list[Decision] = field(default_factory=list)
    annotations: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Run:
    data: dict[str, Any]
    policy: Policy
    deadline: float
    variables: dict[str, Any] = field(default_factory=dict)
    variable_errors: dict[str, str] = field(default_factory=dict)


def plain(value: Any) -> Any:
    """A JSON value as CEL sees the unstructured object (timestamps read by YAML as text)."""
    return json.loads(json.dumps(value, default=str)) if value is not None else None


def _compile(text: str, names: tuple[str, ...]) -> engine.Compiled:
    return engine.compile_rule(text, names, authz.functions())


def _expression_path(text: str) -> tuple:
    found = _OBJECT_PATH.search(text)
    if not found:
        return ()
    return tuple(part.strip() for part in found.group(1).split(".") if part.strip())


def _eval(run: _Run, text: str, names: tuple[str, ...], wrap: bool = True) -> Any:
    """The value of one expression; NotEvaluated, or EvalError with the API server's text
    (`wrap`: "expression '<e>' resulted in error: ..."; a variable's error is kept raw, to be
    reported as the error of the expression that names it)."""
    if time.monotonic() > run.deadline:
        raise NotEvaluated(
            "stopped: over the time kubeplan gives one binding (it stands in for the API"
            " server's cost budget)"
        )
    compiled = _compile(text, names)
    if compiled.unknown:
        raise NotEvaluated(f"uses {compiled.unknown}, which kubeplan does not implement")
    if compiled.error:
        raise engine.EvalError(f"compilation error: {compiled.error}")
    data = {name: value for name, value in run.data.items() if name in names}
    if "variables" in names:
        data["variables"] = _variables_for(run, text)
    try:
        return engine.evaluate(compiled, data)
    except engine.EvalError as error:
        message = _go_words(str(error))
        if authz.UNANSWERED in message:
            raise NotEvaluated(message[message.find(authz.UNANSWERED) :]) from None
        for name in _VARIABLE.findall(text):
            if name in run.variable_errors:
                message = run.variable_errors[name]
                break
        if not wrap:
            raise engine.EvalError(message) from None
        raise engine.EvalError(f"expression '{text}' resulted in error: {message}") from None


_MISSING_KEY = re.compile(r'Key not found in map : "(.*)"$')


def _go_words(message: str) -> str:
    """cel-cpp's words for an error cel-go words otherwise, where they are known: a missing
    map key is cel-go's `no such key: <key>` (common/types/err.go)."""
    return _MISSING_KEY.sub(r"no such key: \1", message)


def _native(value: Any) -> Any:
    """A CEL result as plain Python (cel-cpp hands list items back as accessors)."""
    if hasattr(value, "plain_value"):
        value = value.plain_value()
    if isinstance(value, list):
        return [_native(item) for item in value]
    if isinstance(value, dict):
        return {key: _native(item) for key, item in value.items()}
    return value


def _variables_for(run: _Run, text: str) -> dict[str, Any]:
    """The variables `text` names, each evaluated once per run (composition.go lazy
    evaluation); one that fails is left out and its error kept."""
    for name in dict.fromkeys(_VARIABLE.findall(text)):
        if name in run.variables or name in run.variable_errors:
            continue
        spec = next((v for v in run.policy.variables if v.get("name") == name), None)
        if spec is None:
            continue
        run.variable_errors[name] = f"composited variable {name!r} is being evaluated"
        try:
            value = _eval(run, str(spec.get("expression", "")), ALL, wrap=False)
            run.variables[name] = _native(value)
            del run.variable_errors[name]
        except engine.EvalError as error:
            run.variable_errors[name] = str(error)
    return dict(run.variables)


def _match_conditions(run: _Run) -> Decision | bool | None:
    """False: a condition is false (skip the policy); a Decision: an error or unknown with
    none false; None: all true."""
    errors: list[str] = []
    unknown = ""
    for condition in run.policy.match_conditions:
        text = str(condition.get("expression", ""))
        try:
            value = _eval(run, text, MATCH_CONDITION)
        except NotEvaluated as why:
            unknown = unknown or f"matchCondition {condition.get('name')!r}: {why}"
            continue
        except engine.EvalError as error:
            errors.append(str(error))
            continue
        if value is False:
            return False
        if value is not True:
            errors.append(f"expression '{text}' resulted in a non-bool value")
    if unknown:
        return Decision("unknown", unknown)
    if errors:
        return Decision("error", errors[0] if len(errors) == 1 else f"[{', '.join(errors)}]")
    return None


def _message(run: _Run, validation: Mapping[str, Any]) -> str:
    text = validation.get("messageExpression")
    if isinstance(text, str) and text:
        try:
            value = _eval(run, text, MESSAGE)
        except (NotEvaluated, engine.EvalError):
            value = None
        if isinstance(value, str):
            value = value.strip()
            if value and len(value.encode()) <= MAX_MESSAGE_BYTES and "\n" not in value:
                return value
    message = str(validation.get("message") or "").strip()
    if message:
        return message
    return f"failed expression: {str(validation.get('expression', '')).strip()}"


def _validation(run: _Run, index: int, validation: Mapping[str, Any]) -> Decision | None:
    text = str(validation.get("expression", ""))
    path = _expression_path(text)
    try:
        value = _eval(run, text, ALL)
    except NotEvaluated as why:
        return Decision("unknown", f"validations[{index}]: {why}", index=index, path=path)
    except engine.EvalError as error:
        return Decision("error", str(error), index=index, path=path)
    if value is True:
        return None
    reason = str(validation.get("reason") or "Invalid")
    return Decision("deny", _message(run, validation), reason, index, path)


def _annotation(run: _Run, spec: Mapping[str, Any]) -> tuple[str, str] | Decision | None:
    text = str(spec.get("valueExpression", ""))
    try:
        value = _eval(run, text, ALL)
    except NotEvaluated as why:
        return Decision("unknown", f"auditAnnotations {spec.get('key')!r}: {why}")
    except engine.EvalError as error:
        return Decision("annotation", str(error))
    if value is None:
        return None
    if not isinstance(value, str):
        kind = {bool: "bool", int: "int", float: "double", list: "list", dict: "map"}
        return Decision(
            "annotation",
            ignorable=False,
            message=f"valueExpression '{text}' resulted in unsupported return type:"
            f" {kind.get(type(value), type(value).__name__)}. Return type must be either string"
            " or null.",
        )
    value = value.strip()
    return (str(spec.get("key", "")), value) if value else None


def validate(policy: Policy, data: dict[str, Any], authorizer: authz.Callback | None) -> Result:
    """validator.Validate for one binding and param: the decisions before failurePolicy."""
    run = _Run(data, policy, time.monotonic() + BINDING_TIME_BUDGET_S)
    token = authz.use(authorizer)
    try:
        return _validate(run)
    except engine.Unavailable as error:
        return Result([Decision("unknown", f"no CEL engine is installed ({error})")])
    finally:
        authz.release(token)


def _validate(run: _Run) -> Result:
    result = Result()
    matched = _match_conditions(run)
    if matched is False:
        return result
    if isinstance(matched, Decision):
        result.decisions.append(matched)
        return result
    for index, validation in enumerate(run.policy.validations):
        decision = _validation(run, index, validation)
        if decision is not None:
            result.decisions.append(decision)
    for spec in run.policy.audit_annotations:
        found = _annotation(run, spec)
        if isinstance(found, Decision):
            result.decisions.append(found)
        elif found is not None:
            result.annotations.append(found)
    return result


_NAMESPACE_METADATA = (
    "name", "generateName", "namespace", "labels", "annotations", "uid", "creationTimestamp",
    "deletionGracePeriodSeconds", "deletionTimestamp", "generation", "resourceVersion",
    "finalizers",
)  # fmt: skip


def namespace_object(namespace: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """cel.CreateNamespaceObject: metadata's fields above, spec.finalizers, status.phase and
    status.conditions (omitted when empty, as the unstructured conversion omits them)."""
    if not isinstance(namespace, Mapping):
        return None
    metadata = namespace.get("metadata") if isinstance(namespace.get("metadata"), Mapping) else {}
    spec = namespace.get("spec") if isinstance(namespace.get("spec"), Mapping) else {}
    status = namespace.get("status") if isinstance(namespace.get("status"), Mapping) else {}
    out: dict[str, Any] = {
        "metadata": {k: metadata[k] for k in _NAMESPACE_METADATA if metadata.get(k)},
    }
    if spec.get("finalizers"):
        out["spec"] = {"finalizers": spec["finalizers"]}
    reduced = {k: status[k] for k in ("phase", "conditions") if status.get(k)}
    if reduced:
        out["status"] = reduced
    return plain(out)
