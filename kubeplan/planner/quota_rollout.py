"""A rollout against the namespace's ResourceQuotas: during a RollingUpdate the old and the new
pods are charged at once, so a rollout that fits at rest can stop at its first surge.

The Deployment controller scales the new ReplicaSet up by maxSurge before it removes an old
pod (pkg/controller/deployment/rolling.go `reconcileNewReplicaSet`); each pod it creates is
checked by quota admission against `status.used`, in which the old pods stay charged until
they are gone (apiserver pkg/admission/plugin/resourcequota/controller.go `CheckRequest`;
pkg/quota/v1/evaluator/core/pods.go `QuotaV1Pod`). A refused create is retried, so:

- with maxUnavailable 0, the old pods are never scaled down while a new one is missing
  (`maxScaledDown = allPods - minAvailable - newUnavailable`): the rollout stops for good;
- with maxUnavailable of 1 or more, the controller scales old pods down within that budget and
  the refused creates succeed once the quota controller has recounted: the rollout goes on,
  more slowly, with fewer pods serving;
- when even the new revision at rest does not fit, the rollout can never finish.

kubeplan replays the controller's steps (kubeplan/planner/rollout/deployment.py) with every new
pod ready at once, and charges other workloads of the namespace as they run at rest.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from kubeplan.admission.ledger import Ledger, pod_usage
from kubeplan.kube.quantity import format_quantity
from kubeplan.model import Finding, Severity, finding_for

STALL = "quota-rollout-stall"
EXCEEDED = "quota-exceeded"
# A maxSurge lower than the current one is looked for among this many values at most.
_SURGE_TRIES = 64


@dataclass
class _Charge:
    """One quota's view of the rollout: hard, what else runs, a pod of each template."""

    name: str
    hard: dict[str, Fraction]
    others: dict[str, Fraction]
    old_pod: dict[str, Fraction]
    new_pod: dict[str, Fraction]

    def at(self, old: int, new: int) -> dict[str, Fraction]:
        keys = set(self.hard)
        return {
            k: self.others.get(k, Fraction(0))
            + old * self.old_pod.get(k, Fraction(0))
            + new * self.new_pod.get(k, Fraction(0))
            for k in keys
        }

    def over(self, old: int, new: int) -> dict[str, Fraction]:
        total = self.at(old, new)
        return {k: total[k] - self.hard[k] for k in self.hard if total[k] > self.hard[k]}


def rollout_quota_findings(
    step: Any, ledger: Ledger, old_spec: Any, new_spec: Any
) -> list[Finding]:
    """The quota findings of one workload's rollout (an update whose pods roll or scale)."""
    rollout = step.rollout
    resource = step.resource
    namespace = resource.namespace or ""
    if rollout is None or not ledger.covers(namespace) or new_spec is None:
        return []
    pair = step.change.pair
    old_replicas = _replicas(pair.old_body)
    new_replicas = rollout.replicas if rollout.replicas is not None else _replicas(pair.new_body)
    charges = _charges(ledger, namespace, pair, old_spec, new_spec, old_replicas)
    if not charges:
        return []
    for charge in charges:
        over = charge.over(0, new_replicas)
        if over:
            needed = charge.at(0, new_replicas)
            return [
                finding_for(
                    resource,
                    EXCEEDED,
                    Severity.ERROR,
                    f"the rollout can never finish: {new_replicas} pods of the new template need"
                    f" {_amounts(needed, over)} in quota {charge.name}, whose hard limit is"
                    f" {_amounts(charge.hard, over)}; the last new pods are refused and the"
                    " rollout stalls",
                    ("spec", "template", "spec"),
                )
            ]
    counts = [(s.old, s.new) for s in rollout.steps if s.old is not None and s.new is not None]
    for index, (old, new) in enumerate(counts, start=1):
        for charge in charges:
            over = charge.over(old, new)
            if not over:
                continue
            return [_stall(step, charge, index, rollout, old, new, over, pair)]
    return []


