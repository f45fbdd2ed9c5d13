"""The variables a policy sees, params, the authorizer, releases and what kubeplan reports as
not evaluated (reference: ../shared/reference/admission.md section 5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from vapcase import deployment, policy_docs, read, request

from kubeplan.admission.vap import evaluate
from kubeplan.admission.vap.model import policies_from
from kubeplan.schemas.cel import engine


def run(policies, req, labels: dict | None = None, **more: Any) -> list[tuple[str, str]]:
    out = evaluate(policies, req, namespace_labels={} if labels is None else labels,
                   namespace_object=more.pop("namespace_object", None), **more)  # fmt: skip
    return [(o.action, o.message) for o in out]


def v(expression: str, **more: Any) -> dict[str, Any]:
    return {"expression": expression, **more}


def test_update_that_fails_only_against_the_old_object(tmp_path: Path) -> None:
    policies = read(tmp_path, policy_docs(validations=[v(
        "request.operation != 'UPDATE' || object.spec.replicas >= oldObject.spec.replicas",
        message="scaling down is not allowed")]))  # fmt: skip
    assert run(policies, request(deployment(2))) == []
    assert run(policies, request(deployment(4), deployment(3), "UPDATE")) == []
    assert run(policies, request(deployment(2), deployment(3), "UPDATE")) == [
        ("Deny", "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: scaling down"
                 " is not allowed")
    ]  # fmt: skip


def test_the_request_variable(tmp_path: Path) -> None:
    checks = [
        "request.kind == {'group': 'apps', 'version': 'v1', 'kind': 'Deployment'}",
        "request.resource.resource == 'deployments' && request.requestResource.group == 'apps'",
        "request.name == 'web' && request.namespace == 'team' && request.operation == 'CREATE'",
        "request.userInfo.username == 'alice' && 'devs' in request.userInfo.groups",
        "!has(request.subResource) && request.dryRun == false",
        "oldObject == null && namespaceObject.metadata.name == 'team'",
        "!has(namespaceObject.metadata.annotations)",
    ]
    policies = read(tmp_path, policy_docs(validations=[v(c) for c in checks]))
    ns = {"apiVersion": "v1", "kind": "Namespace",
          "metadata": {"name": "team", "labels": {"a": "b"}}, "spec": {}}  # fmt: skip
    req = request(deployment(1), groups=("devs",))
    assert run(policies, req, namespace_object=ns) == []


def test_variables_are_lazy_and_an_unused_failing_one_is_harmless(tmp_path: Path) -> None:
    variables = [{"name": "broken", "expression": "object.spec.missing"},
                 {"name": "replicas", "expression": "object.spec.replicas"}]  # fmt: skip
    ok = read(tmp_path, policy_docs(variables=variables, validations=[v("variables.replicas < 5")]))
    assert run(ok, request(deployment(3))) == []
    bad = read(tmp_path, policy_docs(variables=variables, validations=[v("variables.broken == 1")]))
    [(action, message)] = run(bad, request(deployment(3)))
    assert action == "Deny"
    assert message == (
        "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: expression"
        " 'variables.broken == 1' resulted in error: no such key: missing"
    )


def test_authorizer_answers_and_unknowns(tmp_path: Path) -> None:
    expr = "authorizer.group('apps').resource('deployments').namespace('team').check('delete').allowed()"
    policies = read(tmp_path, policy_docs(validations=[v(expr, message="only admins")]))
    asked: list[dict] = []

    def answers(value: str | None):
        def authorizer(**question: Any) -> str | None:
            asked.append(question)
            return value

        return authorizer

    req = request(deployment(1))
    assert run(policies, req, authorizer=answers("allowed")) == []
    assert asked[0] == {"user": "alice", "groups": ("system:authenticated",), "verb": "delete",
                        "group": "apps", "resource": "deployments", "subresource": "",
                        "namespace": "team", "name": "", "path": ""}  # fmt: skip
    assert run(policies, req, authorizer=answers("denied")) == [
        ("Deny", "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: only admins")
    ]
    for authorizer in (answers(None), None):
        [(action, message)] = run(policies, req, authorizer=authorizer)
        assert action == "NotEvaluated"
        assert "the authorizer cannot answer whether alice may delete apps/deployments" in message


def test_an_unknown_authorizer_answer_that_cannot_change_the_result_is_not_needed(
    tmp_path: Path,
) -> None:
    expr = "object.spec.replicas < 5 || authorizer.requestResource.check('patch').allowed()"
    policies = read(tmp_path, policy_docs(validations=[v(expr)]))
    assert run(policies, request(deployment(1))) == []
    assert run(policies, request(deployment(9)))[0][0] == "NotEvaluated"


def test_service_account_checks_ask_for_the_service_account(tmp_path: Path) -> None:
    expr = "authorizer.serviceAccount('ci', 'deployer').group('').resource('pods').check('create').allowed()"
    policies = read(tmp_path, policy_docs(validations=[v(expr)]))
    asked: list[dict] = []
    run(policies, request(deployment(1)), authorizer=lambda **q: asked.append(q) or "allowed")
    assert asked[0]["user"] == "system:serviceaccount:ci:deployer"
    assert asked[0]["groups"] == ("system:serviceaccounts", "system:serviceaccounts:ci")


def test_a_function_kubeplan_lacks_is_not_evaluated(tmp_path: Path) -> None:
    policies = read(
        tmp_path, policy_docs(validations=[v("semver(object.metadata.name).major() > 1")])
    )
    [(action, message)] = run(policies, request(deployment(1)))
    assert action == "NotEvaluated" and "semver" in message


def test_no_cel_engine_means_not_evaluated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    policies = read(tmp_path, policy_docs(validations=[v("false")]))

    def missing(*_: Any) -> Any:
        raise engine.Unavailable("No module named 'cel_expr_python'")

    monkeypatch.setattr(engine, "compile_rule", missing)
    [(action, message)] = run(policies, request(deployment(1)))
    assert action == "NotEvaluated" and "no CEL engine is installed" in message


def test_a_syntax_error_is_an_evaluation_error_under_the_failure_policy(tmp_path: Path) -> None:
    policies = read(tmp_path, policy_docs(validations=[v("object.spec.replicas <")]))
    [(action, message)] = run(policies, request(deployment(1)))
    assert action == "Deny" and "denied request: compilation error: " in message
    ignored = read(tmp_path, policy_docs(validations=[v("object.spec.replicas <")],
                                         failurePolicy="Ignore"))  # fmt: skip
    assert run(ignored, request(deployment(1))) == []


CONFIGMAP_PARAMS = [
    {"apiVersion": "v1", "kind": "ConfigMap",
     "metadata": {"name": "limit-a", "namespace": "policy", "labels": {"limits": "replicas"}},
     "data": {"max": "5"}},
    {"apiVersion": "v1", "kind": "ConfigMap",
     "metadata": {"name": "limit-b", "namespace": "policy", "labels": {"limits": "replicas"}},
     "data": {"max": "3"}},
]  # fmt: skip


def param_policy(ref: dict[str, Any], **more: Any) -> list[dict[str, Any]]:
    return policy_docs(
        paramKind={"apiVersion": "v1", "kind": "ConfigMap"},
        validations=[v("object.spec.replicas <= int(params.data.max)",
                       messageExpression="'at most ' + params.data.max + ' replicas'")],
        bind={"paramRef": ref},
        **more,
    ) + CONFIGMAP_PARAMS  # fmt: skip


def test_param_selector_evaluates_every_param(tmp_path: Path) -> None:
    ref = {"selector": {"matchLabels": {"limits": "replicas"}}, "namespace": "policy",
           "parameterNotFoundAction": "Deny"}  # fmt: skip
    policies = read(tmp_path, param_policy(ref))
    assert run(policies, request(deployment(3))) == []
    assert run(policies, request(deployment(4))) == [
        (
            "Deny",
            "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: at most 3 replicas",
        )
    ]
    assert [m for _, m in run(policies, request(deployment(6)))] == [
        "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: at most 5 replicas",
        "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: at most 3 replicas",
    ]


def test_namespaced_param_without_namespace_uses_the_request_namespace(tmp_path: Path) -> None:
    ref = {"name": "limit-b", "parameterNotFoundAction": "Deny"}
    policies = read(tmp_path, param_policy(ref))
    in_policy_ns = request(deployment(4, namespace="policy"))
    assert [a for a, _ in run(policies, in_policy_ns)] == ["Deny"]
    [(_, message)] = run(policies, request(deployment(1, namespace="team")))
    assert message.endswith("failed to configure binding: no params found for policy binding"
                            " with `Deny` parameterNotFoundAction")  # fmt: skip


def test_namespaced_param_on_a_cluster_scoped_request_is_a_configuration_error(
    tmp_path: Path,
) -> None:
    docs = param_policy({"name": "limit-b", "parameterNotFoundAction": "Deny"},
                        matchConstraints={"resourceRules": [{
                            "apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                            "resources": ["namespaces"]}]})  # fmt: skip
    policies = read(tmp_path, docs)
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "new"}}
    assert run(policies, request(ns)) == [
        ("Deny", "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: failed to"
                 " configure binding: cannot use namespaced paramRef in policy binding that"
                 " matches cluster-scoped resources")
    ]  # fmt: skip


def test_paramref_namespace_for_a_cluster_scoped_param_kind(tmp_path: Path) -> None:
    docs = policy_docs(paramKind={"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass"},
                       validations=[v("true")],
                       bind={"paramRef": {"name": "high", "namespace": "x",
                                             "parameterNotFoundAction": "Allow"}})  # fmt: skip
    assert run(read(tmp_path, docs), request(deployment(1))) == [
        ("Deny", "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: failed to"
                 " configure binding: paramRef.namespace must not be provided for a"
                 " cluster-scoped `paramKind`")
    ]  # fmt: skip


def test_no_param_ref_evaluates_once_with_null_params(tmp_path: Path) -> None:
    docs = policy_docs(paramKind={"apiVersion": "v1", "kind": "ConfigMap"},
                       validations=[v("params == null")])  # fmt: skip
    assert run(read(tmp_path, docs), request(deployment(1))) == []


def test_policies_and_bindings_are_never_subject_to_policies(tmp_path: Path) -> None:
    docs = policy_docs(matchConstraints={"resourceRules": [{
        "apiGroups": ["*"], "apiVersions": ["*"], "operations": ["*"], "resources": ["*"]}]},
        validations=[v("false")])  # fmt: skip
    policies = read(tmp_path, docs)
    for body in docs:
        assert run(policies, request(body)) == []
    assert [a for a, _ in run(policies, request(deployment(1)))] == ["Deny"]


def test_releases_serve_versions_and_fields(tmp_path: Path) -> None:
    docs = policy_docs(validations=[v("false", messageExpression="'from messageExpression'",
                                      message="from message")])  # fmt: skip
    for doc in docs:
        doc["apiVersion"] = "admissionregistration.k8s.io/v1alpha1"
    del docs[1]["spec"]["validationActions"]
    at_126 = read(tmp_path, docs, minor=26)
    # 1.26: no messageExpression, no validationActions (every failure denies)
    assert run(at_126, request(deployment(1))) == [
        ("Deny", "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: from message")
    ]
    at_125 = read(tmp_path, docs, minor=25)
    assert at_125.policies == {} and "not served by Kubernetes 1.25" in at_125.notes[0]
    at_127 = read(tmp_path, docs, minor=27)  # validationActions required from 1.27
    assert at_127.bindings == [] and "validationActions" in at_127.notes[-1]
    for doc in docs:
        doc["apiVersion"] = "admissionregistration.k8s.io/v1"
    assert read(tmp_path, docs, minor=29).policies == {}


def test_equivalent_match_is_not_evaluated(tmp_path: Path) -> None:
    docs = policy_docs(matchConstraints={"resourceRules": [{
        "apiGroups": ["autoscaling"], "apiVersions": ["v1"], "operations": ["CREATE"],
        "resources": ["horizontalpodautoscalers"]}]}, validations=[v("false")])  # fmt: skip
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
           "metadata": {"name": "h", "namespace": "team"}}  # fmt: skip
    req = request(hpa)
    req = type(req)(**{**req.__dict__, "resource": "horizontalpodautoscalers"})
    [(action, message)] = run(read(tmp_path, docs), req)
    assert action == "NotEvaluated" and "matchPolicy Equivalent" in message


def test_a_binding_without_its_policy_is_ignored() -> None:
    assert policies_from([], 30).bindings_of("p") == []


def test_a_policy_without_resource_rules_is_refused_not_applied_to_everything(
    tmp_path: Path,
) -> None:
    docs = policy_docs(matchConstraints={}, validations=[v("false")])
    policies = read(tmp_path, docs)
    assert policies.policies == {} and "resourceRules: Required value" in policies.notes[0]
    assert run(policies, request(deployment(1))) == []
