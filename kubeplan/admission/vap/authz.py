"""The `authorizer` variable: k8s.io/apiserver pkg/cel/library/authz.go (1.27), in Python.

`authorizer.group(g).resource(r).subresource(s).namespace(n).name(x).check(verb)`,
`authorizer.path(p).check(verb)`, `authorizer.serviceAccount(ns, name)` (the user
`system:serviceaccount:<ns>:<name>` with groups `system:serviceaccounts` and
`system:serviceaccounts:<ns>`, k8s.io/apiserver pkg/authentication/serviceaccount/util.go),
`authorizer.requestResource` (the request's own group/resource/subresource/namespace/name),
and a Decision's `allowed()`, `errored()`, `error()`, `reason()`.

Answers come from a callback the caller passes, `authorizer(user=, groups=, verb=, group=,
resource=, subresource=, namespace=, name=, path=)` -> "allowed" | "denied" | None. None (or no
callback) means kubeplan cannot say: the CEL call then fails with UNANSWERED in its message and
the expression is reported as not evaluated, never guessed. `reason()` is never known offline
(the authorizer's own wording), so it is unanswered too. The selector checks of 1.31
(`fieldSelector`, `labelSelector`) are not implemented: an expression using them is not
evaluated.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from functools import cache
from typing import Any

from kubeplan.schemas.cel.library import KIND

UNANSWERED = "kubeplan: the authorizer cannot answer"
Callback = Callable[..., "str | None"]
_CALLBACK: contextvars.ContextVar[Callback | None] = contextvars.ContextVar(
    "vap_authorizer", default=None
)


def use(callback: Callback | None) -> contextvars.Token:
    return _CALLBACK.set(callback)


def release(token: contextvars.Token) -> None:
    _CALLBACK.reset(token)


def authorizer(user: str, groups: tuple[str, ...], request_check: dict[str, Any]) -> dict[str, Any]:
    """The `authorizer` variable for a request's user."""
    return {
        KIND: "authorizer",
        "user": user,
        "groups": list(groups),
        "requestResource": {KIND: "resourcecheck", "user": user, "groups": list(groups),
                            **request_check},
    }  # fmt: skip


def _of(value: Any, *kinds: str) -> dict[str, Any]:
    if not isinstance(value, dict) or value.get(KIND) not in kinds:
        raise ValueError("no such overload")
    return value


def _with(value: Any, kind: str, source: tuple[str, ...], **fields: Any) -> dict[str, Any]:
    return {**_of(value, *source), KIND: kind, **fields}


def _service_account(value: Any, namespace: str, name: str) -> dict[str, Any]:
    _of(value, "authorizer")
    return {
        KIND: "authorizer",
        "user": f"system:serviceaccount:{namespace}:{name}",
        "groups": ["system:serviceaccounts", f"system:serviceaccounts:{namespace}"],
    }


def _check(value: Any, verb: str) -> dict[str, Any]:
    target = _of(value, "resourcecheck", "pathcheck")
    callback = _CALLBACK.get()
    asked = {
        "user": target["user"],
        "groups": tuple(target["groups"]),
        "verb": verb,
        "group": target.get("group", ""),
        "resource": target.get("resource", ""),
        "subresource": target.get("subresource", ""),
        "namespace": target.get("namespace", ""),
        "name": target.get("name", ""),
        "path": target.get("path", ""),
    }
    answer = callback(**asked) if callback is not None else None
    if answer not in ("allowed", "denied"):
        what = asked["path"] or "/".join(
            part for part in (asked["group"], asked["resource"], asked["subresource"]) if part
        )
        raise ValueError(f"{UNANSWERED} whether {asked['user']} may {verb} {what}")
    return {KIND: "decision", "allowed": answer == "allowed"}


def _no_error(value: Any) -> bool:
    """errored(): an answer kubeplan has is never an authorizer error."""
    _of(value, "decision")
    return False


def _error_text(value: Any) -> str:
    _of(value, "decision")
    return ""


def _unanswered_reason(value: Any) -> str:
    _of(value, "decision")
    raise ValueError(f"{UNANSWERED} with the reason of its decision")


@cache
def functions() -> tuple[tuple[str, str, tuple[str, ...], str, bool, Callable[..., Any]], ...]:
    """The Authz library's overloads, in library.functions()'s form (hashable: the engine
    keeps one environment per set of extra functions)."""
    s, b, m = "string", "bool", "map"
    return (
        ("path", "authorizer_path", (m, s), m, True,
         lambda a, p: {**_of(a, "authorizer"), KIND: "pathcheck", "path": p}),
        ("group", "authorizer_group", (m, s), m, True,
         lambda a, g: {**_of(a, "authorizer"), KIND: "groupcheck", "group": g}),
        ("serviceAccount", "authorizer_serviceaccount", (m, s, s), m, True, _service_account),
        ("resource", "groupcheck_resource", (m, s), m, True,
         lambda c, r: _with(c, "resourcecheck", ("groupcheck",), resource=r)),
        ("subresource", "resourcecheck_subresource", (m, s), m, True,
         lambda c, v: _with(c, "resourcecheck", ("resourcecheck",), subresource=v)),
        ("namespace", "resourcecheck_namespace", (m, s), m, True,
         lambda c, v: _with(c, "resourcecheck", ("resourcecheck",), namespace=v)),
        ("name", "resourcecheck_name", (m, s), m, True,
         lambda c, v: _with(c, "resourcecheck", ("resourcecheck",), name=v)),
        ("check", "resourcecheck_check", (m, s), m, True, _check),
        ("allowed", "decision_allowed", (m,), b, True, lambda d: _of(d, "decision")["allowed"]),
        ("errored", "decision_errored", (m,), b, True, _no_error),
        ("error", "decision_error", (m,), s, True, _error_text),
        ("reason", "decision_reason", (m,), s, True, _unanswered_reason),
    )  # fmt: skip
