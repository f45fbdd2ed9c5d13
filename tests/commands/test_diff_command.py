"""`kubeplan diff` end to end: bases from git, folders and dumps; effects; exit codes."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import corpus, fixture, kubeplan

DEPLOYMENT = textwrap.dedent(
    """\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
      replicas: 3
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
)


def _git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _git(tmp_path, "init", "-q")
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "web.yaml").write_text(DEPLOYMENT)
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _fields(report: dict) -> dict[str, tuple[str, object, object]]:
    (change,) = [c for c in report["changes"] if c["action"] == "update"]
    return {f["path"]: (f["effect"], f["old"], f["new"]) for f in change["fields"]}


def test_image_bump_rolls_and_replicas_scale_against_git_head(repo: Path) -> None:
    edited = DEPLOYMENT.replace("nginx:1.27", "nginx:1.28").replace("replicas: 3", "replicas: 5")
    (repo / "deploy" / "web.yaml").write_text(edited)
    run = kubeplan("diff", "deploy", "--base", "HEAD", "--format", "json")
    assert run.exit_code == 0, run.stdout
    report = run.json()
    assert report["base"] == "git:HEAD"
    assert _fields(report) == {
        "containers[web].image": ("rollout", "nginx:1.27", "nginx:1.28"),
        "spec.replicas": ("scale", 3, 5),
    }
    assert report["summary"]["update"] == 1 and report["summary"]["rollout"] == 1
    text = kubeplan("diff", "deploy", "--base", "HEAD", "--no-color").stdout
    assert "~ Deployment shop/web" in text
    assert "nginx:1.27 → nginx:1.28" in text
    field_lines = [line for line in text.splitlines() if line.startswith("    ~ ")]
    assert [line.split()[1:3] for line in field_lines] == [
        ["spec.replicas", "scale"],
        ["containers[web].image", "rollout"],
    ]
    # the effect column is aligned, and each reason is said once under the fields
    assert field_lines[0].index("scale") == field_lines[1].index("rollout")
    reasons = [line.strip() for line in text.splitlines() if line.startswith("      ")]
    assert [reason.split(":")[0] for reason in reasons] == ["scale", "rollout"]
    assert "0 to create, 1 to update (1 roll pods, 1 scale), 0 to delete." in text


def test_selector_change_is_rejected_with_exit_1_and_a_finding_at_its_line(repo: Path) -> None:
    edited = DEPLOYMENT.replace("      app: web\n  template", "      app: web2\n  template")
    edited = edited.replace(
        "      labels:\n        app: web\n", "      labels:\n        app: web2\n"
    )
    (repo / "deploy" / "web.yaml").write_text(edited)
    run = kubeplan("diff", "deploy", "--base", "HEAD", "--format", "json")
    assert run.exit_code == 1
    report = run.json()
    immutable = [f for f in report["findings"] if f["rule"] == "immutable-field-changed"]
    assert immutable and immutable[0]["line"] == 10
    assert "kubectl replace --force" in immutable[0]["hint"]
    assert report["summary"]["rejected"] == 1


def test_path_new_in_this_revision_is_all_created(repo: Path) -> None:
    (repo / "extra").mkdir()
    (repo / "extra" / "ns.yaml").write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n"
    )
    report = kubeplan("diff", "extra", "--base", "HEAD", "--format", "json").json()
    assert [(c["action"], c["resource"]["name"]) for c in report["changes"]] == [("create", "x")]


def test_bad_base_is_exit_2(repo: Path) -> None:
    run = kubeplan("diff", "deploy", "--base", "no-such-rev")
    assert run.exit_code == 2
    assert "no such file or folder, nor git revision" in run.stderr


def test_a_live_dump_of_the_same_objects_is_unchanged(tmp_path: Path) -> None:
    manifest = tmp_path / "web.yaml"
    manifest.write_text(
        textwrap.dedent(
            """\
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop, labels: {app: web}}
            spec:
              replicas: 3
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: web, image: "nginx:1.27"}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec:
              selector: {app: web}
              ports: [{port: 80, targetPort: 8080}]
            """
        )
    )
    report = kubeplan(
        "diff", str(manifest), "--base", fixture("dump", "live.yaml"), "--format", "json"
    ).json()
    assert {c["action"] for c in report["changes"]} == {"unchanged"}


