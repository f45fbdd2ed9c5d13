"""What a change grants (granted_risks), the requests of each apply step (requests_for), the
default policy and aggregation, and bad RBAC input as clear findings."""

from __future__ import annotations

from conftest import corpus, fixture, kubeplan
from rbac_helpers import binding, cluster_role, policy_of

from kubeplan.planner.rbac import Identity, Policy, Request, authorize, granted_risks, requests_for
from kubeplan.planner.rbac.matching import rules_allow
from kubeplan.schemas.loader import load, load_text


def _grants() -> dict[tuple[str, int], str]:
    base = load([fixture("rbac", "grants", "base")]).resources
    new = load([fixture("rbac", "grants", "new")]).resources
    return {(f.rule, f.line): f.message for f in granted_risks(base, new, "1.33")}


def test_new_cluster_role_binding_grants_secrets_cluster_wide() -> None:
    found = _grants()
    message = found[("rbac-grants-secrets-read", 55)]  # roleRef.name of ci-secret-reader
    assert message.startswith(
        "newly grants ServiceAccount ci/deployer get secrets; list secrets cluster-wide"
    )


def test_grown_role_is_reported_on_the_role() -> None:
    found = _grants()
    # team-a-dev's binding is unchanged; its Role (rules: line 6) adds pods/exec
    assert found[("rbac-grants-pods-exec", 6)] == (
        "newly grants Group team-a create pods/exec: runs commands in (or attaches to)"
        " containers, with their ServiceAccount and Secrets"
    )


def test_edit_in_kube_system_grants_workloads_tokens_and_impersonation() -> None:
    on_binding = {rule for rule, line in _grants() if line == 69}  # team-a-ops roleRef.name
    assert on_binding == {
        "rbac-grants-kube-system-workloads",
        "rbac-grants-pods-exec",
        "rbac-grants-token-create",
        "rbac-grants-impersonate",
    }


def test_aggregated_role_change_names_every_role_that_grows() -> None:
    found = _grants()
    message = found[("rbac-grants-aggregate-change", 32)]
    assert message.startswith(
        "adds to aggregated ClusterRole admin, edit, view: get,list,watch,delete crontabs"
    )


def test_nothing_new_is_nothing_reported() -> None:
    base = load([fixture("rbac", "grants", "base")]).resources
    assert granted_risks(base, base, "1.33") == []
    new = load([fixture("rbac", "grants", "new")]).resources
    assert granted_risks(new, new, "1.33") == []


def test_already_held_permission_is_not_new() -> None:
    # cluster-admin held before: a new binding to a secrets reader grants nothing new
    before = cluster_role("reader", "get,list|-|secrets") + binding(
        "root", "ClusterRole:cluster-admin", "User:ops"
    )
    after = before + binding("more", "ClusterRole:reader", "User:ops")
    base = load_text("b.yaml", before).resources
    new = load_text("n.yaml", after).resources
    assert granted_risks(base, new, "1.33") == []
    fresh = load_text(
        "n.yaml", before + binding("more", "ClusterRole:reader", "User:dev")
    ).resources
    assert [f.rule for f in granted_risks(base, fresh, "1.33")] == ["rbac-grants-secrets-read"]


def test_cluster_admin_binding_is_an_error() -> None:
    new = load_text(
        "n.yaml", binding("everyone", "ClusterRole:cluster-admin", "Group:system:authenticated")
    ).resources
    found = {(f.rule, str(f.severity)) for f in granted_risks([], new, "1.33")}
    assert ("rbac-grants-cluster-admin", "error") in found
    assert ("rbac-grants-wildcard", "warning") in found


# ------------------------------------------------------------------------ requests_for


def _one(text: str):
    (resource,) = load_text("r.yaml", text).resources
    return resource


DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n"


def test_client_side_apply_requests_apply_go() -> None:
    deployment = _one(DEPLOYMENT)
    assert [str(r) for r in requests_for("create", deployment)] == [
        'get deployments.apps web in namespace "shop"',
        'create deployments.apps in namespace "shop"',  # a POST carries no name
    ]
    assert [r.verb for r in requests_for("update", deployment)] == ["get", "patch"]
    assert [r.verb for r in requests_for("unchanged", deployment)] == ["get"]
    assert [r.verb for r in requests_for("delete", deployment)] == ["delete"]


