"""ObjectMeta as the API server validates it, driven through `kubeplan validate` on files.

Cases cite staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta_test.go and
pkg/apis/core/validation/validation_test.go (test and case); each asserts the finding id, the
API server's message and the line of the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import findings, kubeplan

NATIVE = {
    "api-required",
    "api-invalid",
    "api-unsupported",
    "api-duplicate",
    "api-too-long",
    "api-too-many",
    "api-forbidden",
    "api-not-found",
    "api-warning",
}

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or"
    " '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex"
    " used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and"
    " must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex"
    " used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)


def native(tmp_path: Path, text: str, *args: str) -> list[dict[str, Any]]:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    return [f for f in findings("validate", str(path), *args) if f["rule"] in NATIVE]


def brief(found: list[dict[str, Any]]) -> list[tuple[str, int, str, str]]:
    return [(f["rule"], f["line"], f["path"], f["message"]) for f in found]


CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}
data: {{a: b}}
"""


def test_deployment_name_with_underscore_is_invalid(tmp_path: Path) -> None:
    # Issue 17: a Deployment named `Web_App` (ValidateDeploymentName = NameIsDNSSubdomain).
    text = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: Web_App
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
"""
    assert brief(native(tmp_path, text)) == [
        ("api-invalid", 4, "metadata.name", f'Invalid value: "Web_App": {SUBDOMAIN_MSG}')
    ]


def test_name_too_long(tmp_path: Path) -> None:
    name = "a" * 254
    found = native(tmp_path, CONFIGMAP.format(name=name))
    assert brief(found) == [
        (
            "api-invalid",
            4,
            "metadata.name",
            f'Invalid value: "{name}": must be no more than 253 characters',
        )
    ]


def test_service_name_is_a_dns1035_label(tmp_path: Path) -> None:
    # validation_test.go TestValidateService "invalid name": ValidateServiceName is
    # NameIsDNS1035Label, so a leading digit is refused where a ConfigMap accepts it.
    text = """apiVersion: v1
kind: Service
metadata:
  name: 1web
spec:
  ports: [{port: 80}]
"""
    found = native(tmp_path, text)
    assert [(f["rule"], f["line"]) for f in found] == [("api-invalid", 4)]
    assert found[0]["message"].startswith(
        'Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric'
    )
    assert native(tmp_path, CONFIGMAP.format(name="1web")) == []


def test_namespace_name_is_a_dns_label(tmp_path: Path) -> None:
    # ValidateNamespace: ValidateNamespaceName = NameIsDNSLabel ("my.ns" is a subdomain only).
    text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: my.ns\n"
    assert brief(native(tmp_path, text)) == [
        ("api-invalid", 4, "metadata.name", 'Invalid value: "my.ns": must not contain dots')
    ]


def test_rbac_names_are_path_segments(tmp_path: Path) -> None:
    # pkg/apis/rbac/validation minimalNameRequirements = path.IsValidPathSegmentName:
    # `system:controller:x` is fine, a slash is not.
    text = """apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:controller:x
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: a/b
rules: []
"""
    assert brief(native(tmp_path, text)) == [
        ("api-invalid", 10, "metadata.name", "Invalid value: \"a/b\": may not contain '/'")
    ]


def test_statefulset_name_is_a_dns_label_from_1_27(tmp_path: Path) -> None:
    # kubernetes/kubernetes#114172: ValidateStatefulSetName became NameIsDNSLabel in 1.27.
    text = """apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db.v1
spec:
  serviceName: db
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec: {containers: [{name: c, image: x}]}
"""
    assert brief(native(tmp_path, text, "--kubernetes-version", "1.27")) == [
        ("api-invalid", 4, "metadata.name", 'Invalid value: "db.v1": must not contain dots')
    ]
    assert native(tmp_path, text, "--kubernetes-version", "1.26") == []


def test_workload_name_not_a_dns_label_warns_from_1_27(tmp_path: Path) -> None:
    # kubernetes/kubernetes#114412: WarningsOnCreate of Deployment and the other workloads.
    text = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web.v1
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec: {containers: [{name: c, image: x}]}
"""
    found = native(tmp_path, text)
    assert brief(found) == [
        (
            "api-warning",
            4,
            "metadata.name",
            "this is used in Pod names and hostnames, which can result in surprising behavior;"
            " a DNS label is recommended: [must not contain dots]",
        )
    ]
    assert found[0]["severity"] == "warning"
    assert native(tmp_path, text, "--kubernetes-version", "1.26") == []


def test_generate_name_is_checked_as_a_prefix(tmp_path: Path) -> None:
    # ValidateObjectMetaAccessor: nameFn(generateName, true), maskTrailingDash lets `web-` pass.
    ok = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: web-\n  name: x\n"
    assert native(tmp_path, ok) == []
    bad = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: Web-\n  name: x\n"
    found = native(tmp_path, bad)
    assert [(f["rule"], f["line"], f["path"]) for f in found] == [
        ("api-invalid", 4, "metadata.generateName")
    ]


def test_namespace_format(tmp_path: Path) -> None:
    # objectmeta_test.go TestValidateObjectMetaNamespaces: a namespace must be a DNS label.
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: foo.bar\n"
    assert brief(native(tmp_path, text)) == [
        ("api-invalid", 5, "metadata.namespace", 'Invalid value: "foo.bar": must not contain dots')
    ]


def test_namespace_on_a_cluster_scoped_kind_is_cleared_not_refused(tmp_path: Path) -> None:
    # rest.EnsureObjectNamespaceMatchesRequestNamespace clears it ("cluster-scoped, clear
    # namespace") before validation, so the API server accepts it.
    text = (
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n"
        "  name: a\n  namespace: Not_A_Label\nrules: []\n"
    )
    assert native(tmp_path, text) == []


