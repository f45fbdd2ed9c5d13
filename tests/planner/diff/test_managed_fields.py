"""`kubeplan diff --server-side` against a dump made by server-side apply (metadata.managedFields).

Rules (sigs.k8s.io/structured-merge-diff merge/update.go `Updater.Apply`, conflict.go;
staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go `ManagedFieldsEntry`):
a field another manager owns and the manifest leaves out is kept; a field the manifest sets to
another value than a different manager's is a conflict unless `--force-conflicts`; a field only
the applier (`kubectl`) owned and the manifest drops is removed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from conftest import kubeplan

from kubeplan.planner.diff.run import run_diff
from kubeplan.schemas.catalog import newest_version

MANIFEST = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {
        "replicas": 3,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]},
        },
    },
}

# kubectl apply --server-side of MANIFEST plus an env var LOG the applier later dropped
KUBECTL_FIELDS = {
    "f:spec": {
        "f:replicas": {},
        "f:selector": {},
        "f:template": {
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {
                "f:containers": {
                    'k:{"name":"web"}': {
                        ".": {},
                        "f:name": {},
                        "f:image": {},
                        "f:env": {'k:{"name":"LOG"}': {".": {}, "f:name": {}, "f:value": {}}},
                    }
                }
            },
        },
    }
}
# the HPA's scale writes, and `kubectl rollout restart`'s annotation
HPA_FIELDS = {"f:spec": {"f:replicas": {}}}
RESTART_FIELDS = {
    "f:spec": {
        "f:template": {"f:metadata": {"f:annotations": {"f:kubectl.kubernetes.io/restartedAt": {}}}}
    }
}


def _live(replicas: int, managers: list[dict[str, Any]]) -> dict[str, Any]:
    live = json.loads(json.dumps(MANIFEST))
    live["spec"]["replicas"] = replicas
    template = live["spec"]["template"]
    template["metadata"]["annotations"] = {"kubectl.kubernetes.io/restartedAt": "2026-01-01"}
    template["spec"]["containers"][0]["env"] = [{"name": "LOG", "value": "debug"}]
    live["metadata"].update(
        {"uid": "5b0e", "resourceVersion": "77", "generation": 4, "managedFields": managers}
    )
    live["status"] = {"replicas": replicas}
    return live


def _entry(manager: str, operation: str, fields: dict[str, Any], sub: str = "") -> dict:
    entry = {
        "manager": manager,
        "operation": operation,
        "apiVersion": "apps/v1",
        "fieldsType": "FieldsV1",
        "fieldsV1": fields,
    }
    if sub:
        entry["subresource"] = sub
    return entry


MANAGERS = [
    _entry("kubectl", "Apply", KUBECTL_FIELDS),
    _entry("kube-controller-manager", "Update", HPA_FIELDS, "scale"),
    _entry("kubectl-rollout", "Update", RESTART_FIELDS),
]


def _files(tmp_path: Path, live: dict[str, Any], manifest: dict[str, Any]) -> tuple[str, str]:
    dump = tmp_path / "live.yaml"
    dump.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [live]}))
    path = tmp_path / "web.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False))
    return str(path), str(dump)


def _diff(path: str, dump: str, *extra: str) -> tuple[int, dict[str, Any]]:
    run = kubeplan("diff", path, "--base", dump, "--server-side", "--format", "json", *extra)
    assert run.exit_code in (0, 1), run.stdout + run.stderr
    return run.exit_code, run.json()


def test_a_value_another_manager_owns_is_a_conflict(tmp_path: Path) -> None:
    """replicas 3 in the manifest, 5 live and owned by the scale subresource's manager: the
    apply fails with a conflict (merge/conflict.go), an error at the manifest's line."""
    path, dump = _files(tmp_path, _live(5, MANAGERS), MANIFEST)
    code, document = _diff(path, dump)
    conflicts = [f for f in document["findings"] if f["rule"] == "apply-conflict"]
    assert [(f["path"], f["line"], f["severity"]) for f in conflicts] == [
        ("spec.replicas", 7, "error")
    ]
    assert "kube-controller-manager" in conflicts[0]["message"]
    assert code == 1


