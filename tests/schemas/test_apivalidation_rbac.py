"""Roles and bindings as pkg/apis/rbac/validation validates them (`ValidatePolicyRule`,
`ValidateRoleBinding`, `ValidateClusterRoleBinding`, `ValidateRoleBindingSubject`), driven
through `kubeplan validate`."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import findings

BINDING = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: read
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: ServiceAccount, name: ci, namespace: build}
- {kind: User, name: alice}
"""


def native(tmp_path: Path, text: str) -> list[tuple[str, int, str, str]]:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    return [
        (f["rule"], f["line"], f["path"], f["message"])
        for f in findings("validate", str(path))
        if f["rule"].startswith("api-")
    ]


def test_valid_binding(tmp_path: Path) -> None:
    # SetDefaults_Subject gives the User subject its apiGroup.
    assert native(tmp_path, BINDING) == []


def test_cluster_role_binding_to_a_role(tmp_path: Path) -> None:
    text = BINDING.replace("kind: ClusterRole, name: view", "kind: Role, name: view")
    assert native(tmp_path, text) == [
        (
            "api-unsupported",
            5,
            "roleRef.kind",
            'Unsupported value: "Role": supported values: "ClusterRole"',
        )
    ]


def test_service_account_subject_needs_a_namespace_in_a_cluster_binding(tmp_path: Path) -> None:
    text = BINDING.replace(", namespace: build", "")
    assert native(tmp_path, text) == [
        ("api-required", 7, "subjects[0].namespace", "Required value")
    ]
    # In a RoleBinding the namespace is the binding's own.
    namespaced = text.replace("kind: ClusterRoleBinding", "kind: RoleBinding")
    assert native(tmp_path, namespaced) == []


def test_subject_kind_and_group(tmp_path: Path) -> None:
    text = BINDING.replace("kind: User, name: alice", "kind: user, name: alice")
    assert native(tmp_path, text) == [
        (
            "api-unsupported",
            8,
            "subjects[1].kind",
            'Unsupported value: "user": supported values: "ServiceAccount", "User", "Group"',
        )
    ]
    sa_group = BINDING.replace(
        "kind: ServiceAccount, name: ci",
        "kind: ServiceAccount, apiGroup: rbac.authorization.k8s.io, name: ci",
    )
    assert native(tmp_path, sa_group) == [
        (
            "api-unsupported",
            7,
            "subjects[0].apiGroup",
            'Unsupported value: "rbac.authorization.k8s.io": supported values: ""',
        )
    ]


ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: r
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get]
"""


def test_policy_rules(tmp_path: Path) -> None:
    assert native(tmp_path, ROLE) == []
    no_verbs = ROLE.replace("  verbs: [get]\n", "  verbs: []\n")
    assert native(tmp_path, no_verbs) == [
        (
            "api-required",
            8,
            "rules[0].verbs",
            "Required value: verbs must contain at least one value",
        )
    ]
    no_resources = ROLE.replace("  resources: [pods]\n", "")
    assert native(tmp_path, no_resources) == [
        (
            "api-required",
            6,
            "rules[0].resources",
            "Required value: resource rules must supply at least one resource",
        )
    ]
    urls = ROLE.replace(
        '- apiGroups: [""]\n  resources: [pods]\n', "- nonResourceURLs: [/healthz]\n"
    )
    assert native(tmp_path, urls) == [
        (
            "api-invalid",
            6,
            "rules[0].nonResourceURLs",
            'Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs',
        )
    ]
    cluster = urls.replace("kind: Role", "kind: ClusterRole")
    assert native(tmp_path, cluster) == []
