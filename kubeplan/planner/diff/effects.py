"""What applying each changed field does to running pods: the effects of `kubeplan diff`.

`classify(pair, new_resources, base_resources, kubernetes_version)` gives one `ClassifiedChange`
per `FieldChange` of an updated object: its effect (one of `EFFECTS`), a one-line reason for
people and the Kubernetes source that makes it true. `consumers(obj, workloads)` names the
workloads that read a ConfigMap or Secret and how.

The tables (data, not code)
    `data/effects/*.yaml`, one file per kind family, each listing the `(group, kind)`s it covers
    and its `rows`. A row::

        - kinds: [Deployment]            # optional: a subset of the file's kinds
          path: spec.template.**         # or a list of patterns
          when: {new: {spec.paused: true}}
          effect: staged
          reason: "paused: nothing rolls until resumed"
          source: pkg/controller/deployment/sync.go (...)

    Patterns are dotted segments matched against the whole `FieldChange.path`: a literal key,
    `*` for exactly one key or list index, `**` for any number (zero included), so
    `spec.template.**` also matches `spec.template` itself.

    `when` holds conditions, all of which must hold:
      `old:` / `new:` / `either:` / `both:`  {dotted path: expected} on the normalised base /
          new body (`either`: on at least one side, `both`: on the two). `expected` is a value
          (compared strictly: `true` is not `1`), or `{gt: n}`, `{in: [..]}`, `{absent: true}`;
      `change:`   the change kind(s): changed, added, removed, reordered;
      `check:`    named predicate(s) in this module (`CHECKS`), for what a comparison cannot say
          (quantities, additions-only lists, consumers, the state of the base object);
      `version:`  a Kubernetes version bound such as `">=1.27"`.
    A row may carry `default:` for the `same_as_default` check.

    The reason is a `str.format` template over the facts in `FACTS` (`{old}`, `{new}`,
    `{label}`, `{kind}`, `{name}`, `{partition}`, `{consumers}`, ...); every placeholder, check
    and effect is validated when the tables load.

    The rows of a kind are its family's rows in file order, then the rows of `common.yaml`
    (metadata and status); the first matching row wins. A field no row matches is `unknown`, and
    a kind with no table (a custom resource) is `unknown` for every field, metadata included:
    kubeplan does not know what its operator does with it.

Two rules are applied to every row, in code:
    - a change under a pod template that swaps the ConfigMap or Secret a volume, env or envFrom
      refers to (a Kustomize configMapGenerator rename: a new hash-suffixed name) says so in its
      reason: "references ConfigMap app-config-5f7c instead of app-config-9b2d";
    - the old and new values are rendered short (`(unset)` for an absent value).

ConfigMap and Secret consumers
    A workload of the new revision consumes a ConfigMap/Secret through a volume or a projected
    volume (the kubelet rewrites the files eventually, except under a subPath mount, which never
    sees an update), `env[].valueFrom` or `envFrom` (read once, at container start) or
    `imagePullSecrets` (read at the next pull). A data change of a consumed key is
    `config-not-reloaded`, naming every consumer that keeps running; consumers whose own pod
    template changes in the same revision (or that are created by it) start new pods with the
    new data, and when every consumer does, the data change is `no-pod-effect`.
"""

from __future__ import annotations

import json
import re
import string
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from importlib import resources as importlib_resources
from typing import Any

import yaml

from kubeplan.datafiles import read_yaml
from kubeplan.model import Resource
from kubeplan.planner.diff.fielddiff import FieldChange
from kubeplan.planner.diff.normalise import normalise, parse_quantity, pod_template_path
from kubeplan.planner.diff.pairing import UPDATE, Pair, pair_key, pairing_group

EFFECTS = (
    "rollout",
    "scale",
    "immutable",
    "config-not-reloaded",
    "recreate",
    "staged",
    "no-pod-effect",
    "unknown",
)

DATA_DIR = ("data", "effects")
NEWEST = (1, 10_000)  # an unparsable or absent --kubernetes-version means "the newest"


@dataclass(frozen=True)
class ClassifiedChange:
    path: tuple[str | int, ...]  # FieldChange.path
    label: str  # FieldChange.short_label (e.g. "containers[web].image")
    old: Any
    new: Any
    kind: str  # changed | added | removed | reordered
    effect: str  # one of EFFECTS
    reason: str  # one line for people: why this effect
    source: str  # the Kubernetes file/doc that makes it true (from the table row)


@dataclass(frozen=True)
class Consumer:
    """A workload that uses a ConfigMap/Secret, and how (`envFrom in container web (...)`)."""

    workload: Resource
    how: str


# ---------------------------------------------------------------------------------------------
# The tables


@dataclass(frozen=True)
class Row:
    family: str
    file: str
    index: int
    kinds: frozenset[str] | None  # None: every kind of the file
    patterns: tuple[tuple[str, ...], ...]
    when: dict[str, Any]
    checks: tuple[str, ...]
    effect: str
    reason: str
    source: str
    default: Any = None

    def matches(self, path: tuple[str | int, ...]) -> bool:
        return any(_match(pattern, path, 0, 0) for pattern in self.patterns)


