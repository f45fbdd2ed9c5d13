"""The objects every cluster has without being in anyone's manifests (data/cluster_objects.yaml,
each row with its Kubernetes source), and patterns for objects that exist outside the input."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from functools import cache

import yaml

_CLUSTER_OBJECTS = os.path.join(os.path.dirname(__file__), "data", "cluster_objects.yaml")


@dataclass(frozen=True, slots=True)
class ObjectPattern:
    """An object that exists outside the input: kind, namespace and name may be globs."""

    kind: str
    name: str = "*"
    namespace: str = "*"

    def matches(self, kind: str, namespace: str | None, name: str) -> bool:
        return (
            self.kind == kind
            and fnmatch.fnmatchcase(name, self.name)
            and (namespace is None or fnmatch.fnmatchcase(namespace, self.namespace))
        )


@cache
def cluster_objects() -> tuple[ObjectPattern, ...]:
    """Objects every cluster has (data/cluster_objects.yaml, each with its source)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(_CLUSTER_OBJECTS, encoding="utf-8") as handle:
        rows = yaml.load(handle, Loader=loader)["objects"]
    return tuple(
        ObjectPattern(row["kind"], row.get("name", "*"), row.get("namespace", "*")) for row in rows
    )
