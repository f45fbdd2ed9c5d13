"""The result types of the rollout model (see kubeplan/planner/rollout/plan.py for how they are made)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kubeplan.model import Resource

# A simulation never needs more controller syncs than this: long regular stretches of a rollout
# (a Deployment of millions of replicas rolled one pod at a time) are counted in closed form, not
# replayed (kubeplan/planner/rollout/deployment.py); past it kubeplan stops and says so rather
# than loop (a guard, not a controller rule).
MAX_STEPS = 10_000

# A rollout lists every step up to STEPS_HEAD + STEPS_TAIL of them; a longer one lists its first
# STEPS_HEAD and last STEPS_TAIL steps and counts the ones between exactly (`step_count`,
# `steps_elided`), so that the plan of a workload of ten million pods stays small.
STEPS_HEAD = 100
STEPS_TAIL = 100
# A StatefulSet step lists its ordinals up to this many; past it, as ranges (`ordinal_ranges`).
ORDINALS_LISTED = 100

# Ordinals as runs (first, last), inclusive, in the order the controller acts on them: (9, 5) is
# 9, 8, 7, 6, 5.
Runs = tuple[tuple[int, int], ...]


def runs_count(runs: Runs) -> int:
    return sum(abs(last - first) + 1 for first, last in runs)


def runs_slice(runs: Runs, skip: int, count: int) -> Runs:
    """`count` ordinals of `runs` after the first `skip`, as runs, in O(len(runs))."""
    out: list[tuple[int, int]] = []
    for first, last in runs:
        if count <= 0:
            break
        size = abs(last - first) + 1
        if skip >= size:
            skip -= size
            continue
        step = 1 if last >= first else -1
        take = min(size - skip, count)
        begin = first + step * skip
        out.append((begin, begin + step * (take - 1)))
        skip, count = 0, count - take
    return tuple(out)


def runs_list(runs: Runs) -> list[int]:
    """Every ordinal of `runs`; only for runs known to be small."""
    return [
        ordinal
        for first, last in runs
        for ordinal in range(first, last + (1 if last >= first else -1), 1 if last >= first else -1)
    ]


@dataclass
class RolloutStep:
    """One reconcile action of the controller, assuming new pods are ready at once and old ones
    terminate at once."""

    message: str  # like the controller's event: "Scaled up replica set web-<hash> to 2"
    old: int | None = None  # Deployment: old ReplicaSet(s) replicas after this step
    new: int | None = None  # Deployment: new ReplicaSet replicas after this step
    ordinals: list[int] | None = None  # StatefulSet: ordinals acted on, up to ORDINALS_LISTED
    ordinal_runs: Runs | None = None  # StatefulSet: the same ordinals as runs (any number)
    nodes: int | None = None  # DaemonSet: nodes updated in this step
    action: str | None = None  # StatefulSet: create | delete | update
    available: int | None = None  # pods available right after the step (not in JSON)

    def to_json(self) -> dict[str, Any]:
        """Only the fields of its kind: `{old, new}`, `{ordinals, action}` or `{nodes}`."""
        out: dict[str, Any] = {}
        if self.old is not None or self.new is not None:
            if self.old is not None:
                out["old"] = self.old
            if self.new is not None:
                out["new"] = self.new
        elif self.ordinals is not None or self.ordinal_runs is not None:
            if self.ordinals is not None:
                out["ordinals"] = list(self.ordinals)
            else:
                runs = self.ordinal_runs or ()
                out["ordinal_ranges"] = [list(run) for run in runs]
                out["pods"] = runs_count(runs)
            if self.action:
                out["action"] = self.action
        elif self.nodes is not None:
            out["nodes"] = self.nodes
        return out


@dataclass
class Rollout:
    resource: Resource
    strategy: str  # RollingUpdate | Recreate | OnDelete | Paused | Rejected | NextRun | NoRollout
    replicas: int | None  # desired (new) replicas; DaemonSet: nodes
    max_surge: int | None  # resolved absolute numbers
    max_unavailable: int | None
    steps: list[RolloutStep] = field(default_factory=list)
    summary: str = ""
    notes: list[str] = field(default_factory=list)
    # What the controller's timing knobs mean (minReadySeconds, progressDeadlineSeconds): the
    # same for every rollout of the kind, so the text plan shows it only with --verbose.
    timing: list[str] = field(default_factory=list)
    # When not every step is listed: the exact number of steps, and how many are left out after
    # the first STEPS_HEAD listed ones (the rest of `steps` are the last ones).
    step_count: int | None = None
    elided: int = 0
    elided_after: int = 0

    @property
    def total_steps(self) -> int:
        return len(self.steps) if self.step_count is None else self.step_count

    def set_steps(self, log: StepLog) -> None:
        self.steps, self.step_count = log.listed(), log.total
        self.elided, self.elided_after = log.elided, len(log.head)

    def to_json(self) -> dict[str, Any]:
        return {
            "resource": self.resource.ref(),
            "strategy": self.strategy,
            "replicas": self.replicas,
            "max_surge": self.max_surge,
            "max_unavailable": self.max_unavailable,
            "steps": [step.to_json() for step in self.steps],
            "step_count": self.total_steps,
            "steps_elided": (
                {"after": self.elided_after, "count": self.elided} if self.elided else None
            ),
            "summary": self.summary,
            "notes": [*self.notes, *self.timing],
        }


class StepLog:
    """The steps of a rollout as the controller takes them, in bounded memory: every step up to
    STEPS_HEAD + STEPS_TAIL, else the first STEPS_HEAD, the last STEPS_TAIL and an exact count.

    `skip(n)` counts n steps that are not built (a regular stretch counted in closed form); the
    steps listed before it stay the head, and only steps appended after it can be the tail."""

    def __init__(self) -> None:
        self.head: list[RolloutStep] = []
        self.tail: deque[RolloutStep] = deque(maxlen=STEPS_TAIL)
        self.total = 0
        self._head_open = True

    def append(self, step: RolloutStep) -> None:
        self.total += 1
        if self._head_open and len(self.head) < STEPS_HEAD:
            self.head.append(step)
        else:
            self._head_open = False
            self.tail.append(step)

    def skip(self, count: int) -> None:
        self.total += count
        self._head_open = False
        self.tail.clear()  # the steps before the gap are counted in it, not listed

    def listed(self) -> list[RolloutStep]:
        return [*self.head, *self.tail]

    @property
    def elided(self) -> int:
        return self.total - len(self.head) - len(self.tail)

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator[RolloutStep]:
        return iter(self.listed())

    @classmethod
    def indexed(cls, count: int, step_at: Callable[[int], RolloutStep]) -> StepLog:
        """The log of `count` steps where step i is `step_at(i)`: only the listed ones are built."""
        log = cls()
        if count <= STEPS_HEAD + STEPS_TAIL:
            for index in range(count):
                log.append(step_at(index))
            return log
        for index in range(STEPS_HEAD):
            log.append(step_at(index))
        log.skip(count - STEPS_HEAD - STEPS_TAIL)
        for index in range(count - STEPS_TAIL, count):
            log.append(step_at(index))
        return log
