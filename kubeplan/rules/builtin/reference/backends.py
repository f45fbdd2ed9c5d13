"""Ingress and HTTPRoute backends: the Service and port each one names.

Sources for the semantics are in the YAML file beside this module, one per rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube import refs
from kubeplan.kube.values import as_dict as _dict
from kubeplan.kube.values import as_int as _int
from kubeplan.kube.values import as_list as _list
from kubeplan.kube.values import as_str as _str
from kubeplan.kube.values import namespace_of as _namespace
from kubeplan.model import Path, Resource
from kubeplan.rules.builtin.reference.index import (
    ReferenceIndex,
    missing_text,
    reference_index,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

# ---------------------------------------------------------------------------------------------
# Ingress and Gateway API routes


def _service_port_match(service: Resource, number: int | None, name: str | None) -> bool:
    for port in _list(_dict(service.body.get("spec")).get("ports")):
        port = _dict(port)
        if number is not None and _int(port.get("port")) == number:
            return True
        if name is not None and port.get("name") == name:
            return True
    return False


def _service_port_list(service: Resource) -> str:
    out = []
    for port in _list(_dict(service.body.get("spec")).get("ports")):
        port = _dict(port)
        name = _str(port.get("name"))
        out.append(f"{port.get('port')} ({name})" if name else str(port.get("port")))
    return ", ".join(out) or "none"


def _check_backend(
    index: ReferenceIndex,
    ctx: LintContext,
    namespace: str,
    name: str,
    number: int | None,
    port_name: str | None,
    name_path: Path,
    port_path: Path,
    what: str,
) -> Iterator[Violation]:
    if not ctx.exists("Service", namespace, name):
        yield Violation(name_path, f"{what}: {missing_text(index, 'Service', namespace, name)}")
        return
    service = index.services.get((namespace, name))
    if service is None or (number is None and port_name is None):
        return  # declared external: its ports are unknown
    if _dict(service.body.get("spec")).get("type") == "ExternalName":
        return
    if not _service_port_match(service, number, port_name):
        shown = f'"{port_name}"' if port_name is not None else str(number)
        yield Violation(
            port_path,
            f'{what}: Service "{name}" has no port {shown} (its ports: {_service_port_list(service)})',
        )


@check("ingress-backend-missing")
def ingress_backend_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if resource.group not in ("networking.k8s.io", "extensions"):
        return
    index = reference_index(ctx)
    namespace = _namespace(resource)
    for path, backend in refs.ingress_backends(resource.body):
        service = backend.get("service")
        if isinstance(service, dict):  # networking.k8s.io/v1
            name = _str(service.get("name"))
            port = _dict(service.get("port"))
            number, port_name = _int(port.get("number")), _str(port.get("name"))
            name_path: Path = (*path, "service", "name")
            port_path: Path = (*path, "service", "port", "number" if number is not None else "name")
        elif "serviceName" in backend:  # v1beta1
            name = _str(backend.get("serviceName"))
            legacy = backend.get("servicePort")
            number, port_name = _int(legacy), legacy if isinstance(legacy, str) else None
            name_path, port_path = (*path, "serviceName"), (*path, "servicePort")
        else:
            continue  # a `resource` backend
        if name:
            yield from _check_backend(
                index, ctx, namespace, name, number, port_name, name_path, port_path, "backend"
            )


@check("httproute-backend-missing")
def httproute_backend_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if resource.group != "gateway.networking.k8s.io":
        return
    index = reference_index(ctx)
    for path, ref in refs.route_backend_refs(resource.body):
        group = ref.get("group", "")
        kind = ref.get("kind", "Service")
        name = _str(ref.get("name"))
        if group not in ("", None) or kind != "Service" or not name:
            continue
        namespace = _str(ref.get("namespace")) or _namespace(resource)
        number = _int(ref.get("port"))
        if number is None and ctx.exists("Service", namespace, name):
            yield Violation(
                (*path, "port"),
                f'backendRef to Service "{name}" has no port (required for a Service)',
            )
            continue
        yield from _check_backend(
            index,
            ctx,
            namespace,
            name,
            number,
            None,
            (*path, "name"),
            (*path, "port"),
            "backendRef",
        )
