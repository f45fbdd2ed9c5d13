"""Seccomp: baseline forbids Unconfined (annotations up to 1.18, fields from 1.19); restricted
requires RuntimeDefault or Localhost on the pod or on every container."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubeplan.admission.podsecurity.api import Level
from kubeplan.admission.podsecurity.checks._pod import (
    Check,
    Path,
    VersionedCheck,
    Violation,
    containers,
    is_windows,
    join_quote,
    mapping,
    name,
    pluralize,
    pod_security_context,
    security_context,
    setters,
    text,
)
from kubeplan.kube.goquote import go_quote

# policy/check_seccompProfile_baseline.go
ANNOTATION_KEY_POD = "seccomp.security.alpha.kubernetes.io/pod"
ANNOTATION_KEY_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"
# `validSeccompAnnotationValue`: SeccompProfileRuntimeDefault, DeprecatedSeccompProfileDockerDefault,
# SeccompLocalhostProfileNamePrefix (k8s.io/api core/v1).
ANNOTATION_RUNTIME_DEFAULT = "runtime/default"
ANNOTATION_DOCKER_DEFAULT = "docker/default"
ANNOTATION_LOCALHOST_PREFIX = "localhost/"
# `validSeccomp`: SeccompProfileTypeLocalhost, SeccompProfileTypeRuntimeDefault.
VALID_PROFILE_TYPES = frozenset({"Localhost", "RuntimeDefault"})


def _valid_annotation_value(value: str) -> bool:
    return value in (ANNOTATION_RUNTIME_DEFAULT, ANNOTATION_DOCKER_DEFAULT) or value.startswith(
        ANNOTATION_LOCALHOST_PREFIX
    )


def seccomp_profile_baseline_1_0(
    metadata: Mapping[str, Any], spec: Mapping[str, Any]
) -> Violation | None:
    """`seccompProfileBaseline_1_0`: the pod annotation and the annotation of each visited
    container's name; the forbidden `key="value"` are a sorted set."""
    annotations = mapping(metadata.get("annotations")) or {}
    forbidden: dict[str, str] = {}
    keys = [ANNOTATION_KEY_POD] + [
        ANNOTATION_KEY_CONTAINER_PREFIX + name(container) for container, _ in containers(spec)
    ]
    for key in keys:
        if key in annotations and not _valid_annotation_value(text(annotations[key])):
            forbidden[f"{key}={go_quote(text(annotations[key]))}"] = key
    if not forbidden:
        return None
    shown = sorted(forbidden)
    detail = f"forbidden {pluralize('annotation', 'annotations', len(shown))} {', '.join(shown)}"
    paths = tuple(("metadata", "annotations", forbidden[item]) for item in shown)
    return Violation("seccompProfile", detail, paths)


def _explicit(
    spec: Mapping[str, Any],
) -> tuple[bool, bool, list[str], list[str], set[str], list[Path]]:
    """Pod and containers that set seccompProfile: (pod set, pod bad, explicitly bad
    containers, containers without a profile, bad values, paths of the bad ones)."""
    bad_values: set[str] = set()
    paths: list[Path] = []
    profile = mapping((pod_security_context(spec) or {}).get("seccompProfile"))
    pod_type = None if profile is None else text(profile.get("type"))
    pod_bad = pod_type is not None and pod_type not in VALID_PROFILE_TYPES
    pod_set = pod_type is not None and not pod_bad
    if pod_type is not None and pod_bad:
        bad_values.add(pod_type)
        paths.append(("spec", "securityContext", "seccompProfile", "type"))
    bad: list[str] = []
    unset: list[str] = []
    for container, where in containers(spec):
        profile = mapping((security_context(container) or {}).get("seccompProfile"))
        if profile is None:
            unset.append(name(container))
        elif text(profile.get("type")) not in VALID_PROFILE_TYPES:
            bad.append(name(container))
            bad_values.add(text(profile.get("type")))
            paths.append((*where, "securityContext", "seccompProfile", "type"))
    return pod_set, pod_bad, bad, unset, bad_values, paths


def _must_not(who: list[str], values: set[str], paths: list[Path]) -> Violation:
    detail = (
        f"{' and '.join(who)} must not set securityContext.seccompProfile.type to "
        f"{join_quote(sorted(values))}"
    )
    return Violation("seccompProfile", detail, tuple(paths))


def seccomp_profile_baseline_1_19(
    metadata: Mapping[str, Any], spec: Mapping[str, Any]
) -> Violation | None:
    """`seccompProfileBaseline_1_19`: no pod or container may set a type other than
    RuntimeDefault or Localhost (unset is fine)."""
    _, pod_bad, bad, _, values, paths = _explicit(spec)
    who = setters(pod_bad, bad)
    return _must_not(who, values, paths) if who else None


def seccomp_profile_restricted_1_19(
    metadata: Mapping[str, Any], spec: Mapping[str, Any]
) -> Violation | None:
    """policy/check_seccompProfile_restricted.go `seccompProfileRestricted_1_19`: a bad value
    anywhere first; else every container without its own profile needs a valid pod one."""
    pod_set, pod_bad, bad, unset, values, paths = _explicit(spec)
    who = setters(pod_bad, bad)
    if who:
        return _must_not(who, values, paths)
    if pod_set or not unset:
        return None
    missing = [
        (*where, "securityContext", "seccompProfile")
        for container, where in containers(spec)
        if mapping((security_context(container) or {}).get("seccompProfile")) is None
    ]
    detail = (
        f"pod or {pluralize('container', 'containers', len(unset))} {join_quote(unset)} "
        'must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"'
    )
    return Violation("seccompProfile", detail, tuple(missing))


def seccomp_profile_restricted_1_25(
    metadata: Mapping[str, Any], spec: Mapping[str, Any]
) -> Violation | None:
    """`seccompProfileRestricted_1_25`: as 1.19, but a Windows pod is allowed."""
    if is_windows(spec):
        return None
    return seccomp_profile_restricted_1_19(metadata, spec)


CHECKS = (
    Check(
        "seccompProfile_baseline",
        Level.BASELINE,
        (
            VersionedCheck(0, seccomp_profile_baseline_1_0),
            VersionedCheck(19, seccomp_profile_baseline_1_19),
        ),
    ),
    Check(
        "seccompProfile_restricted",
        Level.RESTRICTED,
        (
            VersionedCheck(19, seccomp_profile_restricted_1_19, ("seccompProfile_baseline",)),
            VersionedCheck(25, seccomp_profile_restricted_1_25, ("seccompProfile_baseline",)),
        ),
    ),
)
