"""k8s.io/pod-security-admission `api/helpers_test.go` (TestParseVersion, TestPolicyToEvaluate,
TestLevelVersionEquals, TestPolicyEquals), the error texts `ValidateNamespace` returns, and the
relabel rule of `admission/admission.go` (`is_stricter`)."""

from __future__ import annotations

import pytest

from kubeplan.admission.podsecurity.api import (
    LATEST,
    PRIVILEGED_DEFAULTS,
    LabelError,
    Level,
    LevelVersion,
    Policy,
    PolicyDefaults,
    Version,
    compare_levels,
    is_stricter,
    parse_level,
    parse_version,
    policy_to_evaluate,
)

P, B, R = Level.PRIVILEGED, Level.BASELINE, Level.RESTRICTED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("latest", LATEST),
        ("v1.0", Version(0)),
        ("v1.1", Version(1)),
        ("v1.20", Version(20)),
        ("v1.10000", Version(10000)),
    ],
    ids=lambda v: f"TestParseVersion/{v}" if isinstance(v, str) else "",
)
def test_parse_version_successes(text: str, expected: Version) -> None:
    assert parse_version(text) == (expected, None)


@pytest.mark.parametrize(
    "text",
    ["foo", "", "v2.0", "v1", "1.1", "v1.01", "v1.", "v1.-1", " v1.2", "v1.2\n"],
    ids=lambda v: f"TestParseVersion/{v!r}",
)
def test_parse_version_failures_fall_back_to_latest(text: str) -> None:
    assert parse_version(text) == (LATEST, 'must be "latest" or "v1.x"')


def test_parse_level_fails_closed() -> None:
    """`ParseLevel`: an unknown level is restricted, with the error."""
    assert parse_level("baseline") == (B, None)
    assert parse_level("Baseline") == (R, "must be one of privileged, baseline, restricted")
    assert parse_level("") == (R, "must be one of privileged, baseline, restricted")


def lv(level: Level, minor: int | None = None) -> LevelVersion:
    return LevelVersion(level, Version(minor))


PRIV = lv(P)


def labels(**kvs: str) -> dict[str, str]:
    """`makeLabels`: the PSA labels plus an unrelated one."""
    out = {"other-label": "foo-bar"}
    for key, value in kvs.items():
        out["pod-security.kubernetes.io/" + key.replace("_", "-")] = value
    return out


# TestPolicyToEvaluate: (desc, labels, enforce, warn, audit, expect errors)
POLICY_CASES = [
    ("simple enforce", labels(enforce="baseline"), lv(B), lv(B), PRIV, False),
    ("simple warn", labels(warn="restricted"), PRIV, lv(R), PRIV, False),
    ("simple audit", labels(audit="baseline"), PRIV, PRIV, lv(B), False),
    ("enforce & warn", labels(enforce="baseline", warn="restricted"), lv(B), lv(R), PRIV, False),
    (
        "enforce version",
        labels(enforce="baseline", enforce_version="v1.22"),
        lv(B, 22),
        lv(B, 22),
        PRIV,
        False,
    ),
    (
        "enforce version & warn-version",
        labels(enforce="baseline", enforce_version="v1.22", warn_version="latest"),
        lv(B, 22),
        lv(B),
        PRIV,
        False,
    ),
    (
        "enforce & warn-version",
        labels(enforce="baseline", warn_version="v1.23"),
        lv(B),
        lv(B, 23),
        PRIV,
        False,
    ),
    (
        "fully specd",
        labels(
            enforce="baseline",
            enforce_version="v1.20",
            warn="restricted",
            warn_version="v1.21",
            audit="restricted",
            audit_version="v1.22",
        ),
        lv(B, 20),
        lv(R, 21),
        lv(R, 22),
        False,
    ),
    ("enforce no warn", labels(enforce="baseline", warn="privileged"), lv(B), PRIV, PRIV, False),
    ("enforce warn error", labels(enforce="baseline", warn="foo"), lv(B), PRIV, PRIV, True),
    ("enforce error", labels(enforce="foo"), lv(R), PRIV, PRIV, True),
]


