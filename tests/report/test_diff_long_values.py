"""A long value changes line by line in the text diff and plan: multi-line ConfigMap data, a
JSON blob in a data key, a ClusterRole's rules. The one-line summary alone hid which line
changed (`(8 lines of text) → (8 lines of text)`)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import kubeplan

CNI = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: cni}
data:
  conf.json: |
    {
      "name": "k8s-pod-network",
      "cniVersion": "1.0.0",
      "plugins": [{"type": "calico"}]
    }
  blob: '{"a": 1, "b": [1, 2, 3], "c": "a long enough value to be a blob of json text"}'
"""
ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list]
"""


def _diff(tmp_path: Path, old: str, new: str, command: str = "diff") -> str:
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "old" / "m.yaml").write_text(old)
    (tmp_path / "new" / "m.yaml").write_text(new)
    run = kubeplan(command, str(tmp_path / "new"), "--base", str(tmp_path / "old"), "--no-color")
    return run.stdout


def test_multi_line_data_shows_the_changed_line(tmp_path: Path) -> None:
    out = _diff(tmp_path, CNI, CNI.replace('"1.0.0"', '"0.3.1"'))
    assert '-  "cniVersion": "1.0.0",' in out
    assert '+  "cniVersion": "0.3.1",' in out
    assert '"name": "k8s-pod-network"' in out  # context around it


def test_a_json_blob_is_compared_pretty_printed(tmp_path: Path) -> None:
    out = _diff(tmp_path, CNI, CNI.replace('"b": [1, 2, 3]', '"b": [1, 2, 4]'), "plan")
    assert "-    3" in out and "+    4" in out


def test_a_role_gaining_a_rule_shows_the_rule(tmp_path: Path) -> None:
    grown = ROLE + '- apiGroups: [""]\n  resources: [secrets]\n  verbs: [get]\n'
    out = _diff(tmp_path, ROLE, grown)
    assert "+  - secrets" in out


def test_a_short_change_stays_on_one_line(tmp_path: Path) -> None:
    """One leaf differs (same shape): the summary names it, no line diff follows."""
    out = _diff(tmp_path, ROLE, ROLE.replace("[pods]", "[services]"))
    assert "[0].resources[0]: pods → services" in out
    assert "@@" not in out


LABELLED = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  labels: {app.kubernetes.io/version: "1.0", helm.sh/chart: web-1.0, app: web}
data: {a: b}
"""


def test_label_only_changes_collapse_to_one_line(tmp_path: Path) -> None:
    bumped = (
        LABELLED.replace('"1.0"', '"1.1"')
        .replace("web-1.0", "web-1.1")
        .replace("app: web}", "app: web, tier: x}")
    )
    out = _diff(tmp_path, LABELLED, bumped)
    (line,) = [line for line in out.splitlines() if "metadata.labels" in line]
    assert "3 keys: app.kubernetes.io/version: 1.0 → 1.1; helm.sh/chart: web-1.0 → web-1.1;" in line
    assert "tier + x" in line


def test_one_changed_label_keeps_its_own_line(tmp_path: Path) -> None:
    out = _diff(tmp_path, LABELLED, LABELLED.replace("web-1.0", "web-1.1"))
    assert '~ metadata.labels["helm.sh/chart"]' in out
