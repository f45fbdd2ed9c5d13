"""Jobs and CronJobs: finished Jobs kept forever, missed runs started late, and the restart
policy a pod template must use.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube import workloads
from kubeplan.model import Resource
from kubeplan.rules.builtin.reliability.common import (
    spec_of,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

# ---------------------------------------------------------------------------------------------
# Jobs, CronJobs, restart policy


@check("job-ttl-missing")
def job_ttl_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if resource.group != "batch":
        return
    if spec_of(resource).get("ttlSecondsAfterFinished") is None:
        yield Violation(
            ("spec", "ttlSecondsAfterFinished"),
            "has no ttlSecondsAfterFinished: the finished Job and its pods stay until deleted",
        )


@check("cronjob-deadline-missing")
def cronjob_deadline_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if resource.group != "batch":
        return
    if spec_of(resource).get("startingDeadlineSeconds") is None:
        yield Violation(
            ("spec", "startingDeadlineSeconds"),
            "has no startingDeadlineSeconds: a run missed while the controller was down or the"
            " CronJob was suspended is started however late the controller notices it",
        )


@check("restart-policy")
def restart_policy(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    found = workloads.pod_spec(resource)
    if found is None or resource.kind == "Pod":
        return
    path, spec = found
    policy = spec.get("restartPolicy")
    if policy is not None and not isinstance(policy, str):
        return
    if resource.kind in ("Job", "CronJob"):
        if policy in ("OnFailure", "Never"):
            return
        shown = "is unset (defaults to Always)" if policy is None else f"is {policy}"
        yield Violation(
            (*path, "restartPolicy"),
            f"restartPolicy {shown}: a {resource.kind}'s pod template must use OnFailure or"
            " Never; the API server rejects it",
        )
    elif policy not in (None, "Always"):
        yield Violation(
            (*path, "restartPolicy"),
            f"restartPolicy is {policy}: a {resource.kind}'s pod template must use Always;"
            " the API server rejects it",
        )
