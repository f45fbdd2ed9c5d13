"""Reading untrusted manifest bodies: every field may be missing or of the wrong type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubeplan.model import Resource


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    """A non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def as_int(value: Any) -> int | None:
    """An integer (YAML booleans are not), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def object_labels(body: Any) -> dict[str, str]:
    """`metadata.labels` of an object body as text keys and values (empty when absent or not
    a mapping): what selectors, Pod Security and admission policies read."""
    metadata = body.get("metadata") if isinstance(body, Mapping) else None
    labels = metadata.get("labels") if isinstance(metadata, Mapping) else None
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, Mapping) else {}


def namespace_of(resource: Resource) -> str:
    """The object's namespace; a namespaced kind unknown to kubeplan (a CR without its CRD)
    defaults to `default` too, as kubectl does without -n."""
    return resource.namespace or "default"
