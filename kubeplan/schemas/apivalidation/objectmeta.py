"""ObjectMeta as the API server validates it for every kind.

Source: staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go
(`ValidateObjectMetaAccessor`, `ValidateAnnotations`, `ValidateOwnerReferences`,
`ValidateFinalizers`), staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go
(`ValidateLabels`), pkg/apis/core/validation/validation.go (the core wrapper `ValidateObjectMeta`
with `validateKubeFinalizerName`, and the per-kind name functions such as `ValidateServiceName`:
the table is data/object_names.yaml).

Where kubeplan differs from the server's text, on purpose:
- a label, annotation or finalizer error sits at the entry itself
  (`metadata.labels["bad key"]`, `metadata.finalizers[1]`) where Go says `metadata.labels` or
  `metadata.finalizers`, so that the finding has the entry's line; the message is Go's;
- a missing name is the existing `missing-name` finding, not repeated here;
- with `generateName`, the server validates the generated name too (`<prefix><5 random>`);
  kubeplan reports the generateName error only, since the generated value is unknowable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from kubeplan.datafiles import read_yaml
from kubeplan.kube import kinds, names
from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError

_DATA = os.path.join(os.path.dirname(__file__), "data", "object_names.yaml")

# objectmeta.go: `TotalAnnotationSizeLimitB int = 256 * (1 << 10) // 256 kB`.
TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * (1 << 10)
# objectmeta.go `BannedOwners`.
_BANNED_OWNERS = {("", "v1", "Event")}
# pkg/apis/core/helper/helpers.go `standardFinalizers`: FinalizerKubernetes and
# metav1.FinalizerOrphanDependents / FinalizerDeleteDependents.
_STANDARD_FINALIZERS = frozenset({"kubernetes", "orphan", "foregroundDeletion"})

_NAME_FUNCS: dict[str, names.NameFunc] = {
    "dns-subdomain": names.name_is_dns_subdomain,
    "dns-label": names.name_is_dns_label,
    "dns1035-label": names.name_is_dns1035_label,
    "path-segment": lambda name, prefix: names.is_valid_path_segment_name(name),
}


@dataclass(frozen=True)
class NameRule:
    name_fn: names.NameFunc
    core_finalizers: bool
    label_from: int | None = None  # the release from which the name is a DNS label instead
    hostname_warning: str | None = None  # "pod" or "workload": WarningsOnCreate from 1.27

    def name_fn_for(self, minor: int) -> names.NameFunc:
        if self.label_from is not None and minor >= self.label_from:
            return names.name_is_dns_label
        return self.name_fn


# WarningsOnCreate of pods and workloads (kubernetes/kubernetes#114412, in 1.27).
HOSTNAME_WARNING_FROM = 27
_HOSTNAME_WARNINGS = {
    "pod": "this is used in the Pod's hostname, which can result in surprising behavior;"
    " a DNS label is recommended: ",
    "workload": "this is used in Pod names and hostnames, which can result in surprising"
    " behavior; a DNS label is recommended: ",
}


# rest.BeforeCreate's generic pass: `path.ValidatePathSegmentName`, apimachinery's ObjectMeta.
_GENERIC = NameRule(names.validate_path_segment_name, core_finalizers=False)


@cache
def _rules() -> dict[tuple[str, str], NameRule]:
    rows = read_yaml(_DATA)["names"]
    return {
        (row["group"], row["kind"]): NameRule(
            _NAME_FUNCS[row["rule"]],
            bool(row["core_finalizers"]),
            row.get("label_from"),
            row.get("hostname_warning"),
        )
        for row in rows
    }


def name_rule(group: str, kind: str) -> NameRule:
    """The name function the API server applies to `kind`'s metadata.name."""
    return _rules().get((group, kind), _GENERIC)


def validate_metadata(
    group: str, kind: str, body: dict[str, Any], ctx: Context
) -> list[FieldError]:
    """The errors of `body["metadata"]` for an object of `kind` in `group`."""
    metadata = body.get("metadata")
    if not isinstance(metadata, dict):
        return []
    rule = name_rule(group, kind)
    errors = _validate_name(metadata, rule, ctx)
    errors.extend(_validate_namespace(group, kind, metadata))
    errors.extend(validate_labels(metadata.get("labels"), ("metadata", "labels"), ctx))
    errors.extend(
        validate_annotations(metadata.get("annotations"), ("metadata", "annotations"), ctx)
    )
    errors.extend(_validate_owner_references(metadata.get("ownerReferences")))
    errors.extend(_validate_finalizers(metadata.get("finalizers"), rule, ctx))
    return errors


def _validate_name(metadata: dict[str, Any], rule: NameRule, ctx: Context) -> list[FieldError]:
    """`ValidateObjectMetaAccessor`: generateName in prefix mode, then the name; and the
    hostname warning of pods and workloads whose valid name is not a DNS label."""
    errors = []
    name_fn = rule.name_fn_for(ctx.minor)
    generate = metadata.get("generateName")
    name = metadata.get("name")
    if isinstance(generate, str) and generate:
        path: Path = ("metadata", "generateName")
        errors.extend(field.invalid(path, generate, msg) for msg in name_fn(generate, True))
    if isinstance(name, str) and name:
        path = ("metadata", "name")
        errors.extend(field.invalid(path, name, msg) for msg in name_fn(name, False))
        if not errors and rule.hostname_warning and ctx.at_least(HOSTNAME_WARNING_FROM):
            msgs = names.is_dns1123_label(name)
            if msgs:
                text = _HOSTNAME_WARNINGS[rule.hostname_warning] + "[" + " ".join(msgs) + "]"
                errors.append(field.warning(path, text))
    return errors


