"""Hand-written validation of the networking API group's kinds (pkg/apis/networking/validation/validation.go).

Ported: `ValidateIngressSpec` (defaultBackend or rules, hosts, HTTP paths and pathType,
backends, TLS hosts and secret names, ingressClassName) and `validateIngressClassSpec`
(controller, parameters). NetworkPolicy is the finding `netpol-invalid` (kubeplan/planner/netpol),
not repeated here.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from kubeplan.kube import names
from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.registry import validates
from kubeplan.schemas.apivalidation.selector import d, is_int, lst

_PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")  # supportedPathTypes.List()
_INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
_INVALID_PATH_SUFFIXES = ("/..", "/.")
_PARAMETER_SCOPES = ("Cluster", "Namespace")
MAX_LEN_INGRESS_CLASS_CONTROLLER = 250


def _is_ip(value: str) -> bool:
    """netutils.ParseIPSloppy(host) != nil (IPv4 octets may carry leading zeros)."""
    try:
        ipaddress.ip_address(value)
        return "%" not in value
    except ValueError:
        parts = value.split(".")
        return len(parts) == 4 and all(p.isdigit() and int(p) < 256 for p in parts)


def _host(host: str, path: Path) -> list[FieldError]:
    errors: list[FieldError] = []
    if _is_ip(host):
        errors.append(field.invalid(path, host, "must be a DNS name, not an IP address"))
    check = names.is_wildcard_dns1123_subdomain if "*" in host else names.is_dns1123_subdomain
    errors.extend(field.invalid(path, host, m) for m in check(host))
    return errors


@validates("networking.k8s.io", "Ingress")
def validate_ingress(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    """`ValidateIngressSpec`."""
    spec = d(body.get("spec"))
    path = ("spec",)
    errors: list[FieldError] = []
    rules = lst(spec.get("rules"))
    if not rules and spec.get("defaultBackend") is None:
        errors.append(
            field.invalid(
                path, rules or None, "either `defaultBackend` or `rules` must be specified"
            )
        )
    if spec.get("defaultBackend") is not None:
        errors.extend(_backend(d(spec["defaultBackend"]), (*path, "defaultBackend")))
    for index, rule in enumerate(rules):
        rule = d(rule)
        at = (*path, "rules", index)
        host = rule.get("host")
        if isinstance(host, str) and host:
            errors.extend(_host(host, (*at, "host")))
        if rule.get("http") is not None:
            errors.extend(_http(d(rule["http"]), (*at, "http")))
    for index, tls in enumerate(lst(spec.get("tls"))):
        tls = d(tls)
        at = (*path, "tls", index)
        for h_index, host in enumerate(lst(tls.get("hosts"))):
            if isinstance(host, str):
                check = (
                    names.is_wildcard_dns1123_subdomain
                    if "*" in host
                    else names.is_dns1123_subdomain
                )
                errors.extend(field.invalid((*at, "hosts", h_index), host, m) for m in check(host))
        secret = tls.get("secretName")
        if isinstance(secret, str) and secret:
            errors.extend(
                field.invalid((*at, "secretName"), secret, m)
                for m in names.is_dns1123_subdomain(secret)
            )
    class_name = spec.get("ingressClassName")
    if isinstance(class_name, str):
        errors.extend(
            field.invalid((*path, "ingressClassName"), class_name, m)
            for m in names.is_dns1123_subdomain(class_name)
        )
    return errors


def _http(http: dict[str, Any], path: Path) -> list[FieldError]:
    """`validateHTTPIngressRuleValue` and `validateHTTPIngressPath`."""
    paths = lst(http.get("paths"))
    if not paths:
        return [field.required((*path, "paths"))]
    errors: list[FieldError] = []
    for index, item in enumerate(paths):
        item = d(item)
        at = (*path, "paths", index)
        path_type = item.get("pathType")
        value = item.get("path") if isinstance(item.get("path"), str) else ""
        if path_type is None:
            errors.append(field.required((*at, "pathType"), "pathType must be specified"))
            continue
        if path_type in ("Exact", "Prefix"):
            if not value.startswith("/"):
                errors.append(field.invalid((*at, "path"), value, "must be an absolute path"))
            if value:
                errors.extend(
                    field.invalid((*at, "path"), value, f"must not contain '{seq}'")
                    for seq in _INVALID_PATH_SEQUENCES
                    if seq in value
                )
                errors.extend(
                    field.invalid((*at, "path"), value, f"cannot end with '{suffix}'")
                    for suffix in _INVALID_PATH_SUFFIXES
                    if value.endswith(suffix)
                )
        elif path_type == "ImplementationSpecific":
            if value and not value.startswith("/"):
                errors.append(field.invalid((*at, "path"), value, "must be an absolute path"))
        else:
            errors.append(field.not_supported((*at, "pathType"), path_type, _PATH_TYPES))
        errors.extend(_backend(d(item.get("backend")), (*at, "backend")))
    return errors


def _backend(backend: dict[str, Any], path: Path) -> list[FieldError]:
    """`validateIngressBackend`: exactly one of service or resource; a service names a DNS-1035
    label and exactly one of port name or number."""
    resource = backend.get("resource")
    service = backend.get("service")
    if resource is not None and service is not None:
        return [field.invalid(path, "", "cannot set both resource and service backends")]
    if resource is not None:
        return _typed_reference(d(resource), (*path, "resource"))
    if service is None:
        return [field.invalid(path, "", "resource or service backend is required")]
    service = d(service)
    errors: list[FieldError] = []
    name = service.get("name")
    if not name:
        errors.append(field.required((*path, "service", "name")))
    elif isinstance(name, str):
        errors.extend(
            field.invalid((*path, "service", "name"), name, m) for m in names.is_dns1035_label(name)
        )
    port = d(service.get("port"))
    port_name = port.get("name") if isinstance(port.get("name"), str) else ""
    number = port.get("number") if is_int(port.get("number")) else 0
    if port_name and number:
        errors.append(field.invalid(path, "", "cannot set both port name & port number"))
    elif port_name:
        errors.extend(
            field.invalid((*path, "service", "port", "name"), port_name, m)
            for m in names.is_valid_port_name(port_name)
        )
    elif number:
        errors.extend(
            field.invalid((*path, "service", "port", "number"), number, m)
            for m in names.is_valid_port_num(number)
        )
    else:
        errors.append(field.required(path, "port name or number is required"))
    return errors


def _typed_reference(params: dict[str, Any], path: Path) -> list[FieldError]:
    """`validateIngressTypedLocalObjectReference`."""
    errors: list[FieldError] = []
    group = params.get("apiGroup")
    if isinstance(group, str):
        errors.extend(
            field.invalid((*path, "apiGroup"), group, m) for m in names.is_dns1123_subdomain(group)
        )
    for key in ("kind", "name"):
        value = params.get(key)
        if not value:
            errors.append(field.required((*path, key), f"{key} is required"))
        elif isinstance(value, str):
            errors.extend(
                field.invalid((*path, key), value, m)
                for m in names.is_valid_path_segment_name(value)
            )
    return errors


@validates("networking.k8s.io", "IngressClass")
def validate_ingress_class(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    """`validateIngressClassSpec`; `parameters.scope` defaults to Cluster
    (SetDefaults_IngressClass)."""
    spec = d(body.get("spec"))
    path = ("spec", "controller")
    errors: list[FieldError] = []
    controller = spec.get("controller")
    if isinstance(controller, str):
        if len(controller) > MAX_LEN_INGRESS_CLASS_CONTROLLER:
            errors.append(field.too_long(path, "", MAX_LEN_INGRESS_CLASS_CONTROLLER))
        errors.extend(_domain_prefixed_path(controller, path))
    params = spec.get("parameters")
    if isinstance(params, dict):
        errors.extend(_parameters(params, ("spec", "parameters")))
    return errors


def _domain_prefixed_path(value: str, path: Path) -> list[FieldError]:
    """`IsDomainPrefixedPath` (its path-part regex is not ported)."""
    if not value:
        return [field.required(path)]
    host, slash, rest = value.partition("/")
    if not slash or not host or not rest:
        return [
            field.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')
        ]
    return [field.invalid(path, host, m) for m in names.is_dns1123_subdomain(host)]


def _parameters(params: dict[str, Any], path: Path) -> list[FieldError]:
    """`validateIngressClassParametersReference`."""
    errors = _typed_reference(params, path)
    scope = params.get("scope") or "Cluster"
    namespace = params.get("namespace")
    if scope not in _PARAMETER_SCOPES:
        errors.append(field.not_supported((*path, "scope"), scope, _PARAMETER_SCOPES))
    elif scope == "Namespace":
        if namespace is None:
            errors.append(
                field.required((*path, "namespace"), "`parameters.scope` is set to 'Namespace'")
            )
        elif isinstance(namespace, str):
            errors.extend(
                field.invalid((*path, "namespace"), namespace, m)
                for m in names.is_dns1123_label(namespace)
            )
    elif namespace is not None:
        errors.append(
            field.forbidden((*path, "namespace"), "`parameters.scope` is set to 'Cluster'")
        )
    return errors
