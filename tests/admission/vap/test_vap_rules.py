"""rules.Matcher, ported case by case from k8s.io/apiserver
pkg/admission/plugin/webhook/predicates/rules/rules_test.go (TestGroup, TestVersion,
TestOperation, TestResource, TestScope). Go tests each part of a rule alone; here the other
parts are `*`, so the whole rule matches exactly when the part under test does."""

from __future__ import annotations

from typing import Any

import pytest

from kubeplan.admission.vap.matching import rule_matches
from kubeplan.admission.vap.types import Request


def a(group: str, version: str, resource: str, sub: str, op: str = "CREATE", ns: str = "ns"):
    return Request(op, group, version, "k" + resource, resource, sub, ns or None, "name",
                   {}, None, "", ())  # fmt: skip


def cluster(group: str, version: str, resource: str, sub: str) -> Request:
    return a(group, version, resource, sub, ns="")


def rule(**part: Any) -> dict[str, Any]:
    base = {"operations": ["*"], "apiGroups": ["*"], "apiVersions": ["*"], "resources": ["*/*"]}
    return {**base, **part}


CASES = {
    # TestGroup
    "group wildcard": (rule(apiGroups=["*"]), [a("g", "v", "r", "")], []),
    "group exact": (
        rule(apiGroups=["g1", "g2"]),
        [a("g1", "v", "r", ""), a("g2", "v2", "r3", "")],
        [a("g3", "v", "r", ""), a("g4", "v", "r", "")],
    ),
    # TestVersion
    "version wildcard": (rule(apiVersions=["*"]), [a("g", "v", "r", "")], []),
    "version exact": (
        rule(apiVersions=["v1", "v2"]),
        [a("g1", "v1", "r", ""), a("g2", "v2", "r", "")],
        [a("g1", "v3", "r", ""), a("g2", "v4", "r", "")],
    ),
    # TestOperation
    "operation wildcard": (
        rule(operations=["*"]),
        [a("g", "v", "r", "", op) for op in ("CREATE", "UPDATE", "DELETE", "CONNECT")],
        [],
    ),
    "operation create": (
        rule(operations=["CREATE"]),
        [a("g", "v", "r", "", "CREATE")],
        [a("g", "v", "r", "", op) for op in ("UPDATE", "DELETE", "CONNECT")],
    ),
    "operation update": (
        rule(operations=["UPDATE"]),
        [a("g", "v", "r", "", "UPDATE")],
        [a("g", "v", "r", "", op) for op in ("CREATE", "DELETE", "CONNECT")],
    ),
    "operation delete": (
        rule(operations=["DELETE"]),
        [a("g", "v", "r", "", "DELETE")],
        [a("g", "v", "r", "", op) for op in ("CREATE", "UPDATE", "CONNECT")],
    ),
    "operation connect": (
        rule(operations=["CONNECT"]),
        [a("g", "v", "r", "", "CONNECT")],
        [a("g", "v", "r", "", op) for op in ("CREATE", "UPDATE", "DELETE")],
    ),
    "operation multiple": (
        rule(operations=["UPDATE", "DELETE"]),
        [a("g", "v", "r", "", "UPDATE"), a("g", "v", "r", "", "DELETE")],
        [a("g", "v", "r", "", "CREATE"), a("g", "v", "r", "", "CONNECT")],
    ),
    # TestResource
    "no subresources": (
        rule(resources=["*"]),
        [a("g", "v", "r", ""), a("2", "v", "r2", "")],
        [a("g", "v", "r", "exec"), a("2", "v", "r2", "proxy")],
    ),
    "r & subresources": (
        rule(resources=["r/*"]),
        [a("g", "v", "r", ""), a("g", "v", "r", "exec")],
        [a("2", "v", "r2", ""), a("2", "v", "r2", "proxy")],
    ),
    "r & subresources or r2": (
        rule(resources=["r/*", "r2"]),
        [a("g", "v", "r", ""), a("g", "v", "r", "exec"), a("2", "v", "r2", "")],
        [a("2", "v", "r2", "proxy")],
    ),
    "proxy or exec": (
        rule(resources=["*/proxy", "*/exec"]),
        [a("g", "v", "r", "exec"), a("2", "v", "r2", "proxy"), a("2", "v", "r3", "proxy")],
        [a("g", "v", "r", ""), a("2", "v", "r2", ""), a("2", "v", "r4", "scale")],
    ),
    # TestScope
    "cluster scope": (
        rule(resources=["*"], scope="Cluster"),
        [
            cluster("g", "v", "r", ""),
            cluster("", "v1", "namespaces", ""),
            a("", "v1", "namespaces", ""),
        ],
        [a("g", "v", "r", "")],
    ),
    "cluster scope, subresources": (
        rule(resources=["*/*"], scope="Cluster"),
        [
            cluster("g", "v", "r", "exec"),
            cluster("", "v1", "namespaces", "finalize"),
            a("", "v1", "namespaces", "finalize"),
        ],
        [a("g", "v", "r", "exec")],
    ),
    "namespace scope": (
        rule(resources=["*/*"], scope="Namespaced"),
        [a("g", "v", "r", ""), a("g", "v", "r", "exec")],
        [
            cluster("", "v1", "namespaces", ""),
            cluster("", "v1", "namespaces", "finalize"),
            a("", "v1", "namespaces", ""),
            a("", "v1", "namespaces", "finalize"),
            cluster("g", "v", "r", ""),
            cluster("g", "v", "r", "exec"),
        ],
    ),
    "all scopes": (
        rule(resources=["*/*"], scope="*"),
        [
            a("g", "v", "r", ""),
            a("g", "v", "r", "exec"),
            cluster("g", "v", "r", ""),
            cluster("g", "v", "r", "exec"),
            cluster("", "v1", "namespaces", ""),
            cluster("", "v1", "namespaces", "finalize"),
            a("", "v1", "namespaces", ""),
            a("", "v1", "namespaces", "finalize"),
        ],
        [],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_matches_as_the_api_server(name: str) -> None:
    the_rule, match, no_match = CASES[name]
    for request in match:
        assert rule_matches(the_rule, request), (name, request)
    for request in no_match:
        assert not rule_matches(the_rule, request), (name, request)
