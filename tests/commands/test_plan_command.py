"""`kubeplan plan` end to end: apply order, rollouts, rejections, RBAC and reachability per step.

The arithmetic of each controller is tested in test_rollout*.py and the ordering rules in
test_apply_order.py; here the stages are checked together on real fixtures and the corpus.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import corpus, fixture, kubeplan

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 4
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
"""


WEBHOOK_CONFIGURATIONS = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


def plan_json(*args: str) -> tuple[int, dict[str, Any]]:
    run = kubeplan("plan", *args, "--format", "json")
    assert run.exit_code in (0, 1), run.stderr
    return run.exit_code, run.json()


def step_of(report: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    (step,) = [
        s
        for s in report["steps"]
        if s["resource"]["kind"] == kind and s["resource"]["name"] == name
    ]
    return step


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder


def test_plan_orders_the_diff_and_agrees_with_it() -> None:
    new, old = fixture("plan", "new"), fixture("plan", "old")
    code, report = plan_json(new, "--base", old)
    assert code == 0
    diff = kubeplan("diff", new, "--base", old, "--format", "json").json()
    expected = {
        (c["resource"]["kind"], c["resource"]["name"], c["action"])
        for c in diff["changes"]
        if c["action"] != "unchanged"
    }
    assert {
        (s["resource"]["kind"], s["resource"]["name"], s["action"]) for s in report["steps"]
    } == (expected)
    orders = [s["order"] for s in report["steps"]]
    assert orders == list(range(1, len(orders) + 1))
    waves = [s["wave"] for s in report["steps"]]
    assert waves == sorted(waves)

    # every dependency is applied in an earlier wave
    def key(identity: dict[str, Any]) -> tuple[Any, ...]:
        return (identity["kind"], identity["namespace"], identity["name"])

    wave_of = {key(s["resource"]): s["wave"] for s in report["steps"]}
    for step in report["steps"]:
        for needed in step["depends_on"]:
            assert wave_of[key(needed)] < step["wave"], (step["resource"], needed)
    # deletions after every apply
    applies = [s["order"] for s in report["steps"] if s["action"] != "delete"]
    deletes = [s["order"] for s in report["steps"] if s["action"] == "delete"]
    assert deletes and max(applies) < min(deletes)
    web = step_of(report, "Deployment", "web")
    assert {"group": "", "kind": "ServiceAccount", "namespace": "shop", "name": "web"} in web[
        "depends_on"
    ]
    summary = report["summary"]
    assert (summary["create"], summary["update"], summary["delete"]) == (
        sum(a == "create" for *_, a in expected),
        sum(a == "update" for *_, a in expected),
        sum(a == "delete" for *_, a in expected),
    )


def test_text_reads_like_terraform_plan_with_the_rollout_beneath_its_step() -> None:
    case = fixture("rollout", "deployment-surge-3-unavailable-2")
    run = kubeplan("plan", f"{case}/new", "--base", f"{case}/old", "--no-color")
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    (head,) = [line for line in lines if "~ update" in line]
    assert "Deployment shop/api" in head
    assert "rolls 10 pods" in head and "surge 3" in head and "unavailable 2" in head
    scaled = [line.strip() for line in lines if "Scaled " in line]
    assert scaled[0].startswith("1. Scaled up replica set api-")
    assert scaled[-1].endswith("old 0 · new 10")
    assert lines[-1] == "Plan: 0 to create, 1 to update (1 roll pods), 0 to delete."


def test_rollout_json_keeps_the_controller_bounds_at_every_step() -> None:
    case = fixture("rollout", "deployment-surge-3-unavailable-2")
    _, report = plan_json(f"{case}/new", "--base", f"{case}/old")
    (rollout,) = report["rollouts"]
    assert (rollout["replicas"], rollout["max_surge"], rollout["max_unavailable"]) == (10, 3, 2)
    assert rollout["steps"][0] == {"old": 10, "new": 3}
    assert rollout["steps"][-1] == {"old": 0, "new": 10}
    for step in rollout["steps"]:
        assert step["old"] + step["new"] <= 13


def test_a_lowered_partition_rolls_the_ordinals_it_releases() -> None:
    case = fixture("rollout", "statefulset-partition-3-to-2")
    _, report = plan_json(f"{case}/new", "--base", f"{case}/old")
    (rollout,) = report["rollouts"]
    assert [s["ordinals"] for s in rollout["steps"]] == [[2]]
    assert report["summary"]["rollout"] == 1


def test_daemonset_rollout_uses_the_given_node_count() -> None:
    case = fixture("rollout", "daemonset-unavailable-2")
    _, report = plan_json(f"{case}/new", "--base", f"{case}/old", "--nodes", "5")
    (rollout,) = report["rollouts"]
    assert [s["nodes"] for s in rollout["steps"]] == [2, 2, 1]


def test_selector_change_is_a_rejected_step_and_exit_1(tmp_path: Path) -> None:
    old = write(tmp_path / "old", "web.yaml", DEPLOYMENT)
    new = write(tmp_path / "new", "web.yaml", DEPLOYMENT.replace("app: web", "app: web2"))
    code, report = plan_json(str(new), "--base", str(old))
    assert code == 1
    (step,) = report["steps"]
    assert step["verdict"] == "rejected"
    assert "immutable-field-changed" in step["findings"]
    assert report["rollouts"] == []  # nothing rolls: the update is refused
    text = kubeplan("plan", str(new), "--base", str(old), "--no-color").stdout
    assert "! rejected Deployment shop/web" in text
    assert text.rstrip().endswith("0 to delete, 1 rejected.")


def test_an_unknown_field_in_a_changed_object_is_rejected_as_kubectl_validates_strictly(
    tmp_path: Path,
) -> None:
    old = write(tmp_path / "old", "web.yaml", DEPLOYMENT)
    new = write(tmp_path / "new", "web.yaml", DEPLOYMENT.replace("  replicas: 4", "  replica: 5"))
    code, report = plan_json(str(new), "--base", str(old))
    assert code == 1
    (step,) = report["steps"]
    assert step["verdict"] == "rejected"
    (finding,) = [f for f in report["findings"] if f["rule"] == "schema-unknown-field"]
    assert finding["line"] == 7


def test_without_a_base_everything_is_created(tmp_path: Path) -> None:
    new = write(tmp_path / "new", "web.yaml", DEPLOYMENT)
    code, report = plan_json(str(new))
    assert code == 0
    assert report["base"] == "an empty cluster"
    assert [s["action"] for s in report["steps"]] == ["create"]
    (rollout,) = report["rollouts"]
    assert rollout["steps"][-1] == {"old": 0, "new": 4}


def test_git_revision_base(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo / "deploy", "web.yaml", DEPLOYMENT)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "one"], check=True)
    (repo / "deploy" / "web.yaml").write_text(DEPLOYMENT.replace("nginx:1.27", "nginx:1.28"))
    code, report = plan_json(str(repo / "deploy"), "--base", "HEAD")
    assert code == 0
    assert report["base"] == "git:HEAD"
    (step,) = report["steps"]
    assert step["effects"] == ["rollout"]


