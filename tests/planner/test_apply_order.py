"""The apply-order graph of `kubeplan plan` (planner/graph.py) and the shared references
(kube/refs.py), on the fixtures/plan revisions and on corpus revisions."""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

import pytest
from conftest import corpus, fixture

from kubeplan.kube import refs
from kubeplan.kube.cluster import ObjectPattern
from kubeplan.model import Resource
from kubeplan.planner.diff.pairing import UNCHANGED, pair
from kubeplan.planner.graph import ApplyOrder, Step, apply_order
from kubeplan.schemas import loader


def plan(new_paths: list[str], old_paths: list[str], external=None) -> ApplyOrder:
    new = loader.load(new_paths).resources
    old = loader.load(old_paths).resources if old_paths else []
    changes = [
        (p.action, p.new if p.new is not None else p.old)
        for p in pair(old, new)
        if p.action != UNCHANGED
    ]
    return apply_order(changes, new, old, external)


def text(step: Step) -> str:
    r = step.resource
    return f"{r.kind}/{r.namespace}/{r.name}" if r.namespace else f"{r.kind}/{r.name}"


def step(order: ApplyOrder, name: str) -> Step:
    found = [s for s in order.steps if text(s) == name]
    assert len(found) == 1, [text(s) for s in order.steps]
    return found[0]


def before(order: ApplyOrder, first: str, then: str) -> bool:
    """`first` is in an earlier wave than `then` (so also earlier in the order)."""
    a, b = step(order, first), step(order, then)
    return a.wave < b.wave and a.order < b.order


def assert_consistent(order: ApplyOrder) -> None:
    """Every dependency is in an earlier wave; orders are 1..n; applies precede deletions."""
    position = {s.resource.identity: s for s in order.steps}
    assert [s.order for s in order.steps] == list(range(1, len(order.steps) + 1))
    assert [s.wave for s in order.steps] == sorted(s.wave for s in order.steps)
    for s in order.steps:
        for dependency in s.depends_on:
            assert position[dependency].wave < s.wave, (text(s), dependency)
    actions = [s.action for s in order.steps]
    if "delete" in actions:
        assert "create" not in actions[actions.index("delete") :]
        assert "update" not in actions[actions.index("delete") :]


@pytest.fixture(scope="module")
def shop() -> ApplyOrder:
    return plan([fixture("plan", "new")], [fixture("plan", "old")])


def test_shop_plan_is_consistent(shop: ApplyOrder) -> None:
    assert_consistent(shop)
    assert shop.cycles == []
    assert {s.action for s in shop.steps} == {"create", "update", "delete"}


@pytest.mark.parametrize(
    ("first", "then"),
    [
        # pod admission resolves these (plugin/pkg/admission/serviceaccount, priority)
        ("ServiceAccount/shop/web", "Deployment/shop/web"),
        ("PriorityClass/shop-high", "Deployment/shop/web"),
        ("ConfigMap/shop/web-config", "Deployment/shop/web"),
        ("PersistentVolumeClaim/shop/web-data", "Deployment/shop/web"),
        # LimitRange applies at pod admission (plugin/pkg/admission/limitranger/admission.go)
        ("LimitRange/shop/defaults", "Deployment/shop/web"),
        ("LimitRange/shop/defaults", "Deployment/shop/policy"),
        # storage: StorageClass before PV and PVC; PV before the PVC that binds it (volumeName)
        ("StorageClass/fast", "PersistentVolume/web-data"),
        ("StorageClass/fast", "PersistentVolumeClaim/shop/web-data"),
        ("PersistentVolume/web-data", "PersistentVolumeClaim/shop/web-data"),
        # RBAC: roleRef and ServiceAccount subject (pkg/apis/rbac/validation/validation.go)
        ("Role/shop/web-reader", "RoleBinding/shop/web-reader"),
        ("ServiceAccount/shop/web", "RoleBinding/shop/web-reader"),
        # routing
        ("IngressClass/internal", "Ingress/shop/web"),
        ("Secret/shop/web-tls", "Ingress/shop/web"),
        ("GatewayClass/shared", "Gateway/shop/edge"),
        ("Gateway/shop/edge", "HTTPRoute/shop/web"),
        # custom resource after its CRD (spec.group + spec.names.kind)
        ("CustomResourceDefinition/widgets.example.com", "Widget/shop/front"),
        # HPA and PDB after their target
        ("Deployment/shop/web", "HorizontalPodAutoscaler/shop/web"),
        ("Deployment/shop/web", "PodDisruptionBudget/shop/web"),
        # a fail-closed webhook after the Service and the workload that serve it
        ("Service/shop/policy", "ValidatingWebhookConfiguration/shop-policy"),
        ("Deployment/shop/policy", "ValidatingWebhookConfiguration/shop-policy"),
    ],
)
def test_shop_dependencies(shop: ApplyOrder, first: str, then: str) -> None:
    assert before(shop, first, then)
    first_id = step(shop, first).resource.identity
    then_step = step(shop, then)
    assert first_id in then_step.depends_on
    assert any(str(first_id.name) in reason for reason in then_step.reasons)


