"""who-can (subject_locator_test.go TestSubjectLocator) and the `kubeplan can-i` / `who-can`
commands on the fixtures: the CI deployer, the team user in dev and prod, Prometheus."""

from __future__ import annotations

from pathlib import Path

from conftest import corpus, fixture, kubeplan
from rbac_helpers import binding, cluster_role, policy_of, role

from kubeplan.planner.rbac import Request, who_can

DUMP = fixture("rbac", "cluster")


def _subjects(policy_text: str, request: Request) -> list[tuple[str, str]]:
    """The subjects other than the control-plane components of the default policy (upstream's
    subject_locator_test.go builds its policy without the bootstrap roles)."""
    allowed = who_can(policy_of(policy_text), request)
    return [(a.subject.kind, a.subject.name) for a in allowed if not a.component]


def test_no_super_user_star_matches_star_TestSubjectLocator() -> None:
    policy = (
        cluster_role("admin", "*|*|*")
        + binding("super", "ClusterRole:admin", "User:super-admin", "Group:super-admins")
        + binding("local", "ClusterRole:admin", "User:admin", "Group:admins", namespace="ns1")
    )
    in_ns1 = _subjects(policy, Request("get", "", "Pods", namespace="ns1"))
    assert in_ns1 == [
        ("Group", "system:masters"),
        ("User", "super-admin"),
        ("Group", "super-admins"),
        ("User", "admin"),
        ("Group", "admins"),
    ]
    cluster_only = [("Group", "system:masters"), ("User", "super-admin"), ("Group", "super-admins")]
    # "cluster role matches star in namespace" and "empty ns": only ClusterRoleBindings count
    assert _subjects(policy, Request("*", "", "Pods", namespace="*")) == cluster_only
    assert _subjects(policy, Request("*", "", "Pods")) == cluster_only


def test_local_roles_work_TestSubjectLocator() -> None:
    policy = (
        cluster_role("admin", "*|*|*")
        + binding("super", "ClusterRole:admin", "User:super-admin", "Group:super-admins")
        + role("admin", "ns1", "get|*|Pods")
        + binding("local", "Role:admin", "User:admin", "Group:admins", namespace="ns1")
    )
    cluster_only = [("Group", "system:masters"), ("User", "super-admin"), ("Group", "super-admins")]
    assert _subjects(policy, Request("get", "", "Pods", namespace="ns1")) == [
        *cluster_only,
        ("User", "admin"),
        ("Group", "admins"),
    ]
    # verb matches correctly; binding only works in correct ns
    assert _subjects(policy, Request("create", "", "Pods", namespace="ns1")) == cluster_only
    assert _subjects(policy, Request("get", "", "Pods", namespace="ns2")) == cluster_only


def test_who_can_merges_a_subject_and_lists_its_bindings() -> None:
    policy = policy_of(
        cluster_role("reader", "get|-|pods")
        + binding("one", "ClusterRole:reader", "User:alice")
        + binding("two", "ClusterRole:reader", "User:alice", namespace="ns1")
    )
    allowed = who_can(policy, Request("get", "", "pods", namespace="ns1"))
    alice = next(a for a in allowed if a.subject.name == "alice")
    assert alice.via == ["ClusterRoleBinding/one", "RoleBinding/ns1/two"]
    masters = allowed[0]
    assert masters.to_json() == {
        "kind": "Group",
        "name": "system:masters",
        "namespace": "",
        "via": ["ClusterRoleBinding/cluster-admin"],
        "component": False,
    }


# ------------------------------------------------------------------------------ commands


