"""Environment variables: `ValidateEnv`, `validateEnvVarValueFrom`, `ValidateEnvFrom`
(pkg/apis/core/validation/validation.go).
"""

from __future__ import annotations

from typing import Any

from kubeplan.kube import names
from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.pod.common import (
    _ENV_FIELD_PATHS,
    _RESOURCE_FIELD_PATHS,
    RELAXED_ENV_VAR_NAMES_FROM,
    _d,
    _s,
)

# ---------------------------------------------------------------------------------------------
# Env


def _validate_env(env: list[Any], path: Path, ctx: Context) -> list[FieldError]:
    """`ValidateEnv`: names by `IsEnvVarName`, or `IsRelaxedEnvVarName` once
    RelaxedEnvironmentVariableValidation is on (1.32); `validateEnvVarValueFrom`."""
    check = _env_name_check(ctx)
    errors: list[FieldError] = []
    for index, var in enumerate(env):
        var = _d(var)
        at = (*path, index)
        name = _s(var.get("name"))
        if not name:
            errors.append(field.required((*at, "name")))
        else:
            errors.extend(field.invalid((*at, "name"), name, m) for m in check(name))
        errors.extend(_validate_value_from(var, (*at, "valueFrom"), ctx))
    return errors


def _env_name_check(ctx: Context) -> Any:
    if ctx.at_least(RELAXED_ENV_VAR_NAMES_FROM):
        return names.is_relaxed_env_var_name
    return names.is_env_var_name


