"""Which checks run for a level and version, and the messages admission prints
(PSA `policy/registry.go`, `policy/checks.go`, `admission/admission.go`).

The registry is built as `populate` builds it: each check's versions are expanded to every
minor from 1.0 up to the newest check version; restricted runs its own checks plus the
baseline checks no restricted check of that version overrides; results come in the order of
the check IDs, baseline sorted, then restricted sorted. A requested version newer than the
evaluator's max version (the newest check version, lowered to the server's emulated minor,
`NewEvaluator(checks, emulationVersion)`) is clamped to it, so `latest` means the newest
policy the server's release knows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from kubeplan.admission.podsecurity.api import Level, LevelVersion, Version
from kubeplan.admission.podsecurity.checks import DEFAULT_CHECKS, RELEASE_CHANGES, Check, CheckFn
from kubeplan.admission.podsecurity.checks.volumes import VOLUME_SOURCES
from kubeplan.kube.goquote import go_quote

Path = tuple[str | int, ...]

# The newest MinimumVersion among DEFAULT_CHECKS (sysctls 1.37 on the 1.37 development line).
MAX_POLICY_MINOR = max(check.versions[-1].minimum for check in DEFAULT_CHECKS)
UNKNOWN_FORBIDDEN_REASON = "unknown forbidden reason"  # policy/checks.go


@dataclass(frozen=True)
class CheckResult:
    """One failing check: `ForbiddenReason`, `ForbiddenDetail`, and the offending fields
    relative to the pod (first = where a finding points; a missing required field is given
    where it should be)."""

    check_id: str
    reason: str
    detail: str
    paths: tuple[Path, ...]


Table = dict[int, tuple[tuple[str, CheckFn], ...]]


def _inflate(check: Check, max_minor: int) -> dict[int, Any]:
    """`inflateVersions`: minor -> the VersionedCheck in force at that minor."""
    out: dict[int, Any] = {}
    for index, versioned in enumerate(check.versions):
        end = (
            check.versions[index + 1].minimum if index + 1 < len(check.versions) else max_minor + 1
        )
        for minor in range(versioned.minimum, end):
            out[minor] = versioned
    return out


def _as_released(check_pod: CheckFn, server_minor: int) -> CheckFn:
    """The function a server of `server_minor` runs for `check_pod` (RELEASE_CHANGES)."""
    change = RELEASE_CHANGES.get(check_pod)
    if change is not None and server_minor < change[0]:
        return change[1]
    return check_pod


@cache
def _tables(server_minor: int) -> tuple[Table, Table]:
    """(baseline, restricted): minor -> ordered (check ID, function) (`populate`), with the
    functions as the server's release has them."""
    baseline_ids = sorted(c.id for c in DEFAULT_CHECKS if c.level is Level.BASELINE)
    restricted_ids = sorted(c.id for c in DEFAULT_CHECKS if c.level is Level.RESTRICTED)
    ordered = baseline_ids + restricted_ids
    inflated = {c.id: _inflate(c, MAX_POLICY_MINOR) for c in DEFAULT_CHECKS}
    baseline: Table = {}
    restricted: Table = {}
    for minor in range(MAX_POLICY_MINOR + 1):
        at = {cid: versions[minor] for cid, versions in inflated.items() if minor in versions}
        overridden = {
            override for cid in restricted_ids if cid in at for override in at[cid].overrides
        }
        baseline[minor] = tuple(
            (cid, _as_released(at[cid].check_pod, server_minor))
            for cid in baseline_ids
            if cid in at
        )
        restricted[minor] = tuple(
            (cid, _as_released(at[cid].check_pod, server_minor))
            for cid in ordered
            if cid in at and not (cid in baseline_ids and cid in overridden)
        )
    return baseline, restricted


def resolve_version(version: Version, server_minor: int) -> int:
    """The policy minor evaluated: `version`, clamped to the evaluator's max version
    (the newest check version, or the server's minor when that is older)."""
    max_minor = min(MAX_POLICY_MINOR, server_minor)
    if version.minor is None or version.minor > max_minor:
        return max_minor
    return version.minor


def checks_for(level_version: LevelVersion, *, server_minor: int) -> tuple[str, ...]:
    """The check IDs `EvaluatePod` runs for this level and version, in order."""
    if level_version.level is Level.PRIVILEGED:
        return ()
    baseline, restricted = _tables(server_minor)
    table = baseline if level_version.level is Level.BASELINE else restricted
    minor = resolve_version(level_version.version, server_minor)
    return tuple(cid for cid, _ in table.get(minor, ()))


def evaluate_pod(
    level_version: LevelVersion,
    metadata: Mapping[str, Any] | None,
    spec: Mapping[str, Any] | None,
    *,
    server_minor: int,
) -> list[CheckResult]:
    """`checkRegistry.EvaluatePod`, keeping the failing checks only, in PSA order.
    `metadata` and `spec` are the pod's (or the pod template's) as decoded."""
    if level_version.level is Level.PRIVILEGED:
        return []
    metadata = metadata if isinstance(metadata, Mapping) else {}
    spec = _defaulted_volumes(spec) if isinstance(spec, Mapping) else {}
    baseline, restricted = _tables(server_minor)
    table = baseline if level_version.level is Level.BASELINE else restricted
    minor = resolve_version(level_version.version, server_minor)
    results = []
    for check_id, check_pod in table.get(minor, ()):
        violation = check_pod(metadata, spec)
        if violation is not None:
            results.append(
                CheckResult(
                    check_id,
                    violation.reason or UNKNOWN_FORBIDDEN_REASON,
                    violation.detail,
                    violation.paths,
                )
            )
    return results


def _defaulted_volumes(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    """pkg/apis/core/v1/defaults.go `SetDefaults_Volume` (pods and pod templates alike): a
    volume that sets no volume source is an emptyDir by the time admission sees it (PSA
    test/fixtures_restrictedVolumes.go passes `volume0`, "implicit empty dir")."""
    volumes = spec.get("volumes")
    if not isinstance(volumes, list) or not any(_no_source(v) for v in volumes):
        return spec
    patched = [{**v, "emptyDir": {}} if _no_source(v) else v for v in volumes]
    return {**spec, "volumes": patched}


def _no_source(volume: Any) -> bool:
    return isinstance(volume, Mapping) and all(volume.get(key) is None for key in VOLUME_SOURCES)


def forbidden_detail(results: Sequence[CheckResult]) -> str:
    """`AggregateCheckResult.ForbiddenDetail`: `reason (detail)` (or the bare reason when the
    detail is empty), joined by ", "."""
    return ", ".join(
        f"{result.reason} ({result.detail})" if result.detail else result.reason
        for result in results
    )


def forbidden_reason(results: Sequence[CheckResult]) -> str:
    """`AggregateCheckResult.ForbiddenReason`: the reasons only (namespace relabel warnings)."""
    return ", ".join(result.reason for result in results)


def violation_message(
    level_version: LevelVersion, results: Sequence[CheckResult], *, enforce: bool
) -> str:
    """admission.go `EvaluatePod`: `violates PodSecurity "<lv>": ...` (enforce, the Forbidden
    error) or `would violate PodSecurity "<lv>": ...` (warn and audit)."""
    verb = "violates" if enforce else "would violate"
    return f"{verb} PodSecurity {go_quote(level_version.text)}: {forbidden_detail(results)}"
