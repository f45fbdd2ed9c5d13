"""Image references, and the imagePullPolicy the API server gives a container without one.

The grammar is github.com/distribution/reference regexp.go (`ReferenceRegexp`: an optional
registry host with port, lowercase path components, an optional tag, an optional digest), as
`ParseNormalizedNamed` (normalize.go) applies it; Kubernetes reads references with it in
pkg/util/parsers/parsers.go `ParseImageName`, which returns the tag "latest" for a reference
with neither tag nor digest, and an error (and no tag) for one that does not parse.

pkg/apis/core/v1/defaults.go `SetDefaults_Container` then sets imagePullPolicy `Always` when
that tag is "latest" and `IfNotPresent` otherwise; it ignores the parse error, so a reference
that does not parse (`Nginx`, ` nginx`) gets `IfNotPresent`. A reference with both a tag and a
digest keeps its tag (`app:latest@sha256:...` is `Always`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_REFERENCE = re.compile(
    rf"^(?:(?P<domain>[a-zA-Z0-9.-]+(?::[0-9]+)?)/)?"
    rf"(?P<path>{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?\Z"
)


@dataclass(frozen=True, slots=True)
class ImageRef:
    """A parsed reference: `registry:5000/app:1.2@sha256:...`; tag and digest "" when absent."""

    name: str
    tag: str
    digest: str


def parse_image(image: Any) -> ImageRef | None:
    """The reference as ParseNormalizedNamed reads it, or None when it does not parse."""
    if not isinstance(image, str):
        return None
    match = _REFERENCE.match(image)
    if match is None:
        return None
    domain = match["domain"]
    name = f"{domain}/{match['path']}" if domain else match["path"]
    return ImageRef(name, match["tag"] or "", match["digest"] or "")


def default_pull_policy(image: Any) -> str:
    """`SetDefaults_Container`: Always when ParseImageName's tag is "latest", else IfNotPresent."""
    ref = parse_image(image)
    if ref is not None and (ref.tag == "latest" or (not ref.tag and not ref.digest)):
        return "Always"
    return "IfNotPresent"
