"""The Kubernetes facts of kubeplan/kube/, each checked against the source it cites."""

from __future__ import annotations

import pytest

from kubeplan.kube.images import ImageRef, default_pull_policy, parse_image

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("r:5000/a/b:1@" + DIGEST, ImageRef("r:5000/a/b", "1", DIGEST)),
        ("r:5000/a", ImageRef("r:5000/a", "", "")),
        ("localhost:5000", ImageRef("localhost", "5000", "")),  # a single element: name:tag
        ("nginx", ImageRef("nginx", "", "")),
        # distribution/reference: path components are lowercase; Go's `$` does not match
        # before a final newline; a digest needs 32 hex digits or more.
        ("Nginx", None),
        ("nginx\n", None),
        (" nginx", None),
        ("nginx@sha256:x", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_image(image: object, expected: ImageRef | None) -> None:
    assert parse_image(image) == expected


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),
        ("nginx:latest@" + DIGEST, "Always"),
        ("nginx@" + DIGEST, "IfNotPresent"),
        ("nginx:1.27", "IfNotPresent"),
        # pkg/apis/core/v1/defaults.go ignores ParseImageName's error: the tag is "", not latest
        ("Nginx", "IfNotPresent"),
        ("nginx:1.27 ", "IfNotPresent"),
    ],
)
def test_default_pull_policy(image: str, policy: str) -> None:
    assert default_pull_policy(image) == policy
