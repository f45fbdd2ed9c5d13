"""The pre-commit hooks, driven by the real `pre-commit` in a temporary git repository:
`pre-commit install`, a bad commit rejected with the finding shown, a good one accepted.

The hooks come from this checkout's `.pre-commit-hooks.yaml`. pre-commit would install a
`language: python` hook by `pip install .` of the hook repository into a fresh virtualenv, which
needs the package index; so the test declares the same hooks (entry, args, file filters,
require_serial) as a `repo: local` hook of the language that runs the command found on PATH, and
puts this environment's `kubeplan` first on PATH. Everything but the installation is pre-commit's
own: the file selection, the staged-files-only stash, the exit code, the output.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pre_commit.all_languages
import pytest
import yaml
from conftest import ROOT

HOOKS = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))}
# pre-commit 4.4 renamed `system` to `unsupported` (the old name still loads, with a warning).
PATH_LANGUAGE = "unsupported" if "unsupported" in pre_commit.all_languages.languages else "system"

SERVICE = textwrap.dedent(
    """\
    apiVersion: v1
    kind: Service
    metadata:
      name: api
      namespace: shop
    spec:
      selector:
        app: api
      ports:
        - port: 80
          targetPort: http
    """
)
DEPLOYMENT = textwrap.dedent(
    """\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: shop
    spec:
      replicas: 2
      selector:
        matchLabels:
          app: api
      template:
        metadata:
          labels:
            app: api
        spec:
          containers:
            - name: api
              image: registry.example.com/shop/api:1.0.0
              ports:
                - name: http
                  containerPort: 8080
    """
)


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
        "NO_COLOR": "1",
    }


def _run(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True, check=False)


def _local_hook(hook_id: str) -> dict:
    hook = dict(HOOKS[hook_id])
    hook["language"] = PATH_LANGUAGE
    return hook


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    path = tmp_path / "manifests"
    path.mkdir()
    env = _env(tmp_path)
    assert _run(path, env, "git", "init", "-q").returncode == 0
    config = {"repos": [{"repo": "local", "hooks": [_local_hook("kubeplan-check")]}]}
    (path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), "utf-8")
    installed = _run(path, env, sys.executable, "-m", "pre_commit", "install")
    assert installed.returncode == 0, installed.stderr
    assert (path / ".git" / "hooks" / "pre-commit").exists()
    return path, env


def _commit(repo: Path, env: dict[str, str], *files: str) -> subprocess.CompletedProcess[str]:
    assert _run(repo, env, "git", "add", *files).returncode == 0
    return _run(repo, env, "git", "commit", "-m", "change")


def _commits(repo: Path, env: dict[str, str]) -> int:
    done = _run(repo, env, "git", "rev-list", "--count", "--all")
    return int(done.stdout.strip() or 0)


def test_hook_manifest():
    check = HOOKS["kubeplan-check"]
    assert check["entry"].split()[:2] == ["kubeplan", "check"] and "--context" in check["entry"]
    assert check["language"] == "python" and check["require_serial"] is True
    assert set(check["types_or"]) == {"yaml", "json"}
    plan = HOOKS["kubeplan-plan"]
    assert plan["entry"].split()[:2] == ["kubeplan", "plan"] and plan["pass_filenames"] is False
    assert "manual" in plan["stages"]


def test_good_commit_accepted_bad_commit_rejected(repo):
    path, env = repo
    (path / "service.yaml").write_text(SERVICE, "utf-8")
    (path / "deployment.yaml").write_text(DEPLOYMENT, "utf-8")
    good = _commit(path, env, ".pre-commit-config.yaml", "service.yaml", "deployment.yaml")
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"kubeplan check\.+Passed", good.stdout + good.stderr)
    assert _commits(path, env) == 1

    broken = DEPLOYMENT.replace("      containers:", "      containerz: []\n      containers:")
    (path / "deployment.yaml").write_text(broken, "utf-8")
    bad = _commit(path, env, "deployment.yaml")
    output = bad.stdout + bad.stderr
    assert bad.returncode != 0
    assert "Failed" in output
    line = broken.splitlines().index("      containerz: []") + 1
    assert "deployment.yaml" in output and f"{line}:7 " in output
    assert 'unknown field "containerz"' in output and "[schema-unknown-field]" in output
    assert _commits(path, env) == 1  # rejected


def test_references_resolve_across_files_not_in_the_commit(repo):
    """Only service.yaml is staged; its Deployment is in a file the commit does not touch."""
    path, env = repo
    (path / "deployment.yaml").write_text(DEPLOYMENT, "utf-8")
    assert _commit(path, env, ".pre-commit-config.yaml", "deployment.yaml").returncode == 0
    (path / "service.yaml").write_text(SERVICE, "utf-8")
    done = _commit(path, env, "service.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _commits(path, env) == 2
    # and without the context the same commit would be refused
    alone = _run(path, env, "kubeplan", "check", "service.yaml", "--fail-on", "warning")
    assert alone.returncode == 1 and "service-selects-nothing" in alone.stdout


def test_non_manifest_files_are_left_alone(repo):
    path, env = repo
    (path / "notes.txt").write_text("not yaml: [", "utf-8")
    done = _commit(path, env, ".pre-commit-config.yaml", "notes.txt")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"kubeplan check\.+\(no files to check\)Skipped", done.stdout + done.stderr)


def test_plan_hook_against_the_upstream_branch(tmp_path):
    """kubeplan-plan (manual and pre-push stages): the plan against @{upstream}; a change the
    API server would reject (a Deployment's selector is immutable) fails the hook."""
    env = _env(tmp_path)
    upstream, path = tmp_path / "upstream.git", tmp_path / "clone"
    assert _run(tmp_path, env, "git", "init", "-q", "--bare", str(upstream)).returncode == 0
    assert _run(tmp_path, env, "git", "clone", "-q", str(upstream), str(path)).returncode == 0
    hooks = [_local_hook("kubeplan-plan")]
    (path / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}), "utf-8"
    )
    (path / "deployment.yaml").write_text(DEPLOYMENT, "utf-8")
    assert _commit(path, env, ".pre-commit-config.yaml", "deployment.yaml").returncode == 0
    assert _run(path, env, "git", "push", "-q", "-u", "origin", "HEAD").returncode == 0

    (path / "deployment.yaml").write_text(DEPLOYMENT.replace("api:1.0.0", "api:1.1.0"), "utf-8")
    assert _commit(path, env, "deployment.yaml").returncode == 0
    plan = _run(path, env, sys.executable, "-m", "pre_commit", "run", "kubeplan-plan",
                "--hook-stage", "manual", "--all-files", "--verbose")  # fmt: skip
    output = plan.stdout + plan.stderr
    assert plan.returncode == 0, output
    assert "Deployment shop/api" in output and "rolls 2 pods" in output

    moved = DEPLOYMENT.replace("app: api", "app: api-v2")
    (path / "deployment.yaml").write_text(moved, "utf-8")
    assert _commit(path, env, "deployment.yaml").returncode == 0
    plan = _run(path, env, sys.executable, "-m", "pre_commit", "run", "kubeplan-plan",
                "--hook-stage", "manual", "--all-files")  # fmt: skip
    output = plan.stdout + plan.stderr
    assert plan.returncode == 1, output
    assert "Failed" in output and "selector" in output


