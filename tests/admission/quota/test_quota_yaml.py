"""ResourceQuota admission on real YAML files read by kubeplan's loader: a quota manifest with
scopes beside a Deployment, and a `kubectl get -o yaml` List dump whose quotas carry
status.hard and status.used."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from kubeplan.admission.quota.admit import admit, check, headroom
from kubeplan.admission.quota.model import ScopedRequirement, quotas_from
from kubeplan.admission.quota.scopes import matches
from kubeplan.admission.quota.usage import charges, usage
from kubeplan.kube.quantity import canonical
from kubeplan.schemas.loader import load

QUOTA = """\
apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
  namespace: shop
spec:
  hard:
    requests.cpu: "1"
    limits.memory: 1Gi
    pods: "3"
  scopes: [NotBestEffort]
  scopeSelector:
    matchExpressions:
      - scopeName: PriorityClass
        operator: NotIn
        values: [system-critical]
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 5
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: nginx:1.27
          resources:
            requests: {cpu: 300m}
            limits: {memory: 256Mi}
        - name: sidecar
          image: envoy:1.30
          resources:
            requests: {cpu: 10m}
"""


def load_dir(tmp_path: Path, **files: str):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = load([str(tmp_path)])
    assert not [f for f in result.findings if f.severity == "error"], result.findings
    return result.resources


def test_manifest_quota_with_scopes_and_a_deployment(tmp_path: Path) -> None:
    resources = load_dir(tmp_path, **{"quota.yaml": QUOTA, "deploy.yaml": DEPLOYMENT})
    [quota] = quotas_from(resources)
    assert (quota.name, quota.namespace, quota.used) == ("compute", "shop", None)
    assert quota.hard == {"requests.cpu": 1, "limits.memory": 1 << 30, "pods": 3}
    assert quota.selectors == (
        ScopedRequirement("NotBestEffort"),
        ScopedRequirement("PriorityClass", "NotIn", ("system-critical",)),
    )
    assert quota.resource is not None and quota.resource.origin.file.endswith("quota.yaml")
    deployment = next(r for r in resources if r.kind == "Deployment")

    # The Deployment itself: one object count, which this quota does not track.
    assert usage("apps", "Deployment", deployment.body) == {"count/deployments.apps": 1}
    assert not matches(quota, "apps", "Deployment", deployment.body)
    assert charges("apps", "Deployment", "CREATE")

    # Its pods: the sidecar sets no memory limit, so every pod is refused.
    template = deployment.body["spec"]["template"]
    pod = {"metadata": template["metadata"], "spec": template["spec"]}
    zero = {"compute": {name: Fraction(0) for name in quota.hard}}
    [refusal] = check([quota], zero, "", "Pod", pod)
    assert refusal.message == "failed quota: compute: must specify limits.memory for: sidecar"


def test_pods_fill_the_quota_then_are_refused(tmp_path: Path) -> None:
    """Charging the Deployment's pods one after another, as the ReplicaSet controller creates
    them: three fit, the fourth is refused with the API server's message."""
    fixed = DEPLOYMENT.replace(
        "requests: {cpu: 10m}", "requests: {cpu: 10m}\n            limits: {memory: 64Mi}"
    )
    resources = load_dir(tmp_path, **{"quota.yaml": QUOTA, "deploy.yaml": fixed})
    [quota] = quotas_from(resources)
    deployment = next(r for r in resources if r.kind == "Deployment")
    pod = {"spec": deployment.body["spec"]["template"]["spec"]}
    used = {"compute": {name: Fraction(0) for name in quota.hard}}
    for _ in range(3):
        decision = admit([quota], used, "", "Pod", pod)
        assert decision.refusals == []
        used = {"compute": decision.used["compute"]}
    assert {k: canonical(v) for k, v in used["compute"].items()} == {
        "requests.cpu": "930m",
        "limits.memory": "960Mi",
        "pods": "3",
    }
    [refusal] = check([quota], used, "", "Pod", pod)
    assert refusal.message == (
        "exceeded quota: compute, requested: limits.memory=320Mi,pods=1,requests.cpu=310m, "
        "used: limits.memory=960Mi,pods=3,requests.cpu=930m, "
        "limited: limits.memory=1Gi,pods=3,requests.cpu=1"
    )
    # A system-critical pod is outside the quota's scope selector.
    critical = {"spec": {**pod["spec"], "priorityClassName": "system-critical"}}
    assert check([quota], used, "", "Pod", critical) == []


