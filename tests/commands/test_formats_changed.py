"""`--changed-since REV` (only what a pull request touched) and `--context PATH` (references
resolve against the whole repository while only the given files are reported)."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import findings, kubeplan

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
      replicas: 1
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
WORKER = DEPLOYMENT.replace("name: api\n  namespace", "name: worker\n  namespace").replace(
    "app: api", "app: worker"
)


def _git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    done = subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    return done.stdout.decode()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _git(tmp_path, "init", "-q")
    (tmp_path / "service.yaml").write_text(SERVICE, "utf-8")
    (tmp_path / "api.yaml").write_text(DEPLOYMENT, "utf-8")
    (tmp_path / "worker.yaml").write_text(WORKER, "utf-8")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_only_changed_objects_are_reported(repo):
    everything = findings("check", ".")
    names = {f["resource"]["name"] for f in everything}
    assert names == {"api", "worker"}  # both deployments have findings today
    (repo / "worker.yaml").write_text(WORKER.replace("api:1.0.0", "api:1.0.1"), "utf-8")
    changed = findings("check", ".", "--changed-since", "HEAD")
    assert changed and {f["resource"]["name"] for f in changed} == {"worker"}
    assert [f for f in everything if f["resource"]["name"] == "worker"] == changed


def test_new_file_and_broken_file_are_reported(repo):
    (repo / "broken.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: [\n", "utf-8")
    (repo / "new.yaml").write_text(WORKER.replace("name: worker\n", "name: batch\n", 1), "utf-8")
    changed = findings("check", ".", "--changed-since", "HEAD")
    files = {os.path.basename(f["file"]) for f in changed}
    assert files == {"broken.yaml", "new.yaml"}
    assert any(f["rule"] == "yaml-syntax" for f in changed)


def test_nothing_changed_passes_even_with_old_errors(repo):
    (repo / "api.yaml").write_text(DEPLOYMENT + "  paused: maybe\n", "utf-8")
    _git(repo, "commit", "-qam", "an error lands")
    assert kubeplan("check", ".").exit_code == 1
    run = kubeplan("check", ".", "--changed-since", "HEAD")
    assert run.exit_code == 0, run.stdout


def test_unknown_revision_exits_2(repo):
    run = kubeplan("check", ".", "--changed-since", "no-such-branch")
    assert run.exit_code == 2 and "no-such-branch" in run.stderr


def test_context_resolves_references_without_reporting_it(repo):
    """kube-linter#179: a Service in one file and its Deployment in another is no finding."""
    alone = findings("check", "service.yaml")
    assert {f["rule"] for f in alone} == {"service-selects-nothing"}
    with_context = findings("check", "service.yaml", "--context", ".")
    assert with_context == []
    # the context's own findings (the deployments') are not reported
    assert findings("check", "api.yaml", "--context", ".") == findings("check", "api.yaml")


def test_context_crds_validate_custom_resources(repo):
    (repo / "crd.yaml").write_text(
        textwrap.dedent(
            """\
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: widgets.example.com
            spec:
              group: example.com
              names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
              scope: Namespaced
              versions:
                - name: v1
                  served: true
                  storage: true
                  schema:
                    openAPIV3Schema:
                      type: object
                      properties:
                        spec:
                          type: object
                          properties:
                            size: {type: integer}
            """
        ),
        "utf-8",
    )
    (repo / "widget.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: shop\n"
        "spec:\n  size: big\n",
        "utf-8",
    )
    alone = {f["rule"] for f in findings("validate", "widget.yaml")}
    assert alone == {"unknown-kind"}
    rules = {f["rule"] for f in findings("validate", "widget.yaml", "--context", ".")}
    assert rules == {"schema-invalid"}