@dataclass(frozen=True)
class Table:
    family: str
    file: str
    kinds: tuple[tuple[str, str], ...]  # (group, kind)
    rows: tuple[Row, ...]
    common: bool = False


_WHEN_KEYS = {"old", "new", "either", "both", "change", "check", "version"}
_CHANGE_KINDS = {"changed", "added", "removed", "reordered"}
_ROW_KEYS = {"kinds", "path", "when", "effect", "reason", "source", "default"}


def _match(pattern: tuple[str, ...], path: tuple[str | int, ...], i: int, j: int) -> bool:
    while i < len(pattern):
        segment = pattern[i]
        if segment == "**":
            if i == len(pattern) - 1:
                return True
            return any(_match(pattern, path, i + 1, k) for k in range(j, len(path) + 1))
        if j >= len(path):
            return False
        part = path[j]
        if segment != "*" and (not isinstance(part, str) or part != segment):
            return False
        i += 1
        j += 1
    return j == len(path)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _parse_row(family: str, file: str, index: int, raw: Any, kinds: set[str]) -> Row:
    where = f"{file} row {index + 1}"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: not a mapping")
    unknown_keys = set(raw) - _ROW_KEYS
    if unknown_keys:
        raise ValueError(f"{where}: unknown keys {sorted(unknown_keys)}")
    for key in ("path", "effect", "reason", "source"):
        if not raw.get(key):
            raise ValueError(f"{where}: `{key}` is required")
    effect = raw["effect"]
    if effect not in EFFECTS:
        raise ValueError(f"{where}: effect {effect!r} is not one of {EFFECTS}")
    row_kinds = raw.get("kinds")
    if row_kinds is not None:
        row_kinds = frozenset(_as_list(row_kinds))
        if kinds and not row_kinds <= kinds:
            raise ValueError(f"{where}: kinds {sorted(row_kinds - kinds)} are not in the file")
    when = raw.get("when") or {}
    if not isinstance(when, dict) or set(when) - _WHEN_KEYS:
        raise ValueError(f"{where}: `when` keys must be among {sorted(_WHEN_KEYS)}")
    for key in ("old", "new", "either", "both"):
        if key in when and not isinstance(when[key], dict):
            raise ValueError(f"{where}: `when.{key}` must map dotted paths to values")
    if not set(_as_list(when.get("change"))) <= _CHANGE_KINDS:
        raise ValueError(f"{where}: `when.change` must be among {sorted(_CHANGE_KINDS)}")
    if "version" in when:
        _version_bound(str(when["version"]))  # raises on a bad bound
    checks = tuple(_as_list(when.get("check")))
    for check in checks:
        if check not in CHECKS:
            raise ValueError(f"{where}: unknown check {check!r}")
    reason = " ".join(str(raw["reason"]).split())
    for _, field_name, _, _ in string.Formatter().parse(reason):
        if field_name is not None and field_name not in FACTS:
            raise ValueError(f"{where}: unknown fact {{{field_name}}} in the reason")
    patterns = tuple(tuple(str(p).split(".")) for p in _as_list(raw["path"]))
    return Row(
        family=family,
        file=file,
        index=index,
        kinds=row_kinds,
        patterns=patterns,
        when=when,
        checks=checks,
        effect=effect,
        reason=reason,
        source=" ".join(str(raw["source"]).split()),
        default=raw.get("default"),
    )


def _parse_table(file: str, raw: Any) -> Table:
    if not isinstance(raw, dict) or "rows" not in raw or "family" not in raw:
        raise ValueError(f"{file}: a table needs `family` and `rows`")
    kinds = tuple((str(k.get("group", "")), str(k["kind"])) for k in raw.get("kinds") or [])
    kind_names = {kind for _, kind in kinds}
    rows = tuple(
        _parse_row(raw["family"], file, index, row, kind_names)
        for index, row in enumerate(raw["rows"])
    )
    common = bool(raw.get("common"))
    if not common and not kinds:
        raise ValueError(f"{file}: a table needs `kinds` (or `common: true`)")
    return Table(raw["family"], file, kinds, rows, common)


@cache
def tables() -> tuple[Table, ...]:
    """Every effects table, validated, in file-name order."""
    folder = importlib_resources.files("kubeplan.planner.diff").joinpath(*DATA_DIR)
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            try:
                raw = read_yaml(entry)
            except yaml.YAMLError as error:
                raise ValueError(f"{entry.name}: {error}") from error
            out.append(_parse_table(entry.name, raw))
    return tuple(out)


@cache
def _rows_by_kind() -> dict[tuple[str, str], tuple[Row, ...]]:
    common = [row for table in tables() if table.common for row in table.rows]
    out: dict[tuple[str, str], tuple[Row, ...]] = {}
    for table in tables():
        for group, kind in table.kinds:
            if (group, kind) in out:
                raise ValueError(f"{table.file}: {kind} already has a table")
            rows = [r for r in table.rows if r.kinds is None or kind in r.kinds]
            out[(group, kind)] = (*rows, *common)
    return out


