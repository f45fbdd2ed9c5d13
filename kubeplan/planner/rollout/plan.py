"""The rollout that applying a workload starts, as the sequence of actions its controller takes.

`plan_rollout(old, new, kubernetes_version=..., nodes=..., autoscaled=...)` compares the two
revisions as the API server stores them (`normalise`: server defaults such as 25%/25% and
replicas 1 applied) and replays the controller:

- Deployment: kubeplan/planner/rollout/deployment.py (rolling.go, recreate.go, sync.go);
- StatefulSet: kubeplan/planner/rollout/statefulset.py (stateful_set_control.go);
- DaemonSet: kubeplan/planner/rollout/daemonset.py (daemon/update.go);
- ReplicaSet / ReplicationController, Job, CronJob: what the change does, here.

The model assumes every new pod becomes ready at once and every old one terminates at once, and
that the old revision had finished rolling out (when the base is a live dump whose status says it
had not, the rollout says so). Paths cited are in kubernetes/kubernetes.
"""

from __future__ import annotations

from typing import Any

from kubeplan.kube.values import as_dict
from kubeplan.kube.versions import minor
from kubeplan.kube.workloads import SCALABLE_KINDS
from kubeplan.model import Resource
from kubeplan.planner.diff.normalise import normalise
from kubeplan.planner.rollout.common import (
    int_or,
    plural,
    replica_set_name,
    template_of,
    unfinished_note,
)
from kubeplan.planner.rollout.daemonset import DEFAULT_NODES, plan_daemonset
from kubeplan.planner.rollout.deployment import deployment_status_note, plan_deployment
from kubeplan.planner.rollout.model import Rollout, RolloutStep
from kubeplan.planner.rollout.statefulset import plan_statefulset

__all__ = ["DEFAULT_NODES", "Rollout", "RolloutStep", "plan_rollout", "replica_set_name"]

_APPS_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")


def plan_rollout(
    old: Resource | None,
    new: Resource,
    *,
    kubernetes_version: str,
    nodes: int | None = None,
    autoscaled: bool = False,
    old_body: dict[str, Any] | None = None,
    new_body: dict[str, Any] | None = None,
) -> Rollout | None:
    """The rollout that applying `new` over `old` starts, or None when its pods do not change.

    Whether pods change is decided by the caller (the diff says the template changed); this
    function is called for a Deployment/StatefulSet/DaemonSet/ReplicaSet/Job/CronJob whose pod
    template changed, or whose replicas changed (a pure scale: steps show the scale). `old` is
    None when the object is created. A StatefulSet whose partition is lowered also rolls pods
    (those between the new and the old partition), with an unchanged template.

    `old_body`/`new_body` may pass the bodies already normalised (a diff `Pair` has them), which
    saves normalising them again; by default they are computed from the resources."""
    version = minor(kubernetes_version)
    if old_body is None and old is not None:
        old_body = normalise(old)
    if new_body is None:
        new_body = normalise(new)
    kind = new.kind
    if (new.group, kind) not in _CONTROLLED:
        return None  # a custom resource of the same kind name: its controller is unknown
    status = live_status(old)
    if kind == "Deployment":
        rollout = plan_deployment(old_body, new_body, new)
        if rollout is not None and old_body is not None:
            deployment_status_note(rollout, old_body, status)
    elif kind == "StatefulSet":
        rollout = plan_statefulset(old_body, new_body, new, version)
        current, update = status.get("currentRevision"), status.get("updateRevision")
        if rollout is not None and current and update and current != update:
            rollout.notes.append(
                unfinished_note(
                    "StatefulSet", f"currentRevision {current}, updateRevision {update}"
                )
            )
    elif kind == "DaemonSet":
        rollout = plan_daemonset(old_body, new_body, new, version, nodes, status)
    elif kind in ("ReplicaSet", "ReplicationController"):
        rollout = _replicaset(old_body, new_body, new)
    elif kind == "Job":
        rollout = _job(old_body, new_body, new)
    else:
        rollout = _cronjob(old_body, new_body, new)
    if rollout is not None and autoscaled and kind in SCALABLE_KINDS:
        rollout.notes.append(_hpa_note(new))
    return rollout


# (group, kind) of the objects whose controller kubeplan replays; extensions/v1beta1 workloads
# are still read (older dumps) with the same controllers.
_CONTROLLED = frozenset(
    {(group, kind) for group in ("apps", "extensions") for kind in _APPS_KINDS}
    | {("", "ReplicationController"), ("batch", "Job"), ("batch", "CronJob")}
)