def test_can_i_team_user_allowed_in_dev_denied_in_prod() -> None:
    team = fixture("rbac", "team")
    args = ["create", "deployments", "--as", "alice", "--as-group", "team-a", "--rbac", DUMP, team]
    dev = kubeplan("can-i", *args, "-n", "dev")
    assert (dev.exit_code, dev.stdout) == (0, "yes\n")
    prod = kubeplan("can-i", *args, "-n", "prod")
    assert (prod.exit_code, prod.stdout) == (1, "no\n")
    # view in prod still reads
    read = kubeplan(
        "can-i",
        "list",
        "deployments.apps",
        "-n",
        "prod",
        "--as",
        "alice",
        "--as-group",
        "team-a",
        "--rbac",
        DUMP,
    )
    assert read.exit_code == 0
    # without the group, alice has nothing
    assert (
        kubeplan("can-i", "get", "pods", "-n", "dev", "--as", "alice", "--rbac", DUMP).exit_code
        == 1
    )


def test_can_i_json_names_the_binding() -> None:
    run = kubeplan(
        "can-i",
        "patch",
        "deployments",
        "-n",
        "shop",
        "--as",
        "system:serviceaccount:ci:deployer",
        "--rbac",
        DUMP,
        "--format",
        "json",
    )
    assert run.exit_code == 0
    document = run.json()
    assert document["schema_version"] == 1
    assert document["allowed"] is True
    assert document["via"] == "RoleBinding/shop/ci-deployer -> ClusterRole/edit"
    assert document["request"] == {
        "verb": "patch",
        "group": "apps",
        "resource": "deployments",
        "namespace": "shop",
        "name": "",
    }
    assert document["identity"]["groups"] == [
        "system:serviceaccounts",
        "system:serviceaccounts:ci",
        "system:authenticated",
    ]


def test_can_i_subresource_and_cluster_scope() -> None:
    deployer = ["--as", "system:serviceaccount:ci:deployer", "--rbac", DUMP]
    assert (
        kubeplan(
            "can-i", "create", "pods", "--subresource", "exec", "-n", "shop", *deployer
        ).exit_code
        == 0
    )
    assert (
        kubeplan("can-i", "get", "pods", "--subresource", "log", "-n", "shop", *deployer).exit_code
        == 0
    )
    # edit has no write on resourcequotas, and nodes are cluster-scoped (a RoleBinding never grants them)
    assert kubeplan("can-i", "update", "resourcequotas", "-n", "shop", *deployer).exit_code == 1
    assert kubeplan("can-i", "get", "nodes", "-n", "shop", *deployer).exit_code == 1
    assert kubeplan("can-i", "get", "/healthz", *deployer).exit_code == 0


def test_can_i_list_shows_rules_and_bindings() -> None:
    run = kubeplan(
        "can-i",
        "--list",
        "-n",
        "shop",
        "--as",
        "system:serviceaccount:ci:deployer",
        "--rbac",
        DUMP,
        "--format",
        "json",
    )
    assert run.exit_code == 0
    rules = run.json()["rules"]
    vias = {rule["via"] for rule in rules}
    assert "RoleBinding/shop/ci-deployer -> ClusterRole/edit" in vias
    assert "ClusterRoleBinding/system:discovery -> ClusterRole/system:discovery" in vias
    text = kubeplan(
        "can-i", "--list", "-n", "shop", "--as", "system:serviceaccount:ci:deployer", "--rbac", DUMP
    )
    assert text.stdout.splitlines()[0].split() == [
        "RESOURCES",
        "NON-RESOURCE",
        "URLS",
        "RESOURCE",
        "NAMES",
        "VERBS",
        "VIA",
    ]
    assert any(
        "secrets" in line and "ClusterRole/edit" in line for line in text.stdout.splitlines()
    )


