"""An unknown kind in a Kubernetes API group is an error (`kind-not-served`), since no
CustomResourceDefinition can add one there; elsewhere it stays the `unknown-kind` warning.

Sources (kubeplan/schemas/served.py): a CRD group must contain a dot
(apiextensions validation.go ValidateCustomResourceDefinitionSpec, "should be a domain with at
least one dot"); a GA group version the API server serves owns its URL path
(apiserver/pkg/server/handler.go director.ServeHTTP). kubectl's words for it:
`no matches for kind "X" in version "G/V"`.
"""

from __future__ import annotations

import textwrap

import pytest
from conftest import corpus, findings, kubeplan

DEPLOYMENT_TYPO = textwrap.dedent(
    """\
    apiVersion: apps/v1
    kind: Deploymnet
    metadata:
      name: web
      namespace: shop
    spec:
      replicas: 2
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:1.27
    """
)

HTTPROUTE = textwrap.dedent(
    """\
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata:
      name: reviews
      namespace: shop
    spec:
      parentRefs:
        - name: gateway
      rules:
        - backendRefs:
            - name: reviews
              port: 9080
    """
)

# A cut-down Gateway API CRD: enough for kubeplan to know the kind and validate it.
HTTPROUTE_CRD = textwrap.dedent(
    """\
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: httproutes.gateway.networking.k8s.io
      annotations:
        api-approved.kubernetes.io: https://github.com/kubernetes-sigs/gateway-api/pull/2466
    spec:
      group: gateway.networking.k8s.io
      names: {kind: HTTPRoute, listKind: HTTPRouteList, plural: httproutes, singular: httproute}
      scope: Namespaced
      versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              x-kubernetes-preserve-unknown-fields: true
    """
)

CERTIFICATE = textwrap.dedent(
    """\
    apiVersion: cert-manager.io/v1
    kind: Certificate
    metadata:
      name: web-tls
      namespace: shop
    spec:
      secretName: web-tls
      dnsNames: [shop.example.com]
      issuerRef: {name: letsencrypt, kind: ClusterIssuer}
    """
)


def kinds_of(got: list[dict]) -> list[tuple[str, str, int, str]]:
    return [(f["rule"], f["severity"], f["line"], f["path"]) for f in got]


@pytest.mark.parametrize("release", ["1.25", "1.30", "1.37"])
def test_a_typo_in_an_apps_v1_kind_is_an_error_at_its_kind_line(release: str) -> None:
    (only,) = findings("validate", "-k", release, "-", stdin=DEPLOYMENT_TYPO)
    assert kinds_of([only]) == [("kind-not-served", "error", 2, "kind")]
    assert only["message"].startswith('no matches for kind "Deploymnet" in version "apps/v1"')
    assert 'did you mean "Deployment"?' in only["message"]


@pytest.mark.parametrize(
    "api_version, kind, suggestion",
    [
        ("v1", "configmap", "ConfigMap"),  # kinds are case-sensitive
        ("v1", "Servce", "Service"),
        ("batch/v1", "Cronjob", "CronJob"),
        ("networking.k8s.io/v1", "Ingres", "Ingress"),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBindings", "ClusterRoleBinding"),
    ],
)
def test_unknown_kinds_of_ga_builtin_group_versions(api_version, kind, suggestion) -> None:
    manifest = f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\n  namespace: shop\n"
    (only,) = findings("validate", "-", stdin=manifest)
    assert (only["rule"], only["severity"]) == ("kind-not-served", "error")
    assert f'did you mean "{suggestion}"?' in only["message"]


def test_a_dotless_group_at_any_version_is_an_error() -> None:
    manifest = "apiVersion: apps/v1beta9\nkind: Widget\nmetadata:\n  name: w\n  namespace: shop\n"
    (only,) = findings("validate", "-", stdin=manifest)
    assert (only["rule"], only["severity"]) == ("kind-not-served", "error")
    assert "a CustomResourceDefinition group must contain a dot" in only["message"]


@pytest.mark.parametrize(
    "api_version",
    [
        "networking.k8s.io/v9",  # a protected group: a CRD with api-approved.kubernetes.io may serve it
        "admissionregistration.k8s.io/v1alpha1",  # alpha: off by default, its path is free
        "example.com/v1",
    ],
)
def test_a_kind_a_crd_might_define_stays_a_warning(api_version: str) -> None:
    manifest = f"apiVersion: {api_version}\nkind: Widget\nmetadata:\n  name: w\n"
    (only,) = findings("validate", "-", stdin=manifest)
    assert (only["rule"], only["severity"]) == ("unknown-kind", "warning")


@pytest.mark.parametrize("manifest", [HTTPROUTE, CERTIFICATE])
def test_gateway_api_and_cert_manager_kinds_are_warnings_without_their_crd(manifest: str) -> None:
    (only,) = findings("validate", "-", stdin=manifest)
    assert (only["rule"], only["severity"]) == ("unknown-kind", "warning")