DUMP = """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ResourceQuota
    metadata:
      name: mem-quota
      namespace: shop
      resourceVersion: "8812"
      uid: 0b4b6c57-5d1c-4f0e-9a43-0c1e9f1f2a11
      creationTimestamp: "2026-01-04T10:00:00Z"
    spec:
      hard:
        limits.memory: 4Gi
        pods: "10"
    status:
      hard:
        limits.memory: 2Gi
        pods: "10"
      used:
        limits.memory: 1536Mi
        pods: "6"
  - apiVersion: v1
    kind: ResourceQuota
    metadata:
      name: objects
      namespace: shop
      resourceVersion: "8813"
    spec:
      hard:
        count/configmaps: "2"
        services.loadbalancers: "0"
    status:
      hard:
        count/configmaps: "2"
        services.loadbalancers: "0"
      used:
        count/configmaps: "2"
        services.loadbalancers: "0"
"""

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: shop
spec:
  containers:
    - name: api
      image: api:2
      resources:
        limits: {memory: 1Gi, cpu: 500m}
"""


def test_cluster_dump_quotas_read_status(tmp_path: Path) -> None:
    resources = load_dir(tmp_path, **{"dump.yaml": DUMP, "pod.yaml": POD})
    quotas = quotas_from(resources)
    assert [q.name for q in quotas] == ["mem-quota", "objects"]
    mem = quotas[0]
    # status.hard wins over spec.hard for a dumped quota: it is what admission reads.
    assert mem.hard == {"limits.memory": 2 << 30, "pods": 10}
    assert mem.used == {"limits.memory": 1536 << 20, "pods": 6}
    assert headroom(mem, mem.used) == {"limits.memory": 512 << 20, "pods": 4}

    pod = next(r for r in resources if r.kind == "Pod")
    [refusal] = check(quotas, {}, "", "Pod", pod.body)
    assert refusal.quota == "mem-quota"
    assert refusal.message == (
        "exceeded quota: mem-quota, requested: limits.memory=1Gi, used: limits.memory=1536Mi, "
        "limited: limits.memory=2Gi"
    )

    configmap = {"metadata": {"name": "settings"}, "data": {}}
    [refusal] = check(quotas, {}, "", "ConfigMap", configmap)
    assert refusal.message == (
        "exceeded quota: objects, requested: count/configmaps=1, used: count/configmaps=2, "
        "limited: count/configmaps=2"
    )
    balancer = {"spec": {"type": "LoadBalancer", "ports": [{"port": 443}]}}
    [refusal] = check(quotas, {}, "", "Service", balancer)
    assert refusal.message == (
        "exceeded quota: objects, requested: services.loadbalancers=1, "
        "used: services.loadbalancers=0, limited: services.loadbalancers=0"
    )
    assert check(quotas, {}, "", "Service", {"spec": {"type": "ClusterIP"}}) == []


def test_unreadable_quantity_is_left_out(tmp_path: Path) -> None:
    """An unparsable hard value is not read (field validation reports it)."""
    text = QUOTA.replace('requests.cpu: "1"', "requests.cpu: lots")
    [quota] = quotas_from(load([str(_write(tmp_path, "q.yaml", text))]).resources)
    assert "requests.cpu" not in quota.hard and quota.hard["pods"] == 3


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path
