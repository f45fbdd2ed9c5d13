"""Privilege-escalation prevention: Covers (policy_comparator_test.go TestCovers*,
TestNonResourceURLCovers) and the role/binding storage checks (escalation_check.go,
clusterrole/policybased/storage.go, rolebinding/policybased/storage.go), on kubeplan fixtures."""

from __future__ import annotations

import pytest
from conftest import fixture
from rbac_helpers import binding, cluster_role, policy_of, role

from kubeplan.planner.rbac import Identity, Policy, Rule, authorize_step, plan_policies
from kubeplan.planner.rbac.escalation import covers, non_resource_url_covers, uncovered
from kubeplan.schemas.loader import load, load_text


def r(
    groups: str = "", verbs: str = "", resources: str = "", urls: str = "", names: str = ""
) -> Rule:
    split = lambda v: tuple(v.split(",")) if v else ()  # noqa: E731
    return Rule(split(verbs), split(groups), split(resources), split(names), split(urls))


COVERS = [
    ("TestCoversExactMatch", [r("v1", "get", "builds")], [r("v1", "get", "builds")], []),
    (
        "TestCoversSubresourceWildcard",
        [r("v1", "get", "*/scale")],
        [r("v1", "get", "foo/scale")],
        [],
    ),
    (
        "TestCoversMultipleRulesCoveringSingleRule",
        [
            r("v1", "delete", "deployments"),
            r("v1", "delete", "builds"),
            r("v1", "update", "builds,deployments"),
        ],
        [r("v1", "delete,update", "builds,deployments")],
        [],
    ),
    (
        "TestCoversMultipleAPIGroupsCoveringSingleRule",
        [
            r(g, v, res)
            for g in ("group1", "group2")
            for v, res in (
                ("delete", "deployments"),
                ("delete", "builds"),
                ("update", "builds,deployments"),
            )
        ],
        [r("group1,group2", "delete,update", "builds,deployments")],
        [],
    ),
    (
        "TestCoversSingleAPIGroupsCoveringMultiple",
        [r("group1,group2", "delete,update", "builds,deployments")],
        [r("group1", "delete", "deployments"), r("group2", "update", "builds,deployments")],
        [],
    ),
    (
        "TestCoversMultipleRulesMissingSingleVerbResourceCombination",
        [r("v1", "delete,update", "builds,deployments"), r("v1", "delete", "pods")],
        [r("v1", "delete,update", "builds,deployments,pods")],
        [r("v1", "update", "pods")],
    ),
    (
        "TestCoversAPIGroupStarCoveringMultiple",
        [r("*", "get", "roles")],
        [r("group1,group2", "get", "roles")],
        [],
    ),
    (
        "TestCoversEnumerationNotCoveringAPIGroupStar",
        [r("dummy-group", "get", "roles")],
        [r("*", "get", "roles")],
        [r("*", "get", "roles")],
    ),
    ("TestCoversAPIGroupStarCoveringStar", [r("*", "get", "roles")], [r("*", "get", "roles")], []),
    (
        "TestCoversVerbStarCoveringMultiple",
        [r("v1", "*", "roles")],
        [r("v1", "watch,list", "roles")],
        [],
    ),
    (
        "TestCoversEnumerationNotCoveringVerbStar",
        [r("v1", "get,list,watch,create,update,delete,exec", "roles")],
        [r("v1", "*", "roles")],
        [r("v1", "*", "roles")],
    ),
    ("TestCoversVerbStarCoveringStar", [r("v1", "*", "roles")], [r("v1", "*", "roles")], []),
    (
        "TestCoversResourceStarCoveringMultiple",
        [r("v1", "get", "*")],
        [r("v1", "get", "resourcegroup:deployments")],
        [],
    ),
    (
        "TestCoversEnumerationNotCoveringResourceStar",
        [r("v1", "get", "roles,resourcegroup:deployments")],
        [r("v1", "get", "*")],
        [r("v1", "get", "*")],
    ),
    ("TestCoversResourceStarCoveringStar", [r("v1", "get", "*")], [r("v1", "get", "*")], []),
    (
        "TestCoversResourceNameEmptyCoveringMultiple",
        [r("v1", "get", "pods")],
        [r("v1", "get", "pods", names="foo,bar")],
        [],
    ),
    (
        "TestCoversEnumerationNotCoveringResourceNameEmpty",
        [r("v1", "get", "pods", names="foo,bar")],
        [r("v1", "get", "pods")],
        [r("v1", "get", "pods")],
    ),
    ("TestCoversNonResourceURLs", [r(verbs="*", urls="/apis")], [r(verbs="*", urls="/apis")], []),
    (
        "TestCoversNonResourceURLsStar",
        [r(verbs="*", urls="*")],
        [r(verbs="*", urls="/apis,/apis/v1,/")],
        [],
    ),
    (
        "TestCoversNonResourceURLsStarAfterPrefixDoesntCover",
        [r(verbs="*", urls="/apis/*")],
        [r(verbs="get", urls="/apis,/apis/v1")],
        [r(verbs="get", urls="/apis")],
    ),
    (
        "TestCoversNonResourceURLsStarAfterPrefix",
        [r(verbs="*", urls="/apis/*")],
        [r(verbs="get", urls="/apis/v1/foo,/apis/v1")],
        [],
    ),
    (
        "TestCoversNonResourceURLsWithOtherFields",
        [r("v1", "get", "builds", urls="/apis")],
        [r("v1", "get", "builds", urls="/apis")],
        [],
    ),
    (
        "TestCoversNonResourceURLsWithOtherFieldsFailure",
        [r("v1", "get", "builds")],
        [r("v1", "get", "builds", urls="/apis")],
        [r(verbs="get", urls="/apis")],
    ),
]