def test_webhook_configuration_is_applied_last(shop: ApplyOrder) -> None:
    webhook = step(shop, "ValidatingWebhookConfiguration/shop-policy")
    applies = [s for s in shop.steps if s.action != "delete"]
    assert webhook is applies[-1]
    assert webhook.wave > max(s.wave for s in applies if s is not webhook)
    assert any("phase: last" in reason for reason in webhook.reasons)


def test_service_does_not_wait_for_its_workload(shop: ApplyOrder) -> None:
    # a Service may exist before its pods (the EndpointSlice controller fills it in later)
    service = step(shop, "Service/shop/policy")
    assert service.depends_on == []
    assert service.wave == 1


def test_deletions_follow_applies_in_reverse_dependency_order(shop: ApplyOrder) -> None:
    deletes = [s for s in shop.steps if s.action == "delete"]
    assert {text(s) for s in deletes} == {
        "Deployment/shop/legacy",
        "ConfigMap/shop/legacy-config",
        "ServiceAccount/shop/legacy",
        "Role/shop/legacy",
        "RoleBinding/shop/legacy",
    }
    last_apply = max(s.wave for s in shop.steps if s.action != "delete")
    assert min(s.wave for s in deletes) == last_apply + 1
    # the user of an object goes first, then the object
    assert before(shop, "Deployment/shop/legacy", "ConfigMap/shop/legacy-config")
    assert before(shop, "Deployment/shop/legacy", "ServiceAccount/shop/legacy")
    assert before(shop, "RoleBinding/shop/legacy", "Role/shop/legacy")
    assert before(shop, "RoleBinding/shop/legacy", "ServiceAccount/shop/legacy")
    config = step(shop, "ConfigMap/shop/legacy-config")
    assert any(r.startswith("deleted after Deployment/shop/legacy") for r in config.reasons)


def test_unresolved_reference_is_a_warning_on_its_step(shop: ApplyOrder) -> None:
    web = step(shop, "Deployment/shop/web")
    assert web.warnings == [
        "imagePullSecrets (spec.template.spec.imagePullSecrets[0].name) references"
        " Secret/shop/registry-creds, which is neither in the input nor declared external"
    ]
    # shared-settings is unchanged and in the input: satisfied, no edge, no warning
    assert not any(d.name == "shared-settings" for d in web.depends_on)
    assert sum(bool(s.warnings) for s in shop.steps) == 1


def test_declared_external_reference_is_satisfied() -> None:
    pattern = ObjectPattern("Secret", "registry-*", "shop")

    def external(group: str, kind: str, namespace: str | None, name: str) -> bool:
        return pattern.matches(kind, namespace, name)

    order = plan([fixture("plan", "new")], [fixture("plan", "old")], external)
    assert all(not s.warnings for s in order.steps)


