"""The findings of the API server's own validation (`api-*`) are silenced the three ways every
finding is; they state what the API server does, so silenced they no longer fail the run, and
the plan still shows the step rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import kubeplan

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
{annotations}spec:
  selector: {{app: web}}
  ports:
  - port: 70000
"""
RULE = "api-invalid"


def _write(tmp_path: Path, config: str, annotations: str = "") -> tuple[str, str]:
    folder = tmp_path / "m"
    folder.mkdir(exist_ok=True)
    (folder / "svc.yaml").write_text(SERVICE.format(annotations=annotations))
    path = tmp_path / "c.yaml"
    path.write_text(config)
    return str(folder), str(path)


@pytest.mark.parametrize(
    ("config", "annotations", "suppressed_by"),
    [
        (f"rules:\n  {RULE}: off\n", "", "config: rule off"),
        (
            f"exclude:\n  - rules: [{RULE}]\n    kind: Service\n    reason: legacy port\n",
            "",
            "config: legacy port",
        ),
        (
            "{}\n",
            f'  annotations:\n    kubeplan.io/ignore: "{RULE}"\n'
            "    kubeplan.io/ignore-reason: checked by hand\n",
            "annotation: checked by hand",
        ),
    ],
)
def test_an_api_finding_is_silenced_and_the_step_stays_rejected(
    tmp_path: Path, config: str, annotations: str, suppressed_by: str
) -> None:
    folder, empty = _write(tmp_path, "{}\n")
    assert kubeplan("check", folder, "--config", empty).exit_code == 1
    folder, path = _write(tmp_path, config, annotations)
    run = kubeplan("check", folder, "--config", path, "--format", "json")
    assert run.exit_code == 0, run.stdout
    # port 70000, and targetPort, which defaults to it (SetDefaults_Service)
    found = [f for f in run.json()["findings"] if f["rule"] == RULE]
    assert {f["path"] for f in found} == {"spec.ports[0].port", "spec.ports[0].targetPort"}
    assert all(f["suppressed"] and f["suppressed_by"] == suppressed_by for f in found)
    planned = kubeplan("plan", folder, "--config", path, "--format", "json")
    assert planned.exit_code == 0, planned.stdout
    (step,) = planned.json()["steps"]
    assert step["verdict"] == "rejected"
