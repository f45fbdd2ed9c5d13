"""The authorizer against the cases of plugin/pkg/auth/authorizer/rbac/rbac_test.go
(TestRuleMatches, TestAuthorizer) and pkg/registry/rbac/validation/rule_test.go (TestAppliesTo,
TestDefaultRuleResolver), with kubeplan's own fixtures for each case."""

from __future__ import annotations

import pytest
from rbac_helpers import binding, cluster_role, policy_of, role

from kubeplan.planner.rbac import Identity, Policy, Request, Rule, authorize
from kubeplan.planner.rbac.matching import rule_allows
from kubeplan.planner.rbac.model import Subject, applies_to
from kubeplan.schemas.loader import load_text


def rule(verbs: str, groups: str = "", resources: str = "", urls: str = "") -> Rule:
    split = lambda v: tuple(v.split(",")) if v else ()  # noqa: E731
    return Rule(split(verbs), split(groups), split(resources), (), split(urls))


def res(verb: str, group: str, resource: str, sub: str = "", name: str = "") -> Request:
    return Request(verb, group, resource, sub, "ns1", name)


# TestRuleMatches: (case name, rule, {request: expected})
RULE_MATCHES = [
    (
        "star verb, exact match other",
        rule("*", "group1", "resource1"),
        {
            res("verb1", "group1", "resource1"): True,
            res("verb1", "group2", "resource1"): False,
            res("verb1", "group1", "resource2"): False,
            res("verb2", "group1", "resource1"): True,
            res("verb2", "group2", "resource2"): False,
        },
    ),
    (
        "star group, exact match other",
        rule("verb1", "*", "resource1"),
        {
            res("verb1", "group1", "resource1"): True,
            res("verb1", "group2", "resource1"): True,
            res("verb1", "group1", "resource2"): False,
            res("verb2", "group1", "resource1"): False,
        },
    ),
    (
        "star resource, exact match other",
        rule("verb1", "group1", "*"),
        {
            res("verb1", "group1", "resource1"): True,
            res("verb1", "group1", "resource2"): True,
            res("verb1", "group2", "resource1"): False,
            res("verb2", "group1", "resource1"): False,
        },
    ),
    (
        "tuple expansion",
        rule("verb1,verb2", "group1,group2", "resource1,resource2"),
        {
            res(v, g, r): True
            for v in ("verb1", "verb2")
            for g in ("group1", "group2")
            for r in ("resource1", "resource2")
        },
    ),
    (
        "subresource expansion",
        rule("*", "*", "resource1/subresource1"),
        {
            res("verb1", "group1", "resource1", "subresource1"): True,
            res("verb1", "group2", "resource1", "subresource2"): False,
            res("verb1", "group1", "resource2", "subresource1"): False,
            res("verb2", "group1", "resource1", "subresource1"): True,
        },
    ),
    (
        "star nonresource, exact match other",
        rule("verb1", urls="*"),
        {
            Request("verb1", path="/foo"): True,
            Request("verb1", path="/foo/bar/one"): True,
            Request("verb2", path="/foo"): False,
        },
    ),
    (
        "star nonresource subpath",
        rule("verb1", urls="/foo/*"),
        {
            Request("verb1", path="/foo"): False,
            Request("verb1", path="/foo/bar"): True,
            Request("verb1", path="/foo/baz/one"): True,
            Request("verb1", path="/notfoo"): False,
            Request("verb1", path="/notfoo/bar"): False,
        },
    ),
    (
        "star verb, exact nonresource",
        rule("*", urls="/foo,/foo/bar/one"),
        {
            Request("verb1", path="/foo"): True,
            Request("verb1", path="/foo/bar"): False,
            Request("verb1", path="/foo/bar/one"): True,
            Request("verb2", path="/foo/baz/one"): False,
        },
    ),
]


@pytest.mark.parametrize(
    ("name", "the_rule", "expected"), RULE_MATCHES, ids=[c[0] for c in RULE_MATCHES]
)
def test_rule_matches_TestRuleMatches(
    name: str, the_rule: Rule, expected: dict[Request, bool]
) -> None:
    for request, allowed in expected.items():
        assert rule_allows(the_rule, request) is allowed, (name, request)


def test_star_subresource_matches_only_that_subresource_ResourceMatches() -> None:
    # evaluation_helpers.go ResourceMatches: "*/scale" is that subresource of every resource.
    scale = rule("update", "apps", "*/scale")
    assert rule_allows(scale, res("update", "apps", "deployments", "scale"))
    assert not rule_allows(scale, res("update", "apps", "deployments"))
    assert not rule_allows(scale, res("update", "apps", "deployments", "status"))
    # "pods/*" is a literal: no globbing besides "*" and "*/sub".
    assert not rule_allows(rule("get", "", "pods/*"), res("get", "", "pods", "log"))


