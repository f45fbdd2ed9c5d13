"""Helpers shared by the rollout modules: reading manifest values, wording, naming."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from kubeplan.kube.values import as_dict, as_int
from kubeplan.planner.rollout.model import ORDINALS_LISTED, Runs, runs_count, runs_list

__all__ = [
    "int_or",
    "ordinals",
    "plural",
    "replica_set_name",
    "template_of",
    "timing_notes",
    "unfinished_note",
    "verb",
]

# The alphabet of rand.SafeEncodeString (staging/src/k8s.io/apimachinery/pkg/util/rand/rand.go),
# which encodes the real pod-template-hash.
_HASH_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def replica_set_name(name: str, template: Any) -> str:
    """`<name>-<hash>` for the ReplicaSet of a pod template.

    A stable placeholder, NOT the cluster's pod-template-hash: that one is FNV-32a over Go's `%v`
    dump of the PodTemplateSpec (pkg/controller/controller_utils.go ComputeHash) and cannot be
    reproduced offline. This one is 10 characters from a SHA-256 of the template's canonical JSON,
    in the same alphabet, so equal templates get equal names and different ones differ."""
    text = json.dumps(template, sort_keys=True, separators=(",", ":"), default=str)
    digest = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    chars = []
    for _ in range(10):
        digest, index = divmod(digest, len(_HASH_ALPHABET))
        chars.append(_HASH_ALPHABET[index])
    return f"{name}-{''.join(chars)}"


def int_or(value: Any, default: int) -> int:
    """An integer field, or `default` when it is absent or not an integer."""
    number = as_int(value)
    return default if number is None else number


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def ordinals(runs: Runs) -> str:
    """`ordinal 2`, `ordinals 0, 1`; past ORDINALS_LISTED of them, as ranges with a count:
    `ordinals 9999999 to 0 (10000000)`."""
    count = runs_count(runs)
    word = "ordinal" if count == 1 else "ordinals"
    if count <= ORDINALS_LISTED:
        return f"{word} {', '.join(str(v) for v in runs_list(runs))}"
    spans = ", ".join(f"{a} to {b}" if a != b else str(a) for a, b in runs)
    return f"{word} {spans} ({count})"


def verb(runs: Runs, word: str) -> str:
    """The verb agreeing with `ordinals(runs)`: `waits` / `wait`."""
    return f"{word}s" if runs_count(runs) == 1 else word


def unfinished_note(kind: str, detail: str) -> str:
    """A live base whose status shows the previous rollout still under way."""
    return (
        f"the live {kind} has not finished its previous rollout ({detail}); the steps above"
        " assume it had, so the first ones may differ"
    )


def template_of(body: dict[str, Any] | None, *path: str) -> Any:
    """The value at `path` (`"spec", "template"`), None where a level is missing."""
    node: Any = body
    for key in path:
        node = as_dict(node).get(key)
    return node


def timing_notes(spec: dict[str, Any], deadline: bool) -> list[str]:
    """minReadySeconds (every workload) and progressDeadlineSeconds (a Deployment), one note."""
    min_ready = int_or(spec.get("minReadySeconds"), 0)
    note = (
        f"minReadySeconds {min_ready}: a new pod counts as available {min_ready}s after it is"
        " ready, and each step waits for that"
        if min_ready
        else "minReadySeconds 0: a new pod counts as available as soon as it is ready"
    )
    if deadline:
        pds = int_or(spec.get("progressDeadlineSeconds"), 600)
        note += (
            f"; progressDeadlineSeconds {pds}: if no step completes for {pds}s the Deployment is"
            " marked ProgressDeadlineExceeded, and nothing is rolled back"
            " (pkg/controller/deployment/progress.go)"
        )
    return [note]