def test_who_can_prometheus_service_account() -> None:
    run = kubeplan(
        "who-can",
        "list",
        "endpoints",
        "-n",
        "shop",
        fixture("rbac", "prometheus"),
        "--format",
        "json",
    )
    assert run.exit_code == 0, run.stderr
    subjects = [s for s in run.json()["subjects"] if not s["component"]]
    assert subjects == [
        {
            "kind": "Group",
            "name": "system:masters",
            "namespace": "",
            "via": ["ClusterRoleBinding/cluster-admin"],
            "component": False,
        },
        {
            "kind": "ServiceAccount",
            "name": "prometheus-k8s",
            "namespace": "monitoring",
            "via": ["RoleBinding/shop/prometheus-k8s"],
            "component": False,
        },
        # no namespace in a RoleBinding subject: the binding's namespace
        {
            "kind": "ServiceAccount",
            "name": "prometheus-k8s",
            "namespace": "shop",
            "via": ["RoleBinding/shop/prometheus-local"],
            "component": False,
        },
    ]
    # the control-plane components that read endpoints (the default bindings), marked as such
    components = {(s["kind"], s["name"]) for s in run.json()["subjects"] if s["component"]}
    assert ("User", "system:kube-proxy") in components
    assert ("ServiceAccount", "endpointslicemirroring-controller") in components
    other = kubeplan(
        "who-can",
        "list",
        "endpoints",
        "-n",
        "default",
        fixture("rbac", "prometheus"),
        "--format",
        "json",
    )
    assert [s["name"] for s in other.json()["subjects"] if not s["component"]] == ["system:masters"]


def test_who_can_text_is_a_table() -> None:
    run = kubeplan("who-can", "create", "deployments", "-n", "dev", "--rbac", DUMP)
    lines = run.stdout.splitlines()
    assert lines[0] == 'who can create deployments.apps in namespace "dev":'
    assert lines[1].split() == ["KIND", "NAME", "NAMESPACE", "VIA"]
    assert lines[3].split() == ["Group", "team-a", "RoleBinding/dev/team-a-edit"]


def test_who_can_on_corpus_kube_prometheus() -> None:
    manifests = corpus("kube-prometheus", "manifests")
    run = kubeplan(
        "who-can", "list", "pods", "-n", "kube-system", str(manifests), "--format", "json"
    )
    assert run.exit_code == 0, run.stderr
    names = {(s["kind"], s["namespace"], s["name"]) for s in run.json()["subjects"]}
    # prometheus-roleBindingSpecificNamespaces.yaml: a Role in kube-system for prometheus-k8s
    assert ("ServiceAccount", "monitoring", "prometheus-k8s") in names


def test_can_i_needs_as_and_verb() -> None:
    run = kubeplan("can-i", "get", "pods")
    assert run.exit_code == 2 and "--as" in run.stderr
    run = kubeplan("can-i", "get", "--as", "alice")
    assert run.exit_code == 2 and "VERB and RESOURCE" in run.stderr


def test_unknown_resource_is_a_note() -> None:
    run = kubeplan("can-i", "get", "widgets", "--as", "alice", "--rbac", DUMP)
    assert run.exit_code == 1
    assert 'unknown resource "widgets"' in run.stderr


def test_crd_resource_resolves_to_its_plural() -> None:
    crd = fixture("crd")
    run = kubeplan("who-can", "get", "CronTab", "-n", "default", crd, "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["request"]["resource"] == "crontabs"


def test_a_full_dump_reports_only_what_bears_on_the_answer(tmp_path: Path) -> None:
    """A `kubectl get all,roles,... -A -o yaml` dump given as --rbac: a Deployment defined
    twice is `kubeplan check`'s business; a Role defined twice and a broken document (it may
    have been a Role) change the answer, so they are reported."""
    role_text = role("reader", "dev", "get|-|pods")
    deployment = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: dev}\n"
        "spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}},"
        " spec: {containers: [{name: web, image: web}]}}}\n---\n"
    )
    dump = tmp_path / "dump.yaml"
    dump.write_text(
        role_text
        + role_text
        + binding("r", "Role:reader", "User:alice", namespace="dev")
        + deployment
        + deployment
        + "kind: [unclosed\n"
    )
    run = kubeplan("can-i", "get", "pods", "-n", "dev", "--as", "alice", "--rbac", str(dump))
    assert run.exit_code == 0 and run.stdout.strip() == "yes"
    reported = [line for line in run.stderr.splitlines() if line.strip()]
    assert any(
        "Role.rbac.authorization.k8s.io dev/reader is defined twice" in line for line in reported
    )
    assert any("[yaml-syntax]" in line for line in reported)
    assert not any("Deployment" in line for line in reported), reported