def test_resource_names_ResourceNameMatches() -> None:
    named = Rule(("get", "create"), ("",), ("secrets",), ("tls",))
    assert rule_allows(named, res("get", "", "secrets", name="tls"))
    assert not rule_allows(named, res("get", "", "secrets", name="other"))
    assert not rule_allows(named, res("create", "", "secrets"))  # a create carries no name


def test_verbs_are_case_sensitive_TestAuthorizer() -> None:
    policy = policy_of(
        cluster_role("admin", "*|*|*")
        + binding("admins", "ClusterRole:admin", "User:admin", "Group:admins", namespace="ns1")
    )
    admin = Identity("admin")
    assert authorize(policy, admin, Request("get", "", "Pods", namespace="ns1")).allowed
    assert authorize(policy, admin, Request("watch", "", "Foobar", namespace="ns1")).allowed
    joe = Identity("joe", ("group1", "admins"))
    assert authorize(policy, joe, Request("watch", "", "Foobar", namespace="ns1")).allowed
    # The RoleBinding grants only in ns1, and never cluster-scoped requests.
    assert not authorize(policy, admin, Request("GET", "", "Pods", namespace="ns2")).allowed
    assert not authorize(policy, admin, Request("get", "", "Pods", namespace="ns2")).allowed
    assert not authorize(policy, admin, Request("get", "", "Nodes")).allowed
    assert not authorize(
        policy, Identity("admin", ("admins",)), Request("get", "", "nodes")
    ).allowed


def test_non_resource_urls_TestAuthorizer() -> None:
    policy = policy_of(
        cluster_role("non-resource-url-getter", "get|||/apis")
        + cluster_role("non-resource-url", "*|||/apis")
        + cluster_role("non-resource-url-prefix", "get|||/apis/*")
        + binding("a", "ClusterRole:non-resource-url-getter", "User:foo", "Group:bar")
        + binding("b", "ClusterRole:non-resource-url", "User:admin", "Group:admin")
        + binding("c", "ClusterRole:non-resource-url-prefix", "User:prefixed", "Group:prefixed")
    )
    passes = [
        (Identity("foo"), "get", "/apis"),
        (Identity("", ("bar",)), "get", "/apis"),
        (Identity("admin"), "watch", "/apis"),
        (Identity("", ("admin",)), "watch", "/apis"),
        (Identity("prefixed"), "get", "/apis/v1"),
        (Identity("", ("prefixed",)), "get", "/apis/v1/foobar"),
    ]
    fails = [
        (Identity("foo"), "watch", "/apis"),  # wrong verb
        (Identity("foo"), "get", "/api/v1"),  # wrong path
        (Identity("admin"), "get", "/api/v1"),
        (Identity("prefixed"), "get", "/api/v1"),  # not covered by prefix
        (Identity("prefixed"), "get", "/apis"),  # "/apis/*" needs the slash
    ]
    for identity, verb, path in passes:
        assert authorize(policy, identity, Request(verb, path=path)).allowed, (identity, path)
    for identity, verb, path in fails:
        assert not authorize(policy, identity, Request(verb, path=path)).allowed, (identity, path)


def test_subresource_resolution_TestAuthorizer() -> None:
    pods = policy_of(
        cluster_role("admin", "*|*|pods")
        + binding("admin", "ClusterRole:admin", "User:admin", namespace="ns1")
    )
    status = policy_of(
        cluster_role("admin", "*|*|pods/status")
        + binding("admin", "ClusterRole:admin", "User:admin", namespace="ns1")
    )
    admin = Identity("admin")
    assert authorize(pods, admin, Request("get", "", "pods", "", "ns1")).allowed
    assert not authorize(pods, admin, Request("get", "", "pods", "status", "ns1")).allowed
    assert authorize(status, admin, Request("get", "", "pods", "status", "ns1")).allowed
    assert not authorize(status, admin, Request("get", "", "pods", "", "ns1")).allowed


def test_rules_for_namespace_TestDefaultRuleResolver() -> None:
    # rule_test.go TestDefaultRuleResolver: RoleBindings count only in their namespace (a
    # RoleBinding to a Role resolves it in the binding's own namespace); without a namespace
    # only ClusterRoleBindings apply.
    text = (
        role("readthings", "namespace1", "GET,WATCH|v1|pods", "GET,WATCH|v1|services")
        + cluster_role("cluster-admin-like", "*|*|*")
        + cluster_role("write-nodes", "PUT,CREATE,UPDATE|v1|nodes")
        + binding("rb", "Role:readthings", "User:foobar", "Group:group1", namespace="namespace1")
        + binding("crb", "ClusterRole:cluster-admin-like", "User:admin", "Group:admin")
    )
    policy, findings = Policy.build(load_text("case.yaml", text).resources, [], "1.33")
    # the Go test's upper-case verbs are valid objects but never match a request
    assert {f.rule for f in findings} == {"rbac-unknown-verb"} and len(findings) == 7

    def rules(identity: Identity, namespace: str) -> list[str]:
        return [str(g.rule) for g in policy.grants(identity, namespace)]

    read = ["GET,WATCH pods (apiGroups v1)", "GET,WATCH services (apiGroups v1)"]
    assert rules(Identity("foobar"), "namespace1") == read
    assert rules(Identity("foobar"), "namespace2") == []
    assert rules(Identity("foobar", ("admin",)), "") == ["* * (apiGroups *)"]
    assert rules(Identity(""), "") == []