def test_bad_base_is_exit_2() -> None:
    run = kubeplan("plan", fixture("shop"), "--base", "no-such-revision-or-folder")
    assert run.exit_code == 2
    assert "no such file or folder" in run.stderr


DEPLOYER = """\
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer-edit, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
  - {kind: ServiceAccount, name: deployer, namespace: shop}
"""
CLUSTER_ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: shop-reader}
rules:
  - {apiGroups: [""], resources: [pods], verbs: [get, list]}
"""


def test_rbac_denied_step_blocks_the_plan_with_what_is_missing(tmp_path: Path) -> None:
    """A CI deployer bound to `edit` in one namespace: the Deployment is allowed, the
    ClusterRole is not (edit grants nothing cluster-scoped)."""
    old = write(tmp_path / "old", "rbac.yaml", DEPLOYER)
    write(tmp_path / "old", "web.yaml", DEPLOYMENT)
    new = write(tmp_path / "new", "rbac.yaml", DEPLOYER)
    write(new, "web.yaml", DEPLOYMENT.replace("nginx:1.27", "nginx:1.28"))
    write(new, "role.yaml", CLUSTER_ROLE)
    args = (str(new), "--base", str(old), "--as", "system:serviceaccount:shop:deployer")
    code, report = plan_json(*args)
    assert code == 1
    assert report["identity"]["user"] == "system:serviceaccount:shop:deployer"
    web = step_of(report, "Deployment", "web")
    assert web["rbac"]["allowed"] is True and web["verdict"] == "update"
    role = step_of(report, "ClusterRole", "shop-reader")
    assert role["rbac"]["allowed"] is False and role["verdict"] == "blocked"
    assert {m["verb"] for m in role["rbac"]["missing"]} >= {"create"}
    assert report["summary"]["blocked"] == 1
    text = kubeplan("plan", *args, "--no-color").stdout
    assert "✗ blocked  ClusterRole shop-reader" in text


FRONTEND_BACKEND = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend, namespace: shop}
spec:
  selector: {matchLabels: {app: frontend}}
  template:
    metadata: {labels: {app: frontend}}
    spec:
      containers:
        - name: web
          image: frontend:1
          env:
            - {name: BACKEND_ADDR, value: "backend:8080"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend, namespace: shop}
spec:
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec:
      containers:
        - name: api
          image: backend:1
          ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: backend, namespace: shop}
spec:
  selector: {app: backend}
  ports: [{port: 8080}]
"""
DENY_ALL = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
"""


def test_a_policy_that_cuts_a_used_connection_blocks_its_step(tmp_path: Path) -> None:
    old = write(tmp_path / "old", "app.yaml", FRONTEND_BACKEND)
    new = write(tmp_path / "new", "app.yaml", FRONTEND_BACKEND)
    write(new, "deny.yaml", DENY_ALL)
    code, report = plan_json(str(new), "--base", str(old))
    assert code == 1
    lost = report["reachability"]["lost"]
    assert any("frontend" in c["from"] and "backend" in c["to"] for c in lost)
    policy = step_of(report, "NetworkPolicy", "deny-all")
    assert policy["verdict"] == "blocked"
    assert "netpol-cuts-connection" in policy["findings"]


def test_verbose_says_why_each_step_waits() -> None:
    run = kubeplan("plan", fixture("plan", "new"), "--base", fixture("plan", "old"), "-v")
    assert "after: " in run.stdout


@pytest.mark.parametrize(
    ("new", "base"),
    [
        (
            ("microservices-demo", "revisions", "v0.10.0"),
            ("microservices-demo", "revisions", "v0.8.0"),
        ),
        (
            ("kube-prometheus", "manifests"),
            ("kube-prometheus", "revisions", "v0.18.0", "manifests"),
        ),
    ],
)
def test_corpus_revisions_plan_without_error(new: tuple[str, ...], base: tuple[str, ...]) -> None:
    new_path, base_path = corpus(*new), corpus(*base)
    _, report = plan_json(str(new_path), "--base", str(base_path))
    assert report["steps"]
    # What others depend on goes first. The waves are topological generations of the
    # dependency graph (kubeplan/planner/graph.py): each dependency of a step is a step of an
    # earlier wave (an object deleted to be recreated is both, its delete first), and an apply
    # step waits for a wave only because it depends on something, or because it is an admission
    # webhook configuration, applied after the rest (data/apply_order.yaml `phase: last`).
    # Deletions come after the applies and may depend on nothing.
    waves: dict[tuple[str | None, ...], list[int]] = {}
    for step in report["steps"]:
        resource = step["resource"]
        group = resource["apiVersion"].rpartition("/")[0]
        key = (group, resource["kind"], resource["namespace"], resource["name"])
        waves.setdefault(key, []).append(step["wave"])
    for step in report["steps"]:
        for needed in step["depends_on"]:
            key = (needed["group"], needed["kind"], needed["namespace"], needed["name"])
            assert min(waves.get(key, [step["wave"]])) < step["wave"], (step["resource"], needed)
        if step["wave"] > 1 and step["action"] != "delete":
            webhook = step["resource"]["kind"] in WEBHOOK_CONFIGURATIONS
            assert step["depends_on"] or webhook, step["resource"]


def test_kube_prometheus_networkpolicy_change_blocks_nothing() -> None:
    """kube-prometheus 01004de adds eight NetworkPolicies; its Grafana dashboards and the
    prometheus-adapter config say `job="node-exporter"` (PromQL), which names no host: the
    policies cut no connection the manifests use, so nothing is blocked."""
    base = corpus("kube-prometheus", "revisions", "2022-04-04_a182d78")
    new = corpus("kube-prometheus", "revisions", "2022-04-05_01004de")
    code, report = plan_json(str(new), "--base", str(base))
    created = [s for s in report["steps"] if s["action"] == "create"]
    assert [s["resource"]["kind"] for s in created] == ["NetworkPolicy"] * 8
    assert [s for s in report["steps"] if s["verdict"] == "blocked"] == []
    assert code == 0


def test_shop_next_plan_the_readme_shows() -> None:
    """fixtures/shop-next is fixtures/shop with a new frontend image, the frontend's ConfigMap
    changed, cart scaled 2 -> 4, and cart's policy now admitting `checkout` instead of
    `frontend`: that cuts the frontend off from cart, which it calls (env CART_ADDR)."""
    run = kubeplan("plan", fixture("shop-next"), "--base", fixture("shop"), "--no-color")
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    heads = [line.split()[1:4] for line in lines if line.split() and line.split()[0].isdigit()]
    assert heads == [
        ["✗", "blocked", "NetworkPolicy"],
        ["~", "update", "ConfigMap"],
        ["~", "update", "Deployment"],
        ["~", "update", "Deployment"],
    ]
    assert "[netpol-cuts-connection]" in run.stdout
    assert "  - shop/frontend[Deployment] → shop/cart[Deployment]  (TCP/7070)" in lines
    assert lines[-1] == (
        "Plan: 0 to create, 4 to update (1 roll pods, 1 scales, 2 no pod effect), 0 to delete,"
        " 1 blocked."
    )
    # the ConfigMap is applied before the Deployment that reads it rolls
    report = kubeplan(
        "plan", fixture("shop-next"), "--base", fixture("shop"), "--format", "json"
    ).json()
    config = step_of(report, "ConfigMap", "frontend-config")
    frontend = step_of(report, "Deployment", "frontend")
    assert config["wave"] < frontend["wave"]


def test_plan_speaks_every_ci_format_in_one_run(tmp_path: Path) -> None:
    """SARIF valid against the official schema, JUnit parsed, GitHub commands, markdown with
    the plan table and the lost connection; text still on standard output."""
    import json
    import xml.etree.ElementTree as ElementTree

    import jsonschema_rs

    sarif, junit = tmp_path / "plan.sarif", tmp_path / "plan.xml"
    markdown = tmp_path / "plan.md"
    run = kubeplan(
        "plan",
        fixture("shop-next"),
        "--base",
        fixture("shop"),
        "--format",
        "sarif",
        "--output",
        str(sarif),
        "--format",
        f"junit={junit}",
        "--format",
        f"markdown={markdown}",
        "--format",
        "text",
        "--no-color",
    )
    assert run.exit_code == 1
    assert run.stdout.splitlines()[-1].startswith("Plan: 0 to create, 4 to update")
    schema = json.loads((Path(__file__).parents[1] / "data" / "sarif-2.1.0.json").read_text())
    document = json.loads(sarif.read_text())
    assert not list(jsonschema_rs.Draft4Validator(schema).iter_errors(document))
    (result,) = document["runs"][0]["results"]
    assert result["ruleId"] == "netpol-cuts-connection"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 96
    suite = ElementTree.parse(junit).getroot()
    assert suite.get("failures") == "1"
    text = markdown.read_text()
    assert "| 1 | blocked | `NetworkPolicy shop/cart-from-frontend`" in text
    assert "```mermaid" in text


def test_a_live_dump_base_with_pods_loses_no_connection(tmp_path: Path) -> None:
    """The dump's Pods (made by the ReplicaSet of the frontend Deployment) are the Deployment's
    pods: comparing them as endpoints of their own would report every connection as lost."""
    import yaml

    documents = list(yaml.safe_load_all(FRONTEND_BACKEND + "---\n" + DENY_ALL))
    allow = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "allow-frontend", "namespace": "shop"},
        "spec": {
            "podSelector": {"matchLabels": {"app": "backend"}},
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "frontend"}}}]}],
        },
    }
    live = []
    for number, document in enumerate([*documents, allow]):
        document = dict(document)
        document["metadata"] = {**document["metadata"], "uid": f"u{number}", "resourceVersion": "1"}
        live.append(document)
    live.append(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "frontend-5d9f7c-x1",
                "namespace": "shop",
                "uid": "p1",
                "resourceVersion": "2",
                "labels": {"app": "frontend"},
                "ownerReferences": [
                    {
                        "apiVersion": "apps/v1",
                        "kind": "ReplicaSet",
                        "name": "frontend-5d9f7c",
                        "uid": "r1",
                        "controller": True,
                    }
                ],
            },
            "spec": {"containers": [{"name": "web", "image": "frontend:1"}]},
        }
    )
    (tmp_path / "live.yaml").write_text(
        yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": live})
    )
    new = write(tmp_path / "new", "app.yaml", FRONTEND_BACKEND + "---\n" + DENY_ALL)
    (new / "allow.yaml").write_text(yaml.safe_dump(allow))
    code, report = plan_json(str(new), "--base", str(tmp_path / "live.yaml"))
    assert report["reachability"] == {"lost": [], "gained": []}
    assert report["summary"]["delete"] == 0
    assert code == 0


def test_a_policy_part_the_api_server_rejects_rejects_its_step(tmp_path: Path) -> None:
    """What reachability says of the new revision joins the plan: a /33 ipBlock fails
    ValidateIPBlock (pkg/apis/networking/validation/validation.go), so the policy is refused."""
    policy = (
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata: {name: odd, namespace: shop}\n"
        "spec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]\n"
    )
    _, report = plan_json(str(write(tmp_path, "policy.yaml", policy)))
    step = step_of(report, "NetworkPolicy", "odd")
    assert step["findings"] == ["netpol-invalid"]
    assert step["verdict"] == "rejected"