def test_server_side_apply_requests_patch_go() -> None:
    deployment = _one(DEPLOYMENT)
    created = requests_for("create", deployment, server_side=True)
    assert [(r.verb, r.name) for r in created] == [("patch", "web"), ("create", "web")]
    assert [r.verb for r in requests_for("update", deployment, server_side=True)] == ["patch"]


def test_namespace_object_is_addressed_in_its_own_namespace_requestinfo_go() -> None:
    namespace = _one("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n")
    get, create = requests_for("create", namespace)
    assert (get.resource, get.namespace, get.name) == ("namespaces", "team", "team")
    assert (create.namespace, create.name) == ("", "")
    cluster_role_obj = _one(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: x\n"
    )
    assert {r.namespace for r in requests_for("update", cluster_role_obj)} == {""}


def test_custom_resource_uses_the_crd_plural() -> None:
    loaded = load([fixture("crd")])
    policy, _ = Policy.build(loaded.resources, [], "1.33")
    tab = next(r for r in loaded.resources if r.kind == "CronTab")
    (get, _create) = requests_for("create", tab, custom_kinds=policy.custom_kinds)
    assert (get.group, get.resource) == ("stable.example.com", "crontabs")


def test_unknown_kind_needs_a_wildcard_rule() -> None:
    widget = _one(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: ns1\n"
    )
    named = policy_of(
        cluster_role("w", "*|example.com|widgets")
        + binding("b", "ClusterRole:w", "User:u", namespace="ns1")
    )
    wild = policy_of(
        cluster_role("w", "*|example.com|*")
        + binding("b", "ClusterRole:w", "User:u", namespace="ns1")
    )
    (get, _c) = requests_for("create", widget)
    assert not authorize(named, Identity("u"), get).allowed
    assert authorize(wild, Identity("u"), get).allowed


# --------------------------------------------------------------------- policy, defaults


def test_aggregation_reaches_admin_through_view_and_edit_clusterroleaggregation() -> None:
    policy = policy_of(
        cluster_role(
            "crontab-viewer",
            "get|stable.example.com|crontabs",
            labels="rbac.authorization.k8s.io/aggregate-to-view=true",
        )
    )
    request = Request("get", "stable.example.com", "crontabs", namespace="ns1")
    for name in ("view", "edit", "admin"):
        assert any(r for r in policy.cluster_roles[name].rules if "crontabs" in r.resources), name
    assert not any("crontabs" in r.resources for r in policy.cluster_roles["cluster-admin"].rules)
    alice = policy_of(
        cluster_role(
            "crontab-viewer",
            "get|stable.example.com|crontabs",
            labels="rbac.authorization.k8s.io/aggregate-to-view=true",
        )
        + binding("admins", "ClusterRole:admin", "User:alice", namespace="ns1")
    )
    assert authorize(alice, Identity("alice"), request).allowed


def test_default_roles_view_edit_admin() -> None:
    policy = policy_of(cluster_role("unused", "get|-|pods"))

    def allows(role_name: str, verb: str, group: str, resource: str, sub: str = "") -> bool:
        request = Request(verb, group, resource, sub, "ns1")
        return rules_allow(policy.cluster_roles[role_name].rules, request)

    assert allows("view", "get", "", "pods") and not allows("view", "get", "", "secrets")
    assert allows("edit", "get", "", "secrets") and allows(
        "edit", "create", "", "serviceaccounts", "token"
    )
    assert not allows("edit", "create", "rbac.authorization.k8s.io", "roles")
    assert allows("admin", "create", "rbac.authorization.k8s.io", "roles")
    assert not allows("admin", "update", "", "resourcequotas")
    assert allows("view", "list", "discovery.k8s.io", "endpointslices")


def test_selfsubjectreviews_since_127() -> None:
    request = Request("create", "authentication.k8s.io", "selfsubjectreviews")
    old, _ = Policy.build([], [], "1.26")
    new, _ = Policy.build([], [], "1.27")
    alice = Identity.of("alice")
    assert not authorize(old, alice, request).allowed
    assert authorize(new, alice, request).allowed


def test_corpus_kueue_rbac_builds_without_findings() -> None:
    loaded = load([str(corpus("kueue-rbac"))])
    policy, findings = Policy.build(loaded.resources, [], "1.33")
    assert findings == []
    # kueue's batch-user role aggregates into edit/admin through its labels
    assert len(policy.cluster_roles) > 40


# ---------------------------------------------------------------------------- bad input


