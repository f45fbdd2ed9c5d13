"""Every finding can be silenced the same three ways (config `rules:`, config `exclude:`, the
`kubeplan.io/ignore` annotation), the findings of `plan`, `diff`, `reach` and validation too,
and their ids are listed by `kubeplan rules` so the config can name them.

A rejection by the API server (an immutable field) silenced by the config no longer fails the
run, but the plan still shows the step rejected and `--show-suppressed` still shows the finding.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import kubeplan

# As Argo CD's install.yaml: the application controller's ClusterRole is `* * *`.
ARGOCD_RBAC = textwrap.dedent(
    """\
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: argocd-application-controller
    rules:
      - apiGroups: ["*"]
        resources: ["*"]
        verbs: ["*"]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      name: argocd-application-controller
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: ClusterRole
      name: argocd-application-controller
    subjects:
      - kind: ServiceAccount
        name: argocd-application-controller
        namespace: argocd
    """
)
DEPLOYMENT = textwrap.dedent(
    """\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: shop
    spec:
      replicas: 2
      selector:
        matchLabels:
          app: api
      template:
        metadata:
          labels:
            app: api
        spec:
          containers:
            - name: api
              image: registry.example.com/shop/api:1.0.0
    """
)


def _write(folder: Path, name: str, text: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, "utf-8")
    return str(folder / name)


def _plan(path: str, config: str, *extra: str) -> tuple[int, dict]:
    run = kubeplan("plan", path, "--config", config, "--format", "json", *extra)
    assert run.exit_code in (0, 1), run.stderr
    return run.exit_code, run.json()


def _by_rule(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


CLUSTER_ADMIN = "rbac-grants-cluster-admin"


@pytest.mark.parametrize(
    ("config", "expect"),
    [
        (f"rules:\n  {CLUSTER_ADMIN}: warning\n", "warning"),
        (f"rules:\n  {CLUSTER_ADMIN}: off\n", "absent"),
        (
            f"exclude:\n  - rules: [{CLUSTER_ADMIN}]\n    kind: ClusterRoleBinding\n"
            "    name: argocd-*\n    reason: Argo CD manages the cluster\n",
            "suppressed",
        ),
    ],
)
def test_rbac_grant_of_a_plan_is_silenced_by_the_config(tmp_path, config, expect):
    manifests = _write(tmp_path / "m", "argocd.yaml", ARGOCD_RBAC)
    empty = _write(tmp_path, "empty.yaml", "{}\n")
    code, report = _plan(manifests, empty)
    assert code == 1 and _by_rule(report, CLUSTER_ADMIN)[0]["severity"] == "error"

    code, report = _plan(manifests, _write(tmp_path, "c.yaml", config))
    assert code == 0
    found = _by_rule(report, CLUSTER_ADMIN)
    if expect == "absent":
        assert found == []
    elif expect == "warning":
        assert [f["severity"] for f in found] == ["warning"] and "suppressed" not in found[0]
    else:
        assert found[0]["suppressed"] is True
        assert found[0]["suppressed_by"] == "config: Argo CD manages the cluster"
    assert _by_rule(report, "rbac-grants-secrets-read")  # the others still there


def test_rbac_grant_silenced_by_the_annotation(tmp_path):
    annotated = ARGOCD_RBAC.replace(
        "kind: ClusterRoleBinding\nmetadata:\n",
        "kind: ClusterRoleBinding\nmetadata:\n  annotations:\n"
        f'    kubeplan.io/ignore: "{CLUSTER_ADMIN}"\n'
        "    kubeplan.io/ignore-reason: the GitOps controller\n",
    )
    manifests = _write(tmp_path / "m", "argocd.yaml", annotated)
    code, report = _plan(manifests, _write(tmp_path, "c.yaml", "{}\n"))
    assert code == 0
    found = _by_rule(report, CLUSTER_ADMIN)
    assert (
        found[0]["suppressed"] and found[0]["suppressed_by"] == "annotation: the GitOps controller"
    )
    text = kubeplan("plan", manifests, "--config", str(tmp_path / "c.yaml"), "--no-color").stdout
    assert CLUSTER_ADMIN not in text
    shown = kubeplan(
        "plan", manifests, "--config", str(tmp_path / "c.yaml"), "--no-color", "--show-suppressed"
    ).stdout
    assert f"[{CLUSTER_ADMIN}]  (suppressed: annotation: the GitOps controller)" in shown


def _selector_change(tmp_path: Path) -> tuple[str, str]:
    old = _write(tmp_path / "old", "deployment.yaml", DEPLOYMENT)
    new = _write(tmp_path / "new", "deployment.yaml", DEPLOYMENT.replace("app: api", "app: v2"))
    return str(Path(new).parent), str(Path(old).parent)


def test_a_silenced_rejection_stays_rejected_but_no_longer_fails(tmp_path):
    new, old = _selector_change(tmp_path)
    config = _write(tmp_path, "c.yaml", "rules:\n  immutable-field-changed: off\n")
    before = kubeplan("plan", new, "--base", old, "--config", _write(tmp_path, "e.yaml", "{}\n"))
    assert before.exit_code == 1
    run = kubeplan("plan", new, "--base", old, "--config", config, "--no-color")
    assert run.exit_code == 0, run.stdout
    assert "rejected" in run.stdout and "[immutable-field-changed]" not in run.stdout
    assert "1 rejected" in run.stdout
    shown = kubeplan(
        "plan", new, "--base", old, "--config", config, "--no-color", "--show-suppressed"
    )
    assert "[immutable-field-changed]  (suppressed: config: rule off)" in shown.stdout
    code, report = _plan(new, config, "--base", old)
    assert code == 0
    assert report["steps"][0]["verdict"] == "rejected"
    assert _by_rule(report, "immutable-field-changed")[0]["suppressed"] is True
    # re-graded: shown as a warning, the step still rejected, the run fails only at warning
    regraded = _write(tmp_path, "w.yaml", "rules:\n  immutable-field-changed: warning\n")
    assert kubeplan("plan", new, "--base", old, "--config", regraded).exit_code == 0
    failing = kubeplan("plan", new, "--base", old, "--config", regraded, "--fail-on", "warning")
    assert failing.exit_code == 1


def test_diff_reads_the_same_silencing(tmp_path, monkeypatch):
    new, old = _selector_change(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert kubeplan("diff", new, "--base", old).exit_code == 1
    _write(tmp_path, ".kubeplan.yaml", "rules:\n  immutable-field-changed: warning\n")
    run = kubeplan("diff", new, "--base", old, "--no-color")
    assert run.exit_code == 0, run.stdout
    assert "warning " in run.stdout and "[immutable-field-changed]" in run.stdout
    _write(tmp_path, ".kubeplan.yaml", "rules:\n  immutable-field-changed: off\n")
    run = kubeplan("diff", new, "--base", old, "--no-color")
    assert run.exit_code == 0 and "[immutable-field-changed]" not in run.stdout
    shown = kubeplan("diff", new, "--base", old, "--no-color", "--show-suppressed").stdout
    assert "[immutable-field-changed]  (suppressed: config: rule off)" in shown


def test_reach_finding_silenced_by_the_config(tmp_path):
    policy = textwrap.dedent(
        """\
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: deny
          namespace: shop
        spec:
          podSelector: {}
        """
    )
    manifests = tmp_path / "m"
    _write(manifests, "deployment.yaml", DEPLOYMENT)
    _write(manifests, "policy.yaml", policy)
    declared = "connections:\n  - shop/web -> shop/api:80\n"
    config = _write(tmp_path, "c.yaml", declared)
    run = kubeplan("reach", str(manifests), "--config", config, "--fail-on", "warning")
    assert run.exit_code == 1 and "[netpol-declared-unknown]" in run.stdout
    config = _write(tmp_path, "c.yaml", declared + "rules:\n  netpol-declared-unknown: off\n")
    run = kubeplan("reach", str(manifests), "--config", config, "--fail-on", "warning")
    assert run.exit_code == 0 and "netpol-declared-unknown" not in run.stdout
    excluded = declared + "exclude:\n  - rules: [netpol-declared-unknown]\n"
    config = _write(tmp_path, "c.yaml", excluded)
    run = kubeplan("reach", str(manifests), "--config", config, "--format", "json")
    found = [f for f in run.json()["findings"] if f["rule"] == "netpol-declared-unknown"]
    assert run.exit_code == 0 and found and all(f["suppressed"] for f in found)


def test_validation_finding_silenced_on_one_object(tmp_path):
    broken = DEPLOYMENT.replace("      containers:", "      containerz: []\n      containers:")
    path = _write(tmp_path / "m", "deployment.yaml", broken)
    assert kubeplan("check", path, "--config", _write(tmp_path, "e.yaml", "{}\n")).exit_code == 1
    config = _write(
        tmp_path,
        "c.yaml",
        "exclude:\n  - rules: [schema-unknown-field]\n    kind: Deployment\n    name: api\n",
    )
    run = kubeplan("check", path, "--config", config, "--format", "json")
    found = [f for f in run.json()["findings"] if f["rule"] == "schema-unknown-field"]
    assert run.exit_code == 0 and found[0]["suppressed"] is True


def test_rules_lists_the_ids_of_every_stage():
    listing = kubeplan("rules", "--no-color").stdout
    for rule in (CLUSTER_ADMIN, "rbac-denied", "netpol-cuts-connection", "immutable-field-changed"):
        assert f"\n{rule} " in listing
    one = kubeplan("rules", "immutable-field-changed", "--no-color")
    assert one.exit_code == 0 and "still shows the step rejected" in one.stdout
    ids = {r["id"] for r in kubeplan("rules", "--format", "json").json()["rules"]}
    assert {CLUSTER_ADMIN, "schema-unknown-field", "netpol-exposes-workload"} <= ids
    assert "rule-error" not in ids  # a crash of a rule is no thing to configure away


# --detailed-exitcode (kubeplan/exitcodes.py): 0 no changes, 1 failing findings, 2 error,
# 3 changes and nothing failing.


@pytest.mark.parametrize("command", ["plan", "diff"])
def test_detailed_exitcode_tells_changes_from_no_changes(tmp_path, command):
    old = str(Path(_write(tmp_path / "old", "deployment.yaml", DEPLOYMENT)).parent)
    same = str(Path(_write(tmp_path / "same", "deployment.yaml", DEPLOYMENT)).parent)
    bumped = DEPLOYMENT.replace("api:1.0.0", "api:1.1.0")
    changed = str(Path(_write(tmp_path / "changed", "deployment.yaml", bumped)).parent)
    rejected, _ = _selector_change(tmp_path)
    config = ("--config", _write(tmp_path, "c.yaml", "{}\n")) if command == "plan" else ()

    def code(path: str, *extra: str) -> int:
        return kubeplan(command, path, "--base", old, *config, *extra).exit_code

    assert code(same, "--detailed-exitcode") == 0
    assert code(changed, "--detailed-exitcode") == 3
    assert code(changed) == 0  # without the option: as before
    assert code(rejected, "--detailed-exitcode") == 1  # failing findings win over changes
    assert code(rejected, "--detailed-exitcode", "--fail-on", "never") == 3
    missing = kubeplan(command, same, "--base", str(tmp_path / "nope"), "--detailed-exitcode")
    assert missing.exit_code == 2


def test_a_blanket_silence_does_not_hide_a_rejection(tmp_path):
    """`kubeplan.io/ignore: all` and an exclude row without rules silence advice, not what the
    API server refuses; naming the id does."""
    broken = DEPLOYMENT.replace("      containers:", "      containerz: []\n      containers:")
    annotated = broken.replace(
        "  namespace: shop\n", '  namespace: shop\n  annotations:\n    kubeplan.io/ignore: "all"\n'
    )
    path = _write(tmp_path / "m", "deployment.yaml", annotated)
    blanket = _write(tmp_path, "c.yaml", "exclude:\n  - kind: Deployment\n")
    run = kubeplan("check", path, "--config", blanket, "--format", "json")
    active = [f["rule"] for f in run.json()["findings"] if not f.get("suppressed")]
    assert run.exit_code == 1 and active == ["schema-unknown-field"]
    named = path.replace("deployment.yaml", "named.yaml")
    Path(named).write_text(annotated.replace('"all"', '"all,schema-unknown-field"'), "utf-8")
    assert kubeplan("check", named, "--config", blanket).exit_code == 0


def test_a_silenced_cut_connection_no_longer_blocks_its_step(tmp_path):
    """netpol-cuts-connection is kubeplan's judgement, not the API server's: silenced, the step
    is an update again (fixtures/shop-next: cart's policy no longer admits frontend)."""
    from conftest import fixture

    new, old = fixture("shop-next"), fixture("shop")
    code, report = _plan(new, _write(tmp_path, "e.yaml", "{}\n"), "--base", old)
    policy = [s for s in report["steps"] if s["resource"]["name"] == "cart-from-frontend"]
    assert code == 1 and policy[0]["verdict"] == "blocked"
    config = _write(
        tmp_path,
        "c.yaml",
        "exclude:\n  - rules: [netpol-cuts-connection]\n    kind: NetworkPolicy\n"
        "    name: cart-from-frontend\n    reason: frontend moves to checkout in this release\n",
    )
    code, report = _plan(new, config, "--base", old)
    policy = [s for s in report["steps"] if s["resource"]["name"] == "cart-from-frontend"]
    assert code == 0 and policy[0]["verdict"] == "update"
    assert _by_rule(report, "netpol-cuts-connection")[0]["suppressed"] is True


# A CRD whose schema the API server refuses (`$ref`; typed, so that the structural check of
# crdvalidation.py has nothing else to say): crd-invalid-schema, a finding of reading
# and validation like the others, silenced the same three ways.
REF_CRD = textwrap.dedent(
    """\
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: widgets.example.com
      ANNOTATIONS
    spec:
      group: example.com
      names: {kind: Widget, plural: widgets}
      scope: Namespaced
      versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              properties:
                spec: {type: object, $ref: "#/definitions/spec"}
    """
)


@pytest.mark.parametrize(
    "config, annotation",
    [
        ("rules:\n  crd-invalid-schema: off\n", ""),
        ("exclude:\n  - rules: [crd-invalid-schema]\n    kind: CustomResourceDefinition\n", ""),
        ("{}\n", "annotations: {kubeplan.io/ignore: crd-invalid-schema}"),
    ],
)
def test_a_new_input_finding_is_silenced_the_three_ways(tmp_path, config, annotation):
    bare = _write(tmp_path / "bare", "crd.yaml", REF_CRD.replace("ANNOTATIONS", ""))
    none = _write(tmp_path, "none.yaml", "{}\n")
    assert kubeplan("check", bare, "--config", none).exit_code == 1
    path = _write(tmp_path / "m", "crd.yaml", REF_CRD.replace("ANNOTATIONS", annotation))
    run = kubeplan("check", path, "--config", _write(tmp_path, "c.yaml", config), "-o", "json")
    found = [f for f in run.json()["findings"] if f["rule"] == "crd-invalid-schema"]
    # `off` switches the finding off as it does a lint rule; the others keep it, suppressed.
    assert run.exit_code == 0 and all(f["suppressed"] for f in found), run.stdout
    assert found or "off" in config
