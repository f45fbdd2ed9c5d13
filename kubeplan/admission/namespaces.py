"""What kubeplan knows of each namespace when admission runs: its labels (Pod Security reads
them, k8s.io/pod-security-admission admission/admission.go `ValidatePod` fetches the namespace),
and the LimitRanges and ResourceQuotas in it (each plugin lists them by namespace).

The labels come, first found wins, from a Namespace object of the input (what the apply makes
true), the base (a dump of the cluster or the previous revision), or the config's
`namespaces:` (namespaces that exist in the cluster but are in no manifest). When none says,
the labels are not known and admission uses the cluster's defaults: that is an assumption,
and `NamespaceView.known` lets the caller say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kubeplan.kube.values import object_labels
from kubeplan.model import Resource

CONFIG_SOURCE = ".kubeplan.yaml namespaces:"


@dataclass
class NamespaceView:
    name: str
    labels: dict[str, str] = field(default_factory=dict)
    known: bool = False  # a Namespace object or the config says what its labels are
    source: str = ""  # where the labels were read: "<file>:<line>", the config
    resource: Resource | None = None  # the Namespace object, when there is one
    limitranges: list[Resource] = field(default_factory=list)
    quotas: list[Resource] = field(default_factory=list)


class Namespaces:
    """The namespaces of one run, by name; a namespace nothing names is an unknown view."""

    def __init__(self, views: dict[str, NamespaceView]) -> None:
        self._views = views

    def __getitem__(self, name: str | None) -> NamespaceView:
        key = name or ""
        view = self._views.get(key)
        if view is None:
            view = self._views[key] = NamespaceView(key)
        return view

    def __iter__(self) -> Iterable[NamespaceView]:
        return iter(list(self._views.values()))


def namespaces(
    objects: Iterable[Resource],
    base: Iterable[Resource] = (),
    declared: Mapping[str, Mapping[str, str]] | None = None,
) -> Namespaces:
    """The namespaces as admission sees them once `objects` are applied over `base`.

    LimitRanges and ResourceQuotas are those of `objects` (the revision being applied: a base
    object it does not hold is deleted by the plan); when `objects` hold none for a namespace,
    the base's are kept, as `check` of a folder without them assumes nothing about them."""
    views: dict[str, NamespaceView] = {}
    objects = list(objects)
    _labels_from(views, objects)
    _labels_from(views, base)
    for name, labels in (declared or {}).items():
        view = views.setdefault(name, NamespaceView(name))
        if not view.known:
            view.labels, view.known, view.source = dict(labels), True, CONFIG_SOURCE
    _policies_from(views, objects, replace=True)
    _policies_from(views, base, replace=False)
    return Namespaces(views)


def _labels_from(views: dict[str, NamespaceView], resources: Iterable[Resource]) -> None:
    for resource in resources:
        if resource.group != "" or resource.kind != "Namespace" or not resource.name:
            continue
        view = views.setdefault(resource.name, NamespaceView(resource.name))
        if view.known:
            continue
        view.labels = object_labels(resource.body)
        view.known = True
        view.resource = resource
        view.source = f"{resource.origin.file}:{resource.origin.line}"


_POLICY_KINDS = {"LimitRange": "limitranges", "ResourceQuota": "quotas"}


def _policies_from(
    views: dict[str, NamespaceView], resources: Iterable[Resource], *, replace: bool
) -> None:
    found: dict[tuple[str, str], list[Resource]] = {}
    for resource in resources:
        slot = _POLICY_KINDS.get(resource.kind)
        if resource.group != "" or slot is None or not resource.namespace:
            continue
        found.setdefault((resource.namespace, slot), []).append(resource)
    for (name, slot), listed in found.items():
        view = views.setdefault(name, NamespaceView(name))
        if replace or not getattr(view, slot):
            setattr(view, slot, listed)