def test_reference_to_a_deleted_object_says_so() -> None:
    old = loader.load([fixture("plan", "old")]).resources
    new = [r for r in old if r.name != "legacy-config"]
    changes = [("delete", r) for r in old if r.name == "legacy-config"]
    changes += [("update", r) for r in new if r.kind == "Deployment" and r.name == "legacy"]
    order = apply_order(changes, new, old)
    legacy = step(order, "Deployment/shop/legacy")
    assert legacy.warnings == [
        'container "legacy" envFrom (spec.template.spec.containers[0].envFrom[0].configMapRef'
        ".name) references ConfigMap/shop/legacy-config, which this plan deletes"
    ]


def test_order_does_not_depend_on_input_order() -> None:
    new = loader.load([fixture("plan", "new")]).resources
    old = loader.load([fixture("plan", "old")]).resources
    changes = [(p.action, p.new or p.old) for p in pair(old, new) if p.action != UNCHANGED]
    expected = [
        (s.action, s.resource.identity, s.wave) for s in apply_order(changes, new, old).steps
    ]
    for seed in range(3):
        shuffled = changes[:]
        random.Random(seed).shuffle(shuffled)
        got = apply_order(shuffled, new[::-1], old[::-1]).steps
        assert [(s.action, s.resource.identity, s.wave) for s in got] == expected


def test_cycle_is_reported_and_broken_by_kind_order() -> None:
    order = plan([fixture("plan", "cycle")], [])
    assert_consistent(order)
    assert len(order.cycles) == 1
    assert {i.name for i in order.cycles[0]} == {"builder", "builder-token"}
    # ServiceAccount sorts before Secret, so the Secret -> ServiceAccount edge is dropped and
    # the token Secret follows its account (the token controller needs the account)
    assert before(order, "ServiceAccount/ci/builder", "Secret/ci/builder-token")
    account = step(order, "ServiceAccount/ci/builder")
    assert any("dependency cycle" in w and "builder-token" in w for w in account.warnings)
    # the rest is still ordered
    assert before(order, "Namespace/ci", "ConfigMap/ci/settings")


def test_step_json_shape(shop: ApplyOrder) -> None:
    web = step(shop, "Deployment/shop/web").to_json(verbose=True)
    assert set(web) == {"order", "wave", "action", "resource", "depends_on", "warnings", "reasons"}
    assert web["resource"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "namespace": "shop",
        "name": "web",
    }
    assert {"group": "", "kind": "ServiceAccount", "namespace": "shop", "name": "web"} in web[
        "depends_on"
    ]
    assert "reasons" not in step(shop, "Deployment/shop/web").to_json()


def load_one(text_: str) -> Resource:
    return loader.load_text("x.yaml", textwrap.dedent(text_)).resources[0]


def test_refs_service_account_alias() -> None:
    # pkg/apis/core/v1/conversion.go: serviceAccount is used only when serviceAccountName is empty
    pod = load_one(
        """\
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: ns}
        spec:
          serviceAccount: legacy
          containers: [{name: c, image: i}]
        """
    )
    found = [r for r in refs.references(pod) if r.kind == "ServiceAccount"]
    assert [(r.name, r.namespace, r.path) for r in found] == [
        ("legacy", "ns", ("spec", "serviceAccount"))
    ]


def test_refs_webhook_default_failure_policy_by_version() -> None:
    # v1 defaults failurePolicy to Fail, v1beta1 to Ignore
    # (pkg/apis/admissionregistration/v1/defaults.go, v1beta1/defaults.go)
    documents = []
    for version in ("v1", "v1beta1"):
        documents.append(
            f"""\
apiVersion: admissionregistration.k8s.io/{version}
kind: ValidatingWebhookConfiguration
metadata: {{name: hook-{version}}}
webhooks:
  - name: a.example.com
    clientConfig: {{service: {{name: policy, namespace: shop}}}}
"""
        )
    workload = Path(fixture("plan", "new", "webhook.yaml")).read_text(encoding="utf-8")
    resources = loader.load_text("x.yaml", "---\n".join([workload, *documents])).resources
    changes = [("create", r) for r in resources]
    order = apply_order(changes, resources, [])
    assert_consistent(order)
    deployment = step(order, "Deployment/shop/policy").resource.identity
    assert deployment in step(order, "ValidatingWebhookConfiguration/hook-v1").depends_on
    assert deployment not in step(order, "ValidatingWebhookConfiguration/hook-v1beta1").depends_on
    for name in ("hook-v1", "hook-v1beta1"):
        hook = step(order, f"ValidatingWebhookConfiguration/{name}")
        assert step(order, "Service/shop/policy").resource.identity in hook.depends_on


