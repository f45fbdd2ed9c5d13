"""Matcher.Matches, ported from k8s.io/apiserver pkg/admission/plugin/policy/matching/
matching_test.go (TestMatcher), case by case under its Go names, plus the namespace and object
selector predicates (webhook/predicates/namespace, object).

Differences, by design:
- A match through an equivalent resource (matchPolicy Equivalent) is a match that kubeplan
  marks `unknown`: the API server converts the object to the matched version before CEL sees
  it, and kubeplan does not convert.
- Not ported: "no rules (just write)" (a nil objectSelector in Go selects nothing; the API
  server defaults both selectors to {} so a stored binding never has one) and the four
  "erroring ... selector" cases (an invalid selector is refused when the policy is created).
"""

from __future__ import annotations

from typing import Any

import pytest

from kubeplan.admission.vap.matching import matches
from kubeplan.admission.vap.types import Request


def attrs(group: str, version: str, resource: str, sub: str = "", name: str = "name") -> Request:
    return Request("CREATE", group, version, "Kind", resource, sub, "ns", name, {}, None, "", ())


def rule(groups: list[str], versions: list[str], resources: list[str], **more: Any) -> dict:
    return {"operations": ["*"], "apiGroups": groups, "apiVersions": versions,
            "resources": resources, "scope": "*", **more}  # fmt: skip


def criteria(rules: list[dict], **more: Any) -> dict:
    return {"namespaceSelector": {}, "objectSelector": {}, "resourceRules": rules, **more}


DEPLOY = attrs("apps", "v1", "deployments")
SCALE = attrs("apps", "v1", "deployments", "scale")
DS = ["deployments", "deployments/scale"]
EQ = {"matchPolicy": "Equivalent"}
EXACT = {"matchPolicy": "Exact"}

