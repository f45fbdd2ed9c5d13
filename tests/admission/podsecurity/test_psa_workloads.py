"""Pod Security on real manifests: the pod template of a Deployment and of a CronJob, read from
files with kubeplan's loader, evaluated as PSA `ValidatePodController` does for workloads
(warn/audit; the template with its own metadata), and each finding's path found in the file."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from kubeplan.admission.podsecurity.api import policy_to_evaluate
from kubeplan.admission.podsecurity.evaluate import evaluate_pod, violation_message
from kubeplan.position import locate
from kubeplan.schemas.loader import load

# admission/admission.go `ExtractPodSpec` / defaultPodSpecResources: the template's location.
TEMPLATE = {
    "Deployment": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}

MANIFESTS = """
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations:
        container.apparmor.security.beta.kubernetes.io/web: unconfined
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: web
        image: nginx
        securityContext:
          allowPrivilegeEscalation: false
          capabilities:
            drop: [ALL]
            add: [NET_BIND_SERVICE, NET_RAW]
        ports:
        - containerPort: 80
          hostPort: 8080
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  namespace: shop
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          hostUsers: false
          securityContext:
            seccompProfile: {type: RuntimeDefault}
          initContainers:
          - name: setup
            image: busybox
            securityContext:
              allowPrivilegeEscalation: false
              capabilities: {drop: [ALL]}
              runAsUser: 0
          containers:
          - name: report
            image: busybox
            securityContext:
              allowPrivilegeEscalation: false
              capabilities: {drop: [ALL]}
"""


def _load(tmp_path: Path) -> tuple[Any, dict[str, Any]]:
    path = tmp_path / "shop.yaml"
    path.write_text(textwrap.dedent(MANIFESTS).lstrip("\n"))
    result = load([str(path)])
    assert result.findings == []
    by_kind = {resource.kind: resource for resource in result.resources}
    return path, by_kind


def _template(resource: Any) -> dict[str, Any]:
    node: Any = resource.body
    for key in TEMPLATE[resource.kind]:
        node = node[key]
    return node


def _line(resource: Any, pod_path: tuple[str | int, ...]) -> int:
    return locate(resource.node, (*TEMPLATE[resource.kind], *pod_path), resource.line_offset)[0]


def test_deployment_template_warns_at_restricted(tmp_path: Path) -> None:
    path, by_kind = _load(tmp_path)
    namespace = by_kind["Namespace"]
    policy, errors = policy_to_evaluate(namespace.body["metadata"]["labels"])
    assert errors == [] and policy.warn.text == "restricted:latest"  # warn follows enforce
    deployment = by_kind["Deployment"]
    template = _template(deployment)
    results = evaluate_pod(
        policy.warn, template.get("metadata"), template.get("spec"), server_minor=35
    )
    assert violation_message(policy.warn, results, enforce=False) == (
        'would violate PodSecurity "restricted:latest": forbidden AppArmor profile '
        "(annotation must not set AppArmor profile type to "
        '"container.apparmor.security.beta.kubernetes.io/web="unconfined""), '
        'hostPort (container "web" uses hostPort 8080), '
        'unrestricted capabilities (container "web" must not include "NET_RAW" in '
        "securityContext.capabilities.add)"
    )
    lines = path.read_text().splitlines()
    first = [_line(deployment, result.paths[0]) for result in results]
    assert [lines[n - 1].strip() for n in first] == [
        "container.apparmor.security.beta.kubernetes.io/web: unconfined",
        "hostPort: 8080",
        "add: [NET_BIND_SERVICE, NET_RAW]",
    ]


def test_cronjob_template_with_user_namespace(tmp_path: Path) -> None:
    """hostUsers: false relaxes runAsNonRoot and runAsUser from policy 1.35, not before."""
    path, by_kind = _load(tmp_path)
    cronjob = by_kind["CronJob"]
    policy, _ = policy_to_evaluate(by_kind["Namespace"].body["metadata"]["labels"])
    template = _template(cronjob)
    assert evaluate_pod(policy.enforce, None, template["spec"], server_minor=35) == []
    old = evaluate_pod(policy.enforce, None, template["spec"], server_minor=34)
    assert [(r.check_id, r.detail) for r in old] == [
        (
            "runAsNonRoot",
            'pod or containers "setup", "report" must set securityContext.runAsNonRoot=true',
        ),
        ("runAsUser", 'container "setup" must not set runAsUser=0'),
    ]
    lines = path.read_text().splitlines()
    # runAsNonRoot is missing: the path is where it should be; its nearest parent is found.
    assert lines[_line(cronjob, old[0].paths[0]) - 1].strip() == "securityContext:"
    assert lines[_line(cronjob, old[1].paths[0]) - 1].strip() == "runAsUser: 0"
