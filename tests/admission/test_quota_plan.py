"""ResourceQuota and LimitRange in `kubeplan check` and `kubeplan plan`, end to end: pods that do
not fit, a LimitRange default that makes a quota count, a rollout whose surge the quota has no
room for at its first step, usage from a dump's `status.used` (apiserver
pkg/admission/plugin/resourcequota/controller.go CheckRequest; pkg/controller/deployment/
rolling.go; plugin/pkg/admission/limitranger/admission.go)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import kubeplan

QUOTA = """\
apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
  namespace: shop
spec:
  hard:
    requests.cpu: "{hard}"
"""

DEFAULTS = """\
apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
  namespace: shop
spec:
  limits:
  - type: Container
    defaultRequest: {cpu: 400m}
"""


def deployment(
    replicas: int,
    cpu: str | None = "500m",
    image: str = "nginx:1.27",
    surge: int | str = 1,
    unavailable: int | str = 0,
) -> str:
    resources = f"        resources: {{requests: {{cpu: {cpu}}}}}\n" if cpu else ""
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n"
        f"spec:\n  replicas: {replicas}\n"
        "  strategy:\n    type: RollingUpdate\n"
        f"    rollingUpdate: {{maxSurge: {surge}, maxUnavailable: {unavailable}}}\n"
        "  selector: {matchLabels: {app: web}}\n  template:\n"
        "    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n"
        f"      - name: app\n        image: {image}\n" + resources
    )


def write(folder: Path, *docs: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "all.yaml").write_text("---\n".join(docs))
    return folder


def check(tmp_path: Path, *docs: str):
    return kubeplan("check", str(write(tmp_path / "m", *docs)), "--format", "json")


def plan(tmp_path: Path, new: list[str], base: list[str]):
    new_dir, base_dir = write(tmp_path / "new", *new), write(tmp_path / "base", *base)
    return kubeplan("plan", str(new_dir), "--base", str(base_dir), "--format", "json")


def of_rule(findings: list[dict], rule: str) -> list[dict]:
    return [f for f in findings if f["rule"] == rule]


def test_pods_beyond_the_quota_are_refused_and_the_message_says_how_many_fit(
    tmp_path: Path,
) -> None:
    run = check(tmp_path, QUOTA.format(hard="1"), deployment(3))
    assert run.exit_code == 1
    (found,) = of_rule(run.json()["findings"], "quota-exceeded")
    assert "2 of its 3 pods fit" in found["message"]
    assert (
        "exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=1,"
        " limited: requests.cpu=1" in found["message"]
    )


def test_pods_within_the_quota_pass(tmp_path: Path) -> None:
    run = check(tmp_path, QUOTA.format(hard="2"), deployment(4))
    assert of_rule(run.json()["findings"], "quota-exceeded") == []


def test_a_quota_on_cpu_requests_needs_every_container_to_set_one(tmp_path: Path) -> None:
    run = check(tmp_path, QUOTA.format(hard="4"), deployment(1, cpu=None))
    (found,) = of_rule(run.json()["findings"], "quota-must-specify")
    assert "failed quota: compute: must specify requests.cpu for: app" in found["message"]


def test_a_limit_range_default_makes_the_quota_count(tmp_path: Path) -> None:
    """Without resources the pods were refused for a missing request; with a LimitRange
    defaultRequest of 400m they are charged 400m each, and the third does not fit in 1."""
    run = check(tmp_path, QUOTA.format(hard="1"), DEFAULTS, deployment(3, cpu=None))
    findings = run.json()["findings"]
    assert of_rule(findings, "quota-must-specify") == []
    (found,) = of_rule(findings, "quota-exceeded")
    assert "2 of its 3 pods fit" in found["message"]
    assert "requested: requests.cpu=400m" in found["message"]


def test_a_rollout_whose_surge_exceeds_the_quota_stalls_at_step_one(tmp_path: Path) -> None:
    base = [QUOTA.format(hard="2"), deployment(4)]
    new = [QUOTA.format(hard="2"), deployment(4, image="nginx:1.28")]
    run = plan(tmp_path, new, base)
    assert run.exit_code == 1
    report = run.json()
    (web,) = [s for s in report["steps"] if s["resource"]["kind"] == "Deployment"]
    assert web["verdict"] == "stalls"
    (found,) = of_rule(report["findings"], "quota-rollout-stall")
    assert found["severity"] == "error"
    message = found["message"]
    assert "at step 1" in message
    assert "4 old and 1 new pods need requests.cpu=2500m" in message
    assert "over the hard limit by requests.cpu=500m" in message
    assert "maxSurge 0 and maxUnavailable 1" in message
    assert "a hard limit of requests.cpu=2500m" in message


def test_with_unavailability_allowed_the_rollout_goes_on_with_a_warning(tmp_path: Path) -> None:
    base = [QUOTA.format(hard="2"), deployment(4, unavailable=1)]
    new = [QUOTA.format(hard="2"), deployment(4, image="nginx:1.28", unavailable=1)]
    run = plan(tmp_path, new, base)
    assert run.exit_code == 0, run.stdout
    (found,) = of_rule(run.json()["findings"], "quota-rollout-stall")
    assert found["severity"] == "warning"


def test_a_rollout_with_room_for_its_surge_is_not_flagged(tmp_path: Path) -> None:
    base = [QUOTA.format(hard="3"), deployment(4)]
    new = [QUOTA.format(hard="3"), deployment(4, image="nginx:1.28")]
    run = plan(tmp_path, new, base)
    assert run.exit_code == 0, run.stdout
    assert of_rule(run.json()["findings"], "quota-rollout-stall") == []


def test_a_new_revision_that_never_fits_cannot_finish(tmp_path: Path) -> None:
    base = [QUOTA.format(hard="2"), deployment(4)]
    new = [QUOTA.format(hard="2"), deployment(4, cpu="600m")]
    run = plan(tmp_path, new, base)
    assert run.exit_code == 1
    (found,) = of_rule(run.json()["findings"], "quota-exceeded")
    assert found["message"].startswith("the rollout can never finish")


DUMP = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ResourceQuota
  metadata: {name: compute, namespace: shop, resourceVersion: "7"}
  spec:
    hard: {requests.cpu: "3"}
  status:
    hard: {requests.cpu: "3"}
    used: {requests.cpu: "2500m"}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: shop, resourceVersion: "9"}
  spec:
    replicas: 4
    strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
    selector: {matchLabels: {app: web}}
    template:
      metadata: {labels: {app: web}}
      spec:
        containers:
        - name: app
          image: nginx:1.27
          resources: {requests: {cpu: 500m}}
"""


