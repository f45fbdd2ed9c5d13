"""Rules a package adds through the `kubeplan.rules` entry-point group are listed by
`kubeplan rules` and configured like built-in ones (off, re-graded, excluded).

The package is real to importlib.metadata: a module and a `.dist-info` with `entry_points.txt`
on PYTHONPATH, found by the discovery kubeplan uses, in a kubeplan subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import fixture

RULE = "acme-no-configmaps"

pytestmark = pytest.mark.slow  # every test runs kubeplan as a process


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "acme_rules.py").write_text(
        textwrap.dedent(
            f"""\
            from kubeplan.rules.custom import make_rule
            from kubeplan.rules.registry import Violation

            def no_configmaps(resource, ctx, options):
                yield Violation(("data",), "ACME keeps configuration in its vault")

            def rules():
                return [make_rule("{RULE}", no_configmaps, severity="error",
                                  kinds=["ConfigMap"], rationale="ACME keeps configuration in its vault.",
                                  source="acme-rules 1.0")]
            """
        ),
        "utf-8",
    )
    dist = folder / "acme_rules-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[kubeplan.rules]\nacme = acme_rules:rules\n")
    return folder


def _kubeplan(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "kubeplan", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _acme(site: Path, tmp_path: Path, config: str) -> tuple[int, list[dict]]:
    (tmp_path / "c.yaml").write_text(config, "utf-8")
    run = _kubeplan(site, tmp_path, "lint", fixture("shop"), "--config", "c.yaml", "-o", "json")
    assert run.returncode in (0, 1), run.stderr
    found = [f for f in json.loads(run.stdout)["findings"] if f["rule"] == RULE]
    return run.returncode, found


def test_listed_and_explained(site, tmp_path):
    listing = _kubeplan(site, tmp_path, "rules")
    assert listing.returncode == 0, listing.stderr
    assert f"\n{RULE} " in listing.stdout
    one = _kubeplan(site, tmp_path, "rules", RULE)
    assert one.returncode == 0 and "acme-rules 1.0" in one.stdout
    data = json.loads(_kubeplan(site, tmp_path, "rules", "-o", "json").stdout)
    assert RULE in {r["id"] for r in data["rules"]}


def test_configured_like_a_built_in_rule(site, tmp_path):
    code, found = _acme(site, tmp_path, "{}\n")
    assert code == 1 and found and found[0]["severity"] == "error"
    code, found = _acme(site, tmp_path, f"rules:\n  {RULE}: off\n")
    assert found == []
    code, found = _acme(site, tmp_path, f"rules:\n  {RULE}: info\n")
    assert found and {f["severity"] for f in found} == {"info"}
    code, found = _acme(site, tmp_path, f"exclude:\n  - rules: [{RULE}]\n    kind: ConfigMap\n")
    assert found and all(f["suppressed"] for f in found)


def test_a_misspelt_id_is_still_refused(site, tmp_path):
    (tmp_path / "c.yaml").write_text("rules:\n  acme-no-configmap: off\n", "utf-8")
    run = _kubeplan(site, tmp_path, "lint", fixture("shop"), "--config", "c.yaml")
    assert run.returncode == 2 and "no rule named 'acme-no-configmap'" in run.stderr
