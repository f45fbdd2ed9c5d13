"""Images: mutable tags, pull policy, digests.

Semantics and sources are cited row by row in the YAML file beside this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube.images import ImageRef, default_pull_policy, parse_image
from kubeplan.kube.values import as_str as _str
from kubeplan.kube.workloads import ContainerRef
from kubeplan.model import Resource
from kubeplan.rules.builtin.security.common import (
    who,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check


def _image_parts(ref: ContainerRef) -> tuple[str, ImageRef | None] | None:
    """(image, its reference or None when it does not parse) of a container that names one."""
    image = _str(ref.container.get("image"))
    if image is None:
        return None
    return image, parse_image(image)


@check("image-latest-tag")
def image_latest_tag(
    ref: ContainerRef, resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    found = _image_parts(ref)
    if found is None:
        return
    image, parsed = found
    # A reference that does not parse has no tag to Kubernetes (ParseImageName errs; see
    # kube/images.py): it is not "latest", and the kubelet refuses it (InvalidImageName).
    if parsed is None or parsed.digest or (parsed.tag and parsed.tag != "latest"):
        return
    how = "the :latest tag" if parsed.tag == "latest" else "no tag, so :latest"
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
    image, parsed = found
    policy = _str(ref.container.get("imagePullPolicy"))
    if policy is None:
        # Defaulted from the tag (pkg/apis/core/v1/defaults.go, SetDefaults_Container).
        if default_pull_policy(image) == "Always":
            return
        how = (
            "IfNotPresent (the default for an image with a tag or digest)"
            if parsed is not None
            else "IfNotPresent (the default for an image reference that does not parse)"
        )
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
    image, parsed = found
    if parsed is None or not parsed.digest:
        yield Violation(
            (*ref.path, "image"),
            f'{who(ref)} uses image "{image}", not pinned by digest (@sha256:...)',
        )
