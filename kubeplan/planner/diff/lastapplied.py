"""The last-applied configuration of a live object: the `original` of client-side apply.

Client-side `kubectl apply` stores the manifest it applied, as JSON, in the annotation
`kubectl.kubernetes.io/last-applied-configuration` (staging/src/k8s.io/kubectl/pkg/util/
apply.go `GetModifiedConfiguration`, `LastAppliedConfigAnnotation` in staging/src/k8s.io/api/
core/v1/annotation_key_constants.go) and reads it back as the original of the next three-way
merge (apply/patcher.go `patchSimple`: `original, err := util.GetOriginalConfiguration(obj)`).

The API server caps all annotations of an object together at 256 KiB
(staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go `TotalAnnotationSizeLimitB`),
so a longer value cannot come from a real cluster; kubeplan reads no more than that. A value
that is not a JSON object is a finding (`last-applied-invalid`), and the object is then merged
as kubectl merges one without the annotation (no original).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kubeplan.model import Resource

ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
SERVER_FIELD = f"metadata.annotations.{ANNOTATION}"
SIZE_LIMIT = 256 * 1024  # objectmeta.go TotalAnnotationSizeLimitB


@dataclass(frozen=True, slots=True)
class LastApplied:
    """`body` is the parsed configuration (None when absent or unusable); `problem` says why a
    present annotation could not be used."""

    body: dict[str, Any] | None
    problem: str | None = None


def read(live: Resource) -> LastApplied:
    """The last-applied configuration of a live object (set aside by the loader)."""
    raw = live.server_fields.get(SERVER_FIELD)
    if raw is None:
        return LastApplied(None)
    if not isinstance(raw, str):
        return LastApplied(None, f"{ANNOTATION} is not a string")
    if len(raw) > SIZE_LIMIT:
        return LastApplied(
            None, f"{ANNOTATION} is {len(raw)} bytes, above the API server's 256 KiB limit"
        )
    try:
        body = json.loads(raw)
    except ValueError as error:
        return LastApplied(None, f"{ANNOTATION} is not valid JSON ({error.msg} at {error.pos})")
    except RecursionError:
        return LastApplied(None, f"{ANNOTATION} is nested too deeply to read")
    if not isinstance(body, dict):
        return LastApplied(None, f"{ANNOTATION} is not a JSON object")
    return LastApplied(body)


__all__ = ["ANNOTATION", "SERVER_FIELD", "SIZE_LIMIT", "LastApplied", "read"]