def test_hook_with_a_baseline_fails_only_on_new_findings(repo):
    path, env = repo
    (path / "deployment.yaml").write_text(DEPLOYMENT, "utf-8")
    written = _run(path, env, "kubeplan", "baseline", "write", ".")
    assert written.returncode == 0, written.stderr
    hook = _local_hook("kubeplan-check")
    hook["args"] = ["--fail-on", "info", "--baseline", ".kubeplan/baseline.json"]
    (path / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}), "utf-8"
    )
    files = (".pre-commit-config.yaml", "deployment.yaml", ".kubeplan/baseline.json")
    first = _commit(path, env, *files)
    assert first.returncode == 0, first.stdout + first.stderr  # today's warnings are recorded
    (path / "deployment.yaml").write_text(DEPLOYMENT.replace("replicas: 2", "replicas: 1"), "utf-8")
    second = _commit(path, env, "deployment.yaml")
    output = second.stdout + second.stderr
    assert second.returncode == 1 and "[single-replica]" in output
    assert "[run-as-root]" not in output  # in the baseline


# An ordinary repository: a Helm chart, a Kustomize overlay with patches, a node project, a
# docker-compose file, a docs site and a CI workflow beside the manifests.
LAYOUT = {
    "chart/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
    "chart/values.yaml": "replicaCount: 2\nimage:\n  repository: registry.example.com/shop/api\n",
    "chart/templates/deployment.yaml": textwrap.dedent(
        """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ include "shop.fullname" . }}
        spec:
          replicas: {{ .Values.replicaCount }}
        """
    ),
    "base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
    "base/deployment.yaml": DEPLOYMENT,
    "overlay/kustomization.yaml": textwrap.dedent(
        """\
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - ../base
        patches:
          - path: patches/replicas.yaml
          - target: {kind: Deployment}
            path: patches/json.yaml
        patchesStrategicMerge:
          - patches/memory.yaml
        configMapGenerator:
          - name: settings
            files: [config/settings.json]
        """
    ),
    "overlay/patches/replicas.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\n"
        "spec:\n  replicas: 3\n"
    ),
    "overlay/patches/json.yaml": "- op: replace\n  path: /spec/replicas\n  value: 4\n",
    "overlay/patches/memory.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: api\n"
        "          resources: {limits: {memory: 512Mi}}\n"
    ),
    "overlay/config/settings.json": '{"kind": "settings", "debug": false}\n',
    "web/package.json": '{"name": "web", "version": "1.0.0", "scripts": {"test": "jest"}}\n',
    "web/tsconfig.json": '{\n  // comments, as TypeScript allows\n  "compilerOptions": {}\n}\n',
    "docker-compose.yml": "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n",
    "mkdocs.yml": (
        "site_name: Shop\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
    ),
    ".github/workflows/ci.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
}
LEFT_OUT = sorted(set(LAYOUT) - {"base/deployment.yaml", ".github/workflows/ci.yml"})


