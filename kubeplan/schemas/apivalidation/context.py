"""What a validator needs besides the object: the release it validates for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Context:
    """`minor` is the Kubernetes minor release (37 for 1.37): rules that changed between
    releases (feature gates that graduated, relaxed formats) follow it."""

    minor: int

    def at_least(self, minor: int) -> bool:
        return self.minor >= minor