def test_force_conflicts_takes_the_field_over(tmp_path: Path) -> None:
    """--force-conflicts: no conflict; the manifest's value is applied (a scale change)."""
    path, dump = _files(tmp_path, _live(5, MANAGERS), MANIFEST)
    code, document = _diff(path, dump, "--force-conflicts")
    assert not [f for f in document["findings"] if f["rule"] == "apply-conflict"]
    fields = [(f["path"], f["effect"]) for c in document["changes"] for f in c["fields"]]
    assert ("spec.replicas", "scale") in fields
    assert code == 0


def test_fields_of_other_managers_are_kept_and_the_appliers_dropped_ones_removed(
    tmp_path: Path,
) -> None:
    """The restartedAt annotation (kubectl-rollout's) is kept although the manifest leaves it
    out; env LOG, which only the applier owned and the manifest no longer has, is removed
    (Updater.prune). Same replicas: no conflict."""
    path, dump = _files(tmp_path, _live(3, MANAGERS), MANIFEST)
    _, document = _diff(path, dump)
    fields = [(f["path"], f["change"]) for c in document["changes"] for f in c["fields"]]
    assert fields == [("containers[web].env", "removed")]
    assert not document["findings"]
    result = run_diff([path], dump, newest_version(), server_side=True)
    assert any("modelled kubectl apply --server-side" in note for note in result.notes)


def test_a_field_shared_with_another_manager_is_not_removed(tmp_path: Path) -> None:
    """A field the applier and another manager both own stays when the applier drops it."""
    shared = _entry(
        "istio-injector",
        "Update",
        {
            "f:spec": {
                "f:template": {
                    "f:spec": {
                        "f:containers": {
                            'k:{"name":"web"}': {"f:env": {'k:{"name":"LOG"}': {"f:value": {}}}}
                        }
                    }
                }
            }
        },
    )
    path, dump = _files(tmp_path, _live(3, [*MANAGERS, shared]), MANIFEST)
    code, document = _diff(path, dump)
    assert [c["action"] for c in document["changes"]] == ["unchanged"]
    assert code == 0


def test_client_side_mode_ignores_managed_fields(tmp_path: Path) -> None:
    """Without --server-side the same dump is merged client-side: no last-applied annotation,
    so nothing is removed and no field is a conflict."""
    path, dump = _files(tmp_path, _live(3, MANAGERS), MANIFEST)
    run = kubeplan("diff", path, "--base", dump, "--format", "json")
    assert run.exit_code == 0
    assert [c["action"] for c in run.json()["changes"]] == ["unchanged"]


def test_broken_managed_fields_are_a_finding(tmp_path: Path) -> None:
    live = _live(3, MANAGERS)
    live["metadata"]["managedFields"] = "not a list"
    path, dump = _files(tmp_path, live, MANIFEST)
    _, document = _diff(path, dump)
    assert "managed-fields-invalid" in [f["rule"] for f in document["findings"]]


def test_force_conflicts_needs_server_side(tmp_path: Path) -> None:
    """As kubectl apply: "--force-conflicts only works with --server-side"; a usage error."""
    path, dump = _files(tmp_path, _live(3, MANAGERS), MANIFEST)
    for command in ("diff", "plan"):
        run = kubeplan(command, path, "--base", dump, "--force-conflicts")
        assert run.exit_code == 2
        assert "--force-conflicts only works with --server-side" in run.stderr + run.stdout


def test_plan_marks_a_conflicting_step_rejected(tmp_path: Path) -> None:
    """The API server answers the apply with 409 Conflict: the plan's step is rejected (the
    finding is in rules/known.py REJECTING_RULES); --force-conflicts applies it."""
    path, dump = _files(tmp_path, _live(5, MANAGERS), MANIFEST)
    run = kubeplan("plan", path, "--base", dump, "--server-side", "--format", "json")
    assert [step["verdict"] for step in run.json()["steps"]] == ["rejected"]
    assert run.exit_code == 1
    forced = kubeplan(
        "plan", path, "--base", dump, "--server-side", "--force-conflicts", "--format", "json"
    )
    assert [step["verdict"] for step in forced.json()["steps"]] == ["update"]
