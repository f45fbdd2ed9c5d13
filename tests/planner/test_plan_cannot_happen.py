"""A step that depends on a rejected step cannot happen: `kubeplan plan` says so in text and
JSON (verdict `cannot-happen`, `rejected_dependencies`)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import kubeplan

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: web
      containers:
      - name: web
        image: nginx
        envFrom: [{configMapRef: {name: cfg}}]
"""
ACCOUNT = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n"
CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: b\n"


def plan(tmp_path: Path, *docs: str, fmt: str = "json") -> object:
    new, base = tmp_path / "new", tmp_path / "base"
    new.mkdir()
    base.mkdir()
    (new / "all.yaml").write_text("---\n".join(docs))
    return kubeplan("plan", str(new), "--base", str(base), "--format", fmt)


def by_kind(report: dict) -> dict[str, dict]:
    return {step["resource"]["kind"]: step for step in report["steps"]}


def test_a_deployment_whose_service_account_is_rejected_cannot_happen(tmp_path: Path) -> None:
    bad_account = ACCOUNT + 'automountServiceAccountToken: "yes"\n'  # a schema error
    run = plan(tmp_path, bad_account, CONFIG, DEPLOYMENT)
    assert run.exit_code == 1
    steps = by_kind(run.json())
    assert steps["ServiceAccount"]["verdict"] == "rejected"
    assert steps["ConfigMap"]["verdict"] == "create"
    assert steps["Deployment"]["verdict"] == "cannot-happen"
    assert steps["Deployment"]["rejected_dependencies"] == [
        {"group": "", "kind": "ServiceAccount", "namespace": "default", "name": "web"}
    ]
    assert run.json()["summary"]["cannot_happen"] == 1


def test_a_deployment_whose_config_map_is_rejected_cannot_happen(tmp_path: Path) -> None:
    bad_config = CONFIG.replace("  a: b\n", "  a: 1\n")  # data values are strings: a schema error
    run = plan(tmp_path, ACCOUNT, bad_config, DEPLOYMENT)
    steps = by_kind(run.json())
    assert steps["ConfigMap"]["verdict"] == "rejected"
    assert steps["Deployment"]["verdict"] == "cannot-happen"
    assert [d["kind"] for d in steps["Deployment"]["rejected_dependencies"]] == ["ConfigMap"]


def test_text_says_the_step_cannot_happen(tmp_path: Path) -> None:
    bad_account = ACCOUNT + 'automountServiceAccountToken: "yes"\n'
    run = plan(tmp_path, bad_account, CONFIG, DEPLOYMENT, fmt="text")
    assert run.exit_code == 1
    assert "cannot-happen Deployment default/web" in run.stdout
    assert "cannot happen: depends on ServiceAccount default/web" in run.stdout
    assert "1 rejected, 1 cannot happen." in run.stdout


def test_a_rejected_namespace_reaches_what_is_in_it(tmp_path: Path) -> None:
    # Namespace rejected -> ServiceAccount in it -> Deployment using the ServiceAccount.
    namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\nspec: {finalizers: 1}\n"
    account = ACCOUNT.replace("name: web\n", "name: web\n  namespace: shop\n")
    deployment = DEPLOYMENT.replace("  name: web\nspec", "  name: web\n  namespace: shop\nspec")
    deployment = deployment.replace("        envFrom: [{configMapRef: {name: cfg}}]\n", "")
    steps = by_kind(plan(tmp_path, namespace, account, deployment).json())
    assert steps["Namespace"]["verdict"] == "rejected"
    assert steps["ServiceAccount"]["verdict"] == "cannot-happen"
    assert steps["Deployment"]["verdict"] == "cannot-happen"
    kinds = {d["kind"] for d in steps["Deployment"]["rejected_dependencies"]}
    assert kinds == {"Namespace", "ServiceAccount"}  # its namespace, and its account


def test_without_a_rejection_nothing_cannot_happen(tmp_path: Path) -> None:
    run = plan(tmp_path, ACCOUNT, CONFIG, DEPLOYMENT)
    assert run.exit_code == 0
    assert {s["verdict"] for s in run.json()["steps"]} == {"create"}
    assert all(s["rejected_dependencies"] == [] for s in run.json()["steps"])