@pytest.mark.parametrize(
    ("name", "owner", "servant", "missing"), COVERS, ids=[c[0] for c in COVERS]
)
def test_covers(name: str, owner: list[Rule], servant: list[Rule], missing: list[Rule]) -> None:
    assert covers(owner, servant) is (not missing)
    assert uncovered(owner, servant) == missing


@pytest.mark.parametrize(
    ("owner", "url", "want"),
    [
        ("*", "", True),
        ("*", "/api", True),
        ("/*", "", False),
        ("/*", "/", True),
        ("/apis", "/api", False),
        ("/api/v1", "/api", False),
        ("/api/*", "/api/v1", True),
        ("/api/*", "/api", False),
        ("/api/*/*", "/api/v1", False),
        ("/*/v1/*", "/api/v1", False),
    ],
)
def test_non_resource_url_covers_TestNonResourceURLCovers(owner: str, url: str, want: bool) -> None:
    assert non_resource_url_covers(owner, url) is want


# ---------------------------------------------------------------------------------- steps

DEPLOYER = Identity.of("system:serviceaccount:ci:deployer")


def _cluster() -> Policy:
    dump = load([fixture("rbac", "cluster")])
    policy, findings = Policy.build([], dump.resources, "1.33")
    assert not dump.findings and not findings
    return policy


def _deploy(name: str) -> list:
    return load([fixture("rbac", "deploy", name)]).resources


def test_ci_deployer_with_edit_applies_workloads() -> None:
    policy = _cluster()
    for resource in _deploy("workloads.yaml"):
        verdict = authorize_step(policy, DEPLOYER, "create", resource)
        assert verdict.allowed, (resource.kind, verdict.missing)
        assert [q["verb"] for q in verdict.requests] == ["get", "create"]
        assert all(
            q["via"] == "RoleBinding/shop/ci-deployer -> ClusterRole/edit" for q in verdict.requests
        )


def test_ci_deployer_cannot_create_cluster_role() -> None:
    (cluster_role_obj,) = _deploy("clusterrole.yaml")
    verdict = authorize_step(_cluster(), DEPLOYER, "create", cluster_role_obj)
    assert not verdict.allowed
    plain = [
        (m["verb"], m["resource"], m["namespace"])
        for m in verdict.missing
        if m["reason"] != "escalation"
    ]
    assert plain == [("get", "clusterroles", ""), ("create", "clusterroles", "")]
    # edit is bound in shop only: cluster-wide the deployer holds none of the role's rules.
    (escalation,) = [m for m in verdict.missing if m["reason"] == "escalation"]
    assert {"verbs": ["list"], "apiGroups": [""], "resources": ["pods"]} in escalation["rules"]
    assert verdict.hint == "a ClusterRoleBinding to ClusterRole/cluster-admin would grant it"


def test_ci_deployer_role_is_an_escalation() -> None:
    (role_obj,) = _deploy("role.yaml")
    verdict = authorize_step(_cluster(), DEPLOYER, "create", role_obj)
    assert not verdict.allowed
    (escalation,) = [m for m in verdict.missing if m["reason"] == "escalation"]
    # edit holds configmaps read but no write on resourcequotas (rbac.md §3).
    assert escalation["rules"] == [
        {"verbs": ["update"], "apiGroups": [""], "resources": ["resourcequotas"]},
        {"verbs": ["patch"], "apiGroups": [""], "resources": ["resourcequotas"]},
    ]
    assert escalation["verb"] == "escalate" and escalation["resource"] == "roles"
    assert verdict.hint == 'a RoleBinding in namespace "shop" to ClusterRole/admin would grant it'


ROLE_WRITER = cluster_role(
    "role-writer", "get,create,patch|rbac.authorization.k8s.io|roles,rolebindings"
) + cluster_role("pod-reader", "get,list|-|pods")


def _step(policy_text: str, obj_text: str, action: str, user: str = "u") -> list[dict]:
    policy = policy_of(policy_text)
    (resource,) = load_text("step.yaml", obj_text).resources
    return authorize_step(policy, Identity.of(user), action, resource).missing


