"""Deletions as kubectl apply makes them: `kubectl apply -f` never deletes an object the files
do not name (staging/src/k8s.io/kubectl/pkg/cmd/apply/apply.go deletes only with --prune), so
against a live dump the objects no manifest names are kept unless --prune is given; against a
previous revision of the manifests, a removed object is deleted as a GitOps tool deletes it.
Each run says which model it used."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import kubeplan

KEEP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\n  namespace: shop\ndata: {a: b}\n"
DUMP = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: keep, namespace: shop, resourceVersion: "10", uid: u1}
  data: {a: b}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: other-team, namespace: shop, resourceVersion: "11", uid: u2}
  data: {x: y}
"""


def _json(*args: str) -> dict:
    run = kubeplan(*args, "--format", "json")
    assert run.exit_code in (0, 1), run.stderr
    return run.json()


def test_a_live_object_no_manifest_names_is_kept(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(KEEP)
    (tmp_path / "dump.yaml").write_text(DUMP)
    report = _json("diff", str(tmp_path / "m.yaml"), "--base", str(tmp_path / "dump.yaml"))
    assert report["summary"]["delete"] == 0
    assert any("kept, as kubectl apply -f never deletes" in n for n in report["notes"])
    pruned = _json(
        "diff", str(tmp_path / "m.yaml"), "--base", str(tmp_path / "dump.yaml"), "--prune"
    )
    deleted = [c["resource"]["name"] for c in pruned["changes"] if c["action"] == "delete"]
    assert deleted == ["other-team"]


def test_an_object_removed_from_the_manifests_is_deleted_and_said(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    gone = KEEP.replace("name: keep", "name: gone")
    (tmp_path / "old" / "m.yaml").write_text(KEEP + "---\n" + gone)
    (tmp_path / "new" / "m.yaml").write_text(KEEP)
    report = _json("plan", str(tmp_path / "new"), "--base", str(tmp_path / "old"))
    assert [s["action"] for s in report["steps"]] == ["delete"]
    assert any(
        "as a GitOps tool (or kubectl apply --prune) deletes them" in n for n in report["notes"]
    )
