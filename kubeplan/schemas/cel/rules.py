"""Run a CRD's `x-kubernetes-validations` rules on a custom resource, as the API server does.

Source: apiextensions-apiserver pkg/apiserver/schema/cel/validation.go (`Validator.validate`,
`validateExpressions`, `validateMap`, `validateArray`, `fieldErrorForReason`,
`ruleMessageOrDefault`, `evalMessageExpression`) and model/ (how values look to CEL):
- each schema node with rules runs them with `self` = its value; a null or absent value is not
  validated; at the root `metadata` shows only `name` and `generateName`;
- property names that are not CEL identifiers are escaped (k8s.io/apiserver/pkg/cel/escaping.go:
  `__` -> `__underscores__`, `.` -> `__dot__`, `-` -> `__dash__`, `/` -> `__slash__`, reserved
  words -> `__word__`); `format: date-time` strings are timestamps, `format: duration` durations;
- a transition rule (one that names `oldSelf`) runs only with a correlatable old value (update:
  the same property, map key, or list-map item by its keys), or with `optionalOldSelf: true`,
  where `oldSelf` is `optional.none()` on create;
- false gives `fieldErrorForReason(path[.fieldPath], schemaType, message, reason)`: Invalid by
  default, e.g. `spec.replicas: Invalid value: "integer": must be positive`; the message is
  `messageExpression`'s value (non-empty, one line, at most 5 KiB), else `message`, else
  `failed rule: <rule>`; an evaluation error is Invalid with `<error> evaluating rule: <rule>`.

Bounds: cel-cpp's comprehension iteration budget and kubeplan's per-object time budget stand in
for the API server's cost limits (1,000,000 per call, 10,000,000 per object). A rule stopped by
them, a rule using a function kubeplan does not implement, or any rule when no engine is
installed, is a warning that the rule was not evaluated: never a false error.
"""

from __future__ import annotations

import base64
import datetime
import re
import time
from dataclasses import dataclass, field
from typing import Any

from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field as ferr
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.cel import engine

OBJECT_TIME_BUDGET_S = 2.0
MAX_MESSAGE_BYTES = 5 * 1024  # celconfig.MaxEvaluatedMessageExpressionSizeBytes
_OLD_SELF = re.compile(r"\boldSelf\b")
_IDENT = re.compile(r"^[_a-zA-Z][_a-zA-Z0-9]*$")
_RESERVED = {
    "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for",
    "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void",
    "while",
}  # fmt: skip
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def escape(name: str) -> str | None:
    """escaping.go Escape: None when the name cannot be a CEL field (it is then not visible)."""
    if name in _RESERVED:
        return f"__{name}__"
    out = name.replace("__", "__underscores__").replace(".", "__dot__")
    out = out.replace("-", "__dash__").replace("/", "__slash__")
    return out if _IDENT.match(out) else None


@dataclass
class Outcome:
    errors: list[FieldError] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (path, why not evaluated)


@dataclass
class _Run:
    outcome: Outcome
    deadline: float
    stopped: bool = False


def validate(schema: Any, obj: Any, old: Any = None, transitions_only: bool = False) -> Outcome:
    """Every rule of `schema` (a CRD's raw openAPIV3Schema) on `obj` (and `old`, the stored
    object on an update). `transitions_only` runs only the rules that use `oldSelf`."""
    outcome = Outcome()
    if not _has_rules(schema):
        return outcome
    run = _Run(outcome, time.monotonic() + OBJECT_TIME_BUDGET_S)
    try:
        _walk(schema, obj, old, (), run, root=True, transitions_only=transitions_only)
    except engine.Unavailable as error:
        outcome.skipped.append(((), f"no CEL engine is installed ({error})"))
    return outcome


_HAS_RULES: dict[int, tuple[Any, bool]] = {}


def _has_rules(schema: Any) -> bool:
    """Whether any node has rules; remembered per schema (a CRD's schema serves all its objects,
    and kept referenced here so that its id is never reused)."""
    known = _HAS_RULES.get(id(schema))
    if known is None or known[0] is not schema:
        known = (schema, _find_rules(schema))
        if len(_HAS_RULES) > 4096:
            _HAS_RULES.clear()
        _HAS_RULES[id(schema)] = known
    return known[1]


def _find_rules(schema: Any) -> bool:
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("x-kubernetes-validations"):
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _walk(
    schema: Any, value: Any, old: Any, path: Path, run: _Run, root: bool, transitions_only: bool
) -> None:
    stack: list[tuple[Any, Any, Any, Path, bool]] = [(schema, value, old, path, root)]
    while stack and not run.stopped:
        node, data, before, where, is_root = stack.pop()
        if not isinstance(node, dict) or data is None:
            continue
        rules = node.get("x-kubernetes-validations")
        if isinstance(rules, list) and rules:
            _run_rules(node, rules, data, before, where, run, is_root, transitions_only)
        stack.extend(reversed(_children(node, data, before, where)))