def rows_for(group: str, kind: str) -> tuple[Row, ...] | None:
    """The rows that classify a kind's fields, or None when kubeplan has no table for it."""
    return _rows_by_kind().get((pairing_group(group, kind), kind))


def row_count() -> int:
    return sum(len(table.rows) for table in tables())


# ---------------------------------------------------------------------------------------------
# Versions


def parse_version(text: str | None) -> tuple[int, int]:
    match = re.match(r"^v?(\d+)\.(\d+)", text.strip()) if isinstance(text, str) else None
    return (int(match[1]), int(match[2])) if match else NEWEST


def _version_bound(text: str) -> tuple[str, tuple[int, int]]:
    match = re.match(r"^\s*(>=|<=|>|<|==)\s*(v?\d+\.\d+)\s*$", text)
    if match is None:
        raise ValueError(f"bad version bound {text!r}")
    return match[1], parse_version(match[2])


def _version_holds(bound: str, version: tuple[int, int]) -> bool:
    op, target = _version_bound(bound)
    return {
        ">=": version >= target,
        "<=": version <= target,
        ">": version > target,
        "<": version < target,
        "==": version == target,
    }[op]


# ---------------------------------------------------------------------------------------------
# Reading bodies

_ABSENT = object()


def _get(body: Any, dotted: str | tuple[str, ...]) -> Any:
    node = body
    for key in dotted.split(".") if isinstance(dotted, str) else dotted:
        if not isinstance(node, dict) or key not in node:
            return _ABSENT
        node = node[key]
    return _ABSENT if node is None else node


def _strict_equal(a: Any, b: Any) -> bool:
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    return a == b


def _holds(actual: Any, expected: Any) -> bool:
    if isinstance(expected, dict):
        if "absent" in expected:
            return (actual is _ABSENT) == bool(expected["absent"])
        if actual is _ABSENT:
            return False
        if "gt" in expected:
            return (
                isinstance(actual, (int, float))
                and not isinstance(actual, bool)
                and actual > expected["gt"]
            )
        if "in" in expected:
            return any(_strict_equal(actual, value) for value in expected["in"])
        return _strict_equal(actual, expected)
    return actual is not _ABSENT and _strict_equal(actual, expected)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _render(value: Any) -> str:
    if value is None or value is _ABSENT:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
    else:
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


# ---------------------------------------------------------------------------------------------
# ConfigMap / Secret consumers


@dataclass(frozen=True)
class _Use:
    workload: Resource
    how: str
    keys: frozenset[str] | None  # None: every key
    updates: bool  # running pods see a new value (a plain volume mount, a pull secret)


_CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
_CONFIG_KINDS = ("ConfigMap", "Secret")


def _pod_spec(resource: Resource) -> dict[str, Any] | None:
    path = pod_template_path(resource.group, resource.kind)
    if path is None:
        return None
    node = _get(resource.body, path) if path else resource.body
    spec = _get(node, "spec")
    return spec if isinstance(spec, dict) else None


def _items_keys(source: dict[str, Any]) -> frozenset[str] | None:
    items = _dicts(source.get("items"))
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
        for source in _dicts(projected.get("sources")):
            for key, kind in (("configMap", "ConfigMap"), ("secret", "Secret")):
                ref = source.get(key)
                if isinstance(ref, dict) and ref.get("name"):
                    yield kind, str(ref["name"]), _items_keys(ref)


def _uses_of_workload(resource: Resource) -> Iterable[tuple[tuple[str, str], _Use]]:
    spec = _pod_spec(resource)
    if spec is None:
        return
    containers = [
        c for list_name in _CONTAINER_LISTS for c in _dicts(spec.get(list_name)) if c.get("name")
    ]
    for volume in _dicts(spec.get("volumes")):
        name = str(volume.get("name", ""))
        word = "projected volume" if "projected" in volume else "volume"
        sources = list(_volume_sources(volume))
        if not sources:
            continue
        mounts = [
            (str(container["name"]), mount)
            for container in containers
            for mount in _dicts(container.get("volumeMounts"))
            if mount.get("name") == name
        ]
        for kind, ref, keys in sources:
            if not mounts:
                how = f"{word} {name} (not mounted by any container)"
                yield (kind, ref), _Use(resource, how, keys, True)
            for container, mount in mounts:
                at = mount.get("mountPath", "?")
                if mount.get("subPath") or mount.get("subPathExpr"):
                    how = (
                        f"{word} {name} at {at} in container {container}"
                        " (subPath mount: never updated)"
                    )
                    yield (kind, ref), _Use(resource, how, keys, False)
                else:
                    how = (
                        f"{word} {name} at {at} in container {container}"
                        " (files updated by the kubelet, eventually)"
                    )
                    yield (kind, ref), _Use(resource, how, keys, True)
    for container in containers:
        cname = container["name"]
        for env_from in _dicts(container.get("envFrom")):
            for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                ref = env_from.get(key)
                if isinstance(ref, dict) and ref.get("name"):
                    how = f"envFrom in container {cname} (never updated)"
                    yield (kind, str(ref["name"])), _Use(resource, how, None, False)
        for env in _dicts(container.get("env")):
            value_from = env.get("valueFrom")
            if not isinstance(value_from, dict):
                continue
            for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                ref = value_from.get(key)
                if isinstance(ref, dict) and ref.get("name"):
                    how = f"env {env.get('name')} in container {cname} (never updated)"
                    keys = frozenset([str(ref["key"])]) if "key" in ref else None
                    yield (kind, str(ref["name"])), _Use(resource, how, keys, False)
    for secret in _dicts(spec.get("imagePullSecrets")):
        if secret.get("name"):
            how = "imagePullSecrets (read at the next image pull)"
            yield ("Secret", str(secret["name"])), _Use(resource, how, None, True)