# name: (criteria, request, matches, through an equivalent resource)
CASES = {
    "wildcard rule, match as requested": (criteria([rule(["*"], ["*"], ["*"])]), DEPLOY, True, False),
    "specific rules, prefer exact match": (
        criteria([rule(["extensions"], ["v1"], ["deployments"]),
                  rule(["apps"], ["v1beta1"], ["deployments"]),
                  rule(["apps"], ["v1"], ["deployments"])]),
        DEPLOY, True, False,
    ),
    "specific rules, match miss": (
        # Go's MatchResources here has no matchPolicy (nil: exact); the API defaults it to
        # Equivalent, so the miss is written with Exact
        criteria([rule(["extensions"], ["v1beta1"], ["deployments"]),
                  rule(["apps"], ["v1beta1"], ["deployments"])], **EXACT),
        DEPLOY, False, False,
    ),
    "specific rules, exact match miss": (
        criteria([rule(["extensions"], ["v1beta1"], ["deployments"]),
                  rule(["apps"], ["v1beta1"], ["deployments"])], **EXACT),
        DEPLOY, False, False,
    ),
    "specific rules, equivalent match, prefer extensions": (
        criteria([rule(["extensions"], ["v1beta1"], ["deployments"]),
                  rule(["apps"], ["v1beta1"], ["deployments"])], **EQ),
        DEPLOY, True, True,
    ),
    "specific rules, equivalent match, prefer apps": (
        criteria([rule(["apps"], ["v1beta1"], ["deployments"]),
                  rule(["extensions"], ["v1beta1"], ["deployments"])], **EQ),
        DEPLOY, True, True,
    ),
    "specific rules, subresource prefer exact match": (
        criteria([rule(["extensions"], ["v1beta1"], DS), rule(["apps"], ["v1beta1"], DS),
                  rule(["apps"], ["v1"], DS)]),
        SCALE, True, False,
    ),
    "specific rules, subresource exact match miss": (
        criteria([rule(["extensions"], ["v1beta1"], DS), rule(["apps"], ["v1beta1"], DS)], **EXACT),
        SCALE, False, False,
    ),
    "specific rules, subresource equivalent match, prefer extensions": (
        criteria([rule(["extensions"], ["v1beta1"], DS), rule(["apps"], ["v1beta1"], DS)], **EQ),
        SCALE, True, True,
    ),
    "specific rules, subresource equivalent match, prefer apps": (
        criteria([rule(["apps"], ["v1beta1"], DS), rule(["extensions"], ["v1beta1"], DS)], **EQ),
        SCALE, True, True,
    ),
    "specific rules, prefer exact match and name match": (
        criteria([rule(["apps"], ["v1"], ["deployments"], resourceNames=["name"])]),
        DEPLOY, True, False,
    ),
    "specific rules, prefer exact match and name match miss": (
        criteria([rule(["apps"], ["v1"], ["deployments"], resourceNames=["wrong-name"])]),
        DEPLOY, False, False,
    ),
    "specific rules, subresource equivalent match, prefer extensions and name match": (
        criteria([rule(["apps"], ["v1"], DS, resourceNames=["name"])], **EQ),
        attrs("extensions", "v1beta1", "deployments", "scale"), True, True,
    ),
    "specific rules, subresource equivalent match, prefer extensions and name match miss": (
        criteria([rule(["apps"], ["v1"], DS, resourceNames=["wrong-name"])], **EQ),
        attrs("extensions", "v1beta1", "deployments", "scale"), False, False,
    ),
    "exclude resource match on miss": (
        criteria([rule(["*"], ["*"], ["*"])],
                 excludeResourceRules=[rule(["extensions"], ["v1beta1"], ["deployments"])],
                 **EXACT),
        DEPLOY, True, False,
    ),
    "exclude resource miss on match": (
        criteria([rule(["*"], ["*"], ["*"])],
                 excludeResourceRules=[rule(["extensions"], ["v1beta1"], ["deployments"])]),
        attrs("extensions", "v1beta1", "deployments"), False, False,
    ),
    "exclude resource with name match": (
        criteria([rule(["*"], ["*"], ["*"])],
                 excludeResourceRules=[rule(["apps"], ["v1"], ["deployments"], resourceNames=["name"])]),
        DEPLOY, False, False,
    ),
    "exclude resource with name miss": (
        criteria([rule(["*"], ["*"], ["*"])],
                 excludeResourceRules=[rule(["apps"], ["v1"], ["deployments"],
                                            resourceNames=["other-name"])]),
        DEPLOY, True, False,
    ),
    "exclude equivalent resource match": (
        criteria([rule(["*"], ["*"], ["*"])],
                 excludeResourceRules=[rule(["extensions"], ["v1beta1"], ["deployments"])], **EQ),
        DEPLOY, False, False,
    ),
    "exclude equivalent resource with name miss": (
        criteria([rule(["*"], ["*"], ["*"])],
                 excludeResourceRules=[rule(["extensions"], ["v1beta1"], ["deployments"],
                                            resourceNames=["other-name"])], **EQ),
        DEPLOY, True, False,
    ),
    "treat empty ResourceRules as match": (
        {"namespaceSelector": {}, "objectSelector": {}, "matchPolicy": "Exact",  # Go: nil
         "excludeResourceRules": [rule(["extensions"], ["v1beta1"], ["deployments"])]},
        DEPLOY, True, False,
    ),
    "treat non-empty ResourceRules as no match": (criteria([{}]), DEPLOY, False, False),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_matcher_as_the_api_server(name: str) -> None:
    the_criteria, request, expected, equivalent = CASES[name]
    found = matches(the_criteria, request, {})
    assert found.matched is expected
    assert bool(found.unknown) is equivalent, found.unknown


def namespaced(labels: dict[str, str] | None = None, old: dict | None = None, op="CREATE"):
    obj = {"metadata": {"labels": labels}} if labels is not None else None
    return Request(op, "", "v1", "Pod", "pods", "", "team", "p", obj, old, "", ())


SELECT_PROD = {"matchLabels": {"env": "prod"}}
ALL_PODS = [rule([""], ["v1"], ["pods"])]


def test_namespace_selector_reads_the_namespace_labels() -> None:
    crit = criteria(ALL_PODS, namespaceSelector=SELECT_PROD)
    assert matches(crit, namespaced({}), {"env": "prod"}).matched
    assert not matches(crit, namespaced({}), {"env": "dev"}).matched


def test_namespace_selector_with_unknown_labels_is_unknown_not_a_guess() -> None:
    crit = criteria(ALL_PODS, namespaceSelector=SELECT_PROD)
    found = matches(crit, namespaced({}), None)
    assert found.matched and "labels of namespace team are not known" in found.unknown
    # an empty selector needs no labels
    assert matches(criteria(ALL_PODS), namespaced({}), None) == matches(
        criteria(ALL_PODS), namespaced({}), {}
    )


def test_a_namespace_is_matched_on_its_own_labels_and_cluster_objects_always_pass() -> None:
    crit = criteria([rule(["*"], ["*"], ["*"])], namespaceSelector=SELECT_PROD)
    ns = Request("CREATE", "", "v1", "Namespace", "namespaces", "", "prod-ns", "prod-ns",
                 {"metadata": {"labels": {"env": "prod"}}}, None, "", ())  # fmt: skip
    assert matches(crit, ns, None).matched
    dev = Request("CREATE", "", "v1", "Namespace", "namespaces", "", "d", "d",
                  {"metadata": {"labels": {"env": "dev"}}}, None, "", ())  # fmt: skip
    assert not matches(crit, dev, {"env": "prod"}).matched
    node = Request("CREATE", "", "v1", "Node", "nodes", "", None, "n1", {}, None, "", ())
    assert matches(crit, node, None).matched


def test_object_selector_matches_the_new_or_the_old_object() -> None:
    crit = criteria(ALL_PODS, objectSelector=SELECT_PROD)
    assert matches(crit, namespaced({"env": "prod"}), {}).matched
    old = {"metadata": {"labels": {"env": "prod"}}}
    assert matches(crit, namespaced({"env": "dev"}, old, "UPDATE"), {}).matched
    assert not matches(crit, namespaced({"env": "dev"}), {}).matched
    assert not matches(crit, namespaced(None, None, "DELETE"), {}).matched