def test_role_within_own_rules_is_no_escalation_ConfirmNoEscalation() -> None:
    policy = (
        ROLE_WRITER
        + binding("w", "ClusterRole:role-writer", "User:u", namespace="ns1")
        + binding("p", "ClusterRole:pod-reader", "User:u", namespace="ns1")
    )
    assert _step(policy, role("mine", "ns1", "get|-|pods"), "create") == []
    (missing,) = _step(policy, role("mine", "ns1", "get,delete|-|pods"), "create")
    assert missing["rules"] == [{"verbs": ["delete"], "apiGroups": [""], "resources": ["pods"]}]


def test_escalate_verb_waives_the_check_RoleEscalationAuthorized() -> None:
    base = ROLE_WRITER + binding("w", "ClusterRole:role-writer", "User:u", namespace="ns1")
    escalate_any = cluster_role("esc", "escalate|rbac.authorization.k8s.io|roles")
    escalate_named = cluster_role("esc", "escalate|rbac.authorization.k8s.io|roles||mine")
    bind_esc = binding("e", "ClusterRole:esc", "User:u", namespace="ns1")
    wide = role("mine", "ns1", "*|*|*")
    assert _step(base + escalate_any + bind_esc, wide, "create") == []
    # On create the request has no name, so an escalate grant limited by resourceNames does not help ...
    assert _step(base + escalate_named + bind_esc, wide, "create") != []
    # ... on update (a PATCH to the named object) it does.
    assert _step(base + escalate_named + bind_esc, wide, "update") == []


def test_aggregation_rule_needs_cluster_admin() -> None:
    writer = cluster_role(
        "cr-writer", "get,create|rbac.authorization.k8s.io|clusterroles"
    ) + binding("w", "ClusterRole:cr-writer", "User:u")
    aggregated = (
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: agg\n"
        "aggregationRule:\n  clusterRoleSelectors:\n    - matchLabels: {team: a}\nrules: []\n"
    )
    (missing,) = _step(writer, aggregated, "create")
    assert "aggregationRule needs cluster-admin" in missing["message"]
    assert (
        _step(writer + binding("root", "ClusterRole:cluster-admin", "User:u"), aggregated, "create")
        == []
    )


def test_binding_needs_bind_or_the_role_permissions_BindingAuthorized() -> None:
    policy = ROLE_WRITER + binding("w", "ClusterRole:role-writer", "User:u", namespace="ns1")
    to_reader = binding("b", "ClusterRole:pod-reader", "User:x", namespace="ns1")
    (missing,) = _step(policy, to_reader, "create")
    assert (missing["verb"], missing["resource"], missing["name"]) == (
        "bind",
        "clusterroles",
        "pod-reader",
    )
    # holding the role's permissions is enough
    held = policy + binding("p", "ClusterRole:pod-reader", "User:u", namespace="ns1")
    assert _step(held, to_reader, "create") == []
    # bind limited by resourceNames works, even on create (the name checked is roleRef.name)
    bind_named = cluster_role("binder", "bind|rbac.authorization.k8s.io|clusterroles||pod-reader")
    assert (
        _step(
            policy + bind_named + binding("bb", "ClusterRole:binder", "User:u", namespace="ns1"),
            to_reader,
            "create",
        )
        == []
    )
    bind_other = cluster_role("binder", "bind|rbac.authorization.k8s.io|clusterroles||other")
    assert (
        _step(
            policy + bind_other + binding("bb", "ClusterRole:binder", "User:u", namespace="ns1"),
            to_reader,
            "create",
        )
        != []
    )


def test_binding_to_missing_role_is_refused() -> None:
    policy = ROLE_WRITER + binding("w", "ClusterRole:role-writer", "User:u", namespace="ns1")
    (missing,) = _step(policy, binding("b", "Role:nope", "User:x", namespace="ns1"), "create")
    assert "does not exist" in missing["message"]


def test_system_masters_skips_escalation_EscalationAllowed() -> None:
    policy = policy_of(cluster_role("x", "get|-|pods"))
    (resource,) = load_text("r.yaml", role("mine", "ns1", "*|*|*")).resources
    verdict = authorize_step(policy, Identity.of("root", ["system:masters"]), "create", resource)
    assert verdict.allowed and verdict.missing == []


def test_binding_to_a_role_the_plan_creates_uses_the_roles_after() -> None:
    # admin in shop may write Roles and RoleBindings; the new revision adds a Role and binds it.
    cluster = load_text(
        "dump.yaml", binding("ops", "ClusterRole:admin", "User:ops", namespace="shop")
    ).resources
    new = load_text(
        "new.yaml",
        role("pod-reader", "shop", "get,list|-|pods")
        + binding("read", "Role:pod-reader", "User:dev", namespace="shop"),
    ).resources
    policies = plan_policies([], new, cluster, "1.33")
    assert policies.findings == []
    ops = Identity.of("ops")
    role_obj, binding_obj = new
    assert authorize_step(policies.before, ops, "create", role_obj).allowed
    # the API server resolves roleRef when the binding is written, after the Role step
    assert authorize_step(
        policies.before, ops, "create", binding_obj, roles_after=policies.after
    ).allowed
    denied = authorize_step(policies.before, ops, "create", binding_obj)
    assert not denied.allowed and "does not exist" in denied.missing[0]["message"]
