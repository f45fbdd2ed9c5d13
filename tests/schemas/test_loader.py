"""Reading every kind of input: Lists, dumps, JSON, stdin, folders, git revisions, renderers."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import findings, fixture, kubeplan

from kubeplan.schemas import loader


def test_typed_list_items_take_kind_and_api_version_and_keep_their_lines() -> None:
    result = loader.load([fixture("dump", "pods.json")])
    pods = [(r.kind, r.api_version, r.name, r.origin.line) for r in result.resources]
    assert pods == [("Pod", "v1", "web-7d4b9c-abcde", 5), ("Pod", "v1", "web-7d4b9c-fghij", 10)]


def test_json_with_tab_indentation_is_read_with_exact_lines() -> None:
    (only,) = findings("validate", fixture("dump", "pods.json"))
    assert (only["rule"], only["line"], only["path"]) == (
        "schema-required",
        12,
        "spec.containers[0].name",
    )


def test_dump_server_fields_are_set_aside() -> None:
    result = loader.load([fixture("dump", "live.yaml")])
    deployment, service = result.resources
    metadata = deployment.body["metadata"]
    assert set(metadata) == {"labels", "name", "namespace"}
    assert "status" not in deployment.body
    assert set(deployment.server_fields) == {
        "status",
        "metadata.managedFields",
        "metadata.resourceVersion",
        "metadata.uid",
        "metadata.creationTimestamp",
        "metadata.generation",
        "metadata.annotations.deployment.kubernetes.io/revision",
        "metadata.annotations.kubectl.kubernetes.io/last-applied-configuration",
    }
    assert service.body["spec"]["clusterIP"] == "10.96.12.34"  # user-visible spec is kept
    assert findings("validate", fixture("dump", "live.yaml")) == []


def test_list_kind_items_without_kind_are_findings() -> None:
    text = "apiVersion: v1\nkind: List\nitems:\n- metadata:\n    name: x\n- 3\n"
    got = findings("validate", "-", stdin=text)
    assert {(f["rule"], f["line"]) for f in got} == {("missing-kind", 4), ("not-a-mapping", 6)}


def test_stdin_is_named_stdin() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  count: 1\n"
    (only,) = findings("validate", "-", stdin=text)
    assert (only["file"], only["line"], only["path"]) == ("<stdin>", 6, "data.count")


def test_crlf_line_endings_split_documents() -> None:
    text = "apiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: a\r\n---\r\napiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: b\r\n"
    assert [r.name for r in loader.load_text("crlf.yaml", text).resources] == ["a", "b"]


def test_yaml_merge_keys_and_anchors() -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\n"
        "  labels: &l {a: b}\n  annotations:\n    <<: *l\n    c: d\n"
    )
    (resource,) = loader.load_text("m.yaml", text).resources
    assert resource.body["metadata"]["annotations"] == {"a": "b", "c": "d"}


def test_yaml_11_scalars_follow_the_kubernetes_decoder() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n  when: 2024-01-02\n  mode: 0755\n  eq: =\n"
    (resource,) = loader.load_text("s.yaml", text).resources
    assert resource.body["data"] == {"when": "2024-01-02", "mode": 493, "eq": "="}


def test_folder_walk_reads_manifests_and_notes_the_rest(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n")
    (tmp_path / "notes.txt").write_text("not yaml")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.yaml").write_text("{broken")
    run = kubeplan("validate", "--verbose", str(tmp_path))
    assert run.exit_code == 0
    assert "notes.txt: not .yaml, .yml or .json; ignored" in run.stdout
    assert ".hidden: hidden folder not read" in run.stdout
    assert "1 resource in 1 file" in run.stdout


def test_missing_path_is_exit_2_with_one_line(tmp_path: Path) -> None:
    run = kubeplan("validate", str(tmp_path / "nope.yaml"))
    assert run.exit_code == 2
    assert run.stderr.strip().count("\n") == 0
    assert "no such file or folder" in run.stderr


def test_folder_without_manifests_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "readme.md").write_text("# hi")
    run = kubeplan("validate", str(tmp_path))
    assert run.exit_code == 2
    assert "nothing to read" in run.stderr


def _git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _git(tmp_path, "init", "-q")
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    (deploy / "cm.yaml").write_text(
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  count: "1"\n'
    )
    (tmp_path / "other.yaml").write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n"
    )
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "one")
    (deploy / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  count: 2\n"
    )
    _git(tmp_path, "commit", "-qam", "two")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_git_revision_is_read_from_the_object_store(repo: Path) -> None:
    (repo / "deploy" / "cm.yaml").write_text("garbage: [")  # the work tree is not read
    assert findings("validate", "git:HEAD~1:deploy") == []
    (only,) = findings("validate", "git:HEAD:deploy")
    assert (only["file"], only["line"], only["path"]) == (
        "git:HEAD:deploy/cm.yaml",
        6,
        "data.count",
    )
    result = loader.load(["git:HEAD~1"])
    assert sorted(r.name for r in result.resources) == ["cm", "other"]


def test_bad_git_revision_is_exit_2(repo: Path) -> None:
    run = kubeplan("validate", "git:no-such-branch")
    assert run.exit_code == 2
    assert "git:no-such-branch: no such revision" in run.stderr


def _kustomize_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "kustomization.yaml").write_text("resources:\n  - cm.yaml\n")
    (folder / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: raw\n")
    return folder


def test_kustomize_folder_without_renderer_says_how_to_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _kustomize_folder(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    got = findings("validate", str(folder))
    (only,) = got
    assert only["rule"] == "render-unavailable"
    assert only["file"].endswith("kustomization.yaml")
    assert "| kubeplan validate -" in only["message"]


def test_kustomize_folder_is_rendered_when_kustomize_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _kustomize_folder(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "kustomize"
    # Stands in for `kustomize build`: prints what kustomize prints, origin annotation included.
    fake.write_text(
        "#!/bin/sh\ncat <<'EOF'\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rendered\n"
        "  annotations:\n    config.kubernetes.io/origin: |\n      path: cm.yaml\ndata:\n  count: 1\nEOF\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    (only,) = findings("validate", str(folder))
    assert (only["rule"], only["path"], only["template"]) == (
        "schema-invalid",
        "data.count",
        "cm.yaml",
    )
    assert "(kustomize)" in only["file"]


def _chart(tmp_path: Path) -> None:
    chart = tmp_path / "charts" / "web"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    (chart / "templates" / "d.yaml").write_text("{{- if .Values.x }}\nkind: {{ .Values.kind }}\n")
    (tmp_path / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns1\n")


def _path_without(program: str) -> str:
    return os.pathsep.join(
        p
        for p in os.environ["PATH"].split(os.pathsep)
        if p and not os.path.exists(f"{p}/{program}")
    )


def test_walked_helm_chart_without_helm_is_one_warning_and_none_of_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder holding Chart.yaml is a chart whether named or walked: its templates are not
    manifests, so without helm none is read (no flood of yaml-syntax errors), and one warning
    says how to pipe `helm template` in."""
    _chart(tmp_path / "repo")
    monkeypatch.setenv("PATH", _path_without("helm"))
    got = findings("validate", str(tmp_path / "repo"))
    assert [(f["rule"], f["severity"]) for f in got] == [("render-unavailable", "warning")]
    assert got[0]["file"].endswith("charts/web/Chart.yaml")
    named = kubeplan("validate", str(tmp_path / "repo" / "charts" / "web"), "--format", "json")
    assert [f["rule"] for f in named.json()["findings"]] == ["render-unavailable"]
    assert named.exit_code == 2 and "nothing was validated" in named.stderr


