"""The JSON contract of a changed field (docs/json-output.md, `changes[].fields[]`): its path
from the object root (`full_path`), and the line and column of the field in the new file, or in
the old file for a removal (with that `file`); and the line of an `immutable-field-changed`
finding (what GitHub annotations and SARIF show) for a removed field."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from conftest import kubeplan

OLD = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: side
          image: busybox:1.37
        - name: web
          image: nginx:1.27
          env:
            - {name: A, value: "1"}
            - {name: B, value: "2"}
"""
NEW = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.28
          env:
            - {name: A, value: "1"}
"""


def _fields(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        field["full_path"]: field
        for change in document["changes"]
        for field in change.get("fields", [])
    }


def _write(tmp_path: Path, old: str, new: str) -> tuple[Path, Path]:
    (tmp_path / "base").mkdir()
    (tmp_path / "next").mkdir()
    old_file = tmp_path / "base" / "app.yaml"
    new_file = tmp_path / "next" / "app.yaml"
    old_file.write_text(old)
    new_file.write_text(new)
    return old_file, new_file


def test_diff_json_fields_carry_full_path_and_new_file_position(tmp_path: Path) -> None:
    old_file, new_file = _write(tmp_path, OLD, NEW)
    run = kubeplan("diff", str(new_file), "--base", str(old_file), "--format", "json")
    assert run.exit_code == 0, run.stderr
    fields = _fields(run.json())
    image = fields["spec.template.spec.containers[web].image"]
    assert image["path"] == "containers[web].image"  # the short form is kept
    assert (image["line"], image["column"]) == (11, 11)  # `image:` of web in the new file
    assert "file" not in image  # the object's own file


def test_diff_json_removal_is_placed_in_the_old_file_by_merge_key(tmp_path: Path) -> None:
    old_file, new_file = _write(tmp_path, OLD, NEW)
    run = kubeplan("diff", str(new_file), "--base", str(old_file), "--format", "json")
    fields = _fields(run.json())
    removed_env = fields["spec.template.spec.containers[web].env[B]"]
    assert removed_env["change"] == "removed"
    assert removed_env["file"] == str(old_file)
    # web is the 2nd container of the old file and the 1st of the new: line 16 is env B there
    assert (removed_env["line"], removed_env["column"]) == (16, 15)
    removed_container = fields["spec.template.spec.containers[side]"]
    assert (removed_container["line"], removed_container["file"]) == (10, str(old_file))


def test_plan_json_changes_carry_the_same_positions(tmp_path: Path) -> None:
    old_file, new_file = _write(tmp_path, OLD, NEW)
    run = kubeplan("plan", str(new_file), "--base", str(old_file), "--format", "json")
    assert run.exit_code in (0, 1), run.stderr
    fields = _fields(run.json())
    assert fields["spec.template.spec.containers[web].image"]["line"] == 11
    assert fields["spec.template.spec.containers[web].env[B]"]["line"] == 16


JOB = """\
apiVersion: batch/v1
kind: Job
metadata: {{name: migrate, namespace: shop}}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
{containers}"""


def _containers(*names: str) -> str:
    return "".join(f"        - name: {name}\n          image: busybox:1.37\n" for name in names)


def test_immutable_removal_finding_points_into_the_new_file_not_at_another_element(
    tmp_path: Path,
) -> None:
    """Container b (old index 1) removed from a Job: its template is immutable. Index 1 of the
    new list is container c, so the finding must not land on c's line (13) but on the
    `containers:` list that lost b (line 8)."""
    old_file, new_file = _write(
        tmp_path,
        JOB.format(containers=_containers("a", "b", "c")),
        JOB.format(containers=_containers("a", "c")),
    )
    run = kubeplan("diff", str(new_file), "--base", str(old_file), "--format", "json")
    assert run.exit_code == 1, run.stderr
    document = run.json()
    (finding,) = [f for f in document["findings"] if f["rule"] == "immutable-field-changed"]
    assert finding["file"] == str(new_file)
    assert finding["line"] == 8
    (removed,) = [f for f in _fields(document).values() if f["change"] == "removed"]
    assert removed["full_path"] == "spec.template.spec.containers[b]"
    assert (removed["file"], removed["line"]) == (str(old_file), 11)
    github = kubeplan("diff", str(new_file), "--base", str(old_file), "--format", "github")
    assert f"file={new_file},line=8" in github.stdout, github.stdout


def test_removal_from_a_git_base_names_the_revision_file(tmp_path: Path) -> None:
    """With `--base HEAD` the old file is read from git: a removal's `file` says so."""

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    app = tmp_path / "app.yaml"
    app.write_text(OLD)
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "add", "app.yaml")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "old")
    app.write_text(NEW)
    run = kubeplan("diff", str(app), "--base", "HEAD", "--format", "json")
    assert run.exit_code == 0, run.stderr
    fields = _fields(run.json())
    removed = fields["spec.template.spec.containers[web].env[B]"]
    assert removed["file"].startswith("git:") and removed["file"].endswith("app.yaml")
    assert removed["line"] == 16
    assert "file" not in fields["spec.template.spec.containers[web].image"]