# ---------------------------------------------------------------------------------------------
# corpus


def test_microservices_demo_service_accounts_before_deployments() -> None:
    base = corpus("microservices-demo", "revisions", "v0.8.0", "release")
    new = corpus("microservices-demo", "revisions", "v0.10.0", "release")
    order = plan([str(new)], [str(base)])
    assert_consistent(order)
    created = [s for s in order.steps if s.resource.kind == "ServiceAccount"]
    assert len(created) == 11 and {s.action for s in created} == {"create"}
    for account in created:
        users = [
            s
            for s in order.steps
            if s.resource.kind == "Deployment" and account.resource.identity in s.depends_on
        ]
        assert [u.resource.name for u in users] == [account.resource.name]
        assert users[0].wave > account.wave
    assert all(not s.warnings for s in order.steps)


def test_kube_prometheus_from_scratch() -> None:
    order = plan([str(corpus("kube-prometheus", "manifests"))], [])
    assert_consistent(order)
    assert order.cycles == []
    first = {text(s) for s in order.steps if s.wave == 1}
    assert "Namespace/monitoring" in first
    crds = [s for s in order.steps if s.resource.kind == "CustomResourceDefinition"]
    assert len(crds) == 10 and all(s.wave == 1 for s in crds)
    by_group_kind = {}
    for s in crds:
        spec = s.resource.body["spec"]
        by_group_kind[(spec["group"], spec["names"]["kind"])] = s
    custom = [s for s in order.steps if (s.resource.group, s.resource.kind) in by_group_kind]
    assert len(custom) > 20
    for s in custom:
        crd = by_group_kind[(s.resource.group, s.resource.kind)]
        assert crd.resource.identity in s.depends_on
    # the metrics APIService waits for the prometheus-adapter Service and Deployment
    api = step(order, "APIService/v1beta1.metrics.k8s.io")
    assert {(d.kind, d.name) for d in api.depends_on} == {
        ("Service", "prometheus-adapter"),
        ("Deployment", "prometheus-adapter"),
    }


def test_kube_prometheus_new_dashboard_before_grafana() -> None:
    # v0.17.0 -> v0.18.0 adds one dashboard ConfigMap that the grafana Deployment mounts
    order = plan(
        [str(corpus("kube-prometheus", "revisions", "v0.18.0", "manifests"))],
        [str(corpus("kube-prometheus", "revisions", "v0.17.0", "manifests"))],
    )
    assert_consistent(order)
    created = [s for s in order.steps if s.action == "create"]
    assert [s.resource.kind for s in created] == ["ConfigMap"]
    assert created[0].resource.identity in step(order, "Deployment/monitoring/grafana").depends_on


def test_ingress_nginx_webhook_after_its_controller() -> None:
    path = corpus("ingress-nginx", "deploy", "static", "provider", "cloud", "deploy.yaml")
    order = plan([str(path)], [])
    assert_consistent(order)
    webhook = step(order, "ValidatingWebhookConfiguration/ingress-nginx-admission")
    assert webhook is order.steps[-1]
    controller = step(order, "Deployment/ingress-nginx/ingress-nginx-controller")
    assert controller.resource.identity in webhook.depends_on
    # everything namespaced waits for the Namespace
    namespace = step(order, "Namespace/ingress-nginx")
    assert namespace.wave == 1
    for s in order.steps:
        if s.resource.namespace == "ingress-nginx":
            assert namespace.resource.identity in s.depends_on


MORE = """\
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: sandboxed}
handler: runsc
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: api-cert, namespace: default}
spec:
  secretName: api-tls
  issuerRef: {name: ca, kind: ClusterIssuer}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: default}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      runtimeClassName: sandboxed
      containers: [{name: api, image: example.com/api:1}]
      volumes:
        - name: tls
          secret: {secretName: api-tls}
---
apiVersion: autoscaling.k8s.io/v1
kind: VerticalPodAutoscaler
metadata: {name: api, namespace: default}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: ssd}
provisioner: example.com/ssd
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: default}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres:17}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        storageClassName: ssd
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: backup, namespace: default}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: backup, image: postgres:17}]
      volumes:
        - name: data
          persistentVolumeClaim: {claimName: data-db-0}
"""