def _validate_value_from(var: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    """`validateEnvVarValueFrom`: exactly one source, and none with a non-empty `value`."""
    source = var.get("valueFrom")
    if not isinstance(source, dict):
        return []
    errors: list[FieldError] = []
    count = 0
    if isinstance(source.get("fieldRef"), dict):
        count += 1
        errors.extend(_validate_field_ref(source["fieldRef"], (*path, "fieldRef"), ctx))
    if isinstance(source.get("resourceFieldRef"), dict):
        count += 1
        errors.extend(
            _validate_resource_field_ref(source["resourceFieldRef"], (*path, "resourceFieldRef"))
        )
    for key in ("configMapKeyRef", "secretKeyRef"):
        if isinstance(source.get(key), dict):
            count += 1
            errors.extend(_validate_key_selector(source[key], (*path, key)))
    if isinstance(source.get("fileKeyRef"), dict) and ctx.at_least(35):
        count += 1  # EnvFiles (beta, on, in 1.35); its own checks are not ported
    if count == 0:
        errors.append(
            field.invalid(
                path,
                "",
                "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or"
                " `secretKeyRef`",
            )
        )
    elif _s(var.get("value")):
        errors.append(field.invalid(path, "", "may not be specified when `value` is not empty"))
    elif count > 1:
        errors.append(
            field.invalid(path, "", "may not have more than one field specified at a time")
        )
    return errors


# pkg/apis/core/pods/helpers.go ConvertDownwardAPIFieldLabel: the labels v1 converts
# (`spec.host` is the old name of spec.nodeName); status.hostIPs from 1.29 (PodHostIPs on).
_CONVERTIBLE_FIELD_LABELS = frozenset(
    {
        "metadata.annotations",
        "metadata.labels",
        "metadata.name",
        "metadata.namespace",
        "metadata.uid",
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.serviceAccountName",
        "spec.schedulerName",
        "status.phase",
        "status.hostIP",
        "status.podIP",
        "status.podIPs",
        "spec.terminationGracePeriodSeconds",
        "spec.host",
    }
)
HOST_IPS_FROM = 29


def _split_subscript(field_path: str) -> tuple[str, str, bool]:
    """`fieldpath.SplitMaybeSubscriptedPath`: `metadata.labels['k']` -> (path, k, True)."""
    if not field_path.endswith("']"):
        return field_path, "", False
    head, sep, key = field_path[:-2].partition("['")
    if not sep or not head:
        return field_path, "", False
    return head, key, True


def _env_field_paths(ctx: Context) -> tuple[str, ...]:
    """validEnvDownwardAPIFieldPathExpressions at the release."""
    if ctx.at_least(HOST_IPS_FROM):
        return _ENV_FIELD_PATHS
    return tuple(p for p in _ENV_FIELD_PATHS if p != "status.hostIPs")


def _validate_field_ref(
    ref: dict[str, Any], path: Path, ctx: Context, expressions: tuple[str, ...] | None = None
) -> list[FieldError]:
    """`validateObjectFieldSelector` (apiVersion defaults to v1); `expressions` are the paths
    the caller accepts (the env's by default)."""
    expressions = _env_field_paths(ctx) if expressions is None else expressions
    field_path = _s(ref.get("fieldPath"))
    if not field_path:
        return [field.required((*path, "fieldPath"))]
    base, key, subscripted = _split_subscript(field_path)
    convertible = set(_CONVERTIBLE_FIELD_LABELS)
    if ctx.at_least(HOST_IPS_FROM):
        convertible.add("status.hostIPs")
    if subscripted and base not in ("metadata.annotations", "metadata.labels"):
        detail = f"error converting fieldPath: field label does not support subscript: {field_path}"
        return [field.invalid((*path, "fieldPath"), field_path, detail)]
    if not subscripted and field_path not in convertible:
        detail = f"error converting fieldPath: field label not supported: {field_path}"
        return [field.invalid((*path, "fieldPath"), field_path, detail)]
    if subscripted:
        key = key.lower() if base == "metadata.annotations" else key
        return [field.invalid(path, key, m) for m in names.is_qualified_name(key, ctx.minor)]
    if field_path == "spec.host":
        field_path = "spec.nodeName"
    if field_path not in expressions:
        return [field.not_supported((*path, "fieldPath"), field_path, sorted(expressions))]
    return []


def _validate_resource_field_ref(ref: dict[str, Any], path: Path) -> list[FieldError]:
    """`validateContainerResourceFieldSelector` (env form: no containerName needed)."""
    resource = _s(ref.get("resource"))
    if not resource:
        return [field.required((*path, "resource"))]
    if resource in _RESOURCE_FIELD_PATHS or resource.startswith(
        ("limits.hugepages-", "requests.hugepages-")
    ):
        return []
    return [field.not_supported((*path, "resource"), resource, _RESOURCE_FIELD_PATHS)]


def _validate_key_selector(ref: dict[str, Any], path: Path) -> list[FieldError]:
    """`validateConfigMapKeySelector` / `validateSecretKeySelector`."""
    errors = []
    name = _s(ref.get("name"))
    errors.extend(field.invalid((*path, "name"), name, m) for m in names.is_dns1123_subdomain(name))
    key = _s(ref.get("key"))
    if not key:
        errors.append(field.required((*path, "key")))
    else:
        errors.extend(field.invalid((*path, "key"), key, m) for m in names.is_config_map_key(key))
    return errors


def _validate_env_from(sources: list[Any], path: Path, ctx: Context) -> list[FieldError]:
    """`ValidateEnvFrom`: the prefix is an env var name; exactly one of configMapRef, secretRef."""
    check = _env_name_check(ctx)
    errors: list[FieldError] = []
    for index, source in enumerate(sources):
        source = _d(source)
        at = (*path, index)
        prefix = _s(source.get("prefix"))
        if prefix:
            errors.extend(field.invalid((*at, "prefix"), prefix, m) for m in check(prefix))
        count = 0
        for key in ("configMapRef", "secretRef"):
            ref = source.get(key)
            if isinstance(ref, dict):
                count += 1
                name = _s(ref.get("name"))
                if not name:
                    errors.append(field.required((*at, key, "name")))
                else:
                    errors.extend(
                        field.invalid((*at, key, "name"), name, m)
                        for m in names.name_is_dns_subdomain(name, True)
                    )
        if count == 0:
            errors.append(
                field.invalid(path, "", "must specify one of: `configMapRef` or `secretRef`")
            )
        elif count > 1:
            errors.append(
                field.invalid(path, "", "may not have more than one field specified at a time")
            )
    return errors