def _lay_out(path: Path) -> None:
    for name, text in LAYOUT.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text, "utf-8")


def test_check_hook_leaves_charts_patches_and_other_files_alone(repo):
    """Each file is one pre-commit would pass; only base/deployment.yaml is a manifest."""
    path, env = repo
    _lay_out(path)
    done = _commit(path, env, ".")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert re.search(r"kubeplan check\.+Passed", output)
    # what the hook leaves out is said with --verbose, each with its reason
    listed = _run(path, env, "kubeplan", "check", "--hook", "--context", ".", "--verbose",
                  *LAYOUT)  # fmt: skip
    assert listed.returncode == 0, listed.stdout + listed.stderr
    for name in LEFT_OUT:
        assert f"note: {name}: " in listed.stdout, name
    assert "a Kustomize patch of overlay/kustomization.yaml" in listed.stdout
    assert "a Kustomize generator input of overlay/kustomization.yaml" in listed.stdout
    assert "part of the Helm chart chart" in listed.stdout
    assert "package.json: not a Kubernetes manifest" in listed.stdout
    # without --hook the same files are refused, as before
    plain = _run(path, env, "kubeplan", "check", "--context", ".", *LAYOUT)
    assert plain.returncode == 1 and "[missing-kind]" in plain.stdout


