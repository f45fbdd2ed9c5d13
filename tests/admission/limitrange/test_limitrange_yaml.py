"""kubeplan.admission.limitrange on real manifests read by kubeplan.schemas.loader.load: a
LimitRange file and a workload file in tmp_path, the pod spec taken from the template and
defaulted as the API server defaults the pods the controller creates from it
(pkg/apis/core/v1/defaults.go SetDefaults_Pod, then LimitRanger)."""

from __future__ import annotations

from pathlib import Path

from kubeplan.admission.limitrange import (
    admit_pod,
    limit_ranger_annotation,
    limit_rules,
    pod_forbidden_message,
    pvc_forbidden_message,
    validate_pvc,
)
from kubeplan.kube.podresources import default_pod_spec
from kubeplan.model import Resource
from kubeplan.schemas import loader


def load(tmp_path: Path, **files: str) -> list[Resource]:
    for name, text in files.items():
        (tmp_path / f"{name}.yaml").write_text(text)
    result = loader.load([str(tmp_path)])
    assert not [f for f in result.findings if f.severity == "error"], result.findings
    return result.resources


def kind(resources: list[Resource], wanted: str) -> list[Resource]:
    return [r for r in resources if r.kind == wanted]


def template_spec(resources: list[Resource]) -> dict:
    (deployment,) = kind(resources, "Deployment")
    return default_pod_spec(deployment.body["spec"]["template"]["spec"])


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
%s
"""


def deployment(containers: str) -> str:
    return DEPLOYMENT % containers


def test_max_only_limitrange_defaults_every_container(tmp_path: Path) -> None:
    """SetDefaults_LimitRangeItem: `default` <- `max`, `defaultRequest` <- `default`; the pod
    is then within the max."""
    resources = load(
        tmp_path,
        limits="""\
apiVersion: v1
kind: LimitRange
metadata: {name: caps, namespace: team}
spec:
  limits:
  - type: Container
    max: {cpu: "1", memory: 1Gi}
""",
        web=deployment("""\
      initContainers:
      - {name: setup, image: busybox}
      containers:
      - {name: app, image: nginx}
"""),
    )
    rules = limit_rules(kind(resources, "LimitRange"))
    assert [(r.limitrange, r.namespace, r.index, r.type) for r in rules] == [
        ("caps", "team", 0, "Container")
    ]
    spec, defaulted, violations = admit_pod(template_spec(resources), rules)
    assert violations == []
    assert spec["containers"][0]["resources"] == {
        "limits": {"cpu": "1", "memory": "1Gi"},
        "requests": {"cpu": "1", "memory": "1Gi"},
    }
    assert limit_ranger_annotation(defaulted) == (
        "LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app; "
        "cpu, memory request for init container setup; cpu, memory limit for init container setup"
    )
    assert defaulted[0].describe() == "LimitRange caps sets cpu limit 1 on container app"
    assert defaulted[0].path == ("spec", "containers", 0, "resources", "limits", "cpu")


def test_a_limit_alone_is_the_request_not_the_default_request(tmp_path: Path) -> None:
    """SetDefaults_Pod copies the container's limit into its missing request before LimitRanger
    runs, so `defaultRequest` does not apply: request 100m, not 200m (which would exceed the
    limit)."""
    resources = load(
        tmp_path,
        limits="""\
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: team}
spec:
  limits:
  - type: Container
    default: {cpu: 500m}
    defaultRequest: {cpu: 200m}
    maxLimitRequestRatio: {cpu: "4"}
""",
        web=deployment("""\
      containers:
      - name: app
        image: nginx
        resources:
          limits: {cpu: 100m}
"""),
    )
    spec, defaulted, violations = admit_pod(
        template_spec(resources), limit_rules(kind(resources, "LimitRange"))
    )
    assert spec["containers"][0]["resources"] == {
        "limits": {"cpu": "100m"},
        "requests": {"cpu": "100m"},
    }
    assert defaulted == [] and violations == []


def test_over_the_max_is_refused_with_the_api_server_text(tmp_path: Path) -> None:
    resources = load(
        tmp_path,
        limits="""\
apiVersion: v1
kind: LimitRange
metadata: {name: caps, namespace: team}
spec:
  limits:
  - type: Container
    max: {cpu: "1"}
    maxLimitRequestRatio: {memory: "2"}
""",
        web=deployment("""\
      containers:
      - name: app
        image: nginx
        resources:
          requests: {cpu: 500m, memory: 100Mi}
          limits: {cpu: "2", memory: 1Gi}
