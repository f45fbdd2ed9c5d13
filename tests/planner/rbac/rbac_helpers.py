"""Small builders for the RBAC tests: YAML text in, a Policy out (through the real loader)."""

from __future__ import annotations

from kubeplan.planner.rbac import Policy
from kubeplan.schemas.loader import load_text

VERSION = "1.33"
RBAC = "rbac.authorization.k8s.io"


def policy_of(text: str, version: str = VERSION) -> Policy:
    result = load_text("case.yaml", text)
    assert not result.findings, [f.message for f in result.findings]
    policy, findings = Policy.build(result.resources, [], version)
    assert not findings, [f.message for f in findings]
    return policy


def cluster_role(name: str, *rules: str, labels: str = "") -> str:
    """A ClusterRole; each rule is 'verbs|groups|resources|urls|names' (comma lists)."""
    return _role("ClusterRole", name, "", rules, labels)


def role(name: str, namespace: str, *rules: str) -> str:
    return _role("Role", name, namespace, rules, "")


def _list(values: str) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values.split(",")) + "]" if values else "[]"


def _role(kind: str, name: str, namespace: str, rules: tuple[str, ...], labels: str) -> str:
    lines = [
        "apiVersion: rbac.authorization.k8s.io/v1",
        f"kind: {kind}",
        "metadata:",
        f"  name: {name}",
    ]
    if namespace:
        lines.append(f"  namespace: {namespace}")
    if labels:
        lines.append("  labels:")
        for pair in labels.split(","):
            key, value = pair.split("=")
            lines.append(f'    {key}: "{value}"')
    lines.append("rules:")
    for rule in rules:
        verbs, groups, resources, urls, names = (rule.split("|") + [""] * 5)[:5]
        lines.append(f"  - verbs: {_list(verbs)}")
        if groups or resources:
            api_groups = _list(groups) if groups != "-" else '[""]'
            lines.append(f"    apiGroups: {api_groups}")
            lines.append(f"    resources: {_list(resources)}")
        if urls:
            lines.append(f"    nonResourceURLs: {_list(urls)}")
        if names:
            lines.append(f"    resourceNames: {_list(names)}")
    return "\n".join(lines) + "\n---\n"


def binding(name: str, ref: str, *subjects: str, namespace: str = "") -> str:
    """A ClusterRoleBinding (no namespace) or RoleBinding; ref 'ClusterRole:x' / 'Role:x';
    subjects 'User:alice', 'Group:g', 'ServiceAccount:ns/name' or 'ServiceAccount:name'."""
    ref_kind, ref_name = ref.split(":", 1)
    kind = "RoleBinding" if namespace else "ClusterRoleBinding"
    lines = [
        "apiVersion: rbac.authorization.k8s.io/v1",
        f"kind: {kind}",
        "metadata:",
        f"  name: {name}",
    ]
    if namespace:
        lines.append(f"  namespace: {namespace}")
    lines += [
        "roleRef:",
        "  apiGroup: rbac.authorization.k8s.io",
        f"  kind: {ref_kind}",
        f"  name: {ref_name}",
        "subjects:",
    ]
    for subject in subjects:
        kind_, value = subject.split(":", 1)
        if kind_ == "ServiceAccount":
            sa_ns, _, sa_name = value.rpartition("/")
            lines.append(f"  - kind: ServiceAccount\n    name: {sa_name}")
            if sa_ns:
                lines.append(f"    namespace: {sa_ns}")
        else:
            lines.append(f"  - kind: {kind_}\n    apiGroup: {RBAC}\n    name: {value}")
    return "\n".join(lines) + "\n---\n"
