"""Namespaces: objects in, or landing in, the default namespace.

Semantics and sources are cited row by row in the YAML file beside this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube.values import as_dict as _dict
from kubeplan.model import Resource
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

# --------------------------------------------------------------------------------------------
# Namespace


@check("default-namespace")
def default_namespace(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if resource.namespaced is not True:
        return
    metadata = _dict(resource.body.get("metadata"))
    namespace = metadata.get("namespace")
    if namespace not in (None, "", "default"):
        return
    if namespace == "default":
        message = f'{resource.kind} "{resource.name}" is in the "default" namespace'
    else:
        message = (
            f'{resource.kind} "{resource.name}" sets no metadata.namespace; it lands in the'
            ' namespace of whoever applies it, often "default"'
        )
    yield Violation(("metadata", "namespace"), message)
