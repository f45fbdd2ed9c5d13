"""The finding ids this release adds are silenced the three ways every finding is: the config's
`rules:` (off), `exclude:` (by kind and name, with a reason) and the object's
`kubeplan.io/ignore` annotation. Each case makes the finding for real first."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import kubeplan

ANNOTATED = "  annotations:\n    kubeplan.io/ignore: {rule}\n    kubeplan.io/ignore-reason: known\n"

CASES = {
    "namespace-mismatch": (
        ("check", "-n", "shop"),
        "ConfigMap",
        "cm",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: other\n{ann}",
    ),
    "quota-exceeded": (
        ("check",),
        "Deployment",
        "web",
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {{name: q, namespace: shop}}\n"
        "spec:\n  hard: {{pods: '1'}}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n{ann}"
        "spec:\n  replicas: 3\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n"
        "    metadata: {{labels: {{app: web}}}}\n"
        "    spec: {{containers: [{{name: c, image: 'nginx:1.27'}}]}}\n",
    ),
    "admission-policy-denied": (
        ("check",),
        "ConfigMap",
        "cm",
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\n"
        "metadata: {{name: p}}\nspec:\n  matchConstraints:\n    resourceRules:\n"
        "    - {{apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}}\n"
        "  validations: [{{expression: 'false', message: denied}}]\n---\n"
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n"
        "metadata: {{name: b}}\nspec: {{policyName: p, validationActions: [Deny]}}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n{ann}",
    ),
}


def _run(tmp_path: Path, rule: str, config: str, annotate: bool) -> list[dict]:
    args, _kind, _name, text = CASES[rule]
    folder = tmp_path / "m"
    folder.mkdir(exist_ok=True)
    (folder / "all.yaml").write_text(
        text.format(ann=ANNOTATED.format(rule=rule) if annotate else "")
    )
    path = tmp_path / "c.yaml"
    path.write_text(config)
    run = kubeplan(*args[:1], str(folder), *args[1:], "--config", str(path), "--format", "json")
    assert run.exit_code in (0, 1), run.stderr
    return [f for f in run.json()["findings"] if f["rule"] == rule]


@pytest.mark.parametrize("rule", sorted(CASES))
@pytest.mark.parametrize("way", ["rules", "exclude", "annotation"])
def test_a_new_finding_is_silenced(tmp_path: Path, rule: str, way: str) -> None:
    _args, kind, name, _text = CASES[rule]
    found = _run(tmp_path, rule, "{}\n", False)
    assert found and not any(f.get("suppressed") for f in found)
    config = {
        "rules": f"rules:\n  {rule}: off\n",
        "exclude": f"exclude:\n  - rules: [{rule}]\n    kind: {kind}\n    name: {name}\n",
        "annotation": "{}\n",
    }[way]
    silenced = _run(tmp_path, rule, config, way == "annotation")
    assert all(f.get("suppressed") for f in silenced)  # a fact stays listed, suppressed


def test_the_new_ids_are_explained() -> None:
    for rule in (*CASES, "crd-deleted", "apply-conflict", "pod-security-relabel"):
        run = kubeplan("rules", rule, "--no-color")
        assert run.exit_code == 0 and rule in run.stdout
