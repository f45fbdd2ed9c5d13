"""`deprecated-api` and `removed-api` per release: the release before, at and after each
deprecation and removal, with the replacement named only where the target release serves it.

Each case cites the lifecycle it follows (kubeplan/kube/data/api_lifecycle.yaml has the full
source of each row): the prerelease-lifecycle file
staging/src/k8s.io/api/<group>/<version>/zz_generated.prerelease-lifecycle.go, and the bundled
schemas of the releases that serve the type (tests/kube/test_lifecycle.py checks the two agree).
"""

from __future__ import annotations

import pytest
from conftest import findings, kubeplan

RULES = {"deprecated-api", "removed-api"}


def manifest(api_version: str, kind: str) -> str:
    return f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\n  namespace: ns\n"


def deprecation(api_version: str, kind: str, release: str) -> list[tuple[str, str]]:
    got = findings("lint", "-k", release, "-", stdin=manifest(api_version, kind))
    return [(f["rule"], f["message"]) for f in got if f["rule"] in RULES]


FS3 = "flowcontrol.apiserver.k8s.io/v1beta3"
FS2 = "flowcontrol.apiserver.k8s.io/v1beta2"
FS1 = "flowcontrol.apiserver.k8s.io/v1"
VAP = "admissionregistration.k8s.io"
SVM = "storagemigration.k8s.io"

