"""Images: mutable tags, pull policy, digests.

Semantics and sources are cited row by row in the YAML file beside this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube.values import as_str as _str
from kubeplan.kube.workloads import ContainerRef
from kubeplan.model import Resource
from kubeplan.rules.builtin.security.common import (
    who,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """`registry:5000/app:1.2@sha256:...` -> (`registry:5000/app`, `1.2`, `sha256:...`)."""
    name, _, digest = image.partition("@")
    repository, tag = name, None
    if ":" in name.rsplit("/", 1)[-1]:
        repository, tag = name.rsplit(":", 1)
    return repository, tag or None, digest or None


def _image_parts(ref: ContainerRef) -> tuple[str, str | None, str | None] | None:
    """(image, tag, digest) of a container that names an image."""
    image = _str(ref.container.get("image"))
    if image is None:
        return None
    _, tag, digest = split_image(image.strip())
    return image, tag, digest


@check("image-latest-tag")
def image_latest_tag(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    found = _image_parts(ref)
    if found is None:
        return
    image, tag, digest = found
    if digest is not None or (tag is not None and tag != "latest"):
        return
    how = "the :latest tag" if tag == "latest" else "no tag, so :latest"
    yield Violation(
        (*ref.path, "image"),
        f'{who(ref)} uses image "{image}" with {how}; a restart can pull different code',
    )


@check("image-pull-policy")
def image_pull_policy(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    found = _image_parts(ref)
    if found is None:
        return
    _image, tag, digest = found
    policy = _str(ref.container.get("imagePullPolicy"))
    if policy is None:
        # Defaulted from the tag (pkg/apis/core/v1/defaults.go, SetDefaults_Container).
        if tag == "latest" or (tag is None and digest is None):
            return
        how = "IfNotPresent (the default for an image with a tag or digest)"
    elif policy == "Always":
        return
    else:
        how = policy
    yield Violation(
        (*ref.path, "imagePullPolicy"),
        f"{who(ref)} has imagePullPolicy {how}; a cached image is used without checking the"
        " registry or the pod's pull credentials",
    )


@check("image-not-pinned-by-digest")
def image_not_pinned_by_digest(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    found = _image_parts(ref)
    if found is None:
        return
    image, _tag, digest = found
    if digest is None:
        yield Violation(
            (*ref.path, "image"),
            f'{who(ref)} uses image "{image}", not pinned by digest (@sha256:...)',
        )
