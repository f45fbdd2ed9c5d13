"""`kubeplan validate` on the fixtures: exact rule, line, column and field path of each finding."""

from __future__ import annotations

from pathlib import Path

from conftest import findings, fixture, kubeplan


def located(items: list[dict]) -> set[tuple[str, str, int, str]]:
    return {(f["rule"], f["file"].rsplit("/", 1)[-1], f["line"], f["path"]) for f in items}


def test_good_shop_is_clean_and_exits_zero() -> None:
    run = kubeplan("validate", fixture("shop"))
    assert run.exit_code == 0, run.stdout
    assert "11 resources in 3 files" in run.stdout
    assert "no findings" in run.stdout


def test_every_schema_error_of_one_resource_is_reported_at_its_field() -> None:
    got = findings("validate", fixture("broken", "schema-errors.yaml"))
    assert located(got) == {
        ("schema-unknown-field", "schema-errors.yaml", 7, "spec.replica"),
        (
            "schema-invalid",
            "schema-errors.yaml",
            20,
            "spec.template.spec.containers[0].ports[0].containerPort",
        ),
        ("schema-required", "schema-errors.yaml", 21, "spec.template.spec.containers[1].name"),
    }
    typo = next(f for f in got if f["rule"] == "schema-unknown-field")
    assert 'did you mean "replicas"' in typo["message"]
    assert typo["column"] == 3
    assert typo["resource"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "namespace": "default",
        "name": "web",
    }


def test_no_strict_accepts_unknown_fields_but_not_type_errors() -> None:
    got = findings("validate", "--no-strict", fixture("broken", "schema-errors.yaml"))
    assert {f["rule"] for f in got} == {"schema-invalid", "schema-required"}


def test_missing_required_field_points_at_its_parent_mapping() -> None:
    (only,) = findings("validate", fixture("broken", "missing-selector.yaml"))
    assert (only["rule"], only["line"], only["column"], only["path"]) == (
        "schema-required",
        5,
        1,
        "spec.selector",
    )


def test_duplicate_key_names_both_lines_and_the_object() -> None:
    (only,) = findings("validate", fixture("broken", "duplicate-key.yaml"))
    assert (only["rule"], only["line"], only["path"]) == ("yaml-duplicate-key", 9, "spec.type")
    assert "first at line 6" in only["message"]
    assert only["resource"]["name"] == "twice"


def test_a_syntax_error_does_not_hide_the_other_documents() -> None:
    got = findings("validate", fixture("broken", "syntax-error.yaml"))
    assert located(got) == {
        ("yaml-syntax", "syntax-error.yaml", 14, ""),
        ("schema-invalid", "syntax-error.yaml", 21, "data.bad-type"),
    }


def test_documents_that_are_not_objects() -> None:
    got = findings("validate", fixture("broken", "not-objects.yaml"))
    assert located(got) == {
        ("not-a-manifest", "not-objects.yaml", 1, ""),  # a list of words: data, no object
        ("missing-kind", "not-objects.yaml", 4, "kind"),
        ("missing-api-version", "not-objects.yaml", 8, "apiVersion"),
        ("missing-name", "not-objects.yaml", 14, "metadata.name"),
        ("not-a-manifest", "not-objects.yaml", 18, ""),
    }
    severities = {f["rule"]: f["severity"] for f in got}
    assert severities["not-a-manifest"] == "info"  # a note, never an error
    assert severities["missing-kind"] == "error"


def test_a_list_of_objects_and_another_tools_config(tmp_path: Path) -> None:
    """Objects written as a YAML list are meant as objects (kubectl refuses the list: an
    error); `skaffold/v4beta6` names a group no API server can serve (no dot, not built in):
    another tool's config, a note, and no identity rule such as missing-name runs on it."""
    (tmp_path / "listed.yaml").write_text("- apiVersion: v1\n  kind: ConfigMap\n")
    (tmp_path / "skaffold.yaml").write_text("apiVersion: skaffold/v4beta6\nkind: Config\n")
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")
    got = {
        (f["rule"], f["severity"], Path(f["file"]).name)
        for f in findings("validate", str(tmp_path))
    }
    assert got == {
        ("not-a-mapping", "error", "listed.yaml"),
        ("not-a-manifest", "info", "skaffold.yaml"),
    }


def test_same_identity_twice_names_the_first_definition() -> None:
    (only,) = findings("validate", fixture("broken", "duplicate-resource.yaml"))
    assert (only["rule"], only["line"]) == ("duplicate-resource", 12)
    assert "duplicate-resource.yaml:2" in only["message"]


