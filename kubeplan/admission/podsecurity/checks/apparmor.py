"""AppArmor: the deprecated per-container annotations and the appArmorProfile fields
(baseline, one version that applies at every policy version)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubeplan.admission.podsecurity.api import Level
from kubeplan.admission.podsecurity.checks._pod import (
    Check,
    Path,
    VersionedCheck,
    Violation,
    child,
    containers,
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

# k8s.io/api core/v1 annotation_key_constants.go, as policy/check_appArmorProfile.go uses them.
ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"  # DeprecatedAppArmorBetaContainerAnnotationKeyPrefix
ANNOTATION_RUNTIME_DEFAULT = "runtime/default"  # DeprecatedAppArmorBetaProfileRuntimeDefault
ANNOTATION_LOCALHOST_PREFIX = "localhost/"  # DeprecatedAppArmorBetaProfileNamePrefix
# `allowedProfileType`: AppArmorProfileTypeRuntimeDefault, AppArmorProfileTypeLocalhost.
ALLOWED_PROFILE_TYPES = frozenset({"RuntimeDefault", "Localhost"})


def _allowed_annotation_value(value: str) -> bool:
    """`allowedAnnotationValue`: empty, runtime/default or localhost/<anything>."""
    return (
        value == ""
        or value == ANNOTATION_RUNTIME_DEFAULT
        or value.startswith(ANNOTATION_LOCALHOST_PREFIX)
    )


def app_armor_profile_1_0(metadata: Mapping[str, Any], spec: Mapping[str, Any]) -> Violation | None:
    """policy/check_appArmorProfile.go `appArmorProfile_1_0`. Annotations print as
    `key="value"` (Go %q) inside the same unescaped quotes as the profile types."""
    bad_values: set[str] = set()
    paths: list[Path] = []
    profile = mapping(child(pod_security_context(spec), "appArmorProfile"))
    pod_type = None if profile is None else text(profile.get("type"))
    pod_bad = pod_type is not None and pod_type not in ALLOWED_PROFILE_TYPES
    if pod_type is not None and pod_bad:
        bad_values.add(pod_type)
        paths.append(("spec", "securityContext", "appArmorProfile", "type"))
    bad: list[str] = []
    for container, where in containers(spec):
        profile = mapping((security_context(container) or {}).get("appArmorProfile"))
        if profile is not None and text(profile.get("type")) not in ALLOWED_PROFILE_TYPES:
            bad.append(name(container))
            bad_values.add(text(profile.get("type")))
            paths.append((*where, "securityContext", "appArmorProfile", "type"))
    who = setters(pod_bad, bad)
    forbidden = []
    for key, value in (mapping(metadata.get("annotations")) or {}).items():
        value = text(value)
        if str(key).startswith(ANNOTATION_PREFIX) and not _allowed_annotation_value(value):
            forbidden.append((f"{key}={go_quote(value)}", str(key)))
    forbidden.sort()
    values = sorted(bad_values) + [shown for shown, _ in forbidden]
    if forbidden:
        who.append(pluralize("annotation", "annotations", len(forbidden)))
        paths.extend(("metadata", "annotations", key) for _, key in forbidden)
    if not who:
        return None
    return Violation(
        pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", len(values)),
        f"{' and '.join(who)} must not set AppArmor profile type to {join_quote(values)}",
        tuple(paths),
    )


def app_armor_profile_1_0_before_1_30(
    metadata: Mapping[str, Any], spec: Mapping[str, Any]
) -> Violation | None:
    """`appArmorProfile_1_0` as API servers before 1.30 have it (before the appArmorProfile
    fields, kubernetes PR #123435): the annotations only, their `key="value"` sorted and
    joined as the whole detail."""
    forbidden = sorted(
        (f"{key}={go_quote(text(value))}", str(key))
        for key, value in (mapping(metadata.get("annotations")) or {}).items()
        if str(key).startswith(ANNOTATION_PREFIX) and not _allowed_annotation_value(text(value))
    )
    if not forbidden:
        return None
    return Violation(
        pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", len(forbidden)),
        ", ".join(shown for shown, _ in forbidden),
        tuple(("metadata", "annotations", key) for _, key in forbidden),
    )


# Server releases whose copy of the function differs (see evaluate.py): the field check is in
# the single 1.0 version from the 1.30 release on, so it applies at every policy version there.
FIELDS_CHECKED_FROM_RELEASE = 30
RELEASE_CHANGES = {
    app_armor_profile_1_0: (FIELDS_CHECKED_FROM_RELEASE, app_armor_profile_1_0_before_1_30),
}

CHECKS = (Check("appArmorProfile", Level.BASELINE, (VersionedCheck(0, app_armor_profile_1_0),)),)
