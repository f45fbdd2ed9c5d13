"""Field-by-field difference of two (normalised) object bodies.

`diff(old_body, new_body)` returns `FieldChange`s: a field `changed`, `added` or `removed`, or a
keyed list `reordered`. Mappings are compared key by key. Lists whose Go field carries a
strategic-merge key (`MERGE_KEYS`) are matched element by element by that key, so an edit of one
container is one change on `containers[web]`, and moving elements around is a single `reordered`
change on the list instead of an edit of every element. Every other list is atomic (replaced
whole on apply) and compares as one value. Scalars compare by value; run both bodies through
`normalise.normalise` first so that defaults and quantities do not show up as changes.

Paths are tuples of keys and indices; an element of a keyed list is addressed by its index in the
NEW list (in the OLD list for a removed element), e.g. `("spec", "template", "spec",
"containers", 1, "image")`, and every change also carries a readable label that names the
element by its key: `spec.template.spec.containers[web].image`, `short_label` drops the pod
template prefix: `containers[web].image`.

Reordering and client-side `kubectl apply`
------------------------------------------
A reordered keyed list DOES change the stored object, so a reordered container (or env, volume,
port ...) list in a pod template rolls the pods. Source:
staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go (kubernetes/kubernetes):

* `CreateThreeWayMergePatch` (what client-side `kubectl apply` sends) diffs the live object against
  the new manifest with `DiffOptions{IgnoreDeletions: true, SetElementOrder: true}`;
* `diffLists` then emits the parallel list `$setElementOrder/<field>` (the merge keys in the new
  order) "when there are content changes or order changes": `!orderSame` is enough, a pure
  reorder with no other edit still produces the directive (`isOrderSame` compares merge keys
  index by index);
* on the server, `mergePatchIntoOriginal` sorts the merged list by `$setElementOrder`
  (`normalizeElementOrder`; precedence "$setElementOrder > order in patch list > order in live
  list"), so the stored list takes the new order.

The Deployment controller looks for the ReplicaSet of the current template with `EqualIgnoreHash`
(pkg/controller/deployment/util/deployment_util.go), which is `apiequality.Semantic.DeepEqual` of
the two templates: list order is part of the value, so no existing ReplicaSet matches, a new one is
created and the pods roll. StatefulSets and DaemonSets likewise keep the serialised template in
ControllerRevisions (pkg/controller/history) and roll on a new one. The order is not cosmetic
either: a later env var may refer to an earlier one with `$(NAME)`, and init containers run in
list order (design proposal "Preserve Order in Strategic Merge Patch", kubernetes/community).
`kubectl replace` sends the whole object, so it stores the new order too. (Server-side apply
merges associative lists by their keys; its ordering rules are not covered here.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kubeplan.kube.workloads import POD_SPEC_PREFIXES, pod_template_path

# Strategic-merge keys of list fields, by the Go struct that holds the list. Source: the
# `patchStrategy:"merge" patchMergeKey:"..."` tags and `+listMapKey` markers in
# staging/src/k8s.io/api/core/v1/types.go (PodSpec, Container, EphemeralContainer, ServiceSpec,
# ServiceAccount), staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go (ObjectMeta) and
# staging/src/k8s.io/api/admissionregistration/v1/types.go; the same keys appear as
# `x-kubernetes-patch-merge-key` / `x-kubernetes-list-map-keys` in the OpenAPI schemas bundled with
# kubernetes-validate. Where a list has several map keys (ports: containerPort + protocol) they
# are all used, with the protocol default (TCP) for a missing protocol. Lists not named here have
# no merge key and are atomic, among them tolerations (PodSpec.Tolerations has no patchStrategy:
# "replace", kubernetes.io task "Update API Objects in Place Using kubectl patch"), args, command,
# envFrom, and NetworkPolicy ports.
MERGE_KEYS: dict[tuple[str, str], tuple[str, ...]] = {
    ("PodSpec", "containers"): ("name",),
    ("PodSpec", "initContainers"): ("name",),
    ("PodSpec", "ephemeralContainers"): ("name",),
    ("PodSpec", "volumes"): ("name",),
    ("PodSpec", "imagePullSecrets"): ("name",),
    ("PodSpec", "hostAliases"): ("ip",),
    ("PodSpec", "topologySpreadConstraints"): ("topologyKey", "whenUnsatisfiable"),
    ("PodSpec", "resourceClaims"): ("name",),
    ("PodSpec", "schedulingGates"): ("name",),
    ("Container", "env"): ("name",),
    ("Container", "ports"): ("containerPort", "protocol"),
    ("Container", "volumeMounts"): ("mountPath",),
    ("Container", "volumeDevices"): ("devicePath",),
    ("ServiceSpec", "ports"): ("port", "protocol"),
    ("ServiceAccount", "secrets"): ("name",),
    ("ServiceAccount", "imagePullSecrets"): ("name",),
    ("ObjectMeta", "ownerReferences"): ("uid",),
    ("WebhookConfiguration", "webhooks"): ("name",),
    ("Webhook", "matchConditions"): ("name",),
}
# Defaults of map keys that may be omitted (ContainerPort/ServicePort protocol, `+default="TCP"`).
KEY_DEFAULTS = {"protocol": "TCP"}

# The struct of a list's elements, for lists whose elements hold keyed lists themselves.
ELEMENT_STRUCT: dict[tuple[str, str], str] = {
    ("PodSpec", "containers"): "Container",
    ("PodSpec", "initContainers"): "Container",
    ("PodSpec", "ephemeralContainers"): "Container",
    ("WebhookConfiguration", "webhooks"): "Webhook",
}
_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")

CHANGED, ADDED, REMOVED, REORDERED = "changed", "added", "removed", "reordered"


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One difference. For `reordered`, `old` and `new` are the element keys in each order."""

    path: tuple[str | int, ...]
    old: Any
    new: Any
    kind: str  # changed | added | removed | reordered
    label: str

    @property
    def short_label(self) -> str:
        """The label without the pod template prefix: `containers[web].image`."""
        for prefix in POD_SPEC_PREFIXES:
            if self.label.startswith(prefix):
                return self.label[len(prefix) :]
        return self.label


