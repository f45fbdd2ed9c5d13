"""What the API server would store: the form two revisions of an object are compared in.

`normalise(resource)` returns a deep copy of the body with:

* the server defaults applied that decide an outcome (`data/defaults.yaml`, one entry per Go struct,
  each naming its `SetDefaults_*` function in kubernetes/kubernetes), walked to every place a struct
  occurs the way the generated `SetObjectDefaults_*` functions do;
* what `kubectl create --dry-run=client -o yaml` leaves behind removed: `metadata.creationTimestamp:
  null` (at the root and in pod templates), `status: {}`, and empty non-pointer structs
  (`resources: {}`);
* null values dropped (a null field is an absent field, both on create and in an apply patch);
* `metadata.namespace` set to the resolved namespace (`default` when omitted), and removed from
  cluster-scoped objects, which the server stores without one;
* resource quantities in canonical form, so that equal amounts compare equal (`1000m` == `1`,
  `1Gi` == `1024Mi`), rounded up to the milli scale as `SetDefaults_ResourceList` does.

The input body is never modified.

Quantities are kubeplan/kube/quantity.py's.
"""

from __future__ import annotations

from functools import cache
from importlib import resources as importlib_resources
from typing import Any

from kubeplan.datafiles import read_yaml
from kubeplan.kube.images import default_pull_policy
from kubeplan.kube.kinds import builtin_kind
from kubeplan.kube.quantity import canonical_quantity
from kubeplan.kube.workloads import CONTAINER_LISTS, pod_template_path
from kubeplan.model import Resource

DATA_FILE = "defaults.yaml"


def _canonical_list(resource_list: Any) -> None:
    if isinstance(resource_list, dict):
        for key, value in resource_list.items():
            resource_list[key] = canonical_quantity(value, milli=True)


# ---------------------------------------------------------------------------------------------
# The defaults table


class _Entry:
    __slots__ = (
        "clear",
        "derive",
        "from_path",
        "path",
        "scalar",
        "simple",
        "value",
        "when",
        "when_fn",
    )

    def __init__(self, raw: dict[str, Any]) -> None:
        self.path = _split(raw["path"])
        self.value = raw.get("value")
        self.from_path = _split(raw["from"]) if "from" in raw else None
        self.derive = raw.get("derive")
        self.clear = bool(raw.get("clear"))
        self.when = [(_split(k), v) for k, v in (raw.get("when") or {}).items()]
        self.when_fn = raw.get("when_fn")
        # The common case, a top-level field with a constant default, takes a fast path.
        self.simple = len(self.path) == 1 and not (
            self.from_path or self.derive or self.clear or self.when or self.when_fn
        )
        self.scalar = type(self.value) in (str, int, float, bool)


def _split(path: Any) -> tuple[str, ...]:
    return tuple(path) if isinstance(path, list) else tuple(str(path).split("."))


