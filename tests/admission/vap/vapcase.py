"""Helpers for the ValidatingAdmissionPolicy tests: policies written as YAML and read by the
loader, and requests built the way the commands build them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kubeplan.admission.vap import PolicySet, Request, policies_from
from kubeplan.schemas.loader import load

DEPLOYMENTS = {
    "apiGroups": ["apps"], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
    "resources": ["deployments"],
}  # fmt: skip


def policy_docs(
    name: str = "p",
    binding: str = "b",
    actions: tuple[str, ...] = ("Deny",),
    bind: dict[str, Any] | None = None,
    **spec: Any,
) -> list[dict[str, Any]]:
    """A v1 policy on apps/v1 deployments (`spec`) and its binding (`bind`: more of its spec)."""
    spec.setdefault("matchConstraints", {"resourceRules": [DEPLOYMENTS]})
    binding_spec = {"policyName": name, "validationActions": list(actions)}
    binding_spec.update(bind or {})
    return [
        {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
         "metadata": {"name": name}, "spec": spec},
        {"apiVersion": "admissionregistration.k8s.io/v1",
         "kind": "ValidatingAdmissionPolicyBinding", "metadata": {"name": binding},
         "spec": binding_spec},
    ]  # fmt: skip


def read(tmp_path: Path, docs: list[dict[str, Any]] | str, minor: int = 30) -> PolicySet:
    """Write the documents as a file and read them with kubeplan's loader."""
    path = tmp_path / "policies.yaml"
    path.write_text(docs if isinstance(docs, str) else yaml.safe_dump_all(docs))
    loaded = load([str(path)])
    assert not loaded.findings, loaded.findings
    return policies_from(loaded.resources, minor)


def deployment(replicas: int = 1, namespace: str = "team", **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": namespace, "labels": dict(labels)},
        "spec": {
            "replicas": replicas,
            "template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}},
        },
    }


def request(
    obj: dict[str, Any] | None,
    old: dict[str, Any] | None = None,
    operation: str = "CREATE",
    user: str = "alice",
    groups: tuple[str, ...] = ("system:authenticated",),
) -> Request:
    body = obj or old or {}
    metadata = body.get("metadata", {})
    group, _, version = body.get("apiVersion", "v1").rpartition("/")
    kind = body.get("kind", "")
    plural = kind.lower() + ("es" if kind.endswith("s") else "s")
    return Request(operation, group, version, kind, plural, "", metadata.get("namespace"),
                   metadata.get("name", ""), obj, old, user, groups)  # fmt: skip