def test_label_key_and_value(tmp_path: Path) -> None:
    # Issue 17: a label key "bad label!"; ValidateLabels / IsQualifiedName, IsValidLabelValue.
    text = """apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  labels:
    "bad label!": x
    ok: "-bad"
    example.com/fine: "yes"
"""
    found = brief(native(tmp_path, text))
    assert found == [
        (
            "api-invalid",
            6,
            'metadata.labels["bad label!"]',
            'Invalid value: "bad label!": name part must consist of alphanumeric characters,'
            " '-', '_' or '.', and must start and end with an alphanumeric character (e.g."
            " 'MyName',  or 'my.name',  or '123-abc', regex used for validation is"
            " '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        ),
        (
            "api-invalid",
            7,
            "metadata.labels.ok",
            'Invalid value: "-bad": a valid label must be an empty string or consist of'
            " alphanumeric characters, '-', '_' or '.', and must start and end with an"
            " alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used"
            " for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
    ]


def test_annotation_keys_are_lowercased(tmp_path: Path) -> None:
    # objectmeta_test.go TestValidateAnnotations: "Example.com/abc"-style keys are fine, since
    # the key is lowercased before IsQualifiedName; a key with two slashes is not.
    text = """apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  annotations:
    Example.COM/Key: x
    a/b/c: v
"""
    found = native(tmp_path, text)
    assert [(f["rule"], f["line"], f["path"]) for f in found] == [
        ("api-invalid", 7, 'metadata.annotations["a/b/c"]')
    ]
    assert "a valid label key must consist" in found[0]["message"]
    older = native(tmp_path, text, "--kubernetes-version", "1.30")
    assert "a qualified name must consist" in older[0]["message"]


def test_annotations_total_size(tmp_path: Path) -> None:
    # objectmeta_test.go TestValidateAnnotationsSize: keys plus values over 256 KiB.
    big = "x" * (256 * 1024)
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    k: {big}\n"
    found = native(tmp_path, text)
    assert [(f["rule"], f["line"], f["path"]) for f in found] == [
        ("api-too-long", 5, "metadata.annotations")
    ]
    exact = "x" * (256 * 1024 - 1)
    text = (
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    k: {exact}\n"
    )
    assert native(tmp_path, text) == []


def test_finalizers(tmp_path: Path) -> None:
    # objectmeta_test.go TestValidateFinalizersPreventConflictingFinalizers, and
    # validateKubeFinalizerName (core wrapper): a finalizer without '/' must be standard.
    text = """apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  finalizers:
  - orphan
  - foregroundDeletion
  - custom
  - example.com/custom
"""
    assert brief(native(tmp_path, text)) == [
        (
            "api-invalid",
            5,
            "metadata.finalizers",
            'Invalid value: ["orphan","foregroundDeletion","custom","example.com/custom"]:'
            " finalizer orphan and foregroundDeletion cannot be both set",
        ),
        (
            "api-invalid",
            8,
            "metadata.finalizers[2]",
            'Invalid value: "custom": name is neither a standard finalizer name nor is it fully'
            " qualified",
        ),
    ]


def test_owner_references(tmp_path: Path) -> None:
    # objectmeta_test.go TestValidateObjectMetaOwnerReferences: "two controllers" and a
    # banned owner kind (BannedOwners: v1 Event).
    text = """apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  ownerReferences:
  - {apiVersion: v1, kind: Event, name: e, uid: "1"}
  - {apiVersion: apps/v1, kind: Deployment, name: d1, uid: "2", controller: true}
  - {apiVersion: apps/v1, kind: Deployment, name: d2, uid: "3", controller: true}
"""
    found = brief(native(tmp_path, text))
    assert found[0][:3] == ("api-invalid", 5, "metadata.ownerReferences")
    assert found[0][3].endswith(
        'Only one reference can have Controller set to true. Found "true" in references for'
        " Deployment/d1 and Deployment/d2"
    )
    assert found[1][:3] == ("api-invalid", 6, "metadata.ownerReferences[0]")
    assert found[1][3].endswith("/v1, Kind=Event is disallowed from being an owner")


def test_pdb_gets_the_generic_path_segment_name_rule(tmp_path: Path) -> None:
    # ValidatePodDisruptionBudget never calls ValidateObjectMeta: rest.BeforeCreate's generic
    # pass (path.ValidatePathSegmentName) applies, so `Web_App` is accepted, `a%b` is not.
    text = """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {name}
spec:
  minAvailable: 1
  selector: {{matchLabels: {{a: b}}}}
"""
    assert native(tmp_path, text.format(name="Web_App")) == []
    assert brief(native(tmp_path, text.format(name="a%b"))) == [
        ("api-invalid", 4, "metadata.name", "Invalid value: \"a%b\": may not contain '%'")
    ]


def test_errors_exit_1_and_warnings_do_not(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(CONFIGMAP.format(name="Bad_Name"))
    assert kubeplan("validate", str(bad)).exit_code == 1
    warn = tmp_path / "warn.yaml"
    warn.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web.v1\n"
        "spec: {containers: [{name: c, image: x}]}\n"
    )
    run = kubeplan("validate", str(warn))
    assert run.exit_code == 0
    assert "a DNS label is recommended" in run.stdout


@pytest.mark.parametrize("name", ["web", "a.b.c", "0abc", "a" * 253])
def test_valid_subdomain_names_pass(tmp_path: Path, name: str) -> None:
    assert native(tmp_path, CONFIGMAP.format(name=name)) == []