CASES = [
    # flowcontrol/v1beta3 zz_generated.prerelease-lifecycle.go: introduced 1.26, deprecated 1.29,
    # removed 1.32, replacement flowcontrol.apiserver.k8s.io/v1 (deprecation-guide.md#flowcontrol-resources-v132)
    (FS3, "FlowSchema", "1.28", None, None),
    (FS3, "FlowSchema", "1.29", "deprecated-api",
     f"{FS3} FlowSchema is deprecated in v1.29+, unavailable in v1.32+; use {FS1} FlowSchema"),
    (FS3, "PriorityLevelConfiguration", "1.31", "deprecated-api", "unavailable in v1.32+"),
    (FS3, "FlowSchema", "1.32", "removed-api",
     f"{FS3} FlowSchema was removed in Kubernetes 1.32 (target 1.32); use {FS1} FlowSchema"),
    (FS3, "FlowSchema", "1.33", "removed-api", "removed in Kubernetes 1.32 (target 1.33)"),
    # flowcontrol/v1beta2: served 1.23-1.28 (deprecation-guide.md#flowcontrol-resources-v129),
    # deprecated 1.26 (the lifecycle default chain); v1 only from 1.29, so v1beta3 is named before
    (FS2, "FlowSchema", "1.25", None, None),
    (FS2, "FlowSchema", "1.26", "deprecated-api",
     f"is deprecated in v1.26+, unavailable in v1.29+; use {FS3} FlowSchema ({FS1} from 1.29)"),
    (FS2, "PriorityLevelConfiguration", "1.28", "deprecated-api", f"use {FS3} PriorityLevelConfiguration"),
    (FS2, "FlowSchema", "1.29", "removed-api", f"removed in Kubernetes 1.29 (target 1.29); use {FS1} FlowSchema"),
    # autoscaling/v2beta2 lifecycle: deprecated 1.23, removed 1.26 (deprecation-guide.md#horizontalpodautoscaler-v126)
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.25", "deprecated-api",
     "is deprecated in v1.23+, unavailable in v1.26+; use autoscaling/v2 HorizontalPodAutoscaler"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.26", "removed-api", "removed in Kubernetes 1.26"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.27", "removed-api", "use autoscaling/v2"),
    # batch/v1beta1 lifecycle: deprecated 1.21, removed 1.25 (deprecation-guide.md#cronjob-v125)
    ("batch/v1beta1", "CronJob", "1.25", "removed-api",
     "batch/v1beta1 CronJob was removed in Kubernetes 1.25 (target 1.25); use batch/v1 CronJob"),
    ("batch/v1beta1", "CronJob", "1.26", "removed-api", "use batch/v1 CronJob"),
    # policy/v1beta1 lifecycle: PodDisruptionBudget removed 1.25, replacement policy/v1;
    # PodSecurityPolicy removed 1.25, no replacement (deprecation-guide.md#psp-v125)
    ("policy/v1beta1", "PodDisruptionBudget", "1.25", "removed-api", "use policy/v1 PodDisruptionBudget"),
    ("policy/v1beta1", "PodSecurityPolicy", "1.25", "removed-api", "; it has no replacement"),
    # admissionregistration/v1alpha1 lifecycle: ValidatingAdmissionPolicy introduced 1.26,
    # deprecated 1.29, removed 1.32, replacement admissionregistration.k8s.io/v1 (served from 1.30)
    (f"{VAP}/v1alpha1", "ValidatingAdmissionPolicy", "1.27", None, None),
    (f"{VAP}/v1alpha1", "ValidatingAdmissionPolicy", "1.28", None, None),
    (f"{VAP}/v1alpha1", "ValidatingAdmissionPolicy", "1.29", "deprecated-api",
     f"is deprecated in v1.29+, unavailable in v1.32+; use {VAP}/v1beta1 ValidatingAdmissionPolicy"
     f" ({VAP}/v1 from 1.30)"),
    (f"{VAP}/v1alpha1", "ValidatingAdmissionPolicyBinding", "1.30", "deprecated-api",
     f"use {VAP}/v1 ValidatingAdmissionPolicyBinding"),
    (f"{VAP}/v1alpha1", "ValidatingAdmissionPolicy", "1.32", "removed-api",
     f"removed in Kubernetes 1.32 (target 1.32); use {VAP}/v1 ValidatingAdmissionPolicy"),
    # admissionregistration/v1beta1: served 1.28-1.33 by the schemas, deprecated 1.31
    (f"{VAP}/v1beta1", "ValidatingAdmissionPolicy", "1.30", None, None),
    (f"{VAP}/v1beta1", "ValidatingAdmissionPolicy", "1.31", "deprecated-api", "unavailable in v1.34+"),
    (f"{VAP}/v1beta1", "ValidatingAdmissionPolicy", "1.34", "removed-api", "removed in Kubernetes 1.34"),
    # storagemigration/v1alpha1: served 1.30-1.34 (alpha, no deprecation); v1beta1
    # (lifecycle: introduced 1.35) from 1.35, v1 from 1.37
    (f"{SVM}/v1alpha1", "StorageVersionMigration", "1.34", None, None),
    (f"{SVM}/v1alpha1", "StorageVersionMigration", "1.35", "removed-api",
     f"use {SVM}/v1beta1 StorageVersionMigration ({SVM}/v1 from 1.37)"),
    (f"{SVM}/v1alpha1", "StorageVersionMigration", "1.37", "removed-api",
     f"use {SVM}/v1 StorageVersionMigration"),
    (f"{SVM}/v1beta1", "StorageVersionMigration", "1.37", None, None),  # deprecated 1.38
    # resource/v1beta1 (types.go introduced=1.32: deprecated 1.35, removed 1.38) and
    # resource/v1beta2 lifecycle: introduced 1.33, deprecated 1.36, removed 1.39
    ("resource.k8s.io/v1beta1", "ResourceClaim", "1.34", None, None),
    ("resource.k8s.io/v1beta1", "ResourceClaim", "1.35", "deprecated-api",
     "is deprecated in v1.35+, unavailable in v1.38+; use resource.k8s.io/v1 ResourceClaim"),
    ("resource.k8s.io/v1beta2", "DeviceClass", "1.35", None, None),
    ("resource.k8s.io/v1beta2", "DeviceClass", "1.36", "deprecated-api", "unavailable in v1.39+"),
    ("resource.k8s.io/v1alpha3", "DeviceClass", "1.33", None, None),
    ("resource.k8s.io/v1alpha3", "DeviceClass", "1.34", "removed-api", "use resource.k8s.io/v1 DeviceClass"),
    ("resource.k8s.io/v1alpha3", "DeviceTaintRule", "1.37", None, None),  # still served
    # certificates/v1beta1 lifecycle: ClusterTrustBundle introduced 1.33, deprecated 1.36; v1 is
    # served from 1.37 only, and the beta is never sent back to v1alpha1 (served until 1.36)
    ("certificates.k8s.io/v1beta1", "ClusterTrustBundle", "1.35", None, None),
    ("certificates.k8s.io/v1beta1", "ClusterTrustBundle", "1.36", "deprecated-api",
     "is deprecated in v1.36+, unavailable in v1.39+; Kubernetes 1.36 serves no replacement yet"
     " (certificates.k8s.io/v1 ClusterTrustBundle from 1.37)"),
    ("certificates.k8s.io/v1beta1", "ClusterTrustBundle", "1.37", "deprecated-api",
     "use certificates.k8s.io/v1 ClusterTrustBundle"),
]  # fmt: skip


@pytest.mark.parametrize("api_version, kind, release, rule, text", CASES)
def test_deprecation_per_release(
    api_version: str, kind: str, release: str, rule: str | None, text: str | None
) -> None:
    got = deprecation(api_version, kind, release)
    if rule is None:
        assert got == []
        return
    assert [r for r, _ in got] == [rule]
    assert text in got[0][1]


def test_a_removed_api_rejects_its_step_in_the_plan(tmp_path) -> None:
    base, new = tmp_path / "base", tmp_path / "new"
    base.mkdir()
    new.mkdir()
    (new / "pdb.yaml").write_text(
        "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n"
        "  namespace: shop\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels: {app: web}\n"
    )
    run = kubeplan("plan", str(new), "--base", str(base), "-k", "1.25", "--format", "json")
    assert run.exit_code == 1, run.stdout
    (step,) = run.json()["steps"]
    assert step["verdict"] == "rejected"
