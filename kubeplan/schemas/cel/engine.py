"""The CEL engine for CRD rules: cel-expr-python (Google's cel-cpp), chosen by measurement.

On 34 real rules (tests/data/cel/rules.yaml: Gateway API, prometheus-operator, the Kubernetes
library examples) the engines compiled / evaluated right, and timed one Gateway API listener
rule (`self.all(l1, self.exists_one(l2, ...))`) on 16 listeners:

| engine (PyPI)                          | compiled | right | 16-listener rule | compile |
|----------------------------------------|---------:|------:|-----------------:|--------:|
| cel-expr-python 0.1.3 (cel-cpp)        |    25/34 | 25/34 |          1.2 ms  |  4.2 ms |
| common-expression-language 0.10 (Rust) |    33/34 | 21/34 |          5.3 ms  |  2.6 ms |
| cel-python 0.5.0 (celpy, pure Python)  |    33/34 | 21/34 |        749 ms    | 44 ms   |

(without kubeplan's Kubernetes functions; "compiled" by the Rust and pure-Python engines means
parsed: neither type-checks, so an unknown function is found only when evaluated.) cel-cpp
type-checks at compile time (an unknown function is known before any object is read), has
optional types and the strings extension, bounds comprehensions by an iteration budget, and
has no dependencies. It is imported only when an input has a CRD with rules (~50 ms).

No wheel exists for every platform (none for Linux on ARM): without the engine every rule is
reported as not evaluated (a warning), never as passed or failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from kubeplan.schemas.cel import library

# Rules longer than this are not compiled (the API server bounds a whole CRD request at 3 MiB;
# a rule of this size is never written by hand).
MAX_RULE_CHARS = 16_384
_UNDECLARED = re.compile(r"undeclared reference to '([^']+)'")


class Unavailable(Exception):
    """No CEL engine on this platform."""


@dataclass(frozen=True)
class Compiled:
    """A compiled rule, or why it cannot run: `error` (the API server refuses the CRD: a
    syntax or type error) or `unknown` (a function kubeplan does not implement: a warning)."""

    program: Any = None
    error: str = ""
    unknown: str = ""


class EvalError(Exception):
    """A rule that did not evaluate to a boolean: its message as the API server words it."""


RULE_VARIABLES = ("self", "oldSelf")
Function = tuple  # (name, overload id, parameter types, result type, member?, impl): library.py


@cache
def _env(variables: tuple[str, ...] = RULE_VARIABLES, extra: tuple[Function, ...] = ()) -> Any:
    """One environment per set of variables (CRD rules: `self`, `oldSelf`; admission policies:
    `object`, `request`, ...) and extra functions (the Authz library, for admission only)."""
    try:
        import cel_expr_python.cel as cel
        from cel_expr_python.ext import ext_optional, ext_strings
    except ImportError as error:  # pragma: no cover - platforms without a wheel
        raise Unavailable(str(error)) from None
    types = {
        "string": cel.Type.STRING,
        "int": cel.Type.INT,
        "double": cel.Type.DOUBLE,
        "bool": cel.Type.BOOL,
        "list": cel.Type.LIST,
        "map": cel.Type.MAP,
        "dyn": cel.Type.DYN,
    }
    overloads: dict[str, list[Any]] = {}
    for name, oid, params, result, member, impl in [*library.functions(), *extra]:
        overload = cel.Overload(
            oid, types[result], [types[p] for p in params], is_member=member, impl=_guard(impl)
        )
        overloads.setdefault(name, []).append(overload)
    decls = [cel.FunctionDecl(name, listed) for name, listed in overloads.items()]
    try:
        return cel.NewEnv(
            variables={name: cel.Type.DYN for name in variables},
            extensions=[ext_strings.ExtStrings(), ext_optional.ExtOptional()],
            functions=decls,
        )
    except RuntimeError as error:  # pragma: no cover - an engine release kubeplan cannot use
        raise Unavailable(str(error)) from None


def _guard(impl: Any) -> Any:
    """Python errors inside a library function become CEL errors with a plain message."""

    def call(*args: Any) -> Any:
        try:
            return impl(*args)
        except (ValueError, TypeError, OverflowError, ZeroDivisionError, re.error) as error:
            raise RuntimeError(str(error)) from None

    return call


@cache
def compile_rule(
    text: str, variables: tuple[str, ...] = RULE_VARIABLES, extra: tuple[Function, ...] = ()
) -> Compiled:
    """Compile once per rule text (a CRD's rules run on every one of its objects)."""
    if len(text) > MAX_RULE_CHARS:
        return Compiled(unknown=f"the rule is longer than {MAX_RULE_CHARS} characters")
    env = _env(variables, extra)  # Unavailable propagates: every rule is then not evaluated
    try:
        return Compiled(program=env.compile(text))
    except RuntimeError as error:
        message = str(error)
        missing = _UNDECLARED.findall(message)
        names = [name for name in missing if name not in variables]
        if names:
            return Compiled(unknown=", ".join(dict.fromkeys(names)))
        return Compiled(error=_first_line(message))


def evaluate(compiled: Compiled, variables: dict[str, Any]) -> Any:
    """The value of a compiled rule; EvalError for a CEL error (missing key, bad overload,
    the iteration budget exceeded)."""
    try:
        result = compiled.program.eval(data=variables)
    except RuntimeError as error:
        raise EvalError(_clean(str(error))) from None
    if str(result.type()) in ("error", "ERROR") or _is_error(result):
        raise EvalError(_clean(str(result.value())))
    return result.value()


def _is_error(result: Any) -> bool:
    import cel_expr_python.cel as cel

    return result.type() == cel.Type.ERROR


def _first_line(message: str) -> str:
    return message.replace("INVALID_ARGUMENT: ", "").strip().splitlines()[0]


def _clean(message: str) -> str:
    for prefix in ("UNKNOWN: ", "INVALID_ARGUMENT: ", "INTERNAL: ", "NOT_FOUND: "):
        message = message.replace(prefix, "")
    return re.sub(r"\s*\[[A-Z_]+\]$", "", message.strip())