def test_walked_helm_chart_is_rendered_by_helm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a helm on PATH (outside the checked folder), a chart reached by the walk is
    rendered with `helm template CHART`, as a named one is."""
    _chart(tmp_path / "repo")
    tools = tmp_path / "tools"
    tools.mkdir()
    helm = tools / "helm"
    helm.write_text(
        "#!/bin/sh\n"
        '[ "$1" = template ] || exit 3\n'
        "printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: from-chart\\n"
        "data:\\n  count: 1\\n'\n"
    )
    helm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{_path_without('helm')}")
    got = findings("validate", str(tmp_path / "repo"))
    assert [(f["rule"], f["path"]) for f in got] == [("schema-invalid", "data.count")]
    assert got[0]["file"].endswith("charts/web (helm)")


@pytest.mark.skipif(not shutil.which("kubectl"), reason="kubectl is not installed")
def test_kustomize_folder_rendered_by_real_kubectl(tmp_path: Path) -> None:
    folder = _kustomize_folder(tmp_path)
    (folder / "kustomization.yaml").write_text(
        "resources:\n  - cm.yaml\nnamespace: rendered-ns\nbuildMetadata: [originAnnotations]\n"
    )
    (folder / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: raw\ndata:\n  count: 1\n"
    )
    result = loader.load([str(folder)])
    (resource,) = result.resources
    assert (resource.namespace, resource.origin.template) == ("rendered-ns", "cm.yaml")
    (only,) = findings("validate", str(folder))
    assert (only["rule"], only["path"], only["template"]) == (
        "schema-invalid",
        "data.count",
        "cm.yaml",
    )


def test_y_and_n_are_booleans_as_kubernetes_go_yaml_v2_resolves_them() -> None:
    # sigs.k8s.io/yaml goyaml.v2/resolve.go resolveMapList: y/Y/n/N are bools, unlike PyYAML
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  a: y\n  b: 'y'\n  c: N\n"
    )
    (resource,) = loader.load_text("b.yaml", text).resources
    assert resource.body["data"] == {"a": True, "b": "y", "c": False}
    got = findings("validate", "-", stdin=text)
    assert {(f["path"], f["rule"]) for f in got} == {
        ("data.a", "schema-invalid"),
        ("data.c", "schema-invalid"),
    }


def test_a_key_n_is_the_key_false_and_is_located_at_its_line() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: k\ndata:\n  n: 1\n"
    (only,) = findings("validate", "-", stdin=text)
    assert (only["line"], only["path"]) == (6, "data.false")


def test_a_folder_walk_leaves_kubeplan_config_out(tmp_path):
    from kubeplan.schemas import loader

    (tmp_path / ".kubeplan.yaml").write_text("strict: false\n")
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    result = loader.load([str(tmp_path)])
    assert [r.name for r in result.resources] == ["a"]
    assert not result.findings
    assert any("kubeplan's config" in note for note in result.notes)
