"""Pod Security on a real manifest set: Online Boutique (../shared/corpus/microservices-demo)
hardens every pod (runAsNonRoot, allowPrivilegeEscalation: false, capabilities drop ALL) but sets
no seccompProfile, so the restricted level refuses each of its twelve Deployments for that one
check (k8s.io/pod-security-admission policy/check_seccompProfile_restricted.go), and baseline
admits them all. The namespace's labels come from `.kubeplan.yaml` (`namespaces:`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import corpus, kubeplan

RELEASE = corpus("microservices-demo", "release")


def _check(tmp_path: Path, level: str) -> list[dict]:
    config = tmp_path / ".kubeplan.yaml"
    config.write_text(
        f"namespaces:\n  default:\n    labels:\n      pod-security.kubernetes.io/enforce: {level}\n"
    )
    if not RELEASE.exists():
        pytest.skip("the corpus is not here")
    run = kubeplan("check", str(RELEASE), "--config", str(config), "--format", "json")
    return [f for f in run.json()["findings"] if f["rule"].startswith("pod-security")]


def test_restricted_refuses_every_deployment_for_its_missing_seccomp_profile(
    tmp_path: Path,
) -> None:
    found = _check(tmp_path, "restricted")
    assert {f["resource"]["kind"] for f in found} == {"Deployment"}
    assert len(found) == 12
    assert all(f["rule"] == "pod-security-enforce" for f in found)
    for finding in found:
        reasons = finding["message"].split('"restricted:latest": ', 1)[1]
        assert reasons.startswith("seccompProfile (pod or container")
        assert "allowPrivilegeEscalation" not in reasons and "runAsNonRoot" not in reasons
    loadgenerator = next(f for f in found if f["resource"]["name"] == "loadgenerator")
    assert 'containers "frontend-check", "main" must set' in loadgenerator["message"]


def test_baseline_admits_every_pod(tmp_path: Path) -> None:
    assert _check(tmp_path, "baseline") == []