def _stall(
    step: Any,
    charge: _Charge,
    index: int,
    rollout: Any,
    old: int,
    new: int,
    over: Mapping[str, Fraction],
    pair: Any,
) -> Finding:
    action = rollout.steps[index - 1].message
    needed = charge.at(old, new)
    peak = _peak(charge, rollout)
    fits = _lower_surge(step, charge, pair)
    advice = [f"a hard limit of {_amounts(peak, over)}"]
    if fits is not None:
        advice.insert(0, fits)
    permanent = not rollout.max_unavailable
    what = (
        "it stops there for good: with maxUnavailable 0 no old pod is removed while a new one is missing"
        if permanent
        else f"it goes on only as old pods are removed (maxUnavailable {rollout.max_unavailable}), with fewer pods serving"
    )
    message = (
        f"the rollout needs more than quota {charge.name} allows at step {index} ({action}):"
        f" {old} old and {new} new pods need {_amounts(needed, over)}, over the hard limit by"
        f" {_amounts(over, over)}; {what}. It would fit with " + " or ".join(advice)
    )
    severity = Severity.ERROR if permanent else Severity.WARNING
    return finding_for(step.resource, STALL, severity, message, ("spec", "strategy"))


def _peak(charge: _Charge, rollout: Any) -> dict[str, Fraction]:
    peak: dict[str, Fraction] = {}
    for s in rollout.steps:
        if s.old is None or s.new is None:
            continue
        for k, v in charge.at(s.old, s.new).items():
            peak[k] = max(peak.get(k, Fraction(0)), v)
    return peak


def _lower_surge(step: Any, charge: _Charge, pair: Any) -> str | None:
    """The largest maxSurge (below the current one) whose rollout fits, replayed."""
    from kubeplan.planner.rollout.deployment import plan_deployment

    rollout = step.rollout
    if step.resource.kind != "Deployment" or not rollout.max_surge:
        return None
    for surge in range(rollout.max_surge - 1, max(rollout.max_surge - 1 - _SURGE_TRIES, -1), -1):
        body = copy.deepcopy(pair.new_body)
        rolling = (
            body.setdefault("spec", {}).setdefault("strategy", {}).setdefault("rollingUpdate", {})
        )
        rolling["maxSurge"] = surge
        unavailable = rollout.max_unavailable or 0
        if surge == 0 and unavailable == 0:
            unavailable = 1
        rolling["maxUnavailable"] = unavailable
        replay = plan_deployment(pair.old_body, body, step.resource)
        if replay is None:
            continue
        if all(
            not charge.over(s.old, s.new)
            for s in replay.steps
            if s.old is not None and s.new is not None
        ):
            extra = (
                f" and maxUnavailable {unavailable}"
                if unavailable != (rollout.max_unavailable or 0)
                else ""
            )
            return f"maxSurge {surge}{extra}"
    return None


def _charges(
    ledger: Ledger, namespace: str, pair: Any, old_spec: Any, new_spec: Any, old_replicas: int
) -> list[_Charge]:
    out = []
    for quota in ledger.quotas.get(namespace, ()):
        used = ledger.used[(namespace, quota.name)]
        old_pod = pod_usage(quota, pair.old_body, old_spec) if old_spec is not None else {}
        new_pod = pod_usage(quota, pair.new_body, new_spec)
        if not any(k in quota.hard for k in (*old_pod, *new_pod)):
            continue
        others = {
            k: max(
                used.get(k, Fraction(0)) - old_replicas * old_pod.get(k, Fraction(0)), Fraction(0)
            )
            for k in quota.hard
        }
        out.append(_Charge(quota.name, dict(quota.hard), others, old_pod, new_pod))
    return out


def _replicas(body: Any) -> int:
    spec = body.get("spec") if isinstance(body, dict) else None
    value = spec.get("replicas", 1) if isinstance(spec, dict) else 1
    return value if isinstance(value, int) else 1


def _amounts(values: Mapping[str, Fraction], keys: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={format_quantity(values.get(k, Fraction(0)))}" for k in sorted(keys))
