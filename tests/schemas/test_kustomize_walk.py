"""A folder walk leaves out the files a kustomization in it uses that are not objects: its
patches (`patches[].path`, `patchesStrategicMerge`, `patchesJson6902[].path`), generator inputs
and configs (kustomize api/types/kustomization.go). Read as whole objects, a patch is a
"missing selector" and a duplicate of the object it patches."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import kubeplan

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
"""
PATCH = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n"


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "base").mkdir(parents=True)
    (repo / "overlay").mkdir()
    (repo / "base" / "d.yaml").write_text(DEPLOYMENT)
    (repo / "base" / "kustomization.yaml").write_text("resources: [d.yaml]\n")
    (repo / "overlay" / "kustomization.yaml").write_text(
        "resources: [../base]\n"
        "patches:\n- path: replicas.yaml\n"
        "patchesStrategicMerge:\n- psm.yaml\n"
        "patchesJson6902:\n- target: {kind: Deployment, name: web}\n  path: json6902.yaml\n"
        "configMapGenerator:\n- name: settings\n  files: [settings.yaml]\n"
    )
    (repo / "overlay" / "replicas.yaml").write_text(PATCH)
    (repo / "overlay" / "psm.yaml").write_text(PATCH)
    (repo / "overlay" / "json6902.yaml").write_text(
        "- op: replace\n  path: /spec/replicas\n  value: 2\n"
    )
    (repo / "overlay" / "settings.yaml").write_text("level: debug\n")
    return repo


def test_patches_and_generator_inputs_are_not_read_as_objects(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    run = kubeplan("validate", str(repo), "--format", "json", "--verbose")
    assert run.exit_code == 0, run.stdout
    report = run.json()
    assert report["findings"] == []
    assert report["summary"]["resources"] == 1


def test_a_patch_no_kustomization_names_is_still_read(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "overlay" / "stray.yaml").write_text(PATCH.replace("name: web", "name: stray"))
    run = kubeplan("validate", str(repo), "--format", "json")
    assert run.exit_code == 1
    rules = {(f["rule"], Path(f["file"]).name) for f in run.json()["findings"]}
    assert ("schema-required", "stray.yaml") in rules
    assert all(name == "stray.yaml" for _, name in rules)