def test_corpus_release_bump_rolls_every_workload_and_nothing_else() -> None:
    release = corpus("microservices-demo", "release", "kubernetes-manifests.yaml")
    base = corpus(
        "microservices-demo", "revisions", "v0.10.5", "release", "kubernetes-manifests.yaml"
    )
    report = kubeplan("diff", str(release), "--base", str(base), "--format", "json").json()
    summary = report["summary"]
    assert (summary["create"], summary["delete"], summary["update"]) == (0, 0, 11)
    assert summary["rollout"] == 11 and summary["rejected"] == 0
    for change in report["changes"]:
        for field in change["fields"]:
            assert field["effect"] == "rollout", field


def test_an_atomic_list_edit_shows_the_leaves_that_differ() -> None:
    """A NetworkPolicy's ingress is replaced whole on apply (no merge key): one change on
    spec.ingress, in JSON with both lists; the text names the leaf inside that differs."""
    from conftest import fixture

    args = ("diff", fixture("shop-next"), "--base", fixture("shop"))
    report = kubeplan(*args, "--format", "json").json()
    (policy,) = [c for c in report["changes"] if c["resource"]["kind"] == "NetworkPolicy"]
    (field,) = policy["fields"]
    assert field["path"] == "spec.ingress" and isinstance(field["old"], list)
    text = kubeplan(*args, "--no-color").stdout
    assert (
        "spec.ingress  no-pod-effect  [0].from[0].podSelector.matchLabels.app: frontend → checkout"
        in text
    )


LIVE_DUMP = """\
apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: shop, uid: d1, resourceVersion: "10", generation: 2}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: "nginx:1.27"}]}
  - apiVersion: apps/v1
    kind: ReplicaSet
    metadata:
      name: web-5d9f7c
      namespace: shop
      uid: r1
      resourceVersion: "11"
      ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d1, controller: true}]
    spec:
      replicas: 2
      selector: {matchLabels: {app: web, pod-template-hash: 5d9f7c}}
      template:
        metadata: {labels: {app: web, pod-template-hash: 5d9f7c}}
        spec: {containers: [{name: web, image: "nginx:1.27"}]}
  - apiVersion: v1
    kind: Pod
    metadata:
      name: web-5d9f7c-x1
      namespace: shop
      uid: p1
      resourceVersion: "12"
      ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d9f7c, uid: r1, controller: true}]
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
  - apiVersion: v1
    kind: ServiceAccount
    metadata: {name: default, namespace: shop, uid: s1, resourceVersion: "3"}
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: kube-root-ca.crt, namespace: shop, uid: c1, resourceVersion: "4"}
    data: {ca.crt: x}
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: old-config, namespace: shop, uid: c2, resourceVersion: "5"}
    data: {a: b}
"""
NEW_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.28"}]}
"""


def test_a_live_dump_base_ignores_what_controllers_and_the_cluster_made(tmp_path: Path) -> None:
    """ReplicaSets and Pods (ownerReferences controller: true), the default ServiceAccount and
    kube-root-ca.crt are in a `kubectl get -o yaml` dump but in no manifest: not deletions."""
    (tmp_path / "live.yaml").write_text(LIVE_DUMP)
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "web.yaml").write_text(NEW_DEPLOYMENT)
    args = ("diff", str(tmp_path / "new"), "--base", str(tmp_path / "live.yaml"))
    report = kubeplan(*args, "--format", "json").json()
    actions = {
        (c["resource"]["kind"], c["resource"]["name"]): c["action"] for c in report["changes"]
    }
    # old-config is in no manifest: kubectl apply -f keeps it; --prune deletes it
    assert actions == {("Deployment", "web"): "update"}
    pruned = kubeplan(*args, "--prune", "--format", "json").json()
    assert {c["resource"]["name"]: c["action"] for c in pruned["changes"]}["old-config"] == "delete"
    assert report["summary"]["not_compared"] == 4
    text = kubeplan(*args, "--no-color").stdout
    assert "4 objects of the base made by a controller or by the cluster itself" in text
