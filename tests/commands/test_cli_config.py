"""The command line and `.kubeplan.yaml`, read the same way by every command.

- `--output` names a file: a format word there (`--output json`, kubectl's spelling) is refused,
  never written as a file while the run prints nothing and passes;
- every command reads the config the same way (kubeplan/config/settings.py): `kubernetes-version` and
  `fail-on` apply to diff, plan, reach, can-i and who-can too, and the command line wins;
- the config search stops at the repository root, and the config used is named (--verbose,
  JSON `config`);
- a broken config is one line naming file, line and key, with "did you mean" and the float hint;
- `ignore-paths` are gitignore patterns;
- `--changed-since` names itself in its errors, and says when the clone is shallow.

Each test runs kubeplan on real files in tmp_path, with real git repositories where the topic
needs one (a tmp_path with no `.git` would let the search reach a config in a shared /tmp).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import kubeplan
from test_startup import modules_after

DEPLOYMENT = textwrap.dedent(
    """\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
      replicas: 2
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: registry.example.com/web:1.0
    """
)
# An error finding in every command that reads manifests: an unknown field for check and
# validate, a broken document for diff and plan.
UNKNOWN_FIELD = DEPLOYMENT.replace("  replicas: 2\n", "  replica: 2\n")
BROKEN = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\n"
RBAC = textwrap.dedent(
    """\
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: {name: ci, namespace: shop}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
    subjects:
      - {kind: User, name: ci, apiGroup: rbac.authorization.k8s.io}
    """
)


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def repo(path: Path, files: dict[str, str]) -> Path:
    """A git repository at `path` holding `files`, committed."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    git(path, "add", "-A")
    git(path, "commit", "-qm", "manifests")
    return path


def one_line_error(run_stderr: str) -> str:
    lines = [line for line in run_stderr.splitlines() if line]
    assert len(lines) == 1, run_stderr
    assert "Traceback" not in run_stderr
    return lines[0]


# --output: a file, never a format word.