def diff(old_body: Any, new_body: Any) -> list[FieldChange]:
    """Every difference between two bodies (see the module docstring)."""
    out: list[FieldChange] = []
    if _same(old_body, new_body):
        return out
    if not (isinstance(old_body, dict) and isinstance(new_body, dict)):
        out.append(FieldChange((), old_body, new_body, CHANGED, ""))
        return out
    context = _Context(new_body if new_body.get("kind") else old_body)
    _diff_maps(old_body, new_body, (), "", context.root, context, out)
    return out


class _Context:
    """Which Go struct sits at a path, as far as merge keys need it."""

    __slots__ = ("kind", "pod_spec", "root")

    def __init__(self, body: dict[str, Any]) -> None:
        kind = body.get("kind")
        api_version = body.get("apiVersion")
        group = api_version.rpartition("/")[0] if isinstance(api_version, str) else ""
        self.kind = kind if isinstance(kind, str) else ""
        template = pod_template_path(group, self.kind)
        self.pod_spec = (*template, "spec") if template is not None else None
        if self.kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
            self.root = "WebhookConfiguration"
        elif self.kind == "ServiceAccount" and group == "":
            self.root = "ServiceAccount"
        else:
            self.root = "Object"

    def child(self, struct: str, path: tuple[str | int, ...], key: str, value: Any) -> str:
        """The struct of mapping field `key` (at `path`) of a `struct`."""
        if path == self.pod_spec:
            return "PodSpec"
        if key == "metadata":
            return "ObjectMeta"
        if struct == "Object" and key == "spec" and self.kind == "Service" and len(path) == 1:
            return "ServiceSpec"
        if self.pod_spec is None and isinstance(value, dict) and _looks_like_pod_spec(value):
            return "PodSpec"  # custom resources embedding a pod spec
        return ""


def _looks_like_pod_spec(value: dict[str, Any]) -> bool:
    containers = value.get("containers")
    return (
        isinstance(containers, list)
        and bool(containers)
        and all(isinstance(c, dict) and "name" in c for c in containers)
    )


def _same(a: Any, b: Any) -> bool:
    """Equal values. Mappings and lists use Python equality (fast, in C), where True == 1; a
    Kubernetes field has one type, so that only blurs invalid input. Scalars are strict."""
    if a is b:
        return True
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    return a == b


