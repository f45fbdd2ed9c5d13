"""Requests built from kubeplan's objects: the apply of an object, and the Pods a workload's
controller creates (a policy on `pods` refuses them, and the rollout stalls: reference
admission.md section 4).

The Pod a controller creates (pkg/controller/controller_utils.go `GetPodFromTemplate`): the
template's labels, annotations and finalizers, `generateName: <owner name>-`, no name (so
`request.name` is empty), an ownerReference to the owner with `controller: true`; the spec is
the template's (the caller may pass it after defaulting and LimitRange, as admission sees it).
The owner is the ReplicaSet for a Deployment and the Job for a CronJob: their names carry a
hash or a schedule time kubeplan does not know, so the reference's name is left empty. A
StatefulSet's pods are named `<set>-<ordinal>` (the first, `-0`, here). Labels the controllers
add (pod-template-hash, controller-revision-hash, statefulset pod-name) are not added.

The user is the controller's service account: kube-controller-manager builds each controller's
client with `ClientBuilder.ClientOrDie("<name>")` (cmd/kube-controller-manager/app/apps.go,
batch.go, core.go), which is `system:serviceaccount:kube-system:<name>` when it runs with
`--use-service-account-credentials` (kubeadm's default); without it every controller acts as
`system:kube-controller-manager`. `CONTROLLER_USERS` lets a caller say which.
"""

from __future__ import annotations

from typing import Any

from kubeplan.admission.vap.types import Request
from kubeplan.kube import kinds
from kubeplan.kube.workloads import pod_template
from kubeplan.model import Resource

# (group, kind) of the workload -> (owner apiVersion, owner kind, controller creating the pods)
_POD_CREATORS = {
    ("apps", "Deployment"): ("apps/v1", "ReplicaSet", "replicaset-controller"),
    ("apps", "ReplicaSet"): ("apps/v1", "ReplicaSet", "replicaset-controller"),
    ("apps", "StatefulSet"): ("apps/v1", "StatefulSet", "statefulset-controller"),
    ("apps", "DaemonSet"): ("apps/v1", "DaemonSet", "daemon-set-controller"),
    ("batch", "Job"): ("batch/v1", "Job", "job-controller"),
    ("batch", "CronJob"): ("batch/v1", "Job", "job-controller"),
    ("", "ReplicationController"): ("v1", "ReplicationController", "replication-controller"),
}
_NAMED_BY_HASH = {("apps", "Deployment"), ("batch", "CronJob")}


def controller_identity(
    controller: str, service_accounts: bool = True
) -> tuple[str, tuple[str, ...]]:
    """The user and groups a kube-controller-manager controller acts as."""
    if not service_accounts:
        return "system:kube-controller-manager", ("system:authenticated",)
    return (
        f"system:serviceaccount:kube-system:{controller}",
        ("system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"),
    )


def request_for(
    resource: Resource,
    *,
    operation: str,
    old: Resource | None = None,
    user: str = "",
    groups: tuple[str, ...] = (),
    plural: str | None = None,
) -> Request | None:
    """The request that applies `resource` (`old`: the stored object on UPDATE). None when the
    REST resource of its kind is not known (pass `plural` for a custom kind)."""
    info = kinds.builtin_kind(resource.group, resource.kind)
    plural = plural or (info.resource if info else None)
    if plural is None:
        return None
    version = resource.api_version.rpartition("/")[2]
    body = resource.body if operation != "DELETE" else None
    namespace = resource.namespace or None
    if (resource.group, resource.kind) == ("", "Namespace"):
        # the API server sets a Namespace request's namespace to its own name (rules.go
        # `scope`, dispatcher.go "the namespace object has the namespace of itself")
        namespace = resource.name or None
    return Request(operation, resource.group, version, resource.kind, plural, "", namespace,
                   resource.name or "", body, old.body if old is not None else None, user,
                   groups)  # fmt: skip


def pod_request(
    resource: Resource,
    *,
    spec: dict[str, Any] | None = None,
    service_accounts: bool = True,
) -> Request | None:
    """The CREATE of one Pod of a workload, by its controller; None for a kind without pods."""
    creator = _POD_CREATORS.get((resource.group, resource.kind))
    found = pod_template(resource)
    if creator is None or found is None:
        return None
    template = found[1]
    metadata = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
    owner_version, owner_kind, controller = creator
    owner_name = "" if (resource.group, resource.kind) in _NAMED_BY_HASH else resource.name or ""
    pod_metadata: dict[str, Any] = {
        key: metadata[key] for key in ("labels", "annotations", "finalizers") if metadata.get(key)
    }
    name = ""
    if resource.kind == "StatefulSet":  # stateful_set_utils.go newStatefulSetPod: <set>-<ordinal>
        name = pod_metadata["name"] = f"{resource.name}-0"
    else:  # controller_utils.go getPodsPrefix
        pod_metadata["generateName"] = f"{owner_name}-" if owner_name else ""
    if resource.namespace:
        pod_metadata["namespace"] = resource.namespace
    pod_metadata["ownerReferences"] = [
        {"apiVersion": owner_version, "kind": owner_kind, "name": owner_name,
         "controller": True, "blockOwnerDeletion": True}
    ]  # fmt: skip
    pod_spec = spec if spec is not None else template.get("spec")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": pod_metadata, "spec": pod_spec or {}}
    user, groups = controller_identity(controller, service_accounts)
    return Request("CREATE", "", "v1", "Pod", "pods", "", resource.namespace or None, name,
                   pod, None, user, groups)  # fmt: skip