def test_check_hook_still_checks_a_manifest_fully(repo):
    """A broken manifest beside the others is refused, with its finding; so is a manifest that
    does not parse."""
    path, env = repo
    _lay_out(path)
    assert _commit(path, env, ".").returncode == 0
    broken = DEPLOYMENT.replace("      containers:", "      containerz: []\n      containers:")
    (path / "base" / "deployment.yaml").write_text(broken, "utf-8")
    (path / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx:1.27\n", "utf-8")
    bad = _commit(path, env, "base/deployment.yaml", "docker-compose.yml")
    assert bad.returncode == 1 and 'unknown field "containerz"' in bad.stdout + bad.stderr
    (path / "base" / "deployment.yaml").write_text(DEPLOYMENT + "  replicas: [\n", "utf-8")
    unparsable = _commit(path, env, "base/deployment.yaml")
    assert unparsable.returncode == 1 and "[yaml-syntax]" in unparsable.stdout + unparsable.stderr


def _push_repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A clone of an empty bare repository with the kubeplan-plan hook installed for pre-push."""
    env = _env(tmp_path)
    upstream, path = tmp_path / "upstream.git", tmp_path / "clone"
    assert _run(tmp_path, env, "git", "init", "-q", "--bare", str(upstream)).returncode == 0
    assert _run(tmp_path, env, "git", "clone", "-q", str(upstream), str(path)).returncode == 0
    (path / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [_local_hook("kubeplan-plan")]}]}),
        "utf-8",
    )
    installed = _run(path, env, sys.executable, "-m", "pre_commit", "install",
                     "--hook-type", "pre-push")  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    return path, env


def test_plan_hook_on_the_first_push_of_a_new_branch(tmp_path):
    """No @{upstream} before the first push: the plan compares with where the pushed commits
    start, says so, and is shown though it passes (verbose)."""
    path, env = _push_repo(tmp_path)
    (path / "deployment.yaml").write_text(DEPLOYMENT, "utf-8")
    assert _commit(path, env, ".pre-commit-config.yaml", "deployment.yaml").returncode == 0
    first = _run(path, env, "git", "push", "origin", "HEAD")  # an empty remote: all is new
    output = first.stdout + first.stderr
    assert first.returncode == 0, output
    assert "kubeplan plan against nothing" in output and "1 to create" in output

    assert _run(path, env, "git", "checkout", "-q", "-b", "feature").returncode == 0
    (path / "deployment.yaml").write_text(DEPLOYMENT.replace("api:1.0.0", "api:1.1.0"), "utf-8")
    assert _commit(path, env, "deployment.yaml").returncode == 0
    pushed = _run(path, env, "git", "push", "origin", "feature")
    output = pushed.stdout + pushed.stderr
    assert pushed.returncode == 0, output
    assert re.search(r"kubeplan plan\.+Passed", output)
    assert "feature has no upstream branch yet" in output
    assert "Deployment shop/api" in output and "rolls 2 pods" in output

    assert _run(path, env, "git", "checkout", "-q", "-b", "selector").returncode == 0
    (path / "deployment.yaml").write_text(DEPLOYMENT.replace("app: api", "app: v2"), "utf-8")
    assert _commit(path, env, "deployment.yaml").returncode == 0
    refused = _run(path, env, "git", "push", "origin", "selector")
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "selector has no upstream branch yet" in output
    assert "[immutable-field-changed]" in output
    branches = _run(path, env, "git", "ls-remote", "--heads", "origin").stdout
    assert "refs/heads/feature" in branches and "refs/heads/selector" not in branches


def test_plan_falls_back_to_the_remote_default_branch(tmp_path):
    """By hand, outside pre-commit: the merge-base with origin's default branch."""
    path, env = _push_repo(tmp_path)
    (path / "deployment.yaml").write_text(DEPLOYMENT, "utf-8")
    assert _commit(path, env, "deployment.yaml").returncode == 0
    assert _run(path, env, "git", "push", "-q", "--no-verify", "origin", "HEAD").returncode == 0
    assert _run(path, env, "git", "remote", "set-head", "origin", "--auto").returncode == 0
    default = _run(path, env, "git", "rev-parse", "--abbrev-ref", "origin/HEAD").stdout.strip()
    assert _run(path, env, "git", "checkout", "-q", "-b", "feature").returncode == 0
    (path / "deployment.yaml").write_text(DEPLOYMENT.replace("replicas: 2", "replicas: 3"), "utf-8")
    assert _commit(path, env, "deployment.yaml").returncode == 0
    plan = _run(path, env, "kubeplan", "plan", "--base", "@{upstream}", ".")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert f"(merge-base with {default}; feature has no upstream branch yet)" in plan.stdout
    assert "scales from 2 to 3" in plan.stdout
    missing = _run(path, env, "kubeplan", "plan", "--base", "no-such-rev", ".")
    assert missing.returncode == 2  # only @{upstream} falls back
