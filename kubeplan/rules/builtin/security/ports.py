"""Container ports: SSH and privileged ports.

Semantics and sources are cited row by row in the YAML file beside this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube.values import as_int as _int
from kubeplan.kube.workloads import ContainerRef
from kubeplan.model import Resource
from kubeplan.rules.builtin.security.common import (
    container_ports,
    who,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check


@check("ssh-port-exposed")
def ssh_port_exposed(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for index, port in container_ports(ref):
        if _int(port.get("containerPort")) == 22 and port.get("protocol") in (None, "TCP"):
            yield Violation(
                (*ref.path, "ports", index, "containerPort"),
                f"{who(ref)} exposes port 22 (SSH)",
            )


@check("privileged-port")
def privileged_port(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for index, port in container_ports(ref):
        value = _int(port.get("containerPort"))
        if value is not None and 0 < value < 1024:
            yield Violation(
                (*ref.path, "ports", index, "containerPort"),
                f"{who(ref)} listens on privileged port {value} (below 1024)",
            )
