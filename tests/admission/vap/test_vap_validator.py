"""validator.Validate and the dispatcher's use of its decisions, ported from k8s.io/apiserver
pkg/admission/plugin/policy/validating/validator_test.go (TestValidate), case by case under
its Go names. Go feeds fake CEL results; here real expressions give the same results:
`true`, `false`, and an expression that fails when evaluated (a missing field).

Not ported: "test filter error" and "test filter error multiple evaluations" (an internal
error of the whole filter), "messageExpression out of budget after successful eval of
expression" (cel-cpp has no cost model; see evaluate.py) and TestContextCanceled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from vapcase import deployment, policy_docs, read, request

from kubeplan.admission.vap import evaluate

FAILS = "object.spec.missing == 1"  # evaluation error: no such key
ERROR = "expression 'object.spec.missing == 1' resulted in error"
DENIED = "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: "


def run(tmp_path: Path, **spec: Any) -> list:
    policies = read(tmp_path, policy_docs(**spec))
    return evaluate(policies, request(deployment(3)), namespace_labels={}, namespace_object=None)


def v(expression: str, **more: Any) -> dict[str, Any]:
    return {"expression": expression, **more}


def deny(message: str, reason: str = "Invalid", error: bool = False) -> tuple:
    return ("Deny", DENIED + message, reason, error)


def seen(outcomes: list) -> list[tuple]:
    return [(o.action, o.message, o.reason, o.error) for o in outcomes]


# name: (spec of the policy, the expected outcomes); an expected message ending in "..." is a prefix
CASES = {
    "test pass": ({"validations": [v("true")]}, []),
    "test multiple pass": ({"validations": [v("true"), v("true")]}, []),
    "test error with failurepolicy ignore": (
        {"validations": [v(FAILS)], "failurePolicy": "Ignore"}, []),
    "test error with failurepolicy nil": ({"validations": [v(FAILS)]}, [deny(ERROR + "...", error=True)]),
    "test fail with failurepolicy fail": (
        {"validations": [v(FAILS)], "failurePolicy": "Fail"}, [deny(ERROR + "...", error=True)]),
    "test fail with failurepolicy ignore with multiple validations": (
        {"validations": [v("true"), v(FAILS)], "failurePolicy": "Ignore"}, []),
    "test fail with failurepolicy nil with multiple validations": (
        {"validations": [v("true"), v(FAILS)]}, [deny(ERROR + "...", error=True)]),
    "test fail with failurepolicy fail with multiple validations": (
        {"validations": [v("true"), v(FAILS)], "failurePolicy": "Fail"},
        [deny(ERROR + "...", error=True)]),
    "test fail with failurepolicy ignore with multiple failed validations": (
        {"validations": [v(FAILS), v(FAILS)], "failurePolicy": "Ignore"}, []),
    "test fail with failurepolicy nil with multiple failed validations": (
        {"validations": [v(FAILS), v(FAILS)]},
        [deny(ERROR + "...", error=True), deny(ERROR + "...", error=True)]),
    "test fail with failurepolicy fail with multiple failed validations": (
        {"validations": [v(FAILS), v(FAILS)], "failurePolicy": "Fail"},
        [deny(ERROR + "...", error=True), deny(ERROR + "...", error=True)]),
    "test reason for fail no reason set": (
        {"validations": [v("object.spec.replicas == 1")]},
        [deny("failed expression: object.spec.replicas == 1")]),
    "test reason for fail reason set": (
        {"validations": [v("object.spec.replicas == 1", reason="Forbidden")]},
        [deny("failed expression: object.spec.replicas == 1", "Forbidden")]),
    "test reason for failed validations multiple validations": (
        {"validations": [v("object.spec.replicas == 1", reason="Forbidden"),
                         v("object.spec.replicas == 2", reason="Unauthorized")]},
        [deny("failed expression: object.spec.replicas == 1", "Forbidden"),
         deny("failed expression: object.spec.replicas == 2", "Unauthorized")]),
    "test message for failed validations": (
        {"validations": [v("false", reason="Forbidden", message="test")]}, [deny("test", "Forbidden")]),
    "test message for failed validations multiple validations": (
        {"validations": [v("false", reason="Forbidden", message="test1"),
                         v("false", reason="Forbidden", message="test2")]},
        [deny("test1", "Forbidden"), deny("test2", "Forbidden")]),
    "messageExpression successful, empty message": (
        {"validations": [v("false", reason="Forbidden", messageExpression="'evaluated message'")]},
        [deny("evaluated message", "Forbidden")]),
    "messageExpression for multiple validations": (
        {"validations": [v("false", reason="Forbidden", message="I am not overwritten"),
                         v("false", reason="Forbidden", message="I am overwritten",
                           messageExpression="'evaluated message'")]},
        [deny("I am not overwritten", "Forbidden"), deny("evaluated message", "Forbidden")]),
    "messageExpression successful, overwritten message": (
        {"validations": [v("false", reason="Forbidden", message="I am overwritten",
                           messageExpression="'evaluated message'")]},
        [deny("evaluated message", "Forbidden")]),
    "messageExpression user failure": (
        {"validations": [v("false", reason="Forbidden", message="test1",
                           messageExpression="object.spec.missing")]},
        [deny("test1", "Forbidden")]),
    "messageExpression eval to empty": (
        {"validations": [v("false", reason="Forbidden", message="test1", messageExpression="' '")]},
        [deny("test1", "Forbidden")]),
    "messageExpression eval to multi-line": (
        {"validations": [v("false", reason="Forbidden", message="test1",
                           messageExpression="'hello\\nthere'")]},
        [deny("test1", "Forbidden")]),
    "messageExpression eval result too long": (
        {"validations": [v("false", reason="Forbidden", message="test1",
                           messageExpression="'x' * 1 == 'x' ? '" + "x" * (5 * 1024 + 1) + "' : ''")]},
        [deny("test1", "Forbidden")]),
    "messageExpression eval to null": (
        {"validations": [v("false", reason="Forbidden", message="test1", messageExpression="null")]},
        [deny("test1", "Forbidden")]),
    "no match surpresses failure": (
        {"validations": [v(FAILS)], "failurePolicy": "Fail",
         "matchConditions": [{"name": "never", "expression": "false"}]}, []),
    "match error => presumed match": (
        {"validations": [v(FAILS)], "failurePolicy": "Fail",
         "matchConditions": [{"name": "broken", "expression": "object.spec.missing == 'x'"}]},
        [deny("expression 'object.spec.missing == 'x'' resulted in error...", error=True)]),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_validate_as_the_api_server(tmp_path: Path, name: str) -> None:
    spec, expected = CASES[name]
    got = seen(run(tmp_path, **spec))
    assert len(got) == len(expected), got
    for (action, message, reason, error), want in zip(got, expected, strict=True):
        assert (action, reason, error) == (want[0], want[2], want[3])
        if want[1].endswith("..."):
            assert message.startswith(want[1][:-3]), message
        else:
            assert message == want[1]


def annotations(outcomes: list) -> list[str]:
    return [o.message for o in outcomes if o.action == "Audit"]


def test_empty_validations_with_non_empty_audit_annotations(tmp_path: Path) -> None:
    """Go: "test empty validations with non-empty audit annotations"."""
    spec = {"auditAnnotations": [{"key": "k", "valueExpression": "'string value'"}]}
    assert annotations(run(tmp_path, **spec)) == ["p/k: string value"]


def test_non_empty_validations_with_non_empty_audit_annotations(tmp_path: Path) -> None:
    """Go: "test non-empty validations with non-empty audit annotations"."""
    spec = {"validations": [v("true")],
            "auditAnnotations": [{"key": "k", "valueExpression": "'string value'"}]}  # fmt: skip
    assert seen(run(tmp_path, **spec)) == [("Audit", "p/k: string value", "", False)]


def test_audit_annotations_with_null_return(tmp_path: Path) -> None:
    """Go: "test audit annotations with null return"."""
    spec = {"auditAnnotations": [{"key": "a", "valueExpression": "null"},
                                 {"key": "b", "valueExpression": "'string value'"}]}  # fmt: skip
    assert annotations(run(tmp_path, **spec)) == ["p/b: string value"]


@pytest.mark.parametrize("policy", ["Fail", "Ignore"])
def test_audit_annotations_error_by_failure_policy(tmp_path: Path, policy: str) -> None:
    """Go: "test audit annotations with failPolicy=fail" / "=ignore": an annotation that
    cannot be computed denies under Fail and is left out under Ignore."""
    spec = {"failurePolicy": policy,
            "auditAnnotations": [{"key": "k", "valueExpression": "object.spec.missing"}]}  # fmt: skip
    got = seen(run(tmp_path, **spec))
    if policy == "Ignore":
        assert got == []
    else:
        assert [(a, r, e) for a, _, r, e in got] == [("Deny", "Invalid", True)]
        assert got[0][1].startswith(DENIED + "expression 'object.spec.missing' resulted in error")


def test_audit_annotation_of_another_type_is_an_error(tmp_path: Path) -> None:
    """validator.go: "valueExpression '<e>' resulted in unsupported return type"."""
    spec = {"auditAnnotations": [{"key": "k", "valueExpression": "1"}]}
    assert seen(run(tmp_path, **spec)) == [
        deny(
            "valueExpression '1' resulted in unsupported return type: int. Return type must be"
            " either string or null.",
            error=True,
        )
    ]


def test_audit_annotation_errors_deny_whatever_the_validation_actions(tmp_path: Path) -> None:
    """dispatcher.go: AuditAnnotationActionError is appended to the denied decisions directly,
    not through validationActions; a wrong type is an error even under Ignore."""
    for policy in ("Fail", "Ignore"):
        spec = {"failurePolicy": policy, "auditAnnotations": [{"key": "k", "valueExpression": "1"}]}
        policies = read(tmp_path, policy_docs(actions=("Warn",), **spec))
        got = evaluate(policies, request(deployment()), namespace_labels={}, namespace_object=None)
        assert [(o.action, o.error) for o in got] == [("Deny", True)], policy