def _children(
    node: dict[str, Any], data: Any, before: Any, where: Path
) -> list[tuple[Any, Any, Any, Path, bool]]:
    out: list[tuple[Any, Any, Any, Path, bool]] = []
    if isinstance(data, dict):
        # validateMap: an atomic map's old values do not correlate
        correlate = isinstance(before, dict) and node.get("x-kubernetes-map-type") != "atomic"
        properties = node.get("properties") if isinstance(node.get("properties"), dict) else {}
        extra = node.get("additionalProperties")
        for key, sub in data.items():
            child = properties.get(key, extra if isinstance(extra, dict) else None)
            if child is not None:
                old_sub = before.get(key) if correlate else None
                out.append((child, sub, old_sub, (*where, key), False))
    elif isinstance(data, list) and isinstance(node.get("items"), dict):
        olds = _correlate_items(node, data, before)
        out.extend((node["items"], sub, olds[i], (*where, i), False) for i, sub in enumerate(data))
    return out


def _correlate_items(node: dict[str, Any], data: list[Any], before: Any) -> list[Any]:
    """validateArray / makeMapList: only list-map items correlate, by their keys."""
    keys = node.get("x-kubernetes-list-map-keys")
    keys = [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []
    if node.get("x-kubernetes-list-type") != "map" or not isinstance(before, list) or not keys:
        return [None] * len(data)

    def identity(item: Any) -> Any:
        return tuple(repr(item.get(k)) for k in keys) if isinstance(item, dict) else None

    old_by_key = {identity(item): item for item in before if isinstance(item, dict)}
    return [old_by_key.get(identity(item)) for item in data]


def _run_rules(
    node: dict[str, Any],
    rules: list[Any],
    data: Any,
    before: Any,
    where: Path,
    run: _Run,
    is_root: bool,
    transitions_only: bool,
) -> None:
    self_value = to_cel(node, data, is_root)
    old_value = to_cel(node, before, is_root) if before is not None else None
    for index, rule in enumerate(rules):
        if run.stopped:
            return
        if not isinstance(rule, dict) or not isinstance(rule.get("rule"), str):
            continue
        text = rule["rule"].strip()
        uses_old = bool(_OLD_SELF.search(text))
        if transitions_only and not uses_old:
            continue
        optional_old = rule.get("optionalOldSelf") is True
        variables = {"self": self_value}
        if uses_old:
            if before is None and not optional_old:
                continue  # transition rules run only against a correlatable old value
            if optional_old:
                text = _OLD_SELF.sub(
                    "optional.none()" if before is None else "optional.of(oldSelf)", text
                )
            if before is not None:
                variables["oldSelf"] = old_value
        _one_rule(node, rule, text, variables, where, index, run)


def _one_rule(
    node: dict[str, Any],
    rule: dict[str, Any],
    text: str,
    variables: dict[str, Any],
    where: Path,
    index: int,
    run: _Run,
) -> None:
    if time.monotonic() > run.deadline:
        why = "kubeplan's time budget for one object ran out"
        run.outcome.skipped.append(
            (where, why + "; this and the remaining rules were not evaluated")
        )
        run.stopped = True
        return
    compiled = engine.compile_rule(text)
    if compiled.unknown:
        why = f"rule {rule['rule'].strip()!r} uses {compiled.unknown}, which kubeplan does not"
        run.outcome.skipped.append((where, why + " implement: not evaluated"))
        return
    kind = node.get("type") if isinstance(node.get("type"), str) else ""
    if compiled.error:
        run.outcome.errors.append(
            ferr.invalid(where, kind, f"rule compile error: {compiled.error}")
        )
        return
    try:
        result = engine.evaluate(compiled, variables)
    except engine.EvalError as error:
        message = str(error)
        if "budget exceeded" in message.lower():
            why = f"rule {_rule_error_string(rule)!r} exceeds kubeplan's evaluation budget"
            run.outcome.skipped.append((where, why + ": not evaluated"))
            return
        if message.startswith("No matching overloads"):
            detail = (
                "'no such overload': call arguments did not match a supported operator,"
                f" function or macro signature for rule: {_rule_error_string(rule)}"
            )
        else:
            detail = f"{message} evaluating rule: {_rule_error_string(rule)}"
        run.outcome.errors.append(ferr.invalid(where, kind, detail))
        return
    if result is True:
        return
    at = (*where, *field_path(rule.get("fieldPath")))
    message = _message_expression(rule, variables) or _rule_message(rule)
    run.outcome.errors.append(_for_reason(at, kind, message, rule.get("reason")))


def _for_reason(path: Path, kind: str, detail: str, reason: Any) -> FieldError:
    """fieldErrorForReason."""
    if reason == "FieldValueForbidden":
        return ferr.forbidden(path, detail)
    if reason == "FieldValueRequired":
        return ferr.required(path, detail)
    if reason == "FieldValueDuplicate":
        return ferr.duplicate(path, kind)
    return ferr.invalid(path, kind, detail)


def _rule_error_string(rule: dict[str, Any]) -> str:
    message = rule.get("message")
    if isinstance(message, str) and message.strip():
        return message.strip()
    return str(rule.get("rule", "")).strip()


def _rule_message(rule: dict[str, Any]) -> str:
    """ruleMessageOrDefault."""
    message = rule.get("message")
    if isinstance(message, str) and message:
        return message.strip()
    return f"failed rule: {_rule_error_string(rule)}"


def _message_expression(rule: dict[str, Any], variables: dict[str, Any]) -> str:
    """evalMessageExpression: its string if non-empty, one line and at most 5 KiB; else ""."""
    expression = rule.get("messageExpression")
    if not isinstance(expression, str) or not expression.strip():
        return ""
    compiled = engine.compile_rule(expression)
    if compiled.program is None:
        return ""
    try:
        value = engine.evaluate(compiled, variables)
    except engine.EvalError:
        return ""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if not value or "\n" in value or len(value.encode()) > MAX_MESSAGE_BYTES:
        return ""
    return value


_FIELD_PATH = re.compile(r"\.([^.\[\]]+)|\['((?:[^'\\]|\\.)*)'\]")


def field_path(text: Any) -> Path:
    """A rule's `fieldPath` (`.spec.ports`, `.labels['a.b']`) as path parts; an invalid one
    is refused with the CRD (crdvalidation), so here it is simply dropped."""
    if not isinstance(text, str) or not text.strip():
        return ()
    parts: list[str | int] = []
    position = 0
    text = text.strip()
    for match in _FIELD_PATH.finditer(text):
        if match.start() != position:
            return ()
        parts.append(match.group(1) if match.group(1) is not None else match.group(2))
        position = match.end()
    return tuple(parts) if position == len(text) else ()


def to_cel(schema: Any, value: Any, root: bool = False) -> Any:
    """A value as CEL sees it under `schema` (UnstructuredToVal)."""
    if value is None or not isinstance(schema, dict):
        return value
    if isinstance(value, dict):
        properties = (
            schema.get("properties") if isinstance(schema.get("properties"), dict) else None
        )
        extra = schema.get("additionalProperties")
        out: dict[str, Any] = {}
        for key, sub in value.items():
            if not isinstance(key, str):
                continue  # JSON has string keys only; the schema check reports the others
            if properties is not None and key in properties:
                name = escape(key)
                if name is not None:
                    out[name] = to_cel(properties[key], sub)
            elif isinstance(extra, dict):
                out[key] = to_cel(extra, sub)
            elif properties is None or schema.get("x-kubernetes-preserve-unknown-fields"):
                out[key] = sub
        if root or schema.get("x-kubernetes-embedded-resource"):
            _embedded(value, out)
        return out
    if isinstance(value, list):
        items = schema.get("items")
        return [to_cel(items, sub) for sub in value]
    if isinstance(value, str):
        return _formatted(schema.get("format"), value)
    return value


def _embedded(value: dict[str, Any], out: dict[str, Any]) -> None:
    """WithTypeAndObjectMeta: apiVersion, kind and metadata.name/generateName are visible."""
    for key in ("apiVersion", "kind"):
        if isinstance(value.get(key), str):
            out[key] = value[key]
    metadata = value.get("metadata")
    if isinstance(metadata, dict):
        out["metadata"] = {k: metadata[k] for k in ("name", "generateName") if k in metadata}


def _formatted(fmt: Any, value: str) -> Any:
    if fmt in ("date-time", "datetime"):
        try:
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if fmt == "duration":
        return _duration(value)
    if fmt == "byte":
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            return value
    return value


def _duration(text: str) -> Any:
    """time.ParseDuration."""
    body = text.lstrip("+-")
    pieces = _DURATION.findall(body)
    if not pieces or "".join(n + u for n, u in pieces) != body:
        return text
    seconds = sum(float(n) * _DURATION_UNITS[u] for n, u in pieces)
    delta = datetime.timedelta(seconds=seconds)
    return -delta if text.startswith("-") else delta
