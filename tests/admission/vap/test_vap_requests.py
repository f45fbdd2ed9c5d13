"""Requests from kubeplan's objects: an apply, and the Pods a workload's controller creates
(a policy on pods refuses them; the workload itself is admitted)."""

from __future__ import annotations

from pathlib import Path

from vapcase import read

from kubeplan.admission.vap import evaluate
from kubeplan.admission.vap.requests import controller_identity, pod_request, request_for
from kubeplan.schemas.loader import load

WORKLOADS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: "docker.io/nginx:1.27"}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: team}
spec:
  selector: {matchLabels: {app: db}}
  serviceName: db
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: "registry.example.com/postgres:16"}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: team}
spec:
  schedule: "0 1 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: job, image: "docker.io/busybox"}]
"""

POD_POLICY = """
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: registry}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"]}
  validations:
  - expression: "object.spec.containers.all(c, c.image.startsWith('registry.example.com/'))"
    message: "images come from registry.example.com"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: registry-binding}
spec:
  policyName: registry
  validationActions: [Deny]
"""


def workloads(tmp_path: Path) -> dict:
    path = tmp_path / "app.yaml"
    path.write_text(WORKLOADS)
    return {r.kind: r for r in load([str(path)]).resources}


def test_the_pods_of_a_workload_are_refused_not_the_workload(tmp_path: Path) -> None:
    found = workloads(tmp_path)
    policies = read(tmp_path, POD_POLICY)

    def outcomes(req) -> list[str]:
        return [o.message for o in evaluate(policies, req, namespace_labels={},
                                            namespace_object=None)]  # fmt: skip

    deployment = found["Deployment"]
    assert outcomes(request_for(deployment, operation="CREATE", user="alice")) == []
    assert outcomes(pod_request(deployment)) == [
        "ValidatingAdmissionPolicy 'registry' with binding 'registry-binding' denied request:"
        " images come from registry.example.com"
    ]
    assert outcomes(pod_request(found["StatefulSet"])) == []
    assert len(outcomes(pod_request(found["CronJob"]))) == 1


def test_pod_request_as_the_controller_creates_it(tmp_path: Path) -> None:
    found = workloads(tmp_path)
    pod = pod_request(found["Deployment"])
    assert pod is not None and pod.name == "" and pod.namespace == "team"
    assert pod.user == "system:serviceaccount:kube-system:replicaset-controller"
    meta = pod.object["metadata"]
    assert meta["generateName"] == "" and meta["labels"] == {"app": "web"}
    assert meta["ownerReferences"][0]["kind"] == "ReplicaSet"
    stateful = pod_request(found["StatefulSet"])
    assert stateful.name == "db-0" and "generateName" not in stateful.object["metadata"]
    assert stateful.object["metadata"]["ownerReferences"][0]["name"] == "db"
    job = pod_request(found["CronJob"])
    assert job.user.endswith(":job-controller") and job.object["spec"]["restartPolicy"] == "Never"
    assert controller_identity("x", service_accounts=False)[0] == "system:kube-controller-manager"


def test_request_for_uses_the_rest_resource_and_the_old_object(tmp_path: Path) -> None:
    found = workloads(tmp_path)
    req = request_for(found["Deployment"], operation="UPDATE", old=found["Deployment"],
                      user="bob", groups=("devs",))  # fmt: skip
    assert (req.group, req.version, req.resource, req.kind) == (
        "apps",
        "v1",
        "deployments",
        "Deployment",
    )
    assert req.old_object is found["Deployment"].body and req.user == "bob"
    delete = request_for(found["Deployment"], operation="DELETE", old=found["Deployment"])
    assert delete.object is None and delete.old_object is not None


def test_a_namespace_request_is_in_its_own_namespace_and_has_no_namespace_object(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ns.yaml"
    path.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: team, labels: {env: dev}}\n")
    [ns] = load([str(path)]).resources
    req = request_for(ns, operation="CREATE")
    assert (req.namespace, req.name, req.resource) == ("team", "team", "namespaces")
    docs = POD_POLICY.replace(
        'apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"]',
        'apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["namespaces"]',
    )
    docs = docs.replace("object.spec.containers.all(c, c.image.startsWith('registry.example.com/'))",
                        "namespaceObject == null && request.namespace == 'team'")  # fmt: skip
    policies = read(tmp_path, docs)
    namespace_object = ns.body
    assert evaluate(policies, req, namespace_labels={"env": "dev"},
                    namespace_object=namespace_object) == []  # fmt: skip