def _replaces_all_pods(kind: str, body: dict[str, Any]) -> bool:
    """Whether a template change of this (normalised) workload replaces every running pod."""
    if kind == "Deployment":
        return _get(body, "spec.paused") is not True
    if kind == "StatefulSet":
        return (
            _get(body, "spec.updateStrategy.type") != "OnDelete"
            and (_number(_get(body, "spec.updateStrategy.rollingUpdate.partition")) or 0) <= 0
        )
    if kind == "DaemonSet":
        return _get(body, "spec.updateStrategy.type") != "OnDelete"
    return False  # ReplicaSet, ReplicationController, Job (immutable), CronJob (next run), Pod


_UseIndex = dict[tuple[str | None, str, str], list[_Use]]


def _use_index(workloads: Iterable[Resource]) -> _UseIndex:
    index: _UseIndex = defaultdict(list)
    for resource in workloads:
        for (kind, name), use in _uses_of_workload(resource):
            index[(resource.namespace, kind, name)].append(use)
    return index


def consumers(configmap_or_secret: Resource, workloads: list[Resource]) -> list[Consumer]:
    """The workloads among `workloads` (same namespace) that use this ConfigMap or Secret, one
    `Consumer` per way of use, in workload order."""
    kind, name = configmap_or_secret.kind, configmap_or_secret.name
    if kind not in _CONFIG_KINDS or not name:
        return []
    namespace = configmap_or_secret.namespace
    same_namespace = [w for w in workloads if w.namespace == namespace]
    uses = _use_index(same_namespace).get((namespace, kind, name), [])
    return [Consumer(use.workload, use.how) for use in uses]


class _ListCache:
    """Derived views of a resource list, rebuilt when another list comes (the identity of the
    list object is kept alive with the entry, so it cannot be reused by another list)."""

    def __init__(self, build: Callable[[list[Resource]], Any]) -> None:
        self._build = build
        self._entries: list[tuple[list[Resource], int, Any]] = []

    def get(self, resources: list[Resource]) -> Any:
        for source, size, value in self._entries:
            if source is resources and size == len(resources):
                return value
        value = self._build(resources)
        self._entries = [*self._entries[-1:], (resources, len(resources), value)]
        return value


def _hpa_targets(resources: list[Resource]) -> dict[tuple[str | None, str, str], Resource]:
    """(namespace, kind, name) of each workload a HorizontalPodAutoscaler scales -> the HPA."""
    out = {}
    for resource in resources:
        if resource.kind == "HorizontalPodAutoscaler" and resource.group == "autoscaling":
            target = _get(resource.body, "spec.scaleTargetRef")
            if isinstance(target, dict) and target.get("kind") and target.get("name"):
                out[(resource.namespace, str(target["kind"]), str(target["name"]))] = resource
    return out


def _key_index(resources: list[Resource]) -> dict[Any, Resource]:
    return {pair_key(resource): resource for resource in resources if resource.name}


def _storage_class_index(resources: list[Resource]) -> dict[str, Resource]:
    out = {}
    for resource in resources:
        if resource.kind == "StorageClass" and resource.name:
            out[resource.name] = resource
            annotations = _get(resource.body, "metadata.annotations")
            if isinstance(annotations, dict) and any(
                str(annotations.get(key)).lower() == "true"
                for key in (
                    "storageclass.kubernetes.io/is-default-class",
                    "storageclass.beta.kubernetes.io/is-default-class",
                )
            ):
                out.setdefault("", resource)  # the default class
    return out


_USES = _ListCache(_use_index)
_HPAS = _ListCache(_hpa_targets)
_BY_KEY = _ListCache(_key_index)


def hpa_targets(resources: list[Resource]) -> dict[tuple[str | None, str, str], Resource]:
    """(namespace, kind, name) of each workload an HPA scales -> the HPA, built once per list
    (classification has usually built it already)."""
    return _HPAS.get(resources)


_STORAGE_CLASSES = _ListCache(_storage_class_index)
_ROLLS = _ListCache(lambda resources: {})