"""),
    )
    _, _, violations = admit_pod(
        template_spec(resources), limit_rules(kind(resources, "LimitRange"))
    )
    assert [(v.message, v.path) for v in violations] == [
        (
            "maximum cpu usage per Container is 1, but limit is 2",
            ("spec", "containers", 0, "resources", "limits", "cpu"),
        ),
        (
            "memory max limit to request ratio per Container is 2, but provided ratio is 10.240000",
            ("spec", "containers", 0, "resources", "limits", "memory"),
        ),
    ]
    assert pod_forbidden_message("web-7d9f8b6c5-", violations) == (
        'pods "web-7d9f8b6c5-" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, '
        "memory max limit to request ratio per Container is 2, but provided ratio is 10.240000]"
    )


def test_several_limitranges(tmp_path: Path) -> None:
    """runLimitFunc: LimitRanges one after another: the first to set a default wins, the
    annotation is the last writer's, and the refusal names only the first failing one."""
    resources = load(
        tmp_path,
        a="""\
apiVersion: v1
kind: LimitRange
metadata: {name: first, namespace: team}
spec:
  limits:
  - type: Container
    defaultRequest: {cpu: 100m}
    max: {memory: 64Mi}
---
apiVersion: v1
kind: LimitRange
metadata: {name: second, namespace: team}
spec:
  limits:
  - type: Container
    defaultRequest: {cpu: 300m, memory: 32Mi}
  - type: Pod
    min: {cpu: "1"}
""",
        web=deployment("""\
      containers:
      - {name: app, image: nginx}
"""),
    )
    rules = limit_rules(kind(resources, "LimitRange"))
    spec, defaulted, violations = admit_pod(template_spec(resources), rules)
    # first: default (from max) memory 64Mi, defaultRequest cpu 100m and memory 64Mi.
    assert spec["containers"][0]["resources"] == {
        "limits": {"memory": "64Mi"},
        "requests": {"cpu": "100m", "memory": "64Mi"},
    }
    assert [d.limitrange for d in defaulted] == ["first", "first", "first"]
    assert limit_ranger_annotation(defaulted) == (
        "LimitRanger plugin set: cpu, memory request for container app; memory limit for container app"
    )
    assert [(v.limitrange, v.item, v.message) for v in violations] == [
        ("second", 1, "minimum cpu usage per Pod is 1, but request is 100m")
    ]
    assert pod_forbidden_message("", violations) == (
        'pods "Unknown" is forbidden: minimum cpu usage per Pod is 1, but request is 100m'
    )


def test_pod_item_counts_sidecars_and_pod_level_resources(tmp_path: Path) -> None:
    """PodValidateLimitFunc's podLimits: a sidecar adds to the containers; with
    PodLevelResources the pod-level cpu replaces the aggregate."""
    limitrange = """\
apiVersion: v1
kind: LimitRange
metadata: {name: pods, namespace: team}
spec:
  limits:
  - type: Pod
    max: {cpu: "1"}
"""
    containers = """\
      initContainers:
      - {name: proxy, image: envoy, restartPolicy: Always, resources: {limits: {cpu: 600m}}}
      containers:
      - {name: app, image: nginx, resources: {limits: {cpu: 600m}}}
"""
    resources = load(tmp_path, limits=limitrange, web=deployment(containers))
    rules = limit_rules(kind(resources, "LimitRange"))
    _, _, violations = admit_pod(template_spec(resources), rules)
    # maxConstraint reports the limit first and looks at the request only when the limit is in.
    assert [v.message for v in violations] == ["maximum cpu usage per Pod is 1, but limit is 1200m"]
    pod_level = deployment(containers + "      resources: {limits: {cpu: 900m}}\n")
    resources = load(tmp_path, web=pod_level)
    spec = template_spec(resources)
    assert spec["resources"] == {
        "limits": {"cpu": "900m"},
        "requests": {"cpu": "1200m"},
    }  # defaultPodRequests
    assert [v.message for v in admit_pod(spec, rules)[2]] == [
        "maximum cpu usage per Pod is 1, but request is 1200m"
    ]
    assert [v.message for v in admit_pod(spec, rules, pod_level=False)[2]] == [
        "maximum cpu usage per Pod is 1, but limit is 1200m"
    ]


def test_yaml_alias_shared_resources_are_defaulted_per_container(tmp_path: Path) -> None:
    """Two containers sharing one `resources` mapping through a YAML alias are two maps to the
    API server: each gets its defaults and its own annotation part."""
    resources = load(
        tmp_path,
        limits="""\
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: team}
spec:
  limits:
  - type: Container
    default: {cpu: 500m}
""",
        web=deployment("""\
      containers:
      - {name: a, image: nginx, resources: &r {requests: {memory: 10Mi}}}
      - {name: b, image: nginx, resources: *r}
"""),
    )
    _, defaulted, _ = admit_pod(
        template_spec(resources), limit_rules(kind(resources, "LimitRange"))
    )
    assert limit_ranger_annotation(defaulted) == (
        "LimitRanger plugin set: cpu request for container a; cpu limit for container a; "
        "cpu request for container b; cpu limit for container b"
    )


def test_pvc_over_the_max(tmp_path: Path) -> None:
    resources = load(
        tmp_path,
        limits="""\
apiVersion: v1
kind: LimitRange
metadata: {name: storage, namespace: team}
spec:
  limits:
  - type: PersistentVolumeClaim
    min: {storage: 1Gi}
    max: {storage: 10Gi}
""",
        claim="""\
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: team}
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests: {storage: 20Gi}
""",
    )
    (claim,) = kind(resources, "PersistentVolumeClaim")
    violations = validate_pvc(claim.body, limit_rules(kind(resources, "LimitRange")))
    assert pvc_forbidden_message("data", violations) == (
        'persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, '
        "but request is 20Gi"
    )