def test_the_crd_in_the_input_serves_its_kind(tmp_path) -> None:
    (tmp_path / "crd.yaml").write_text(HTTPROUTE_CRD)
    (tmp_path / "route.yaml").write_text(HTTPROUTE)
    assert findings("validate", str(tmp_path)) == []


def test_a_crd_cannot_add_a_kind_to_a_ga_builtin_group_version(tmp_path) -> None:
    """Even approved, a CRD in networking.k8s.io/v1 is never reached: the built-in handlers
    own /apis/networking.k8s.io/v1 (director.ServeHTTP)."""
    crd = (
        HTTPROUTE_CRD.replace("httproutes.gateway.networking.k8s.io", "widgets.networking.k8s.io")
        .replace("group: gateway.networking.k8s.io", "group: networking.k8s.io")
        .replace("kind: HTTPRoute, listKind: HTTPRouteList", "kind: Widget, listKind: WidgetList")
        .replace("plural: httproutes, singular: httproute", "plural: widgets, singular: widget")
    )
    (tmp_path / "crd.yaml").write_text(crd)
    (tmp_path / "w.yaml").write_text(
        "apiVersion: networking.k8s.io/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: shop\n"
    )
    got = [f for f in findings("validate", str(tmp_path)) if f["file"].endswith("w.yaml")]
    assert [f["rule"] for f in got] == ["kind-not-served"]


def test_a_kind_served_in_another_group_names_it() -> None:
    """Unchanged: CronJob exists, in batch/v1; apps/v1 says where."""
    manifest = "apiVersion: apps/v1\nkind: CronJob\nmetadata:\n  name: c\n  namespace: shop\n"
    (only,) = findings("validate", "-", stdin=manifest)
    assert only["rule"] == "api-version-not-served"
    assert "use batch/v1" in only["message"]


def test_a_removed_kind_served_nowhere_is_refused_by_validate() -> None:
    """policy/v1beta1 PodSecurityPolicy: removed in 1.25 with no successor (policy/v1beta1
    lifecycle, deprecation-guide.md#psp-v125); before, validate only warned `unknown-kind`."""
    manifest = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: p\n"
    (only,) = findings("validate", "-k", "1.25", "-", stdin=manifest)
    assert (only["rule"], only["severity"], only["line"]) == ("api-version-not-served", "error", 1)
    assert "removed in 1.25" in only["message"]
    # `check` says it once, as removed-api (the lint twin, commands/pipeline._drop_doubles)
    got = findings("check", "-k", "1.25", "-", stdin=manifest)
    assert [f["rule"] for f in got if f["severity"] == "error"] == ["removed-api"]


def test_the_plan_rejects_the_step_of_an_unknown_builtin_kind(tmp_path) -> None:
    base, new = tmp_path / "base", tmp_path / "new"
    base.mkdir()
    new.mkdir()
    (new / "web.yaml").write_text(DEPLOYMENT_TYPO)
    (new / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: shop\n"
    )
    run = kubeplan("plan", str(new), "--base", str(base), "--format", "json")
    assert run.exit_code == 1, run.stdout
    verdicts = {s["resource"]["kind"]: s["verdict"] for s in run.json()["steps"]}
    assert verdicts == {"Deploymnet": "rejected", "ConfigMap": "create"}


@pytest.mark.parametrize(
    "config, annotation",
    [
        ("rules:\n  kind-not-served: off\n", ""),
        ("exclude:\n  - rules: [kind-not-served]\n    kind: Deploymnet\n", ""),
        ("{}\n", "  annotations: {kubeplan.io/ignore: kind-not-served}\n"),
    ],
)
def test_kind_not_served_is_silenced_the_three_ways(tmp_path, config, annotation) -> None:
    manifest = DEPLOYMENT_TYPO.replace("  namespace: shop\n", "  namespace: shop\n" + annotation, 1)
    path = tmp_path / "web.yaml"
    path.write_text(manifest)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(config)
    run = kubeplan("validate", str(path), "--config", str(cfg), "--format", "json")
    found = [f for f in run.json()["findings"] if f["rule"] == "kind-not-served"]
    assert run.exit_code == 0 and found and all(f["suppressed"] for f in found), run.stdout


def test_no_corpus_set_has_an_unknown_kind_of_a_builtin_group_but_scheduler_configs() -> None:
    """Real repositories: the only kind-not-served are kube-scheduler policy files
    (`kind: Policy`, `apiVersion: v1`), which `kubectl apply` refuses the same way."""
    sets = ["kubernetes-examples", "bookinfo/samples", "kube-prometheus/manifests"]
    sets += ["ingress-nginx/deploy", "microservices-demo/release", "sock-shop", "kueue-rbac/config"]
    got = findings("validate", "--fail-on", "never", *(str(corpus(name)) for name in sets))
    flagged = {
        (f["file"].split("/corpus/")[-1], f["line"]) for f in got if f["rule"] == "kind-not-served"
    }
    assert flagged == {
        ("kubernetes-examples/_archived/scheduler-policy/scheduler-policy-config.json", 2),
        (
            "kubernetes-examples/_archived/scheduler-policy/scheduler-policy-config-with-extender.json",
            2,
        ),
    }