def _rolls_memo(new: list[Resource], base: list[Resource]) -> dict[int, bool]:
    """id(workload) -> whether it rolls, shared by every object classified against the same two
    revisions (a Deployment that mounts thirty ConfigMaps is normalised once)."""
    by_base: dict[int, tuple[list[Resource], dict[int, bool]]] = _ROLLS.get(new)
    entry = by_base.get(id(base))
    if entry is None or entry[0] is not base:
        entry = by_base[id(base)] = (base, {})
    return entry[1]


# ---------------------------------------------------------------------------------------------
# Context of one classified object


class _Context:
    def __init__(
        self,
        pair: Pair,
        new_resources: list[Resource],
        base_resources: list[Resource],
        version: tuple[int, int],
    ) -> None:
        assert pair.new is not None and pair.old is not None
        self.pair = pair
        self.resource: Resource = pair.new
        self.base: Resource = pair.old
        self.old_body = pair.old_body or {}
        self.new_body = pair.new_body or {}
        self.new_resources = new_resources
        self.base_resources = base_resources
        self.version = version
        self.template = pod_template_path(self.resource.group, self.resource.kind)
        # whether each consumer rolls, shared by every object classified against these revisions
        self._rolls = _rolls_memo(new_resources, base_resources)

    # -- conditions

    def holds(self, row: Row, change: FieldChange) -> bool:
        when = row.when
        if "change" in when and change.kind not in _as_list(when["change"]):
            return False
        for side, body in (("old", self.old_body), ("new", self.new_body)):
            for path, expected in (when.get(side) or {}).items():
                if not _holds(_get(body, path), expected):
                    return False
        for path, expected in (when.get("either") or {}).items():
            if not (
                _holds(_get(self.old_body, path), expected)
                or _holds(_get(self.new_body, path), expected)
            ):
                return False
        for path, expected in (when.get("both") or {}).items():
            if not (
                _holds(_get(self.old_body, path), expected)
                and _holds(_get(self.new_body, path), expected)
            ):
                return False
        if "version" in when and not _version_holds(str(when["version"]), self.version):
            return False
        return all(CHECKS[name](self, change, row) for name in row.checks)

    # -- consumers

    def uses(self, change: FieldChange) -> list[_Use]:
        resource = self.resource
        index = _USES.get(self.new_resources)
        uses = index.get((resource.namespace, resource.kind, resource.name or ""), [])
        keys = self._changed_keys(change)
        if keys is None:
            return list(uses)
        return [use for use in uses if use.keys is None or use.keys & keys]

    def _changed_keys(self, change: FieldChange) -> frozenset[str] | None:
        if len(change.path) >= 2 and isinstance(change.path[1], str):
            return frozenset([change.path[1]])
        keys: set[str] = set()
        for value in (change.old, change.new):
            if isinstance(value, dict):
                keys.update(str(key) for key in value)
        return frozenset(keys) if keys else None

    def rolls(self, workload: Resource) -> bool:
        """Whether the workload replaces all its pods in this revision: it is created by it, or
        its pod template changes and its controller rolls every pod at once (not a paused
        Deployment, a StatefulSet with a partition or OnDelete, a DaemonSet with OnDelete, a
        ReplicaSet or ReplicationController, whose template changes leave running pods alone)."""
        known = self._rolls.get(id(workload))
        if known is None:
            base = _BY_KEY.get(self.base_resources).get(pair_key(workload))
            if base is None:
                known = True
            else:
                path = pod_template_path(workload.group, workload.kind) or ()
                body = normalise(workload)
                known = _replaces_all_pods(workload.kind, body) and (
                    _get(normalise(base), path) != _get(body, path)
                )
            self._rolls[id(workload)] = known
        return known

    # -- the ConfigMap/Secret reference note of template changes

    def under_template(self, path: tuple[str | int, ...]) -> bool:
        if self.template is None:
            return False
        if not self.template:
            return path[:1] == ("spec",)
        return path[: len(self.template)] == self.template


# ---------------------------------------------------------------------------------------------
# Checks: named predicates for `when: {check: ...}`


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _quantity(value: Any) -> Fraction | None:
    try:
        return parse_quantity(value)
    except ValueError:
        return None


def _check_autoscaled(ctx: _Context, change: FieldChange, row: Row) -> bool:
    return _autoscaler(ctx) is not None


def _autoscaler(ctx: _Context) -> Resource | None:
    resource = ctx.resource
    return _HPAS.get(ctx.new_resources).get(
        (resource.namespace, resource.kind, resource.name or "")
    )


def _check_job_not_started(ctx: _Context, change: FieldChange, row: Row) -> bool:
    status = ctx.base.server_fields.get("status")
    if not isinstance(status, dict):
        status = ctx.base.body.get("status")
    return not (isinstance(status, dict) and status.get("startTime"))


def _check_affinity_only_node(ctx: _Context, change: FieldChange, row: Row) -> bool:
    old = change.old
    return change.kind == "removed" and isinstance(old, dict) and set(old) <= {"nodeAffinity"}