def test_removed_api_version_and_unknown_kind() -> None:
    got = findings("validate", "-k", "1.33", fixture("broken", "removed-api.yaml"))
    assert located(got) == {
        ("api-version-not-served", "removed-api.yaml", 1, "apiVersion"),
        ("unknown-kind", "removed-api.yaml", 16, ""),  # its `kind:` line
    }
    removed = next(f for f in got if f["rule"] == "api-version-not-served")
    assert "Kubernetes 1.33 does not serve Deployment in extensions/v1beta1" in removed["message"]
    assert "apps/v1" in removed["message"]
    unknown = next(f for f in got if f["rule"] == "unknown-kind")
    assert unknown["severity"] == "warning"


def test_api_version_served_in_an_older_release_only() -> None:
    manifest = (
        "apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\n"
        "metadata:\n  name: fs\nspec:\n  priorityLevelConfiguration:\n    name: global-default\n"
    )
    assert findings("validate", "-k", "1.31", "-", stdin=manifest) == []
    (only,) = findings("validate", "-k", "1.32", "-", stdin=manifest)
    assert only["rule"] == "api-version-not-served"


def test_tab_indentation_is_explained() -> None:
    (only,) = findings("validate", fixture("broken", "tabs.yaml"))
    assert (only["rule"], only["line"]) == ("yaml-syntax", 4)
    assert "tab" in only["message"]


def test_empty_file_is_an_info_finding_and_does_not_fail(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")
    run = kubeplan("validate", str(tmp_path))
    assert run.exit_code == 0
    assert "[empty-file]" in run.stdout


def test_a_run_that_validated_nothing_is_not_a_pass() -> None:
    """Only an empty file: the info is shown, and the run exits 2 saying nothing was
    validated, so a gate over the wrong folder does not pass."""
    run = kubeplan("validate", fixture("broken", "empty.yaml"))
    assert run.exit_code == 2
    assert "[empty-file]" in run.stdout
    assert "nothing was validated" in run.stderr


def test_custom_resources_validated_against_crd_in_the_input() -> None:
    got = findings("validate", fixture("crd"))
    assert located(got) == {
        ("schema-required", "crontabs.yaml", 22, "spec.cronSpec"),
        ("schema-invalid", "crontabs.yaml", 24, "spec.replicas"),
        ("schema-unknown-field", "crontabs.yaml", 26, "spec.schedule"),
        ("api-version-not-served", "crontabs.yaml", 28, "apiVersion"),
    }


def test_crd_given_with_the_crd_option() -> None:
    alone = findings("validate", fixture("crd", "crontabs.yaml"))
    assert {f["rule"] for f in alone} == {"unknown-kind"}
    with_crd = findings(
        "validate", fixture("crd", "crontabs.yaml"), "--crd", fixture("crd", "crontab-crd.yaml")
    )
    assert "unknown-kind" not in {f["rule"] for f in with_crd}
    assert len(with_crd) == 4


def test_helm_output_names_the_template() -> None:
    (only,) = findings("validate", fixture("helm", "rendered.yaml"))
    assert only["rule"] == "schema-unknown-field"
    assert only["line"] == 54
    assert only["template"] == "shop/templates/deployment.yaml"
    assert only["path"] == "spec.template.spec.containers[0].securityContxt"


def test_kubernetes_version_out_of_range_is_bad_usage() -> None:
    run = kubeplan("validate", "-k", "1.12", fixture("shop"))
    assert run.exit_code == 2
    assert "1.25 to 1.37" in run.stderr


def test_fail_on_warning_and_never() -> None:
    path = fixture("broken", "removed-api.yaml")
    dashboard_only = "apiVersion: example.com/v1\nkind: Dashboard\nmetadata:\n  name: d\n"
    assert kubeplan("validate", "-", stdin=dashboard_only).exit_code == 0
    assert kubeplan("validate", "--fail-on", "warning", "-", stdin=dashboard_only).exit_code == 1
    assert kubeplan("validate", "--fail-on", "never", path).exit_code == 0


def test_corpus_custom_resources_validate_against_the_corpus_crds() -> None:
    from conftest import corpus

    manifests = corpus("kube-prometheus", "manifests")
    assert findings("validate", str(manifests)) == []
    typo = (
        "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: typo\n"
        "  namespace: monitoring\nspec:\n  endpoints:\n    - port: web\n      intervall: 30s\n"
        "  selector:\n    matchLabels:\n      app: x\n"
    )
    (only,) = findings("validate", str(manifests / "setup"), "-", stdin=typo)
    assert (only["rule"], only["file"], only["line"], only["path"]) == (
        "schema-unknown-field",
        "<stdin>",
        9,
        "spec.endpoints[0].intervall",
    )
    assert 'did you mean "interval"' in only["message"]
