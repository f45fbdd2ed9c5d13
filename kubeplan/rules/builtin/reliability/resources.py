"""Requests and limits of the containers that run for the pod's lifetime.

Kubernetes semantics these checks rely on (sources also in the YAML file beside this
module, per rule):
- A container with a limit and no request gets the limit as its request (pkg/apis/core/v1/
  defaults.go SetDefaults_Pod), and a LimitRange of its namespace fills in `defaultRequest` /
  `default` (plugin/pkg/admission/limitranger; a `default` with no `defaultRequest` defaults the
  request too: SetDefaults_LimitRangeItem). Pod-level `spec.resources` (PodLevelResources) is
  honoured from 1.34, where it is beta and on by default. Checked: app containers and sidecar
  init containers (restartPolicy Always), which run for the pod's lifetime; plain init
  containers run before them (the scheduler takes the larger of the two), and ephemeral
  containers may not set resources at all (pkg/apis/core/validation).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube import workloads
from kubeplan.kube.values import as_dict as _dict
from kubeplan.kube.values import as_list as _list
from kubeplan.kube.values import namespace_of as _namespace
from kubeplan.kube.versions import minor
from kubeplan.kube.workloads import ContainerRef
from kubeplan.model import Resource
from kubeplan.rules.builtin.reliability.common import (
    long_running,
    spec_of,
    who,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check


def _build_limitranges(ctx: LintContext) -> dict[str, tuple[set[str], set[str]]]:
    """namespace -> (resources given a default request, resources given a default limit)."""
    index: dict[str, tuple[set[str], set[str]]] = {}
    for limit_range in ctx.of_kind("LimitRange"):
        if limit_range.group != "":
            continue
        requests, limits = index.setdefault(_namespace(limit_range), (set(), set()))
        for item in _list(spec_of(limit_range).get("limits")):
            item = _dict(item)
            if item.get("type") != "Container":
                continue
            default = set(_dict(item.get("default")))
            limits.update(default)
            # A default limit without a default request defaults the request to it.
            requests.update(default, _dict(item.get("defaultRequest")))
    return index


# ---------------------------------------------------------------------------------------------
# requests and limits


_RESOURCE_WORDS = {"cpu": "CPU", "memory": "memory", "ephemeral-storage": "ephemeral-storage"}


def _has(resources: dict[str, Any], which: str, name: str) -> bool:
    values = _dict(resources.get(which))
    if name in values:
        return True
    # A limit without a request: the request defaults to the limit (SetDefaults_Pod).
    return which == "requests" and name in _dict(resources.get("limits"))


def _defaulted(resource: Resource, ctx: LintContext, which: str, name: str) -> bool:
    """Is the value supplied outside the container: pod-level resources or a LimitRange?"""
    if minor(ctx.kubernetes_version) >= (1, 34):
        found = workloads.pod_spec(resource)
        if found is not None and _has(_dict(found[1].get("resources")), which, name):
            return True
    index = ctx.index(_build_limitranges)
    defaults = index.get(_namespace(resource))
    if defaults is None:
        return False
    return name in (defaults[0] if which == "requests" else defaults[1])


def _missing_resource(
    ref: ContainerRef, resource: Resource, ctx: LintContext, which: str, name: str
) -> Iterator[Violation]:
    if not long_running(ref) or _has(_dict(ref.container.get("resources")), which, name):
        return
    if _defaulted(resource, ctx, which, name):
        return
    word = "request" if which == "requests" else "limit"
    yield Violation(
        (*ref.path, "resources", which, name),
        f"{who(ref)} has no {_RESOURCE_WORDS[name]} {word}",
    )


@check("cpu-requests-missing")
def cpu_requests_missing(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    yield from _missing_resource(ref, resource, ctx, "requests", "cpu")


@check("memory-requests-missing")
def memory_requests_missing(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    yield from _missing_resource(ref, resource, ctx, "requests", "memory")


@check("cpu-limits-missing")
def cpu_limits_missing(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    yield from _missing_resource(ref, resource, ctx, "limits", "cpu")


@check("memory-limits-missing")
def memory_limits_missing(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    yield from _missing_resource(ref, resource, ctx, "limits", "memory")


@check("ephemeral-storage-missing")
def ephemeral_storage_missing(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    yield from _missing_resource(ref, resource, ctx, "limits", "ephemeral-storage")
