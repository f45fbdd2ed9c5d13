"""The pod spec's own fields: DNS config, readiness and scheduling gates and the single
fields `ValidatePodSpec` checks (pkg/apis/core/validation/validation.go).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from kubeplan.kube import names
from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.pod.common import (
    _OSES,
    _PREEMPTION_POLICIES,
    RELAXED_DNS_SEARCH_FROM,
    _d,
    _enum,
    _l,
    _s,
)
from kubeplan.schemas.apivalidation.pod.scheduling import _validate_tolerations


def _validate_dns_config(
    spec: dict[str, Any], dns_policy: str, path: Path, ctx: Context
) -> list[FieldError]:
    """`validatePodDNSConfig`."""
    config = spec.get("dnsConfig")
    if dns_policy == "None":
        if not isinstance(config, dict):
            return [field.required(path, "must provide `dnsConfig` when `dnsPolicy` is None")]
        if not _l(config.get("nameservers")):
            return [
                field.required(
                    (*path, "nameservers"),
                    "must provide at least one DNS nameserver when `dnsPolicy` is None",
                )
            ]
    if not isinstance(config, dict):
        return []
    errors: list[FieldError] = []
    nameservers = _l(config.get("nameservers"))
    if len(nameservers) > 3:
        errors.append(
            field.invalid(
                (*path, "nameservers"), nameservers, "must not have more than 3 nameservers"
            )
        )
    for index, server in enumerate(nameservers):
        errors.extend(_valid_ip((*path, "nameservers", index), server))
    searches = [s for s in _l(config.get("searches")) if isinstance(s, str)]
    if len(searches) > 32:
        errors.append(
            field.invalid((*path, "searches"), searches, "must not have more than 32 search paths")
        )
    if len(" ".join(searches)) > 2048:
        errors.append(
            field.invalid(
                (*path, "searches"),
                searches,
                "must not have more than 2048 characters (including spaces) in the search list",
            )
        )
    relaxed = ctx.at_least(RELAXED_DNS_SEARCH_FROM)
    for index, search in enumerate(searches):
        at = (*path, "searches", index)
        if relaxed:
            if search != ".":
                trimmed = search.removesuffix(".")
                errors.extend(
                    field.invalid(at, trimmed, m)
                    for m in names.is_dns1123_subdomain_with_underscore(trimmed)
                )
        else:
            trimmed = search.removesuffix(".")
            errors.extend(
                field.invalid(at, trimmed, m) for m in names.is_dns1123_subdomain(trimmed)
            )
    for index, option in enumerate(_l(config.get("options"))):
        if not _s(_d(option).get("name")):
            errors.append(field.required((*path, "options", index), "must not be empty"))
    return errors


def _valid_ip(path: Path, value: Any) -> list[FieldError]:
    """`validation.IsValidIP`: an IPv4 or IPv6 address. Python refuses IPv4 octets with leading
    zeros, which the strict parser of recent releases refuses too (older ones parsed them
    sloppily)."""
    text = _s(value)
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return [
            field.invalid(
                path, text, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
            )
        ]
    return []


def _validate_readiness_gates(spec: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    """`validateReadinessGates`."""
    errors: list[FieldError] = []
    for index, gate in enumerate(_l(spec.get("readinessGates"))):
        condition = _s(_d(gate).get("conditionType"))
        at = (*path, index, "conditionType")
        errors.extend(
            field.invalid(at, condition, m) for m in names.is_qualified_name(condition, ctx.minor)
        )
    return errors


def _validate_scheduling_gates(spec: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    """`validateSchedulingGates`: qualified names, no duplicates."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, gate in enumerate(_l(spec.get("schedulingGates"))):
        name = _s(_d(gate).get("name"))
        errors.extend(
            field.invalid((*path, index), name, m) for m in names.is_qualified_name(name, ctx.minor)
        )
        if name in seen:
            errors.append(field.duplicate((*path, index), name))
        seen.add(name)
    return errors


def _validate_single_fields(spec: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    """The single fields at the end of `ValidatePodSpec`."""
    errors: list[FieldError] = []
    for key in ("serviceAccountName", "nodeName", "priorityClassName"):
        value = _s(spec.get(key))
        if value:
            errors.extend(
                field.invalid((*path, key), value, m) for m in names.is_dns1123_subdomain(value)
            )
    deadline = spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int) and not 1 <= deadline <= 2**31 - 1:
        errors.append(
            field.invalid(
                (*path, "activeDeadlineSeconds"),
                deadline,
                names.inclusive_range_error(1, 2**31 - 1),
            )
        )
    for key in ("hostname", "subdomain"):
        value = _s(spec.get(key))
        if value:
            errors.extend(
                field.invalid((*path, key), value, m) for m in names.is_dns1123_label(value)
            )
    errors.extend(_validate_tolerations(_l(spec.get("tolerations")), (*path, "tolerations"), ctx))
    for index, alias in enumerate(_l(spec.get("hostAliases"))):
        alias = _d(alias)
        at = (*path, "hostAliases", index)
        errors.extend(_valid_ip((*at, "ip"), alias.get("ip")))
        for h_index, host in enumerate(_l(alias.get("hostnames"))):
            host = _s(host)
            errors.extend(
                field.invalid((*at, "hostnames", h_index), host, m)
                for m in names.is_dns1123_subdomain(host)
            )
    runtime_class = spec.get("runtimeClassName")
    if isinstance(runtime_class, str):
        errors.extend(
            field.invalid((*path, "runtimeClassName"), runtime_class, m)
            for m in names.is_dns1123_subdomain(runtime_class)
        )
    preemption = spec.get("preemptionPolicy")
    if isinstance(preemption, str):
        errors.extend(_enum((*path, "preemptionPolicy"), preemption, _PREEMPTION_POLICIES))
    os_name = spec.get("os")
    if isinstance(os_name, dict):
        name = _s(os_name.get("name"))
        if not name:
            errors.append(field.required((*path, "os", "name"), "cannot be empty"))
        elif name not in _OSES:
            errors.append(field.not_supported((*path, "os"), name, _OSES))
    return errors