def _hpa_note(new: Resource) -> str:
    spec = as_dict(new.body.get("spec"))
    if "replicas" in spec:
        return (
            f"a HorizontalPodAutoscaler targets this workload: applying spec.replicas"
            f" ({spec['replicas']}) resets the count the autoscaler chose, and the two fight over"
            " it; leave replicas out of the manifest"
        )
    return (
        "a HorizontalPodAutoscaler targets this workload; the manifest leaves replicas to it, so"
        " the pod counts above are the manifest's default, not the live count"
    )


def live_status(resource: Resource | None) -> dict[str, Any]:
    """The status of an object read from the cluster (a `kubectl get -o yaml` dump as the base),
    which the loader sets aside; empty for a manifest."""
    if resource is None:
        return {}
    status = resource.server_fields.get("status")
    if not isinstance(status, dict):
        status = resource.body.get("status")
    return status if isinstance(status, dict) else {}


# -- ReplicaSet, Job, CronJob ---------------------------------------------------------------------


def _replicaset(
    old: dict[str, Any] | None, new: dict[str, Any], resource: Resource
) -> Rollout | None:
    spec = as_dict(new.get("spec"))
    replicas = int_or(spec.get("replicas"), 1)
    old_replicas = int_or(as_dict(old.get("spec")).get("replicas"), 1) if old is not None else 0
    template_changed = old is None or template_of(old, "spec", "template") != template_of(
        new, "spec", "template"
    )
    rollout = Rollout(resource, "NoRollout", replicas, None, None)
    kind = "replica set" if resource.kind == "ReplicaSet" else "replication controller"
    if old_replicas != replicas:
        operation = "up" if old_replicas < replicas else "down"
        rollout.steps.append(
            RolloutStep(
                f"Scaled {operation} {kind} {resource.name} to {replicas} from {old_replicas}",
                old=0,  # as a Deployment's pure scale: no old ReplicaSet, this one is scaled
                new=replicas,
            )
        )
    if old is None:
        rollout.summary = f"creates {plural(replicas, 'pod')}"
    elif template_changed:
        rollout.summary = "running pods keep the old template; no pod is replaced"
        rollout.notes.append(
            f"a {resource.kind} does not roll out: only pods it creates from now on (scale-up,"
            " replacements of failed or deleted pods) use the new template"
            " (pkg/controller/replicaset/replica_set.go only reconciles counts)"
        )
    elif rollout.steps:
        rollout.summary = f"scales from {old_replicas} to {replicas} pods"
    else:
        return None
    return rollout


def _job(old: dict[str, Any] | None, new: dict[str, Any], resource: Resource) -> Rollout:
    spec = as_dict(new.get("spec"))
    if old is None:
        rollout = Rollout(resource, "Job", None, None, None)
        completions = spec.get("completions")
        parallelism = int_or(spec.get("parallelism"), 1)
        runs = f"{completions} completions" if completions is not None else "until one succeeds"
        rollout.summary = f"creates the Job: runs {runs}, {parallelism} pod(s) at a time"
        return rollout
    rollout = Rollout(resource, "Rejected", None, None, None)
    rollout.summary = "rejected: a Job's spec.template is immutable"
    rollout.notes.append(
        "spec.template: field is immutable (pkg/apis/batch/validation/validation.go"
        " ValidateJobSpecUpdate); delete the Job and create it again"
    )
    rollout.notes.append(
        "exception: while the Job is suspended and has never started, nodeSelector, affinity,"
        " tolerations, schedulingGates and the template's labels and annotations may change"
        " (pkg/registry/batch/job/strategy.go)"
    )
    return rollout


def _cronjob(old: dict[str, Any] | None, new: dict[str, Any], resource: Resource) -> Rollout:
    rollout = Rollout(resource, "NextRun", None, None, None)
    if old is None:
        rollout.summary = "creates the CronJob: its first Job starts at the next scheduled time"
        return rollout
    rollout.summary = "next run only: Jobs already created keep the old template"
    rollout.notes.append(
        "the CronJob controller copies spec.jobTemplate into each Job it creates"
        " (pkg/controller/cronjob/utils.go getJobFromTemplate2); running Jobs are not changed"
    )
    return rollout