def test_binding_to_missing_role_is_a_finding() -> None:
    run = kubeplan(
        "who-can", "get", "secrets", "-n", "shop", fixture("rbac", "bad", "missing-role.yaml")
    )
    assert run.exit_code == 0
    assert run.stderr.splitlines() == [
        f"{fixture('rbac', 'bad', 'missing-role.yaml')}:9:3: warning: RoleBinding reader refers to Role"
        ' secret-reader in namespace "shop", which does not exist: it grants nothing until that role is'
        " created [rbac-binding-missing-role]"
    ]


def test_unknown_verb_is_a_finding() -> None:
    run = kubeplan(
        "can-i",
        "list",
        "pods",
        "-n",
        "shop",
        "--as",
        "carol",
        fixture("rbac", "bad", "unknown-verb.yaml"),
    )
    assert run.exit_code == 1  # "lists" grants nothing
    lines = run.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith(
        'rules[0] verb "lists" is never requested by the API server, so it grants nothing (verbs are exact and case-sensitive) [rbac-unknown-verb]'
    )
    assert ":9:" in lines[0] and '"Watch"' in lines[1]
    assert (
        kubeplan(
            "can-i",
            "get",
            "pods",
            "-n",
            "shop",
            "--as",
            "carol",
            fixture("rbac", "bad", "unknown-verb.yaml"),
        ).exit_code
        == 0
    )


def test_malformed_dump_is_a_finding_per_object() -> None:
    dump = fixture("rbac", "bad", "malformed-dump.yaml")
    run = kubeplan("who-can", "get", "pods", "--rbac", dump, "--format", "json")
    assert run.exit_code == 0
    found = [(f["rule"], f["line"], f["message"]) for f in run.json()["findings"]]
    assert found == [
        ("not-a-mapping", 19, "items[2] of the List is not an object"),
        ("rbac-malformed", 9, "rules is not a list"),
        (
            "rbac-malformed",
            10,
            "roleRef must name a ClusterRole (kind and name); the API server rejects this binding",
        ),
    ]


def test_unreadable_rbac_path_exits_2() -> None:
    run = kubeplan("who-can", "get", "pods", "--rbac", fixture("rbac", "nope.yaml"))
    assert run.exit_code == 2
    assert run.stderr.startswith("kubeplan: ")


def test_default_namespaced_roles_and_unmodelled_defaults() -> None:
    # kube-prometheus binds the default Role extension-apiserver-authentication-reader
    # (namespace_policy.go) and the default ClusterRole system:auth-delegator (policy.go)
    manifests = corpus("kube-prometheus", "revisions", "v0.18.0", "manifests")
    loaded = load([str(manifests)])
    policy, findings = Policy.build(loaded.resources, [], "1.33")
    assert [f.rule for f in findings] == []
    adapter = Identity.of("system:serviceaccount:monitoring:prometheus-adapter")
    read_config = Request(
        "get", "", "configmaps", namespace="kube-system", name="extension-apiserver-authentication"
    )
    assert authorize(policy, adapter, read_config).allowed
    other = Request("get", "", "configmaps", namespace="kube-system", name="other")
    assert not authorize(policy, adapter, other).allowed
    # the component and controller roles are modelled (data/defaults.json, from the golden
    # files): bindings to them grant their rules
    text = binding("mon", "ClusterRole:system:monitoring", "Group:ops") + binding(
        "ctl", "ClusterRole:system:controller:deployment-controller", "User:x"
    )
    policy, findings = Policy.build(load_text("m.yaml", text).resources, [], "1.33")
    assert findings == []
    ops = Identity.of("carol", ["ops"])
    assert authorize(policy, ops, Request("get", path="/metrics")).allowed
    x = Identity.of("x")
    assert authorize(policy, x, Request("update", "apps", "deployments", "status", "ns1")).allowed
    # a binding to a default role the table does not carry for the release (the 1.28 golden
    # file has no service-cidrs-controller: its role is feature-gated there) is an info finding
    text = binding("cidr", "ClusterRole:system:controller:service-cidrs-controller", "User:x")
    _policy, findings = Policy.build(load_text("m.yaml", text).resources, [], "1.28")
    assert [(f.rule, str(f.severity)) for f in findings] == [("rbac-role-not-modelled", "info")]
    _policy, findings = Policy.build(load_text("m.yaml", text).resources, [], "1.33")
    assert findings == []
