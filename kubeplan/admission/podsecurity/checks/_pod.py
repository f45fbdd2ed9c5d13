"""What every check shares: the check table entry, the container visitor (policy/visitor.go),
the message helpers (policy/helpers.go `joinQuote`, `pluralize`,
`relaxPolicyForUserNamespacePod`), and safe reads of a decoded pod.

The pod is plain decoded YAML/JSON, not a typed Go struct: a field that is absent or null is
Go's nil pointer; a value of the wrong type (which the API server would refuse to decode) is
treated as unset, never as an error here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubeplan.admission.podsecurity.api import Level

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Violation:
    """A forbidden result of one check function: `ForbiddenReason`, `ForbiddenDetail`, and the
    offending fields (relative to the pod) in the order the detail names them."""

    reason: str
    detail: str
    paths: tuple[Path, ...] = ()


CheckFn = Callable[[Mapping[str, Any], Mapping[str, Any]], Violation | None]


@dataclass(frozen=True)
class VersionedCheck:
    """policy/checks.go `VersionedCheck`: the first policy minor (1.<minimum>) it applies to,
    and the baseline checks it replaces in restricted (`OverrideCheckIDs`)."""

    minimum: int
    check_pod: CheckFn
    overrides: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """policy/checks.go `Check`; `versions` strictly increasing."""

    id: str
    level: Level
    versions: tuple[VersionedCheck, ...] = field(default_factory=tuple)


def mapping(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def sequence(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list | tuple) else ()


def text(value: Any) -> str:
    """A Go string field: absent or not a string reads as ""."""
    return value if isinstance(value, str) else ""


def is_true(value: Any) -> bool:
    return value is True


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def child(node: Any, *keys: str) -> Any:
    """`node.a.b...`, or None as soon as a step is missing or not a mapping."""
    for key in keys:
        node = mapping(node)
        if node is None:
            return None
        node = node.get(key)
    return node


def containers(spec: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], Path]]:
    """policy/visitor.go `visitContainers`: init containers, containers, then ephemeral
    containers, each with its path from the pod root."""
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for index, container in enumerate(sequence(spec.get(key))):
            if isinstance(container, Mapping):
                yield container, ("spec", key, index)


def name(container: Mapping[str, Any]) -> str:
    return text(container.get("name"))


def security_context(container: Mapping[str, Any]) -> Mapping[str, Any] | None:
    return mapping(container.get("securityContext"))


def pod_security_context(spec: Mapping[str, Any]) -> Mapping[str, Any] | None:
    return mapping(spec.get("securityContext"))


def join_quote(items: Sequence[str]) -> str:
    """policy/helpers.go `joinQuote`: `"a", "b"` (no escaping)."""
    if not items:
        return ""
    return '"' + '", "'.join(items) + '"'


def pluralize(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def setters(pod: bool, bad_containers: Sequence[str]) -> list[str]:
    """The `badSetters` list several checks build: "pod", then `container(s) "a", "b"`."""
    out = ["pod"] if pod else []
    if bad_containers:
        out.append(
            f"{pluralize('container', 'containers', len(bad_containers))} "
            f"{join_quote(bad_containers)}"
        )
    return out


def relax_for_user_namespace(spec: Mapping[str, Any]) -> bool:
    """policy/helpers.go `relaxPolicyForUserNamespacePod`: `hostUsers: false`."""
    return spec.get("hostUsers") is False


def is_windows(spec: Mapping[str, Any]) -> bool:
    """`podSpec.OS != nil && podSpec.OS.Name == corev1.Windows` (the 1.25 check versions)."""
    return child(spec, "os", "name") == "windows"