def test_usage_comes_from_the_dumps_status(tmp_path: Path) -> None:
    """The dump's quota has used 2600m of 3: 2000m are web's four pods, 600m pods the manifests
    do not show. The surge pod's 500m goes over by 100m; counted from the manifests alone
    (2000m) it would fit."""
    dump = tmp_path / "dump.yaml"
    dump.write_text(DUMP.replace('used: {requests.cpu: "2500m"}', 'used: {requests.cpu: "2600m"}'))
    new = write(
        tmp_path / "new",
        QUOTA.format(hard="3"),
        deployment(4, image="nginx:1.28"),
    )
    run = kubeplan("plan", str(new), "--base", str(dump), "--format", "json")
    assert run.exit_code == 1, run.stdout
    (found,) = of_rule(run.json()["findings"], "quota-rollout-stall")
    assert "over the hard limit by requests.cpu=100m" in found["message"]


def test_a_quota_created_with_the_workloads_warns_of_the_status_unknown_window(
    tmp_path: Path,
) -> None:
    run = plan(tmp_path, [QUOTA.format(hard="8"), deployment(2)], [])
    findings = run.json()["findings"]
    (found,) = of_rule(findings, "quota-status-unknown")
    assert "Deployment web" in found["message"]


COUNTS = """\
apiVersion: v1
kind: ResourceQuota
metadata:
  name: counts
  namespace: shop
spec:
  hard:
    count/deployments.apps: "1"
    services.loadbalancers: "0"
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: edge
  namespace: shop
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80}]
"""


def test_object_counts_refuse_the_object_itself(tmp_path: Path) -> None:
    second = deployment(1).replace("name: web", "name: api")
    run = plan(tmp_path, [COUNTS, deployment(1), second, SERVICE], [])
    assert run.exit_code == 1
    report = run.json()
    verdicts = {s["resource"]["name"]: s["verdict"] for s in report["steps"]}
    assert verdicts["edge"] == "rejected"
    # the first Deployment takes the one slot; the second is refused
    assert sorted(v for k, v in verdicts.items() if k in ("web", "api")) == ["create", "rejected"]
    messages = [f["message"] for f in of_rule(report["findings"], "quota-exceeded")]
    assert any(
        m.startswith(
            'services "edge" is forbidden: exceeded quota: counts, requested:'
            " services.loadbalancers=1, used: services.loadbalancers=0, limited:"
            " services.loadbalancers=0"
        )
        for m in messages
    ), messages


BEST_EFFORT = """\
apiVersion: v1
kind: ResourceQuota
metadata:
  name: no-best-effort
  namespace: shop
spec:
  hard:
    pods: "0"
  scopes: [BestEffort]
"""


def test_a_best_effort_scope_counts_only_pods_without_requests(tmp_path: Path) -> None:
    run = check(tmp_path, BEST_EFFORT, deployment(2, cpu=None))
    (found,) = of_rule(run.json()["findings"], "quota-exceeded")
    assert (
        "exceeded quota: no-best-effort, requested: pods=1, used: pods=0, limited: pods=0"
        in (found["message"])
    )
    run = check(tmp_path / "burstable", BEST_EFFORT, deployment(2, cpu="100m"))
    assert of_rule(run.json()["findings"], "quota-exceeded") == []


PVC_LIMITS = """\
apiVersion: v1
kind: LimitRange
metadata:
  name: storage
  namespace: shop
spec:
  limits:
  - type: PersistentVolumeClaim
    max: {storage: 10Gi}
"""
PVC = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  namespace: shop
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests: {storage: 20Gi}
"""


def test_a_claim_above_the_limit_range_maximum_is_rejected(tmp_path: Path) -> None:
    run = plan(tmp_path, [PVC_LIMITS, PVC], [])
    assert run.exit_code == 1
    report = run.json()
    (claim,) = [s for s in report["steps"] if s["resource"]["kind"] == "PersistentVolumeClaim"]
    assert claim["verdict"] == "rejected"
    (found,) = of_rule(report["findings"], "limitrange-violation")
    assert found["message"] == (
        'persistentvolumeclaims "data" is forbidden: maximum storage usage per'
        " PersistentVolumeClaim is 10Gi, but request is 20Gi"
    )