def _check_elastic_indexed_tandem(ctx: _Context, change: FieldChange, row: Row) -> bool:
    spec = ctx.new_body.get("spec")
    if ctx.version < (1, 27) or not isinstance(spec, dict):
        return False
    completions = _number(spec.get("completions"))
    return (
        spec.get("completionMode") == "Indexed"
        and completions is not None
        and completions == _number(spec.get("parallelism"))
    )


def _check_dual_stack_step(ctx: _Context, change: FieldChange, row: Row) -> bool:
    old, new = change.old, change.new
    if not (isinstance(old, list) and isinstance(new, list) and old):
        return False
    if len(new) == len(old) + 1 and new[: len(old)] == old:
        return True  # a secondary family added
    policy = _get(ctx.new_body, "spec.ipFamilyPolicy")
    return len(old) == 2 and len(new) == 1 and new[0] == old[0] and policy == "SingleStack"


def _check_storage_shrinks(ctx: _Context, change: FieldChange, row: Row) -> bool:
    old, new = _quantity(change.old), _quantity(change.new)
    return old is not None and new is not None and new < old


def _storage_class(ctx: _Context) -> Resource | None:
    name = _get(ctx.new_body, "spec.storageClassName")
    key = name if isinstance(name, str) else ""
    return _STORAGE_CLASSES.get(ctx.new_resources).get(key) or _STORAGE_CLASSES.get(
        ctx.base_resources
    ).get(key)


def _check_expansion_not_allowed(ctx: _Context, change: FieldChange, row: Row) -> bool:
    old, new = _quantity(change.old), _quantity(change.new)
    if old is None or new is None or new <= old:
        return False
    storage_class = _storage_class(ctx)
    return storage_class is not None and storage_class.body.get("allowVolumeExpansion") is not True


def _check_same_as_default(ctx: _Context, change: FieldChange, row: Row) -> bool:
    old = row.default if change.old is None else change.old
    new = row.default if change.new is None else change.new
    return _strict_equal(old, new)


def _check_consumers_keep_old(ctx: _Context, change: FieldChange, row: Row) -> bool:
    return any(not ctx.rolls(use.workload) for use in ctx.uses(change))


def _check_consumers_all_roll(ctx: _Context, change: FieldChange, row: Row) -> bool:
    uses = ctx.uses(change)
    return bool(uses) and all(ctx.rolls(use.workload) for use in uses)


def _check_deadline_not_raised(ctx: _Context, change: FieldChange, row: Row) -> bool:
    old, new = _number(change.old), _number(change.new)
    return new is not None and new > 0 and (old is None or new <= old)


def _check_tolerations_only_added(ctx: _Context, change: FieldChange, row: Row) -> bool:
    old = change.old if isinstance(change.old, list) else []
    new = change.new if isinstance(change.new, list) else []
    return all(any(_strict_equal(item, other) for other in new) for item in old)


def _check_grace_period_negative_to_one(ctx: _Context, change: FieldChange, row: Row) -> bool:
    old = _number(change.old)
    return old is not None and old < 0 and _strict_equal(change.new, 1)


CHECKS: dict[str, Callable[[_Context, FieldChange, Row], bool]] = {
    "autoscaled": _check_autoscaled,
    "job_not_started": _check_job_not_started,
    "affinity_only_node": _check_affinity_only_node,
    "elastic_indexed_tandem": _check_elastic_indexed_tandem,
    "dual_stack_step": _check_dual_stack_step,
    "storage_shrinks": _check_storage_shrinks,
    "expansion_not_allowed": _check_expansion_not_allowed,
    "same_as_default": _check_same_as_default,
    "consumers_keep_old": _check_consumers_keep_old,
    "consumers_all_roll": _check_consumers_all_roll,
    "deadline_not_raised": _check_deadline_not_raised,
    "tolerations_only_added": _check_tolerations_only_added,
    "grace_period_negative_to_one": _check_grace_period_negative_to_one,
}


# ---------------------------------------------------------------------------------------------
# Facts: the placeholders of reasons


def _fact_kind(ctx: _Context, change: FieldChange) -> str:
    return ctx.resource.kind


def _fact_name(ctx: _Context, change: FieldChange) -> str:
    return ctx.resource.name or "<unnamed>"


def _fact_label(ctx: _Context, change: FieldChange) -> str:
    return change.short_label or "(the whole object)"


def _fact_old(ctx: _Context, change: FieldChange) -> str:
    return _render(change.old)


def _fact_new(ctx: _Context, change: FieldChange) -> str:
    return _render(change.new)


def _int_at(body: Any, path: str, default: int) -> int:
    value = _number(_get(body, path))
    return int(value) if value is not None else default


def _fact_replicas(ctx: _Context, change: FieldChange) -> str:
    return str(_int_at(ctx.new_body, "spec.replicas", 1))


def _fact_partition(ctx: _Context, change: FieldChange) -> str:
    return str(_int_at(ctx.new_body, "spec.updateStrategy.rollingUpdate.partition", 0))


