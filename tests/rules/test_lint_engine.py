"""The lint engine: config, suppression (config and inline), user rules, entry points, exit codes."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from conftest import findings, fixture, kubeplan
from conftest import findings as all_findings

REMOVED = textwrap.dedent(
    """\
    apiVersion: policy/v1beta1
    kind: PodDisruptionBudget
    metadata:
      name: web
      namespace: shop
    spec:
      minAvailable: 1
      selector:
        matchLabels:
          app: web
    """
)


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def test_check_reports_a_removed_api_once_with_its_replacement(tmp_path: Path) -> None:
    manifest = write(tmp_path, "pdb.yaml", REMOVED)
    got = findings("check", "-k", "1.33", manifest, "--config", write(tmp_path, "c.yaml", "{}"))
    got = [f for f in got if f["path"] == "apiVersion"]
    assert [(f["rule"], f["line"], f["path"]) for f in got] == [("removed-api", 1, "apiVersion")]
    assert "removed in Kubernetes 1.25" in got[0]["message"] and "policy/v1" in got[0]["message"]


def test_validate_alone_runs_no_rule(tmp_path: Path) -> None:
    manifest = write(tmp_path, "pdb.yaml", REMOVED)
    assert [f["rule"] for f in findings("validate", "-k", "1.33", manifest)] == [
        "api-version-not-served"
    ]


def test_inline_ignore_annotation_suppresses_and_counts(tmp_path: Path) -> None:
    annotated = REMOVED.replace(
        "  namespace: shop\n",
        '  namespace: shop\n  annotations:\n    kubeplan.io/ignore: "removed-api"\n'
        '    kubeplan.io/ignore-reason: "migrated next sprint"\n',
    )
    manifest = write(tmp_path, "pdb.yaml", annotated)
    config = write(tmp_path, "c.yaml", "{}")
    run = kubeplan("lint", "-k", "1.33", manifest, "--config", config)
    assert run.exit_code == 0
    assert "1 suppressed" in run.stdout
    shown = kubeplan("lint", "-k", "1.33", manifest, "--config", config, "--show-suppressed")
    assert "[removed-api] (suppressed by annotation: migrated next sprint)" in shown.stdout
    forbidden = kubeplan("lint", "-k", "1.33", manifest, "--config", config, "--no-inline-ignore")
    assert forbidden.exit_code == 1
    report = kubeplan("lint", "-k", "1.33", manifest, "--config", config, "--format", "json").json()
    assert report["summary"]["suppressed"] == 1 and report["findings"][0]["suppressed"] is True
    assert report["findings"][0]["suppressed_by"] == "annotation: migrated next sprint"


def test_config_disables_rules_changes_severity_and_excludes(tmp_path: Path) -> None:
    manifest = write(tmp_path, "pdb.yaml", REMOVED)

    def findings(*args: str) -> list[dict]:  # only removed-api is under test here
        return [f for f in all_findings(*args) if f["rule"] == "removed-api"]

    off = write(tmp_path, "off.yaml", "rules:\n  removed-api: off\n")
    assert findings("lint", "-k", "1.33", manifest, "--config", off) == []
    softer = write(tmp_path, "soft.yaml", "rules:\n  removed-api: {severity: warning}\n")
    (only,) = findings("lint", "-k", "1.33", manifest, "--config", softer)
    assert only["severity"] == "warning"
    assert kubeplan("lint", "-k", "1.33", manifest, "--config", softer).exit_code == 0
    excluded = write(
        tmp_path,
        "x.yaml",
        "exclude:\n  - rules: [removed-api]\n    kind: PodDisruption*\n    namespace: shop\n",
    )
    (only,) = findings("lint", "-k", "1.33", manifest, "--config", excluded)
    assert only["suppressed"] is True
    other_ns = write(tmp_path, "y.yaml", "exclude:\n  - namespace: prod\n")
    (only,) = findings("lint", "-k", "1.33", manifest, "--config", other_ns)
    assert "suppressed" not in only


def test_config_found_upwards_sets_version_and_fail_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, ".kubeplan.yaml", 'kubernetes-version: "1.24"\n')
    sub = tmp_path / "deploy" / "app"
    sub.mkdir(parents=True)
    manifest = write(sub, "pdb.yaml", REMOVED)
    monkeypatch.chdir(sub)
    run = kubeplan("check", manifest)
    assert run.exit_code == 2 and "1.25 to 1.37" in run.stderr  # the config's version was read
    write(tmp_path, ".kubeplan.yaml", 'kubernetes-version: "1.33"\nfail-on: never\n')
    assert kubeplan("check", manifest).exit_code == 0
    assert kubeplan("check", manifest, "--fail-on", "error").exit_code == 1


def test_bad_config_keys_are_reported_with_their_lines(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        "bad.yaml",
        """\
        kubernetes-version: "1.33"
        rulez:
          removed-api: off
        rules:
          no-such-rule: on
        exclude:
          - kind: Deployment
            nmae: web
        """,
    )
    run = kubeplan("lint", fixture("shop"), "--config", config)
    assert run.exit_code == 2
    assert f"{config}:2: unknown key rulez" in run.stderr
    assert f"{config}:5: rules: no rule named 'no-such-rule'" in run.stderr
    assert f"{config}:8: unknown key exclude[0].nmae" in run.stderr


def test_external_objects_and_ignore_paths(tmp_path: Path) -> None:
    (tmp_path / "vendor").mkdir()
    write(tmp_path, "vendor/old.yaml", REMOVED)
    write(tmp_path, "app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n")
    config = write(tmp_path, "c.yaml", 'ignore-paths: ["vendor/*"]\n')
    run = kubeplan("check", "-k", "1.33", str(tmp_path), "--config", config)
    assert run.exit_code == 0, run.stdout
    # with every manifest ignored, nothing is validated: said, and not a pass
    (tmp_path / "app.yaml").unlink()
    run = kubeplan("check", "-k", "1.33", str(tmp_path), "--config", config)
    assert run.exit_code == 2 and "nothing was validated" in run.stderr


def test_config_rule_as_json_schema(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        "c.yaml",
        """\
        custom-rules:
          - id: team-label
            severity: error
            message: every Deployment names its owning team
            kinds: [Deployment]
            schema:
              properties:
                metadata:
                  required: [labels]
                  properties:
                    labels: {required: [team]}
        """,
    )
    got = findings("lint", fixture("shop"), "--config", config)
    team = sorted(
        (f["file"].rsplit("/", 1)[-1], f["line"], f["path"])
        for f in got
        if f["rule"] == "team-label"
    )
    assert team == [
        ("cart.yaml", 13, "metadata.labels.team"),
        ("frontend.yaml", 13, "metadata.labels.team"),
    ]
    assert kubeplan("lint", fixture("shop"), "--config", config).exit_code == 1


def test_config_rule_as_path_condition_on_every_workload(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        "c.yaml",
        """\
        custom-rules:
          - id: internal-registry
            severity: warning
            message: images come from the internal registry
            kinds: [workload]
            path: pod.spec.containers[*].image
            matches: "^registry\\\\.internal/"
        """,
    )
    got = [
        f
        for f in findings("lint", fixture("shop"), "--config", config)
        if f["rule"] == "internal-registry"
    ]
    assert {f["path"] for f in got} == {"spec.template.spec.containers[0].image"}
    assert len(got) == 2
    assert all("found 'registry.example.com/shop/" in f["message"] for f in got)


def test_bad_custom_rule_names_its_line(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        "c.yaml",
        """\
        fail-on: error
        custom-rules:
          - id: Bad_Id
            message: x
            path: spec
            exists: true
        """,
    )
    run = kubeplan("lint", fixture("shop"), "--config", config)
    assert run.exit_code == 2
    assert f"{config}:3: custom rule: id must be kebab-case" in run.stderr


def test_entry_point_rules_are_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "acme_rules.py").write_text(
        textwrap.dedent(
            """\
            from kubeplan.rules.custom import make_rule
            from kubeplan.rules.registry import Violation

            def no_configmaps(resource, ctx, options):
                yield Violation(("data",), "ACME forbids ConfigMaps")

            def rules():
                return [make_rule("acme-no-configmaps", no_configmaps, severity="error", kinds=["ConfigMap"])]
            """
        )
    )
    dist = site / "acme_rules-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[kubeplan.rules]\nacme = acme_rules:rules\n")
    monkeypatch.syspath_prepend(str(site))
    got = findings("lint", fixture("shop"), "--config", write(tmp_path, "c.yaml", "{}"))
    assert [(f["rule"], f["path"]) for f in got if f["rule"] == "acme-no-configmaps"] == [
        ("acme-no-configmaps", "data")
    ]
    sys.modules.pop("acme_rules", None)


def test_rules_command_lists_and_explains() -> None:
    listing = kubeplan("rules")
    assert listing.exit_code == 0 and "removed-api" in listing.stdout
    one = kubeplan("rules", "removed-api")
    assert "FAIL:" in one.stdout and "PASS:" in one.stdout and "deprecation-guide.md" in one.stdout
    assert kubeplan("rules", "nope").exit_code == 2
    data = kubeplan("rules", "--format", "json").json()
    assert {"removed-api", "deprecated-api"} <= {r["id"] for r in data["rules"]}


def test_docs_rules_md_is_generated_from_the_metadata() -> None:
    from conftest import ROOT

    expected = kubeplan("rules", "--format", "markdown").stdout
    assert (ROOT / "docs" / "rules.md").read_text() == expected, (
        "docs/rules.md is stale: kubeplan rules --format markdown > docs/rules.md"
    )


def test_exclusion_by_container_suppresses_only_that_container(tmp_path: Path) -> None:
    manifest = write(
        tmp_path,
        "pod.yaml",
        """\
        apiVersion: v1
        kind: Pod
        metadata:
          name: meshed
          namespace: shop
        spec:
          containers:
            - name: app
              image: app:1.0
              securityContext: {privileged: true}
            - name: istio-proxy
              image: proxy:1.0
              securityContext: {privileged: true}
        """,
    )
    config = write(
        tmp_path,
        "c.yaml",
        "exclude:\n  - rules: [privileged-container]\n    container: istio-proxy\n",
    )
    got = [
        f
        for f in all_findings("lint", manifest, "--config", config)
        if f["rule"] == "privileged-container"
    ]
    assert {(f["path"], bool(f.get("suppressed"))) for f in got} == {
        ("spec.containers[0].securityContext.privileged", False),
        ("spec.containers[1].securityContext.privileged", True),
    }