@pytest.mark.parametrize(
    ("first", "then"),
    [
        # plugin/pkg/admission/runtimeclass/admission.go resolves runtimeClassName at admission
        ("RuntimeClass/sandboxed", "Deployment/default/api"),
        # cert-manager writes spec.secretName: the pod waits for the Certificate that makes it
        ("Certificate/default/api-cert", "Deployment/default/api"),
        ("Deployment/default/api", "VerticalPodAutoscaler/default/api"),
        ("StorageClass/ssd", "StatefulSet/default/db"),
        # claims <template>-<statefulset>-<ordinal> (stateful_set_utils.go
        # getPersistentVolumeClaimName) come from the StatefulSet
        ("StatefulSet/default/db", "Job/default/backup"),
    ],
)
def test_more_references(first: str, then: str) -> None:
    resources = loader.load_text("more.yaml", MORE).resources
    order = apply_order([("create", r) for r in resources], resources, [])
    assert_consistent(order)
    assert before(order, first, then)
    assert step(order, first).resource.identity in step(order, then).depends_on
    assert all(not s.warnings for s in order.steps)


def test_recreated_object_is_deleted_right_before_its_create() -> None:
    # an immutable change (Deployment spec.selector) applied as delete + create
    old = loader.load([fixture("plan", "old")]).resources
    new = loader.load([fixture("plan", "new")]).resources
    old_web = next(r for r in old if r.kind == "Deployment" and r.name == "web")
    new_web = next(r for r in new if r.kind == "Deployment" and r.name == "web")
    new_sa = next(r for r in new if r.kind == "ServiceAccount" and r.name == "web")
    changes = [("create", new_sa), ("delete", old_web), ("create", new_web)]
    order = apply_order(changes, new, old)
    assert [(s.action, text(s), s.wave) for s in order.steps] == [
        ("create", "ServiceAccount/shop/web", 1),
        ("delete", "Deployment/shop/web", 2),
        ("create", "Deployment/shop/web", 3),
    ]
    assert any("deleted first" in r for r in order.steps[2].reasons)
    assert all(not s.warnings for s in order.steps[:2])


def test_plan_json_lists_cycles(shop: ApplyOrder) -> None:
    order = plan([fixture("plan", "cycle")], [])
    out = order.to_json()
    assert [len(c) for c in out["cycles"]] == [2]
    assert {"group": "", "kind": "Secret", "namespace": "ci", "name": "builder-token"} in out[
        "cycles"
    ][0]
    assert [s["order"] for s in out["steps"]] == [1, 2, 3, 4]
    assert shop.to_json()["cycles"] == []


MALFORMED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: odd, namespace: default}
spec:
  template:
    spec:
      serviceAccountName: 7
      volumes: not-a-list
      containers:
        - name: c
          env: [{name: A, valueFrom: {configMapKeyRef: [x]}}]
          envFrom: {configMapRef: {name: nope}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: odd, namespace: default}
roleRef: [Role, x]
subjects: "ServiceAccount odd"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: odd}
webhooks: 5
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: odd, namespace: default}
spec:
  rules: [{http: {paths: [{backend: {service: {name: [1]}}}]}}]
  tls: [{secretName: null}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: odd, namespace: default}
spec: {selector: {matchLabels: {app: [1]}}}
"""


def test_malformed_bodies_give_no_reference_and_no_crash() -> None:
    resources = loader.load_text("odd.yaml", MALFORMED).resources
    assert len(resources) == 5
    assert all(refs.references(r) == () for r in resources)
    order = apply_order([("create", r) for r in resources], resources, [])
    assert_consistent(order)
    assert all(not s.depends_on and not s.warnings for s in order.steps)
    assert text(order.steps[-1]) == "ValidatingWebhookConfiguration/odd"