def _ordinal_span(ctx: _Context) -> tuple[int, int, int]:
    """(first ordinal, first ordinal that takes the update, end) of a StatefulSet."""
    start = _int_at(ctx.new_body, "spec.ordinals.start", 0)
    replicas = max(_int_at(ctx.new_body, "spec.replicas", 1), 0)
    partition = _int_at(ctx.new_body, "spec.updateStrategy.rollingUpdate.partition", 0)
    first_updated = start + min(max(partition, 0), replicas)
    return start, first_updated, start + replicas


def _pods(ctx: _Context, low: int, high: int) -> str:
    """Pods with ordinals low..high-1."""
    name = ctx.resource.name or "<unnamed>"
    count = high - low
    if count <= 0:
        return "no pod"
    if count == 1:
        return f"pod {name}-{low}"
    if count == 2:
        return f"pods {name}-{low} and {name}-{high - 1}"
    return f"pods {name}-{low}..{name}-{high - 1}"


def _fact_updating(ctx: _Context, change: FieldChange) -> str:
    _, first_updated, end = _ordinal_span(ctx)
    return _pods(ctx, first_updated, end)


def _fact_waiting(ctx: _Context, change: FieldChange) -> str:
    start, first_updated, _ = _ordinal_span(ctx)
    return _pods(ctx, start, first_updated)


def _fact_rolling_update(ctx: _Context, change: FieldChange) -> str:
    for path in ("spec.strategy.rollingUpdate", "spec.updateStrategy.rollingUpdate"):
        rolling = _get(ctx.new_body, path)
        if isinstance(rolling, dict) and ("maxSurge" in rolling or "maxUnavailable" in rolling):
            return (
                f"maxSurge {_render(rolling.get('maxSurge'))},"
                f" maxUnavailable {_render(rolling.get('maxUnavailable'))}"
            )
    return "rolling update"


def _fact_autoscaler(ctx: _Context, change: FieldChange) -> str:
    hpa = _autoscaler(ctx)
    return f"HorizontalPodAutoscaler {hpa.name}" if hpa is not None else "an autoscaler"


_NODE_PORT_TYPES = {"NodePort", "LoadBalancer"}


def _fact_service_type_change(ctx: _Context, change: FieldChange) -> str:
    old = _get(ctx.old_body, "spec.type")
    new = _get(ctx.new_body, "spec.type")
    old = "ClusterIP" if old is _ABSENT else old
    new = "ClusterIP" if new is _ABSENT else new
    parts = []
    if old == "LoadBalancer" and new != "LoadBalancer":
        parts.append("the cloud load balancer is deleted and its external address released")
    if new == "LoadBalancer" and old != "LoadBalancer":
        parts.append("a cloud load balancer is provisioned, with a new external address")
    if old in _NODE_PORT_TYPES and new not in _NODE_PORT_TYPES:
        parts.append("the node ports are released (switching back allocates new ones)")
    if new in _NODE_PORT_TYPES and old not in _NODE_PORT_TYPES:
        parts.append("node ports are allocated and opened on every node")
    if new == "ExternalName":
        target = _render(_get(ctx.new_body, "spec.externalName"))
        parts.append(f"the cluster IP is released and DNS answers with a CNAME to {target}")
    if old == "ExternalName":
        parts.append("a cluster IP is allocated")
    return "; ".join(parts) if parts else "the Service is reconfigured"


def _workload_name(resource: Resource) -> str:
    return f"{resource.kind} {resource.name}"


def _fact_consumers(ctx: _Context, change: FieldChange) -> str:
    uses = ctx.uses(change)
    keeping: dict[str, list[str]] = defaultdict(list)
    rolling: list[str] = []
    for use in uses:
        name = _workload_name(use.workload)
        if ctx.rolls(use.workload):
            if name not in rolling:
                rolling.append(name)
        else:
            keeping[name].append(use.how)
    text = "; ".join(f"{name} via {', '.join(hows)}" for name, hows in keeping.items())
    if rolling:
        text += f" ({', '.join(rolling)} also read it and roll in this change)"
    return text or "none"


def _fact_rolling_consumers(ctx: _Context, change: FieldChange) -> str:
    names: list[str] = []
    for use in ctx.uses(change):
        name = _workload_name(use.workload)
        if name not in names:
            names.append(name)
    return ", ".join(names) or "none"


def _fact_storage_class(ctx: _Context, change: FieldChange) -> str:
    storage_class = _storage_class(ctx)
    return (storage_class.name or "?") if storage_class is not None else "(unknown)"


FACTS: dict[str, Callable[[_Context, FieldChange], str]] = {
    "kind": _fact_kind,
    "name": _fact_name,
    "label": _fact_label,
    "old": _fact_old,
    "new": _fact_new,
    "replicas": _fact_replicas,
    "partition": _fact_partition,
    "updating": _fact_updating,
    "waiting": _fact_waiting,
    "rolling_update": _fact_rolling_update,
    "autoscaler": _fact_autoscaler,
    "service_type_change": _fact_service_type_change,
    "consumers": _fact_consumers,
    "rolling_consumers": _fact_rolling_consumers,
    "storage_class": _fact_storage_class,
}


