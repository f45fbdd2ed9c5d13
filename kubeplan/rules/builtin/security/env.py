"""Environment variables: literal secrets, and names defined twice.

Semantics and sources are cited row by row in the YAML file beside this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from kubeplan.kube.values import as_dict as _dict
from kubeplan.kube.workloads import ContainerRef
from kubeplan.model import Resource
from kubeplan.rules.builtin.security.common import (
    who,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

# --------------------------------------------------------------------------------------------
# Env and images


_DEFAULT_SECRET_NAMES = (
    r"PASSW(OR)?D|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH_?KEY"
    r"|SIGNING_?KEY|ENCRYPTION_?KEY|CONN(ECTION)?_?STR(ING)?"
)
_DEFAULT_NOT_SECRET_NAMES = (
    r"_(FILE|PATH|DIR|LOCATION|NAME|ID|URL|URI|ENDPOINT|HOST|PORT|TYPE|LENGTH|LEN|SIZE|TTL"
    r"|TIMEOUT|EXPIRY|EXPIRES|EXPIRATION|LIFETIME|ENABLED|ENABLE|DISABLED|MODE|HEADER|FIELD|REF"
    r"|VERSION|ISSUER|AUDIENCE|SCOPES?|ALGORITHM|FORMAT|POLICY|COUNT|RETRIES|INTERVAL|DURATION"
    r"|MIN|MAX|REQUIRED|LIMIT|BUDGET)$"
    # a count of tokens (MAX_TOTAL_TOKENS, MAX_NEW_TOKENS: language model limits) and a flag
    # about a secret (MYSQL_ALLOW_EMPTY_PASSWORD, MYSQL_RANDOM_ROOT_PASSWORD) hold no secret
    r"|TOKENS$|(^|_)(ALLOW|RANDOM|SKIP|GENERATE|REQUIRE|USE|ENABLE|DISABLE)_"
)
_NOT_SECRET_VALUES = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null"})
# A number is a setting (a port, a count, a limit), never a credential worth the name.
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_ONLY_REFERENCE = re.compile(r"^\$\([A-Za-z_][A-Za-z0-9_.-]*\)$")
_URL_PASSWORD = re.compile(r"://[^/\s:@]+:([^/\s@]+)@")


def _pattern(options: dict[str, Any], key: str, default: str) -> re.Pattern[str] | None:
    value = options.get(key, default)
    if not isinstance(value, str) or not value:
        return None
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error:
        return re.compile(default, re.IGNORECASE)


@check("secret-in-env")
def secret_in_env(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    names = _pattern(options, "name_pattern", _DEFAULT_SECRET_NAMES)
    not_names = _pattern(options, "ignore_name_pattern", _DEFAULT_NOT_SECRET_NAMES)
    env = ref.container.get("env")
    if not isinstance(env, list):
        return
    for index, item in enumerate(env):
        item = _dict(item)
        name, value = item.get("name"), item.get("value")
        if not isinstance(name, str) or not isinstance(value, str):
            continue
        value = value.strip()
        if not value or "valueFrom" in item:
            continue
        path = (*ref.path, "env", index, "value")
        url = _URL_PASSWORD.search(value)
        if url and not url.group(1).startswith("$("):
            yield Violation(
                path,
                f"{who(ref)} sets env {name} to a URL with an embedded password; reference"
                " a Secret with valueFrom.secretKeyRef",
            )
            continue
        key = re.sub(r"[-.]", "_", name)
        if names is None or not names.search(key):
            continue
        if not_names is not None and not_names.search(key):
            continue
        if (
            value.lower() in _NOT_SECRET_VALUES
            or _NUMBER.match(value)
            or _ONLY_REFERENCE.match(value)
            or re.match(r"^(/|file://)\S*$", value)
        ):
            continue
        yield Violation(
            path,
            f"{who(ref)} sets env {name} to a literal value; reference a Secret with"
            " valueFrom.secretKeyRef",
        )


@check("duplicate-env-var")
def duplicate_env_var(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    env = ref.container.get("env")
    if not isinstance(env, list):
        return
    seen: dict[str, int] = {}
    for index, item in enumerate(env):
        name = _dict(item).get("name")
        if not isinstance(name, str):
            continue
        if name in seen:
            yield Violation(
                (*ref.path, "env", index, "name"),
                f"{who(ref)} defines env {name} twice (env[{seen[name]}] and env[{index}]);"
                " only the last value takes effect",
            )
        else:
            seen[name] = index
