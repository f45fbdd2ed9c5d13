"""Images: mutable tags, pull policy, digests.

Semantics and sources are cited row by row in the YAML file beside this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.model import Resource
from kubeplan.rules import workloads
from kubeplan.rules.builtin.security.common import (
    who,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check
from kubeplan.rules.values import as_str as _str
from kubeplan.rules.workloads import ContainerRef


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """`registry:5000/app:1.2@sha256:...` -> (`registry:5000/app`, `1.2`, `sha256:...`)."""
    name, _, digest = image.partition("@")
    repository, tag = name, None
    if ":" in name.rsplit("/", 1)[-1]:
        repository, tag = name.rsplit(":", 1)
    return repository, tag or None, digest or None


def _images(resource: Resource) -> Iterator[tuple[ContainerRef, str, str | None, str | None]]:
    for ref in workloads.containers(resource):
        image = _str(ref.container.get("image"))
        if image is not None:
            _, tag, digest = split_image(image.strip())
            yield ref, image, tag, digest


@check("image-latest-tag")
def image_latest_tag(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for ref, image, tag, digest in _images(resource):
        if digest is not None or (tag is not None and tag != "latest"):
            continue
        how = "the :latest tag" if tag == "latest" else "no tag, so :latest"
        yield Violation(
            (*ref.path, "image"),
            f'{who(ref)} uses image "{image}" with {how}; a restart can pull different code',
        )


@check("image-pull-policy")
def image_pull_policy(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for ref, _image, tag, digest in _images(resource):
        policy = _str(ref.container.get("imagePullPolicy"))
        if policy is None:
            # Defaulted from the tag (pkg/apis/core/v1/defaults.go, SetDefaults_Container).
            if tag == "latest" or (tag is None and digest is None):
                continue
            how = "IfNotPresent (the default for an image with a tag or digest)"
        elif policy == "Always":
            continue
        else:
            how = policy
        yield Violation(
            (*ref.path, "imagePullPolicy"),
            f"{who(ref)} has imagePullPolicy {how}; a cached image is used without checking the"
            " registry or the pod's pull credentials",
        )


@check("image-not-pinned-by-digest")
def image_not_pinned_by_digest(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for ref, image, _tag, digest in _images(resource):
        if digest is None:
            yield Violation(
                (*ref.path, "image"),
                f'{who(ref)} uses image "{image}", not pinned by digest (@sha256:...)',
            )