@pytest.mark.parametrize(
    ("given", "enforce", "warn", "audit", "expect_error"),
    [case[1:] for case in POLICY_CASES],
    ids=[f"TestPolicyToEvaluate/{case[0]}" for case in POLICY_CASES],
)
def test_policy_to_evaluate(
    given: dict[str, str],
    enforce: LevelVersion,
    warn: LevelVersion,
    audit: LevelVersion,
    expect_error: bool,
) -> None:
    policy, errors = policy_to_evaluate(given, PRIVILEGED_DEFAULTS)
    assert bool(errors) == expect_error
    assert policy == Policy(enforce=enforce, audit=audit, warn=warn)


def test_no_labels_is_the_defaults() -> None:
    defaults = PolicyDefaults(enforce="baseline", warn="restricted", warn_version="v1.30")
    assert policy_to_evaluate({}, defaults) == (
        Policy(enforce=lv(B), audit=PRIV, warn=lv(R, 30)),
        [],
    )
    assert policy_to_evaluate(None, defaults)[0].warn.text == "restricted:v1.30"


def test_warn_is_not_raised_above_a_stricter_default_warn() -> None:
    """Warn takes the enforce level only when enforce is stricter than the default warn."""
    defaults = PolicyDefaults(warn="restricted")
    policy, _ = policy_to_evaluate(labels(enforce="baseline"), defaults)
    assert policy.warn == lv(R)


def test_invalid_audit_fails_open_and_invalid_version_is_latest() -> None:
    policy, errors = policy_to_evaluate(
        labels(audit="strict", audit_version="1.30", enforce="baseline", enforce_version="v1.01"),
        PRIVILEGED_DEFAULTS,
    )
    assert policy.audit == PRIV
    assert policy.enforce == lv(B)
    assert [str(e) for e in errors] == [
        'metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: "v1.01": '
        'must be "latest" or "v1.x"',
        'metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: "strict": must be one '
        "of privileged, baseline, restricted",
        'metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: "1.30": '
        'must be "latest" or "v1.x"',
    ]
    assert errors[1] == LabelError(
        "pod-security.kubernetes.io/audit",
        "strict",
        "must be one of privileged, baseline, restricted",
    )


def test_level_version_text_and_equality() -> None:
    """`LevelVersion.String`; TestLevelVersionEquals compares level and version."""
    assert lv(R).text == "restricted:latest"
    assert str(lv(B, 29)) == "baseline:v1.29"
    assert lv(B, 18) == lv(B, 18) and lv(B, 18) != lv(B, 16) and lv(B) != lv(R)
    assert LevelVersion(B, Version(18), "baseline:v1.18") == lv(B, 18)


def test_policy_fully_privileged() -> None:
    """TestPolicyEquals: FullyPrivileged ignores versions."""
    assert Policy(PRIV, PRIV, lv(P, 20)).fully_privileged
    assert not Policy(PRIV, lv(B), PRIV).fully_privileged


def test_version_older() -> None:
    assert Version(20).older(Version(21)) and Version(20).older(LATEST)
    assert not LATEST.older(Version(99)) and not LATEST.older(LATEST)
    assert compare_levels(R, B) == 1 and compare_levels(P, B) == -1 and compare_levels(B, B) == 0


@pytest.mark.parametrize(
    ("old", "new", "checked"),
    [
        (PRIV, lv(B), True),
        (lv(B), lv(R), True),
        (lv(R), lv(B), False),  # relaxed at the same version
        (lv(B), lv(B), False),  # unchanged
        (lv(R), PRIV, False),  # privileged is never checked
        (lv(R, 20), lv(R), True),  # a version change counts, even at the same level
        (lv(R), lv(B, 30), True),  # a laxer level at another version is checked too
    ],
)
def test_is_stricter_follows_validate_namespace(
    old: LevelVersion, new: LevelVersion, checked: bool
) -> None:
    assert is_stricter(new, old) is checked
