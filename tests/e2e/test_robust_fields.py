"""No field of a wrong shape crashes `check` or `plan`: every field of fixtures/shop (a
namespace, two Deployments with Services, an HPA, a PDB, a ConfigMap, a NetworkPolicy) is
replaced in turn by a mapping and by a boolean; the lint rules report no `rule-error` and the
plan (diff, apply order, rollouts, RBAC for a CI deployer, reachability) is built."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import fixture
from test_netpol_robust import paths, replaced

from kubeplan.commands.pipeline import Options, run
from kubeplan.config.load import Config
from kubeplan.planner.plan import PlanOptions, build_plan
from kubeplan.schemas import loader

WRONG_SHAPES: tuple[object, ...] = ({}, True)


def variants(bodies: list[dict]) -> list[tuple[str, list[dict]]]:
    out = []
    for index, body in enumerate(bodies):
        for path in paths(body):
            for wrong in WRONG_SHAPES:
                changed = list(bodies)
                changed[index] = replaced(body, path, wrong)
                where = f"{body.get('kind')} {'.'.join(map(str, path))} = {wrong!r}"
                out.append((where, changed))
    return out


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    bodies = [r.body for r in loader.load([fixture("shop")]).resources]
    folder = tmp_path_factory.mktemp("robust")
    (folder / "base.json").write_text(
        json.dumps({"apiVersion": "v1", "kind": "List", "items": bodies})
    )
    return folder, bodies


def _write(folder: Path, bodies: list[dict]) -> str:
    path = folder / "new.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": bodies}))
    return str(path)


def test_check_reports_and_no_rule_crashes(shop: tuple[Path, list[dict]]) -> None:
    folder, bodies = shop
    cases = variants(bodies)
    assert len(cases) > 300
    for where, changed in cases:
        result = run([_write(folder, changed)], Options(kubernetes_version="1.35"))
        crashed = [f.message for f in result.findings if f.rule == "rule-error"]
        assert not crashed, (where, crashed)


def test_plan_is_built_for_every_variant(shop: tuple[Path, list[dict]]) -> None:
    folder, bodies = shop
    options = PlanOptions(
        kubernetes_version="1.35", user="system:serviceaccount:ci:deployer", config=Config()
    )
    for where, changed in variants(bodies):
        try:
            build_plan([_write(folder, changed)], str(folder / "base.json"), options)
        except Exception as error:  # name the variant that crashed
            raise AssertionError(f"{where}: {error!r}") from error
