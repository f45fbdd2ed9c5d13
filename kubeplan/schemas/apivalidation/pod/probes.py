"""Probes and lifecycle handlers: `validateProbe`, `validateLifecycle`, `validateHandler`
(pkg/apis/core/validation/validation.go).
"""

from __future__ import annotations

from typing import Any

from kubeplan.kube import names
from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.pod.common import (
    _HTTP_SCHEMES,
    SLEEP_ZERO_FROM,
    _Common,
    _d,
    _l,
    _s,
)

# ---------------------------------------------------------------------------------------------
# Probes and lifecycle


def _validate_probes_and_lifecycle(
    container: dict[str, Any], path: Path, common: _Common
) -> list[FieldError]:
    errors: list[FieldError] = []
    lifecycle = container.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook in ("postStart", "preStop"):
            handler = lifecycle.get(hook)
            if isinstance(handler, dict):
                errors.extend(_validate_handler(handler, (*path, "lifecycle", hook), common, True))
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = container.get(key)
        if isinstance(probe, dict):
            errors.extend(_validate_probe(probe, key, (*path, key), common))
    return errors


def _validate_probe(
    probe: dict[str, Any], kind: str, path: Path, common: _Common
) -> list[FieldError]:
    """`validateProbe` and its liveness/readiness/startup wrappers (defaults: timeout 1,
    period 10, success 1, failure 3)."""
    errors = _validate_handler(probe, path, common, False)
    for key in (
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ):
        value = probe.get(key)
        if isinstance(value, int) and value < 0:
            errors.append(field.invalid((*path, key), value, "must be greater than or equal to 0"))
    grace = probe.get("terminationGracePeriodSeconds")
    if isinstance(grace, int) and grace <= 0:
        errors.append(
            field.invalid((*path, "terminationGracePeriodSeconds"), grace, "must be greater than 0")
        )
    success = probe.get("successThreshold", 1)
    if kind in ("livenessProbe", "startupProbe") and isinstance(success, int) and success != 1:
        errors.append(field.invalid((*path, "successThreshold"), success, "must be 1"))
    if kind == "readinessProbe" and grace is not None:
        errors.append(
            field.invalid(
                (*path, "terminationGracePeriodSeconds"),
                grace,
                "must not be set for readinessProbes",
            )
        )
    return errors


def _validate_handler(
    handler: dict[str, Any], path: Path, common: _Common, is_hook: bool
) -> list[FieldError]:
    """`validateHandler`: exactly one of exec, httpGet, tcpSocket, grpc (probes), sleep
    (hooks)."""
    kinds = (
        ("exec", "httpGet", "tcpSocket", "sleep")
        if is_hook
        else (
            "exec",
            "httpGet",
            "tcpSocket",
            "grpc",
        )
    )
    errors: list[FieldError] = []
    count = 0
    for kind in kinds:
        body = handler.get(kind)
        if not isinstance(body, dict):
            continue
        if count:
            errors.append(
                field.forbidden((*path, kind), "may not specify more than 1 handler type")
            )
            continue
        count += 1
        errors.extend(_validate_action(kind, body, (*path, kind), common))
    if count == 0:
        errors.append(field.required(path, "must specify a handler type"))
    return errors


def _validate_action(
    kind: str, body: dict[str, Any], path: Path, common: _Common
) -> list[FieldError]:
    if kind == "exec":
        return [] if _l(body.get("command")) else [field.required((*path, "command"))]
    if kind == "httpGet":
        errors = _port_num_or_name(body.get("port"), (*path, "port"))
        scheme = _s(body.get("scheme")) or "HTTP"
        if scheme not in _HTTP_SCHEMES:
            errors.append(field.not_supported((*path, "scheme"), scheme, _HTTP_SCHEMES))
        for header in _l(body.get("httpHeaders")):
            header_name = _s(_d(header).get("name"))
            errors.extend(
                field.invalid((*path, "httpHeaders"), header_name, m)
                for m in names.is_http_header_name(header_name)
            )
        return errors
    if kind in ("tcpSocket", "grpc"):
        return _port_num_or_name(body.get("port"), (*path, "port"))
    if kind == "sleep":
        return _validate_sleep(body, path, common)
    return []


def _validate_sleep(body: dict[str, Any], path: Path, common: _Common) -> list[FieldError]:
    """`validateSleepAction`: 0 < seconds ≤ grace period (0 allowed from 1.33)."""
    seconds = body.get("seconds")
    if not isinstance(seconds, int):
        return []
    grace = common.grace
    if common.ctx.at_least(SLEEP_ZERO_FROM):
        if seconds < 0 or seconds > grace:
            detail = f"must be non-negative and less than terminationGracePeriodSeconds ({grace})"
            return [field.invalid(path, seconds, detail)]
    elif seconds <= 0 or seconds > grace:
        detail = (
            f"must be greater than 0 and less than terminationGracePeriodSeconds ({grace})."
            " Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep."
        )
        return [field.invalid(path, seconds, detail)]
    return []


def _port_num_or_name(port: Any, path: Path) -> list[FieldError]:
    """`ValidatePortNumOrName`."""
    if isinstance(port, bool):
        return []
    if isinstance(port, int):
        return [field.invalid(path, port, m) for m in names.is_valid_port_num(port)]
    if isinstance(port, str):
        return [field.invalid(path, port, m) for m in names.is_valid_port_name(port)]
    return []
