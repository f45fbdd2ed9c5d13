"""The Markdown plan (a pull-request comment) carries what the text plan carries: each step's
field changes and the warnings printed under a step."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import fixture, kubeplan


def test_markdown_plan_names_field_changes() -> None:
    run = kubeplan("plan", fixture("shop-next"), "--base", fixture("shop"), "--format", "markdown")
    assert "data.LOG\\_LEVEL info → debug" in run.stdout
    assert "spec.replicas 2 → 4" in run.stdout


def test_markdown_plan_shows_step_warnings(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n"
        "  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n"
        "    spec:\n      serviceAccountName: ghost\n"
        "      containers: [{name: c, image: nginx:1.27}]\n"
    )
    text = kubeplan("plan", str(path), "--no-color").stdout
    markdown = kubeplan("plan", str(path), "--format", "markdown").stdout
    assert "ServiceAccount/default/ghost, which is neither in the input" in text
    assert "### ⚠️ Step warnings (1)" in markdown
    assert "ServiceAccount/default/ghost, which is neither in the input" in markdown
