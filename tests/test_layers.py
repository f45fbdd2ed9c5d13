"""No module imports a layer above its own (../shared/DESIGN.md, "The layers"), counted by
bench/layers.py, which also lists the largest modules."""

from __future__ import annotations

import importlib.util
from pathlib import Path

LAYERS = Path(__file__).resolve().parents[1] / "bench" / "layers.py"


def _layers_module():
    spec = importlib.util.spec_from_file_location("layers", LAYERS)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_import_runs_against_the_layer_order() -> None:
    assert _layers_module().against_order() == []


def test_an_upward_import_is_counted(tmp_path: Path) -> None:
    layers = _layers_module()
    assert layers.layer("kubeplan.model") < layers.layer("kubeplan.kube.names")
    assert layers.layer("kubeplan.kube.names") < layers.layer("kubeplan.schemas.validate")
    assert layers.layer("kubeplan.planner.plan") < layers.layer("kubeplan.report.text")
    assert layers.layer("kubeplan.report.text") < layers.layer("kubeplan.commands.plan")
    bad = tmp_path / "model.py"
    bad.write_text("from kubeplan.report import text\n")
    assert layers.imports(bad) == [(1, "kubeplan.report")]