APPLIES_TO = [
    ("single subject that matches username", ["User:foobar"], Identity("foobar"), "", True),
    (
        "multiple subjects, one that matches username",
        ["User:barfoo", "User:foobar"],
        Identity("foobar"),
        "",
        True,
    ),
    (
        "multiple subjects, none that match username",
        ["User:barfoo", "User:foobar"],
        Identity("zimzam"),
        "",
        False,
    ),
    (
        "multiple subjects, one that match group, should ignore namespace",
        ["User:barfoo", "Group:foobar"],
        Identity("zimzam", ("foobar",)),
        "namespace1",
        True,
    ),
    (
        "multiple subjects with a service account that matches",
        ["User:barfoo", "Group:foobar", "ServiceAccount:kube-system/default"],
        Identity("system:serviceaccount:kube-system:default"),
        "default",
        True,
    ),
    (
        "* user subject name doesn't match all users",
        ["User:*"],
        Identity("foobar"),
        "default",
        False,
    ),
    (
        "binding to all authenticated and unauthenticated subjects matches authenticated user",
        ["Group:system:authenticated", "Group:system:unauthenticated"],
        Identity.of("foobar"),
        "default",
        True,
    ),
    (
        "binding to all authenticated and unauthenticated subjects matches anonymous user",
        ["Group:system:authenticated", "Group:system:unauthenticated"],
        Identity.of("system:anonymous"),
        "default",
        True,
    ),
    # kubeplan's own: the namespace of a ServiceAccount subject defaults to the binding's
    (
        "service account without namespace takes the binding's",
        ["ServiceAccount:default"],
        Identity("system:serviceaccount:ns1:default"),
        "ns1",
        True,
    ),
    (
        "... and matches nobody in a ClusterRoleBinding",
        ["ServiceAccount:default"],
        Identity("system:serviceaccount::default"),
        "",
        False,
    ),
]


@pytest.mark.parametrize(
    ("case", "subjects", "identity", "namespace", "expected"),
    APPLIES_TO,
    ids=[c[0] for c in APPLIES_TO],
)
def test_binding_applies_to_TestAppliesTo(
    case: str, subjects: list[str], identity: Identity, namespace: str, expected: bool
) -> None:
    def subject(text: str) -> Subject:
        kind, value = text.split(":", 1)
        sa_ns, _, name = value.rpartition("/") if kind == "ServiceAccount" else ("", "", value)
        return Subject(kind, name, sa_ns)

    assert any(applies_to(subject(s), identity, namespace) for s in subjects) is expected


def test_system_masters_bypasses_rbac() -> None:
    policy = policy_of(cluster_role("nothing", "get|-|configmaps"))
    decision = authorize(
        policy, Identity.of("root", ["system:masters"]), Request("delete", "", "nodes")
    )
    assert decision.allowed and decision.superuser


def test_identity_groups_authenticated_group_adder() -> None:
    assert Identity.of("alice").groups == ("system:authenticated",)
    sa = Identity.of("system:serviceaccount:ci:deployer")
    assert sa.groups == (
        "system:serviceaccounts",
        "system:serviceaccounts:ci",
        "system:authenticated",
    )
    assert Identity.of("system:anonymous").groups == ("system:unauthenticated",)
    assert Identity.of("bob", ["system:unauthenticated"]).groups == ("system:unauthenticated",)


def test_default_roles_discovery_for_every_authenticated_user() -> None:
    policy = policy_of(cluster_role("unused", "get|-|pods"))
    alice = Identity.of("alice")
    assert authorize(policy, alice, Request("get", path="/version")).allowed
    assert authorize(policy, alice, Request("get", path="/apis/apps/v1")).allowed
    assert authorize(
        policy, alice, Request("create", "authorization.k8s.io", "selfsubjectaccessreviews")
    ).allowed
    assert not authorize(policy, alice, Request("get", "", "pods", namespace="default")).allowed
    anonymous = Identity.of("system:anonymous")
    assert authorize(policy, anonymous, Request("get", path="/healthz")).allowed
    assert not authorize(policy, anonymous, Request("get", path="/apis")).allowed
