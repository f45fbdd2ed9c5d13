"""`kubeplan baseline write` and `--baseline FILE`: findings matched by rule, object and field
path, not line, so edits elsewhere do not bring them back; new findings still fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import findings, fixture, kubeplan

SOURCE = Path(fixture("helm", "rendered.yaml")).read_text("utf-8")
EXTRA = """\
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-worker
spec:
  selector:
    matchLabels:
      app: worker
  template:
    metadata:
      labels:
        app: worker
    spec:
      containers:
        - name: worker
          image: registry.example.com/shop/worker:2.0.0
          securityContxt: {}
"""


@pytest.fixture
def app(tmp_path: Path) -> Path:
    path = tmp_path / "app.yaml"
    path.write_text(SOURCE, "utf-8")
    return path


def test_baseline_covers_todays_findings_across_line_moves(app, tmp_path):
    baseline = tmp_path / "baseline.json"
    run = kubeplan("baseline", "write", str(app), "--output", str(baseline))
    assert run.exit_code == 0, run.stderr
    before = findings("check", str(app))
    document = json.loads(baseline.read_text("utf-8"))
    assert document["kind"] == "kubeplan-baseline"
    assert len(document["findings"]) == len(before)
    assert all("line" not in entry and "file" not in entry for entry in document["findings"])
    assert kubeplan("check", str(app)).exit_code == 1
    # Unrelated edits: a comment block above moves every line; the findings stay covered.
    app.write_text("# owned by team shop\n# see the runbook\n" + SOURCE, "utf-8")
    run = kubeplan("check", str(app), "--baseline", str(baseline))
    assert run.exit_code == 0, run.stdout
    assert f"no findings ({len(before)} suppressed)" in run.stdout
    moved = findings("check", str(app), "--baseline", str(baseline))
    assert all(f["suppressed_by"] == "baseline" for f in moved)
    assert [f["line"] for f in moved] == [f["line"] + 2 for f in before]


def test_only_new_findings_fail(app, tmp_path):
    baseline = tmp_path / "baseline.json"
    kubeplan("baseline", "write", str(app), "--output", str(baseline))
    app.write_text(SOURCE + EXTRA, "utf-8")
    run = kubeplan("check", str(app), "--baseline", str(baseline), "--format", "json")
    assert run.exit_code == 1
    active = [f for f in run.json()["findings"] if not f.get("suppressed")]
    assert active
    assert {f["resource"]["name"] for f in active} == {"shop-worker"}
    assert any(f["rule"] == "schema-unknown-field" for f in active)
    sarif = kubeplan("check", str(app), "--baseline", str(baseline), "--format", "sarif")
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    assert sum("suppressions" not in r for r in results) == len(active)


def test_a_fixed_finding_is_not_carried_over(app, tmp_path):
    """A baseline entry covers one finding: fixing it and introducing it elsewhere fails."""
    baseline = tmp_path / "baseline.json"
    kubeplan("baseline", "write", str(app), "--output", str(baseline))
    renamed = SOURCE.replace(
        "name: shop-web\nspec:\n  replicas: 1", "name: shop-api\nspec:\n  replicas: 1"
    )
    assert renamed != SOURCE
    app.write_text(renamed, "utf-8")
    active = [
        f
        for f in findings("check", str(app), "--baseline", str(baseline))
        if not f.get("suppressed")
    ]
    assert active and {f["resource"]["name"] for f in active} == {"shop-api"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON"),
        ('{"findings": []}', "not a kubeplan baseline"),
        ('{"kind": "kubeplan-baseline", "schema_version": 9, "findings": []}', "schema_version 9"),
        ('{"kind": "kubeplan-baseline", "schema_version": 1, "findings": [1]}', "must be a list"),
    ],
)
def test_bad_baseline_exits_2(app, tmp_path, content, message):
    baseline = tmp_path / "baseline.json"
    baseline.write_text(content, "utf-8")
    run = kubeplan("check", str(app), "--baseline", str(baseline))
    assert run.exit_code == 2
    assert message in run.stderr and "Traceback" not in run.stderr


def test_missing_baseline_exits_2(app, tmp_path):
    run = kubeplan("check", str(app), "--baseline", str(tmp_path / "nope.json"))
    assert run.exit_code == 2 and run.stderr.startswith("kubeplan: --baseline")


def test_default_place_is_never_read_as_a_manifest(app, monkeypatch):
    monkeypatch.chdir(app.parent)
    run = kubeplan("baseline", "write", ".")
    assert run.exit_code == 0 and ".kubeplan/baseline.json" in run.stderr
    assert Path(".kubeplan/baseline.json").is_file()
    checked = kubeplan("check", ".", "--baseline", ".kubeplan/baseline.json", "--format", "json")
    assert checked.exit_code == 0
    assert {f["file"] for f in checked.json()["findings"]} == {"app.yaml"}