class _Facts(dict[str, str]):
    """The facts of one change, computed when a reason asks for them."""

    def __init__(self, ctx: _Context, change: FieldChange) -> None:
        super().__init__()
        self.ctx = ctx
        self.change = change

    def __missing__(self, key: str) -> str:
        value = FACTS[key](self.ctx, self.change)
        self[key] = value
        return value


# ---------------------------------------------------------------------------------------------
# ConfigMap / Secret references in a pod template


_REF_KEYS = {
    "configMap": ("ConfigMap", "name"),
    "configMapRef": ("ConfigMap", "name"),
    "configMapKeyRef": ("ConfigMap", "name"),
    "secretRef": ("Secret", "name"),
    "secretKeyRef": ("Secret", "name"),
}


def _collect_refs(node: Any, out: set[tuple[str, str]]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict):
                if key in _REF_KEYS:
                    kind, field_name = _REF_KEYS[key]
                    if isinstance(value.get(field_name), str):
                        out.add((kind, value[field_name]))
                elif key == "secret":
                    name = value.get("secretName", value.get("name"))
                    if isinstance(name, str):
                        out.add(("Secret", name))
            if isinstance(value, (dict, list)):
                _collect_refs(value, out)
    elif isinstance(node, list):
        for value in node:
            _collect_refs(value, out)


def _refs(path: tuple[str | int, ...], value: Any) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    if isinstance(value, str) and len(path) >= 2 and isinstance(path[-2], str):
        parent, key = path[-2], path[-1]
        if parent in _REF_KEYS and key == "name":
            out.add((_REF_KEYS[parent][0], value))
        elif parent == "secret" and key in ("secretName", "name"):
            out.add(("Secret", value))
    else:
        _collect_refs(value, out)
    return out


def reference_note(change: FieldChange) -> str:
    """`references ConfigMap b instead of a` when a change swaps the ConfigMaps/Secrets it
    refers to; "" otherwise."""
    old = _refs(change.path, change.old)
    new = _refs(change.path, change.new)
    notes = []
    for kind in _CONFIG_KINDS:
        gone = sorted(name for k, name in old - new if k == kind)
        came = sorted(name for k, name in new - old if k == kind)
        if len(gone) == 1 and len(came) == 1:
            notes.append(f"references {kind} {came[0]} instead of {gone[0]}")
            continue
        if came:
            notes.append(f"now references {kind} {', '.join(came)}")
        if gone:
            notes.append(f"no longer references {kind} {', '.join(gone)}")
    return "; ".join(notes)


# ---------------------------------------------------------------------------------------------
# Classifying


def _classified(change: FieldChange, effect: str, reason: str, source: str) -> ClassifiedChange:
    return ClassifiedChange(
        change.path, change.short_label, change.old, change.new, change.kind, effect, reason, source
    )


def _no_table(resource: Resource, change: FieldChange) -> ClassifiedChange:
    return _classified(
        change,
        "unknown",
        f"kubeplan has no table for {resource.kind}; stated as unknown, not guessed",
        "",
    )


def _classify_change(ctx: _Context, rows: tuple[Row, ...], change: FieldChange) -> ClassifiedChange:
    for row in rows:
        if row.matches(change.path) and ctx.holds(row, change):
            reason = row.reason.format_map(_Facts(ctx, change))
            if ctx.under_template(change.path):
                note = reference_note(change)
                if note:
                    reason = f"{reason}; {note}"
            return _classified(change, row.effect, reason, row.source)
    return _classified(
        change,
        "unknown",
        f"no row of kubeplan's {ctx.resource.kind} table covers {change.label or 'this change'};"
        " stated as unknown, not guessed",
        "",
    )


def classify(
    pair: Pair,
    new_resources: list[Resource],
    base_resources: list[Resource],
    kubernetes_version: str,
) -> list[ClassifiedChange]:
    """One ClassifiedChange per field change of an `update` pair; nothing for the others.

    `new_resources` is the whole new revision (who consumes a ConfigMap/Secret, which
    autoscaler or StorageClass applies), `base_resources` the base (the prior state of a
    consumer, to tell whether it rolls too)."""
    if pair.action != UPDATE or pair.old is None or pair.new is None:
        return []
    changes = pair.changes()
    if not changes:
        return []
    rows = rows_for(pair.new.group, pair.new.kind)
    if rows is None:
        return [_no_table(pair.new, change) for change in changes]
    ctx = _Context(pair, new_resources, base_resources, parse_version(kubernetes_version))
    return [_classify_change(ctx, rows, change) for change in changes]


__all__ = [
    "CHECKS",
    "EFFECTS",
    "FACTS",
    "ClassifiedChange",
    "Consumer",
    "Row",
    "Table",
    "classify",
    "consumers",
    "parse_version",
    "reference_note",
    "row_count",
    "rows_for",
    "tables",
]