def _validate_namespace(group: str, kind: str, metadata: dict[str, Any]) -> list[FieldError]:
    """`ValidateNamespaceName` on a namespaced kind's namespace. A namespace written on a
    cluster-scoped kind is no error: `rest.EnsureObjectNamespaceMatchesRequestNamespace` clears
    it before validation ("cluster-scoped, clear namespace")."""
    namespace = metadata.get("namespace")
    info = kinds.builtin_kind(group, kind)
    if not isinstance(namespace, str) or not namespace or info is None or not info.namespaced:
        return []
    path: Path = ("metadata", "namespace")
    return [
        field.invalid(path, namespace, msg) for msg in names.name_is_dns_label(namespace, False)
    ]


def validate_labels(labels: Any, path: Path, ctx: Context) -> list[FieldError]:
    """`ValidateLabels`: keys are qualified names, values label values."""
    if not isinstance(labels, dict):
        return []
    errors = []
    for key, value in labels.items():
        if not isinstance(key, str):
            continue
        at = (*path, key)
        errors.extend(
            field.invalid(at, key, msg) for msg in names.is_qualified_name(key, ctx.minor)
        )
        if isinstance(value, str):
            errors.extend(
                field.invalid(at, value, msg) for msg in names.is_valid_label_value(value)
            )
    return errors


def validate_annotations(annotations: Any, path: Path, ctx: Context) -> list[FieldError]:
    """`ValidateAnnotations`: keys are qualified names once lowercased; keys and values total at
    most 256 KiB (reported once, at the annotations)."""
    if not isinstance(annotations, dict):
        return []
    errors = []
    total = 0
    for key, value in annotations.items():
        if not isinstance(key, str):
            continue
        for msg in names.is_qualified_name(key.lower(), ctx.minor):
            errors.append(field.invalid((*path, key), key, msg))
        total += len(key.encode()) + (len(value.encode()) if isinstance(value, str) else 0)
    if total > TOTAL_ANNOTATION_SIZE_LIMIT_B:
        errors.append(field.too_long(path, "", TOTAL_ANNOTATION_SIZE_LIMIT_B))
    return errors


def _group_version(api_version: str) -> tuple[str, str] | None:
    """`schema.ParseGroupVersion`: None where Go returns an error."""
    if not api_version:
        return "", ""
    slashes = api_version.count("/")
    if slashes == 0:
        return "", api_version
    if slashes == 1:
        group, version = api_version.split("/")
        return group, version
    return None


def _validate_owner_references(refs: Any) -> list[FieldError]:
    """`ValidateOwnerReferences` / `validateOwnerReference`."""
    if not isinstance(refs, list):
        return []
    path: Path = ("metadata", "ownerReferences")
    errors = []
    first_controller = ""
    for index, ref in enumerate(refs):
        if not isinstance(ref, dict):
            continue
        api_version = ref.get("apiVersion") or ""
        kind = ref.get("kind") or ""
        gv = _group_version(api_version) or ("", "")
        if not gv[1]:
            errors.append(
                field.invalid(
                    (*path, index, "apiVersion"), api_version, "version must not be empty"
                )
            )
        for key, value in (("kind", kind), ("name", ref.get("name")), ("uid", ref.get("uid"))):
            if not value:
                errors.append(field.invalid((*path, index, key), value or "", "must not be empty"))
        if (gv[0], gv[1], kind) in _BANNED_OWNERS:
            gvk = f"/{gv[1]}, Kind={kind}"
            errors.append(
                field.invalid((*path, index), ref, f"{gvk} is disallowed from being an owner")
            )
        if ref.get("controller") is True:
            current = f"{kind}/{ref.get('name') or ''}"
            if first_controller:
                errors.append(
                    field.invalid(
                        path,
                        refs,
                        "Only one reference can have Controller set to true. Found "
                        f'"true" in references for {first_controller} and {current}',
                    )
                )
            else:
                first_controller = current
    return errors


def _validate_finalizers(finalizers: Any, rule: NameRule, ctx: Context) -> list[FieldError]:
    """`ValidateFinalizers` (qualified names; orphan and foregroundDeletion exclusive) and,
    for kinds validated through the core wrapper, `validateKubeFinalizerName`."""
    if not isinstance(finalizers, list):
        return []
    path: Path = ("metadata", "finalizers")
    errors = []
    for index, name in enumerate(finalizers):
        if not isinstance(name, str):
            continue
        at = (*path, index)
        errors.extend(
            field.invalid(at, name, msg) for msg in names.is_qualified_name(name, ctx.minor)
        )
    if "orphan" in finalizers and "foregroundDeletion" in finalizers:
        errors.append(
            field.invalid(
                path, finalizers, "finalizer orphan and foregroundDeletion cannot be both set"
            )
        )
    if rule.core_finalizers:
        for index, name in enumerate(finalizers):
            if isinstance(name, str) and "/" not in name and name not in _STANDARD_FINALIZERS:
                errors.append(
                    field.invalid(
                        (*path, index),
                        name,
                        "name is neither a standard finalizer name nor is it fully qualified",
                    )
                )
    return errors