COMMANDS = {
    "check": ["check", "app"],
    "validate": ["validate", "app"],
    "lint": ["lint", "app"],
    "diff": ["diff", "app", "--base", "app"],
    "plan": ["plan", "app"],
    "reach": ["reach", "app"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("word", ["json", "sarif", "yaml", "JSON", "jsno"])
def test_output_named_like_a_format_is_refused_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, word: str
) -> None:
    repo(tmp_path, {"app/web.yaml": DEPLOYMENT})
    monkeypatch.chdir(tmp_path)
    run = kubeplan(*COMMANDS[command], "--output", word)
    assert run.exit_code == 2, (run.stdout, run.stderr)
    line = one_line_error(run.stderr)
    assert f"--output {word}:" in line and "not a file" in line and f"./{word}" in line
    assert not (tmp_path / word).exists()


def test_the_refusal_names_the_format_to_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo(tmp_path, {"app/web.yaml": DEPLOYMENT})
    monkeypatch.chdir(tmp_path)
    assert "--format json (or -o json)" in kubeplan("check", "app", "--output", "json").stderr
    assert "looks like the format 'sarif'" in kubeplan("check", "app", "--output", "sarfi").stderr
    yaml = kubeplan("check", "app", "--output", "yaml").stderr  # kubectl's, not kubeplan's
    assert "kubeplan's formats are text, json, sarif" in yaml
    typed = kubeplan("check", "app", "--format", "sarif=json")
    assert typed.exit_code == 2 and "--format sarif=json:" in typed.stderr
    baseline = kubeplan("baseline", "write", "app", "--output", "json")
    assert baseline.exit_code == 2 and "is a format name" in baseline.stderr
    assert not (tmp_path / "json").exists()


def test_dot_slash_writes_a_file_of_that_name_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo(tmp_path, {"app/web.yaml": UNKNOWN_FIELD})
    monkeypatch.chdir(tmp_path)
    run = kubeplan("check", "app", "--output", "./json")
    assert run.exit_code == 1
    assert run.stdout == ""
    assert "schema-unknown-field" in (tmp_path / "json").read_text()
    assert run.stderr.strip() == "kubeplan: wrote text report to ./json"
    # -o is the format (kubectl's -o json): JSON on standard output.
    assert kubeplan("check", "app", "-o", "json").json()["findings"]


def test_a_run_with_every_report_in_a_file_never_prints_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo(tmp_path, {"app/web.yaml": DEPLOYMENT})
    monkeypatch.chdir(tmp_path)
    run = kubeplan("check", "app", "--format", "sarif=k.sarif", "--format", "json=k.json")
    assert run.exit_code == 0 and run.stdout == ""
    assert "wrote sarif report to k.sarif, json report to k.json" in run.stderr
    reach = kubeplan("reach", "app", "--output", "reach.txt")
    assert reach.exit_code == 0 and "wrote the report to reach.txt" in reach.stderr
    quiet = kubeplan("check", "app", "--output", "k.txt", "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == ""


# One config, read the same way by every command.


def version_of(*args: str) -> str:
    run = kubeplan(*args, "-o", "json")
    assert run.exit_code in (0, 1), run.stderr
    return run.json()["kubernetes_version"]


def test_every_command_uses_the_config_version_and_the_command_line_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo(
        tmp_path,
        {
            "app/web.yaml": DEPLOYMENT,
            "app/rbac.yaml": RBAC,
            ".kubeplan.yaml": 'kubernetes-version: "1.29"\n',
        },
    )
    monkeypatch.chdir(tmp_path)
    commands = [
        ["check", "app"],
        ["diff", "app", "--base", "app"],
        ["plan", "app"],
        ["can-i", "get", "pods", "app", "--as", "ci", "-n", "shop"],
        ["who-can", "get", "pods", "app", "-n", "shop"],
    ]
    for args in commands:
        assert version_of(*args) == "1.29", args
        assert version_of(*args, "--kubernetes-version", "1.33") == "1.33", args
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text("kubernetes-version: '1.31'\n")
    for args in commands:  # --config names another file, for every command alike
        assert version_of(*args, "--config", str(elsewhere)) == "1.31", args


def test_plan_diff_and_reach_honour_the_config_fail_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo(tmp_path, {"app/web.yaml": DEPLOYMENT, "app/broken.yaml": BROKEN})
    monkeypatch.chdir(tmp_path)
    plan, diff = ["plan", "app"], ["diff", "app", "--base", "app"]
    assert kubeplan(*plan).exit_code == 1  # the broken document is an error
    assert kubeplan(*diff).exit_code == 1
    (tmp_path / ".kubeplan.yaml").write_text("fail-on: never\n")
    assert kubeplan(*plan).exit_code == 0
    assert kubeplan(*diff).exit_code == 0
    assert kubeplan(*plan, "--fail-on", "error").exit_code == 1  # the command line wins
    assert kubeplan(*diff, "--fail-on", "error").exit_code == 1


def test_reach_honours_the_config_fail_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo(
        tmp_path,
        {"app/web.yaml": DEPLOYMENT, ".kubeplan.yaml": 'connections: ["web -> nowhere:80"]\n'},
    )
    monkeypatch.chdir(tmp_path)
    run = kubeplan("reach", "app", "-o", "json")
    warnings = [f for f in run.json()["findings"] if f["severity"] == "warning"]
    assert warnings and run.exit_code == 0  # a side naming no workload is a warning
    with_config = (tmp_path / ".kubeplan.yaml").read_text() + "fail-on: warning\n"
    (tmp_path / ".kubeplan.yaml").write_text(with_config)
    assert kubeplan("reach", "app").exit_code == 1


# Where the config is looked for, and which one is used.


@pytest.mark.parametrize("git_is_a_file", [False, True], ids=["repository", "worktree"])
def test_a_config_above_the_repository_never_applies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, git_is_a_file: bool
) -> None:
    (tmp_path / ".kubeplan.yaml").write_text("fail-on: never\n")  # a shared /tmp, say
    inner = tmp_path / "work" / "repo"
    if git_is_a_file:  # a worktree or submodule: .git is a file naming the real git folder
        real = repo(tmp_path / "real", {"README": "x\n"})
        git(real, "worktree", "add", "-q", str(inner))
        assert (inner / ".git").is_file()
        (inner / "app").mkdir()
        (inner / "app" / "web.yaml").write_text(UNKNOWN_FIELD)
    else:
        repo(inner, {"app/web.yaml": UNKNOWN_FIELD})
    monkeypatch.chdir(inner / "app")
    run = kubeplan("check", ".", "-o", "json", "--verbose")
    assert run.exit_code == 1, run.stderr  # the outside fail-on: never did not apply
    assert run.json()["config"] is None
    assert "kubeplan: config: none (no .kubeplan.yaml from" in run.stderr


def test_the_config_at_the_repository_root_applies_from_a_subfolder_and_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(
        tmp_path, {"deploy/app/web.yaml": UNKNOWN_FIELD, ".kubeplan.yaml": "strict: false\n"}
    )
    monkeypatch.chdir(root / "deploy")
    config = str(root / ".kubeplan.yaml")
    run = kubeplan("check", "app", "-o", "json", "--verbose")
    assert run.exit_code == 0, run.stdout  # strict: false accepts the unknown field
    assert run.json()["config"] == config
    assert f"kubeplan: config: {config}" in run.stderr
    for args in (["diff", "app", "--base", "app"], ["plan", "app"], ["reach", "app"]):
        assert kubeplan(*args, "-o", "json").json()["config"] == config, args
        assert f"kubeplan: config: {config}" in kubeplan(*args, "--verbose").stderr, args
    who = kubeplan("who-can", "get", "pods", "app", "-o", "json", "--verbose")
    assert who.json()["config"] == config
    assert f"kubeplan: config: {config}" in who.stderr


# A config kubeplan cannot use: one line, file, line and key, no traceback.

BAD_CONFIGS = [
    ("- fail-on: never\n", ":1: the config is a list, not a mapping"),
    ("5\n", ":1: the config is a single int value, not a mapping"),
    ("fail-on: error\n---\nfail-on: never\n", ":3: a second YAML document"),
    ("kubernetes-version: 1.30\n", ":1: kubernetes-version: 1.30 is read by YAML as the number"),
    ("kubernetes-version: '1.3'\n", ":1: kubernetes-version: Kubernetes 1.3 is not bundled"),
    ("strict: true\nfail-on: warnig\n", ':2: fail-on: "warnig" is not one of'),
    ("strct: true\n", ":1: unknown key strct (did you mean 'strict'?)"),
    (
        "rules:\n  run-as-rot: off\n",
        ":2: rules: no rule named 'run-as-rot' (did you mean 'run-as-root'?)",
    ),
    ("exclude:\n  - kidn: Deployment\n", ":2: unknown key exclude[0].kidn (did you mean 'kind'?)"),
    (
        "rules:\n  run-as-root:\n    severty: info\n",
        ":3: unknown key rules.run-as-root.severty (did you mean 'severity'?)",
    ),
    ("rules:\n  run-as-root: 5\n", ":2: rules.run-as-root: 5 is not a rule setting: on, off"),
    ("ignore-paths: vendor/\n", ':1: ignore-paths: "vendor/" is not of type "array"'),
    ("ignore-paths: ['!']\n", ":1: ignore-paths[0]: not a gitignore pattern"),
    ("strict: 'yes'\n", ':1: strict: "yes" is not of type "boolean"'),
]


@pytest.mark.parametrize(("text", "expected"), BAD_CONFIGS)
def test_a_bad_config_is_one_line_naming_file_line_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    repo(tmp_path, {"app/web.yaml": DEPLOYMENT, ".kubeplan.yaml": text})
    monkeypatch.chdir(tmp_path)
    config = str(tmp_path / ".kubeplan.yaml")
    for args in (["check", "app"], ["plan", "app"], ["who-can", "get", "pods", "app"]):
        run = kubeplan(*args)
        assert run.exit_code == 2, (args, run.stdout)
        assert one_line_error(run.stderr).startswith(f"kubeplan: {config}"), run.stderr
        assert expected in run.stderr, run.stderr


def test_the_float_version_hint_says_to_quote_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo(tmp_path, {"app/web.yaml": DEPLOYMENT, ".kubeplan.yaml": "kubernetes-version: 1.30\n"})
    monkeypatch.chdir(tmp_path)
    assert 'quote it: kubernetes-version: "1.30"' in kubeplan("check", "app").stderr
    # A number that reads back as written is the release it names.
    (tmp_path / ".kubeplan.yaml").write_text("kubernetes-version: 1.33\n")
    assert version_of("check", "app") == "1.33"


@pytest.mark.slow  # a kubeplan process
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_a_utf16_config_is_a_config_error_in_a_real_process(tmp_path: Path, encoding: str) -> None:
    repo(tmp_path, {"app/web.yaml": DEPLOYMENT})
    (tmp_path / ".kubeplan.yaml").write_text("fail-on: never\n", encoding=encoding)
    done = subprocess.run(
        [sys.executable, "-m", "kubeplan", "check", "app"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    config = os.path.join(tmp_path, ".kubeplan.yaml")
    assert one_line_error(done.stderr) == (
        f"kubeplan: {config}:1: the config is UTF-16; save it as UTF-8"
    )


# ignore-paths: gitignore patterns.


def test_ignore_paths_are_gitignore_patterns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(
        tmp_path,
        {
            "app/web.yaml": DEPLOYMENT,
            "vendor/chart/bad.yaml": UNKNOWN_FIELD,  # under a vendor folder: left out
            "app/vendor/bad.yaml": UNKNOWN_FIELD,  # vendor/ matches at any depth
            "app/gen/x.gen.yaml": UNKNOWN_FIELD,
            "top/bad.yaml": UNKNOWN_FIELD,  # /top/ is anchored at the config's folder
            "app/top/kept.yaml": UNKNOWN_FIELD,  # so this one stays
            ".kubeplan.yaml": 'ignore-paths: ["vendor/", "*.gen.yaml", "/top/"]\n',
        },
    )
    monkeypatch.chdir(root / "app")  # patterns are relative to the config, not the cwd
    run = kubeplan("validate", str(root), "-o", "json")
    files = {os.path.relpath(f["file"], root) for f in run.json()["findings"]}
    assert files == {os.path.join("app", "top", "kept.yaml")}, files
    git_run = kubeplan("validate", "git:HEAD", "-o", "json")  # a revision: repository paths
    unknown = [f for f in git_run.json()["findings"] if f["rule"] == "schema-unknown-field"]
    assert {f["file"] for f in unknown} == {"git:HEAD:app/top/kept.yaml"}, git_run.stdout


@pytest.mark.slow  # two kubeplan processes
def test_pathspec_is_imported_only_when_ignore_paths_is_set(tmp_path: Path) -> None:
    repo(tmp_path, {"app/web.yaml": DEPLOYMENT, ".kubeplan.yaml": "strict: true\n"})
    assert "pathspec" not in modules_after(["check", "app"], tmp_path)
    (tmp_path / ".kubeplan.yaml").write_text('ignore-paths: ["vendor/"]\n')
    assert "pathspec" in modules_after(["check", "app"], tmp_path)


# --changed-since REV.


def test_a_bad_changed_since_names_itself_not_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo(tmp_path, {"app/web.yaml": DEPLOYMENT})
    monkeypatch.chdir(tmp_path)
    run = kubeplan("check", "app", "--changed-since", "no-such-rev")
    assert run.exit_code == 2
    line = one_line_error(run.stderr)
    assert line.startswith("kubeplan: --changed-since no-such-rev: ") and "--base" not in line
    assert "shallow" not in line


def test_changed_since_in_a_shallow_clone_says_how_to_fetch_history(tmp_path: Path) -> None:
    origin = repo(tmp_path / "origin", {"app/web.yaml": DEPLOYMENT})
    (origin / "app" / "web.yaml").write_text(UNKNOWN_FIELD)
    git(origin, "commit", "-qam", "second")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    for option in ("--changed-since", "--base"):
        command = "check" if option == "--changed-since" else "diff"
        run = kubeplan(command, str(clone / "app"), option, "HEAD~1")
        assert run.exit_code == 2
        line = one_line_error(run.stderr)
        assert line.startswith(f"kubeplan: {option} HEAD~1: ")
        assert "shallow" in line and "git fetch --unshallow" in line and "fetch-depth: 0" in line


def test_the_search_stops_at_a_filesystem_boundary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No repository: the search stops where the device changes (a mount point), as git's
    discovery does without GIT_DISCOVERY_ACROSS_FILESYSTEM. The mount is simulated by the
    device number kubeplan reads; everything else is real files."""
    import kubeplan.config.find as config_find

    (tmp_path / ".kubeplan.yaml").write_text("fail-on: never\n")
    mounted = tmp_path / "mnt" / "work"
    mounted.mkdir(parents=True)
    (mounted / "web.yaml").write_text(UNKNOWN_FIELD)
    real_device = config_find._device

    def device(folder: str) -> int | None:
        inside = folder == str(tmp_path / "mnt") or folder.startswith(
            str(tmp_path / "mnt") + os.sep
        )
        return -1 if inside else real_device(folder)

    monkeypatch.setattr(config_find, "_device", device)
    monkeypatch.chdir(mounted)
    run = kubeplan("check", ".", "-o", "json")
    assert run.exit_code == 1 and run.json()["config"] is None
    monkeypatch.setattr(config_find, "_device", real_device)  # one filesystem: found
    assert kubeplan("check", ".", "-o", "json").json()["config"] == str(tmp_path / ".kubeplan.yaml")


# Rule ids in exclude: and in the kubeplan.io/ignore annotation.


def test_an_unknown_rule_id_in_exclude_is_a_config_error_with_the_closest_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    custom = "custom-rules:\n  - {id: team-label, message: m, path: metadata.labels.team, exists: true}\n"
    repo(
        tmp_path,
        {
            "app/web.yaml": DEPLOYMENT,
            ".kubeplan.yaml": "exclude:\n  - rules: [single-replica, run-as-rot]\n" + custom,
        },
    )
    monkeypatch.chdir(tmp_path)
    run = kubeplan("check", "app")
    assert run.exit_code == 2
    assert one_line_error(run.stderr).endswith(
        ":2: exclude[0].rules[1]: no rule named 'run-as-rot' (did you mean 'run-as-root'?)"
        " (kubeplan rules lists them)"
    )
    # Any id kubeplan reports may be excluded: lint rules, plan findings, the config's own rules.
    known = "exclude:\n  - rules: [run-as-root, rbac-grants-cluster-admin, team-label]\n"
    (tmp_path / ".kubeplan.yaml").write_text(known + custom)
    assert kubeplan("check", "app").exit_code in (0, 1)


def test_an_unknown_rule_id_in_the_ignore_annotation_is_a_warning_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    annotated = DEPLOYMENT.replace(
        "  namespace: shop\n",
        "  namespace: shop\n  annotations:\n    kubeplan.io/ignore: single-replica, run-as-rot\n",
    )
    repo(tmp_path, {"app/web.yaml": annotated})
    monkeypatch.chdir(tmp_path)
    got = kubeplan("check", "app", "-o", "json").json()["findings"]
    unknown = [f for f in got if f["rule"] == "ignore-unknown-rule"]
    assert [(f["line"], f["severity"]) for f in unknown] == [(7, "warning")]
    assert (
        "'run-as-rot' (did you mean 'run-as-root'?); it suppresses nothing" in unknown[0]["message"]
    )
    forbidden = kubeplan("check", "app", "--no-inline-ignore", "-o", "json").json()["findings"]
    assert not [f for f in forbidden if f["rule"] == "ignore-unknown-rule"]


def test_diff_and_plan_leave_out_the_ignored_paths_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vendored = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: vendored, namespace: shop}\n"
    repo(
        tmp_path,
        {
            "app/web.yaml": DEPLOYMENT,
            "app/vendor/cm.yaml": vendored,
            "app/vendor/broken.yaml": BROKEN,
            ".kubeplan.yaml": 'ignore-paths: ["vendor/"]\n',
        },
    )
    monkeypatch.chdir(tmp_path)
    plan = kubeplan("plan", "app", "-o", "json")
    assert plan.exit_code == 0, plan.stdout  # the broken vendored file is not read
    assert [s["resource"]["name"] for s in plan.json()["steps"]] == ["web"]
    (tmp_path / "empty").mkdir()
    diff = kubeplan("diff", "app", "--base", str(tmp_path / "empty"), "-o", "json")
    assert diff.exit_code == 0, diff.stdout
    assert [c["resource"]["name"] for c in diff.json()["changes"]] == ["web"]
    reach = kubeplan("reach", "app", "-o", "json")
    assert reach.json()["findings"] == [], reach.stdout  # no yaml-syntax of the vendored file
    assert kubeplan("reach", "app", "--config", os.devnull, "-o", "json").json()["findings"]