class Defaults:
    """The parsed `defaults.yaml`."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.structs: dict[str, list[_Entry]] = {
            name: [_Entry(e) for e in spec.get("set", [])] for name, spec in raw["structs"].items()
        }
        self.sources: dict[str, str] = {
            name: spec.get("source", "") for name, spec in raw["structs"].items()
        }
        self.kinds: dict[tuple[str, str], str] = {
            (k["group"], k["kind"]): k["struct"] for k in raw["kinds"]
        }
        self.empty_means_absent: dict[str, tuple[str, ...]] = {
            k: tuple(v) for k, v in raw.get("empty_means_absent", {}).items()
        }


@cache
def defaults() -> Defaults:
    return Defaults(
        read_yaml(importlib_resources.files("kubeplan.planner.diff") / "data" / DATA_FILE)
    )


# ---------------------------------------------------------------------------------------------
# Applying the table

_MISSING = object()


def _get(struct: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = struct
    for key in path:
        if not isinstance(node, dict):
            return _MISSING
        node = node.get(key, _MISSING)
        if node is _MISSING or node is None:
            return _MISSING
    return node


def _set(struct: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = struct
    for key in path[:-1]:
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        elif not isinstance(child, dict):
            return  # a scalar where a struct belongs: leave invalid input alone
        node = child
    node[path[-1]] = value


def _clear(struct: dict[str, Any], path: tuple[str, ...]) -> None:
    node: Any = struct
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(path[-1], None)


def _image_pull_policy(container: dict[str, Any]) -> str:
    return default_pull_policy(container.get("image"))


def _externally_accessible(service: dict[str, Any]) -> bool:
    """pkg/api/v1/service/util.go ExternallyAccessible."""
    spec = service.get("spec") if isinstance(service.get("spec"), dict) else {}
    kind = spec.get("type")
    return kind in ("LoadBalancer", "NodePort") or (
        kind == "ClusterIP" and bool(spec.get("externalIPs"))
    )


def _volume_without_source(volume: dict[str, Any]) -> bool:
    """SetDefaults_Volume: `ptr.AllPtrFieldsNil(&obj.VolumeSource)`; every key but name is a source."""
    return all(key == "name" or value is None for key, value in volume.items())


_DERIVE = {"image_pull_policy": _image_pull_policy}
_PREDICATES = {
    "externally_accessible": _externally_accessible,
    "volume_without_source": _volume_without_source,
}


def _holds(struct: dict[str, Any], entry: _Entry) -> bool:
    for path, expected in entry.when:
        actual = _get(struct, path)
        if expected is None:
            if actual is not _MISSING:
                return False
        elif isinstance(expected, list):
            if actual is _MISSING or actual not in expected:
                return False
        elif actual is _MISSING or actual != expected:
            return False
    return not (entry.when_fn and not _PREDICATES[entry.when_fn](struct))


@cache
def _plans() -> dict[str, tuple[tuple[_Entry, ...], tuple[str, ...]]]:
    table = defaults()
    names = set(table.structs) | set(table.empty_means_absent)
    return {
        name: (tuple(table.structs.get(name, ())), table.empty_means_absent.get(name, ()))
        for name in names
    }


def apply_struct(name: str, struct: Any) -> None:
    """Apply the defaults of struct `name` (a key of `structs:` in defaults.yaml) in place."""
    if not isinstance(struct, dict):
        return
    plan = _plans().get(name)
    if plan is None:
        return
    entries, empty_keys = plan
    for entry in entries:
        if entry.simple:
            key = entry.path[0]
            if struct.get(key) is None:
                struct[key] = entry.value if entry.scalar else _copy(entry.value)
            continue
        if not _holds(struct, entry):
            continue
        if entry.clear:
            _clear(struct, entry.path)
            continue
        current = _get(struct, entry.path)
        if entry.from_path is not None:
            # Go checks for the zero value: an empty map, "" or 0 (targetPort) counts as unset
            if current is not _MISSING and current != {} and current != "" and current != 0:
                continue
            source = _get(struct, entry.from_path)
            if source is not _MISSING and source != {} and source != "" and source != 0:
                _set(struct, entry.path, _copy(source))
            continue
        if current is not _MISSING:
            continue
        if entry.derive:
            _set(struct, entry.path, _DERIVE[entry.derive](struct))
        else:
            _set(struct, entry.path, _copy(entry.value))
    for key in empty_keys:
        if struct.get(key) == {}:
            del struct[key]


# ---------------------------------------------------------------------------------------------
# Walking an object to every struct


_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_VOLUME_SOURCES = {
    "secret": "SecretVolumeSource",
    "configMap": "ConfigMapVolumeSource",
    "downwardAPI": "DownwardAPIVolumeSource",
    "projected": "ProjectedVolumeSource",
    "hostPath": "HostPathVolumeSource",
}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _child(struct: Any, key: str) -> Any:
    return struct.get(key) if isinstance(struct, dict) else None


def _pod_template(template: Any, is_pod: bool = False) -> None:
    if not isinstance(template, dict):
        return
    metadata = template.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop("creationTimestamp", None)
    if not is_pod:
        apply_struct("PodTemplate", template)
    spec = template.get("spec")
    if not isinstance(spec, dict):
        return
    apply_struct("PodSpec", spec)
    for list_name in CONTAINER_LISTS:
        for container in _dicts(spec.get(list_name)):
            _container(container)
    for volume in _dicts(spec.get("volumes")):
        _volume(volume)


def _container(container: dict[str, Any]) -> None:
    apply_struct("Container", container)
    for port in _dicts(container.get("ports")):
        apply_struct("ContainerPort", port)
    for env in _dicts(container.get("env")):
        value_from = env.get("valueFrom")
        if value_from is not None:
            apply_struct("ObjectFieldSelector", _child(value_from, "fieldRef"))
    for probe_name in _PROBES:
        probe = container.get(probe_name)
        if isinstance(probe, dict):
            apply_struct("Probe", probe)
            if "httpGet" in probe:
                apply_struct("HTTPGetAction", probe["httpGet"])
            if "grpc" in probe:
                apply_struct("GRPCAction", probe["grpc"])
    lifecycle = container.get("lifecycle")
    if isinstance(lifecycle, dict):
        for handler in (lifecycle.get("postStart"), lifecycle.get("preStop")):
            apply_struct("HTTPGetAction", _child(handler, "httpGet"))
    resources = container.get("resources")
    if isinstance(resources, dict):
        _canonical_list(resources.get("requests"))
        _canonical_list(resources.get("limits"))


def _volume(volume: dict[str, Any]) -> None:
    apply_struct("Volume", volume)
    for key in volume.keys() & _VOLUME_SOURCES.keys():
        apply_struct(_VOLUME_SOURCES[key], volume[key])
    if "downwardAPI" in volume:
        for item in _dicts(_child(volume["downwardAPI"], "items")):
            apply_struct("ObjectFieldSelector", item.get("fieldRef"))
    if "projected" in volume:
        for projection in _dicts(_child(volume["projected"], "sources")):
            apply_struct("ServiceAccountTokenProjection", projection.get("serviceAccountToken"))
            for item in _dicts(_child(projection.get("downwardAPI"), "items")):
                apply_struct("ObjectFieldSelector", item.get("fieldRef"))
    empty_dir = volume.get("emptyDir")
    if isinstance(empty_dir, dict) and "sizeLimit" in empty_dir:
        empty_dir["sizeLimit"] = canonical_quantity(empty_dir["sizeLimit"])
    if "ephemeral" in volume:
        _pvc_spec(_child(_child(volume["ephemeral"], "volumeClaimTemplate"), "spec"))


def _pvc_spec(spec: Any) -> None:
    if not isinstance(spec, dict):
        return
    apply_struct("PersistentVolumeClaimSpec", spec)
    resources = spec.get("resources")
    if isinstance(resources, dict):
        _canonical_list(resources.get("requests"))
        _canonical_list(resources.get("limits"))


def _generic_resources(node: Any) -> None:
    """Any `resources: {requests, limits}` below `node`: custom resources embed core
    ResourceRequirements too (Prometheus `spec.resources`). Only values that parse change."""
    if isinstance(node, dict):
        resources = node.get("resources")
        if isinstance(resources, dict) and (
            isinstance(resources.get("requests"), dict) or isinstance(resources.get("limits"), dict)
        ):
            _canonical_list(resources.get("requests"))
            _canonical_list(resources.get("limits"))
        for value in node.values():
            if isinstance(value, (dict, list)):
                _generic_resources(value)
    elif isinstance(node, list):
        for value in node:
            if isinstance(value, (dict, list)):
                _generic_resources(value)


def _kind_specific(group: str, kind: str, body: dict[str, Any]) -> None:
    spec = body.get("spec")
    if group == "" and kind == "Service":
        for port in _dicts(_child(spec, "ports")):
            apply_struct("ServicePort", port)
    elif group == "" and kind == "Endpoints":
        for subset in _dicts(body.get("subsets")):
            for port in _dicts(subset.get("ports")):
                apply_struct("EndpointPort", port)
    elif group == "" and kind == "PersistentVolumeClaim":
        _pvc_spec(spec)
    elif group == "apps" and kind == "StatefulSet":
        for claim in _dicts(_child(spec, "volumeClaimTemplates")):
            claim_meta = claim.get("metadata")
            if isinstance(claim_meta, dict):
                claim_meta.pop("creationTimestamp", None)
            apply_struct("VolumeClaimTemplate", claim)
            _pvc_spec(claim.get("spec"))
    elif group == "" and kind == "ResourceQuota":
        _canonical_list(_child(spec, "hard"))
    elif group == "" and kind == "LimitRange":
        for limit in _dicts(_child(spec, "limits")):
            for key in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
                _canonical_list(limit.get(key))
    elif group == "" and kind == "PersistentVolume":
        _canonical_list(_child(spec, "capacity"))
    elif group == "node.k8s.io" and kind == "RuntimeClass":
        _canonical_list(_child(body.get("overhead"), "podFixed"))


# ---------------------------------------------------------------------------------------------
# The entry point


_SCALARS = frozenset({str, int, float, bool})


def _copy(value: Any) -> Any:
    """Deep copy of plain YAML data, dropping null mapping values (an absent field).

    Several times faster than copy.deepcopy (scalars are not visited), which matters at 10,000
    objects.
    """
    kind = type(value)
    if kind is dict or (kind not in _SCALARS and isinstance(value, dict)):
        return {
            k: v if type(v) in _SCALARS else _copy(v) for k, v in value.items() if v is not None
        }
    if kind is list or (kind not in _SCALARS and isinstance(value, list)):
        return [v if type(v) in _SCALARS else _copy(v) for v in value]
    return value


def normalise(resource: Resource) -> dict[str, Any]:
    """A deep copy of `resource.body` as the API server would store it (see the module doc)."""
    body = _copy(resource.body)
    if not isinstance(body, dict):
        return body
    group, kind = resource.group, resource.kind
    metadata = body.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop("creationTimestamp", None)
        if resource.namespace:
            metadata["namespace"] = resource.namespace
        elif resource.namespaced is False:
            metadata.pop("namespace", None)
    if body.get("status") == {}:
        del body["status"]
    struct = defaults().kinds.get((group, kind))
    if struct is not None:
        apply_struct(struct, body)
    template_path = pod_template_path(group, kind)
    if template_path is not None:
        template = body
        for key in template_path:
            template = _child(template, key)
        _pod_template(template, is_pod=not template_path)
    _kind_specific(group, kind, body)
    if struct is None and template_path is None:
        _generic_resources(body)
    if builtin_kind(group, kind) is not None:
        _drop_empty(body, kind)
    return body


# Go map fields (`map[string]string`, `ResourceList`) that an empty mapping and an absent one
# store alike (see `_drop_empty`); found in staging/src/k8s.io/api/*/types.go.
EMPTY_MAPS = frozenset(
    {
        "labels",  # ObjectMeta.Labels
        "annotations",  # ObjectMeta.Annotations
        "nodeSelector",  # PodSpec.NodeSelector
        "matchLabels",  # LabelSelector.MatchLabels
        "data",  # ConfigMap.Data, Secret.Data
        "binaryData",  # ConfigMap.BinaryData
        "stringData",  # Secret.StringData (write-only, merged into data)
        "requests",  # ResourceRequirements.Requests
        "limits",  # ResourceRequirements.Limits
        "hard",  # ResourceQuotaSpec.Hard
        "capacity",  # PersistentVolumeSpec.Capacity
    }
)
# Kinds whose `spec.selector` is a map (ServiceSpec.Selector, ReplicationControllerSpec.Selector)
# rather than a LabelSelector, where `{}` selects everything and differs from absent.
_MAP_SELECTORS = frozenset({"Service", "ReplicationController"})


def _drop_empty(node: Any, kind: str, depth: int = 0) -> None:
    """Remove empty lists, and empty mappings of Go map fields, at any depth.

    The API server stores built-in kinds as protobuf (k8s.io/apiserver pkg/server/options/
    etcd.go `DefaultStorageMediaType = "application/vnd.kubernetes.protobuf"`), whose generated
    marshallers (staging/src/k8s.io/api/*/generated.pb.go) write nothing for an empty repeated or
    map field: `rules: []`, `rules: null` and no `rules` are one stored object, as are
    `annotations: {}` and none; `apiequality.Semantic.DeepEqual` (k8s.io/apimachinery
    third_party/forked/golang/reflect/deep_equal.go: "empty and nil slices/maps are equal")
    agrees. A pointer to an empty struct (`emptyDir: {}`, `securityContext: {}`) is kept: it is
    written as an empty message and differs from none. Custom resources (stored as JSON) are
    not passed here."""
    if isinstance(node, dict):
        for key in [k for k, v in node.items() if v == [] or v == {}]:
            value = node[key]
            if (
                value == []
                or key in EMPTY_MAPS
                or (key == "selector" and depth == 1 and kind in _MAP_SELECTORS)
            ):
                del node[key]
        for value in node.values():
            if isinstance(value, (dict, list)):
                _drop_empty(value, kind, depth + 1)
    elif isinstance(node, list):
        for value in node:
            if isinstance(value, (dict, list)):
                _drop_empty(value, kind, depth + 1)