def _label_key(label: str, key: str) -> str:
    if _PLAIN_KEY.match(key):
        return f"{label}.{key}" if label else key
    return f'{label}["{key}"]'


def _diff_maps(
    old: dict[str, Any],
    new: dict[str, Any],
    path: tuple[str | int, ...],
    label: str,
    struct: str,
    context: _Context,
    out: list[FieldChange],
) -> None:
    for key, new_value in new.items():
        key_path = (*path, key)
        key_label = _label_key(label, str(key))
        if key not in old:
            out.append(FieldChange(key_path, None, new_value, ADDED, key_label))
            continue
        old_value = old[key]
        if _same(old_value, new_value):
            continue
        _diff_values(old_value, new_value, key_path, key_label, struct, str(key), context, out)
    for key, old_value in old.items():
        if key not in new:
            key_path = (*path, key)
            out.append(FieldChange(key_path, old_value, None, REMOVED, _label_key(label, str(key))))


def _diff_values(
    old: Any,
    new: Any,
    path: tuple[str | int, ...],
    label: str,
    parent: str,
    key: str,
    context: _Context,
    out: list[FieldChange],
) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        struct = context.child(parent, path, key, new)
        _diff_maps(old, new, path, label, struct, context, out)
        return
    if isinstance(old, list) and isinstance(new, list):
        keys = MERGE_KEYS.get((parent, key))
        if keys is not None:
            old_index = _index(old, keys)
            new_index = _index(new, keys)
            if old_index is not None and new_index is not None:
                element = ELEMENT_STRUCT.get((parent, key), "")
                _diff_keyed(old_index, new_index, path, label, element, context, out)
                return
    out.append(FieldChange(path, old, new, CHANGED, label))


def _index(
    items: list[Any], keys: tuple[str, ...]
) -> dict[tuple[Any, ...], tuple[int, Any]] | None:
    """Element key -> (position, element); None when an element has no key, a key that is a
    mapping or list, or keys that repeat (invalid for the API server, so such a list is
    compared whole)."""
    index: dict[tuple[Any, ...], tuple[int, Any]] = {}
    for position, item in enumerate(items):
        if not isinstance(item, dict) or keys[0] not in item:
            return None
        key = tuple(item.get(k, KEY_DEFAULTS.get(k)) for k in keys)
        if any(isinstance(part, (dict, list)) for part in key):
            return None
        if key in index:
            return None
        index[key] = (position, item)
    return index


def _key_text(key: tuple[Any, ...]) -> str:
    return "/".join(str(part) for part in key)


def _diff_keyed(
    old_index: dict[tuple[Any, ...], tuple[int, Any]],
    new_index: dict[tuple[Any, ...], tuple[int, Any]],
    path: tuple[str | int, ...],
    label: str,
    element_struct: str,
    context: _Context,
    out: list[FieldChange],
) -> None:
    common_old = [k for k in old_index if k in new_index]
    common_new = [k for k in new_index if k in old_index]
    if common_old != common_new:
        out.append(
            FieldChange(
                path,
                [_key_text(k) for k in old_index],
                [_key_text(k) for k in new_index],
                REORDERED,
                label,
            )
        )
    for key, (position, new_item) in new_index.items():
        item_path = (*path, position)
        item_label = f"{label}[{_key_text(key)}]"
        if key not in old_index:
            out.append(FieldChange(item_path, None, new_item, ADDED, item_label))
            continue
        old_item = old_index[key][1]
        if not _same(old_item, new_item):
            _diff_maps(old_item, new_item, item_path, item_label, element_struct, context, out)
    for key, (position, old_item) in old_index.items():
        if key not in new_index:
            item_label = f"{label}[{_key_text(key)}]"
            out.append(FieldChange((*path, position), old_item, None, REMOVED, item_label))


def labels(changes: Iterable[FieldChange]) -> list[str]:
    """The labels of `changes` in order (handy in reports and tests)."""
    return [change.label for change in changes]


__all__ = [
    "ADDED",
    "CHANGED",
    "ELEMENT_STRUCT",
    "KEY_DEFAULTS",
    "MERGE_KEYS",
    "REMOVED",
    "REORDERED",
    "FieldChange",
    "diff",
    "labels",
]
