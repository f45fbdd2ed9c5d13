"""ConfigMap and Secret consumers: the workloads that read one, and how.

A workload of the new revision consumes a ConfigMap/Secret through a volume or a projected
volume (the kubelet rewrites the files eventually, except under a subPath mount, which never
sees an update), `env[].valueFrom` or `envFrom` (read once, at container start) or
`imagePullSecrets` (read at the next pull). A data change of a consumed key is
`config-not-reloaded`, naming every consumer that keeps running; consumers whose own pod
template changes in the same revision (or that are created by it) start new pods with the
new data, and when every consumer does, the data change is `no-pod-effect`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kubeplan.kube.workloads import CONTAINER_LISTS, pod_template_path
from kubeplan.model import Resource
from kubeplan.planner.diff.effects.bodies import dicts, get, number


@dataclass(frozen=True)
class Consumer:
    """A workload that uses a ConfigMap/Secret, and how (`envFrom in container web (...)`)."""

    workload: Resource
    how: str


@dataclass(frozen=True)
class Use:
    workload: Resource
    how: str
    keys: frozenset[str] | None  # None: every key
    updates: bool  # running pods see a new value (a plain volume mount, a pull secret)


CONFIG_KINDS = ("ConfigMap", "Secret")


def _pod_spec(resource: Resource) -> dict[str, Any] | None:
    path = pod_template_path(resource.group, resource.kind)
    if path is None:
        return None
    node = get(resource.body, path) if path else resource.body
    spec = get(node, "spec")
    return spec if isinstance(spec, dict) else None


def _items_keys(source: dict[str, Any]) -> frozenset[str] | None:
    items = dicts(source.get("items"))
    if not items:
        return None
    return frozenset(str(item["key"]) for item in items if "key" in item)


def _volume_sources(volume: dict[str, Any]) -> Iterable[tuple[str, str, frozenset[str] | None]]:
    """(kind, name, keys) of the ConfigMaps/Secrets a volume projects."""
    config_map = volume.get("configMap")
    if isinstance(config_map, dict) and config_map.get("name"):
        yield "ConfigMap", str(config_map["name"]), _items_keys(config_map)
    secret = volume.get("secret")
    if isinstance(secret, dict) and secret.get("secretName"):
        yield "Secret", str(secret["secretName"]), _items_keys(secret)
    projected = volume.get("projected")
    if isinstance(projected, dict):
        for source in dicts(projected.get("sources")):
            for key, kind in (("configMap", "ConfigMap"), ("secret", "Secret")):
                ref = source.get(key)
                if isinstance(ref, dict) and ref.get("name"):
                    yield kind, str(ref["name"]), _items_keys(ref)


def _uses_of_workload(resource: Resource) -> Iterable[tuple[tuple[str, str], Use]]:
    spec = _pod_spec(resource)
    if spec is None:
        return
    containers = [
        c for list_name in CONTAINER_LISTS for c in dicts(spec.get(list_name)) if c.get("name")
    ]
    for volume in dicts(spec.get("volumes")):
        name = str(volume.get("name", ""))
        word = "projected volume" if "projected" in volume else "volume"
        sources = list(_volume_sources(volume))
        if not sources:
            continue
        mounts = [
            (str(container["name"]), mount)
            for container in containers
            for mount in dicts(container.get("volumeMounts"))
            if mount.get("name") == name
        ]
        for kind, ref, keys in sources:
            if not mounts:
                how = f"{word} {name} (not mounted by any container)"
                yield (kind, ref), Use(resource, how, keys, True)
            for container, mount in mounts:
                at = mount.get("mountPath", "?")
                if mount.get("subPath") or mount.get("subPathExpr"):
                    how = (
                        f"{word} {name} at {at} in container {container}"
                        " (subPath mount: never updated)"
                    )
                    yield (kind, ref), Use(resource, how, keys, False)
                else:
                    how = (
                        f"{word} {name} at {at} in container {container}"
                        " (files updated by the kubelet, eventually)"
                    )
                    yield (kind, ref), Use(resource, how, keys, True)
    for container in containers:
        cname = container["name"]
        for env_from in dicts(container.get("envFrom")):
            for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                ref = env_from.get(key)
                if isinstance(ref, dict) and ref.get("name"):
                    how = f"envFrom in container {cname} (never updated)"
                    yield (kind, str(ref["name"])), Use(resource, how, None, False)
        for env in dicts(container.get("env")):
            value_from = env.get("valueFrom")
            if not isinstance(value_from, dict):
                continue
            for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                ref = value_from.get(key)
                if isinstance(ref, dict) and ref.get("name"):
                    how = f"env {env.get('name')} in container {cname} (never updated)"
                    keys = frozenset([str(ref["key"])]) if "key" in ref else None
                    yield (kind, str(ref["name"])), Use(resource, how, keys, False)
    for secret in dicts(spec.get("imagePullSecrets")):
        if secret.get("name"):
            how = "imagePullSecrets (read at the next image pull)"
            yield ("Secret", str(secret["name"])), Use(resource, how, None, True)


def replaces_all_pods(kind: str, body: dict[str, Any]) -> bool:
    """Whether a template change of this (normalised) workload replaces every running pod."""
    if kind == "Deployment":
        return get(body, "spec.paused") is not True
    if kind == "StatefulSet":
        return (
            get(body, "spec.updateStrategy.type") != "OnDelete"
            and (number(get(body, "spec.updateStrategy.rollingUpdate.partition")) or 0) <= 0
        )
    if kind == "DaemonSet":
        return get(body, "spec.updateStrategy.type") != "OnDelete"
    return False  # ReplicaSet, ReplicationController, Job (immutable), CronJob (next run), Pod


UseIndex = dict[tuple[str | None, str, str], list[Use]]


def use_index(workloads: Iterable[Resource]) -> UseIndex:
    index: UseIndex = defaultdict(list)
    for resource in workloads:
        for (kind, name), use in _uses_of_workload(resource):
            index[(resource.namespace, kind, name)].append(use)
    return index


def consumers(configmap_or_secret: Resource, workloads: list[Resource]) -> list[Consumer]:
    """The workloads among `workloads` (same namespace) that use this ConfigMap or Secret, one
    `Consumer` per way of use, in workload order."""
    kind, name = configmap_or_secret.kind, configmap_or_secret.name
    if kind not in CONFIG_KINDS or not name:
        return []
    namespace = configmap_or_secret.namespace
    same_namespace = [w for w in workloads if w.namespace == namespace]
    uses = use_index(same_namespace).get((namespace, kind, name), [])
    return [Consumer(use.workload, use.how) for use in uses]
