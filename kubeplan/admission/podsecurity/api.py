"""Levels, versions and the namespace labels that choose them (PSA `api/constants.go`,
`api/helpers.go`), and the rule `admission/admission.go` uses to decide whether a relabel is
checked against the namespace's existing pods.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from kubeplan.kube.goquote import go_quote

# api/constants.go
LABEL_PREFIX = "pod-security.kubernetes.io/"
ENFORCE_LEVEL_LABEL = LABEL_PREFIX + "enforce"
ENFORCE_VERSION_LABEL = LABEL_PREFIX + "enforce-version"
AUDIT_LEVEL_LABEL = LABEL_PREFIX + "audit"
AUDIT_VERSION_LABEL = LABEL_PREFIX + "audit-version"
WARN_LEVEL_LABEL = LABEL_PREFIX + "warn"
WARN_VERSION_LABEL = LABEL_PREFIX + "warn-version"
LABELS = (
    ENFORCE_LEVEL_LABEL,
    ENFORCE_VERSION_LABEL,
    AUDIT_LEVEL_LABEL,
    AUDIT_VERSION_LABEL,
    WARN_LEVEL_LABEL,
    WARN_VERSION_LABEL,
)


class Level(StrEnum):
    """api/constants.go `Level`; the order of `validLevels` is the order of the error text."""

    PRIVILEGED = "privileged"
    BASELINE = "baseline"
    RESTRICTED = "restricted"

    def __str__(self) -> str:
        return self.value


LEVEL_ERROR = "must be one of privileged, baseline, restricted"  # ParseLevel
VERSION_ERROR = 'must be "latest" or "v1.x"'  # ParseVersion
_VERSION_RE = re.compile(r"v1\.([0-9]|[1-9][0-9]*)")  # api/helpers.go versionRegexp (anchored)


@dataclass(frozen=True, order=False)
class Version:
    """A policy version: `v1.<minor>`, or latest (`minor` None), newer than every version."""

    minor: int | None

    @property
    def latest(self) -> bool:
        return self.minor is None

    def older(self, other: Version) -> bool:
        """`Version.Older`: latest is never older; every version is older than latest."""
        if self.minor is None:
            return False
        if other.minor is None:
            return True
        return self.minor < other.minor

    def __str__(self) -> str:
        return "latest" if self.minor is None else f"v1.{self.minor}"


LATEST = Version(None)


@dataclass(frozen=True)
class LevelVersion:
    """A level at a version; `text` is `LevelVersion.String` ("restricted:latest"), the form
    every PSA message prints. Equality compares level and version."""

    level: Level
    version: Version
    text: str = ""

    def __post_init__(self) -> None:
        if not self.text:
            object.__setattr__(self, "text", f"{self.level.value}:{self.version}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LevelVersion):
            return NotImplemented
        return (self.level, self.version) == (other.level, other.version)

    def __hash__(self) -> int:
        return hash((self.level, self.version))

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Policy:
    enforce: LevelVersion
    audit: LevelVersion
    warn: LevelVersion

    @property
    def fully_privileged(self) -> bool:
        """`Policy.FullyPrivileged`: nothing to evaluate in any mode."""
        return all(lv.level is Level.PRIVILEGED for lv in (self.enforce, self.audit, self.warn))


@dataclass(frozen=True)
class PolicyDefaults:
    """`defaults` of a PodSecurityConfiguration, as written (label spelling)."""

    enforce: str = "privileged"
    enforce_version: str = "latest"
    audit: str = "privileged"
    audit_version: str = "latest"
    warn: str = "privileged"
    warn_version: str = "latest"

    def to_policy(self) -> Policy:
        """admission/api `ToPolicy`: the configuration is validated before, so a bad value
        here falls back the way `ParseLevel`/`ParseVersion` do."""
        return Policy(
            enforce=LevelVersion(
                parse_level(self.enforce)[0], parse_version(self.enforce_version)[0]
            ),
            audit=LevelVersion(parse_level(self.audit)[0], parse_version(self.audit_version)[0]),
            warn=LevelVersion(parse_level(self.warn)[0], parse_version(self.warn_version)[0]),
        )


PRIVILEGED_DEFAULTS = (
    PolicyDefaults()
)  # admission/api/v1/defaults.go SetDefaults_PodSecurityDefaults


@dataclass(frozen=True)
class LabelError:
    """One invalid PSA label: `field.Invalid(metadata.labels[<label>], value, message)` as
    `PolicyToEvaluate` builds it and `ValidateNamespace` returns it."""

    label: str
    value: str
    message: str

    @property
    def field(self) -> str:
        return f"metadata.labels[{self.label}]"

    def __str__(self) -> str:
        """field.Error.Error: `metadata.labels[...]: Invalid value: "foo": must be ...`."""
        return f"{self.field}: Invalid value: {go_quote(self.value)}: {self.message}"


def parse_level(text: str) -> tuple[Level, str | None]:
    """`ParseLevel`: an unknown level is restricted, with the error (fail closed)."""
    for level in Level:
        if text == level.value:
            return level, None
    return Level.RESTRICTED, LEVEL_ERROR


def parse_version(text: str) -> tuple[Version, str | None]:
    """`ParseVersion`: "latest" or `v1.<minor>` (no leading zero); otherwise latest, with the
    error."""
    if text == "latest":
        return LATEST, None
    match = _VERSION_RE.fullmatch(text)
    if match is None:
        return LATEST, VERSION_ERROR
    return Version(int(match.group(1))), None


def compare_levels(a: Level, b: Level) -> int:
    """`CompareLevels`: 1 when `a` is stricter than `b`, -1 when laxer, 0 when equal."""
    order = {Level.PRIVILEGED: 0, Level.BASELINE: 1, Level.RESTRICTED: 2}
    return (order[a] > order[b]) - (order[a] < order[b])


def policy_to_evaluate(
    labels: Mapping[str, str] | None, defaults: PolicyDefaults = PRIVILEGED_DEFAULTS
) -> tuple[Policy, list[LabelError]]:
    """`PolicyToEvaluate`: the configured defaults, overridden label by label.

    An invalid enforce level is restricted (fail closed); an invalid warn or audit level is
    privileged (fail open); an invalid version is latest. When enforce is labelled validly and
    warn is not labelled, warn takes the enforce level if that is stricter than the default
    warn level, and the enforce version unless warn-version is labelled."""
    base = defaults.to_policy()
    if not labels:
        return base, []
    errors: list[LabelError] = []

    def value_of(label: str) -> str | None:
        value = labels.get(label)
        return None if value is None else str(value)

    def level(label: str, current: Level, fail_open: bool) -> tuple[Level, bool]:
        text = value_of(label)
        if text is None:
            return current, False
        parsed, error = parse_level(text)
        if error is not None:
            errors.append(LabelError(label, text, error))
            return (Level.PRIVILEGED if fail_open else parsed), False
        return parsed, True

    def version(label: str, current: Version) -> Version:
        text = value_of(label)
        if text is None:
            return current
        parsed, error = parse_version(text)
        if error is not None:
            errors.append(LabelError(label, text, error))
        return parsed

    enforce_level, enforce_valid = level(ENFORCE_LEVEL_LABEL, base.enforce.level, False)
    enforce_version = version(ENFORCE_VERSION_LABEL, base.enforce.version)
    audit_level, _ = level(AUDIT_LEVEL_LABEL, base.audit.level, True)
    audit_version = version(AUDIT_VERSION_LABEL, base.audit.version)
    warn_level, _ = level(WARN_LEVEL_LABEL, base.warn.level, True)
    warn_version = version(WARN_VERSION_LABEL, base.warn.version)

    has_warn_level = WARN_LEVEL_LABEL in labels
    if not has_warn_level and enforce_valid and compare_levels(enforce_level, warn_level) > 0:
        warn_level = enforce_level
        if WARN_VERSION_LABEL not in labels:
            warn_version = enforce_version
    policy = Policy(
        enforce=LevelVersion(enforce_level, enforce_version),
        audit=LevelVersion(audit_level, audit_version),
        warn=LevelVersion(warn_level, warn_version),
    )
    return policy, errors


def is_stricter(new: LevelVersion, old: LevelVersion) -> bool:
    """Whether an enforce change from `old` to `new` makes `ValidateNamespace` (UPDATE) evaluate
    the namespace's existing pods (warnings only): not when unchanged, not when the new level
    is privileged, not when the version is the same and the level is equal or laxer. A version
    change at the same level counts."""
    if new == old or new.level is Level.PRIVILEGED:
        return False
    return not (new.version == old.version and compare_levels(new.level, old.level) < 1)
