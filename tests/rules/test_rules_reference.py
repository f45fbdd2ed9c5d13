"""Cross-resource reference rules (rules/builtin/reference/) and RBAC lint rules (rules/builtin/rbac/).

Every reference rule is exercised with its objects split over two files, since a rule sees the
whole input whatever the layout; `ctx.exists` must honour user-declared external objects.
"""

from __future__ import annotations

import textwrap

import pytest

from kubeplan.kube.cluster import ObjectPattern
from kubeplan.model import Finding
from kubeplan.rules.context import LintContext
from kubeplan.rules.engine import LintSettings, lint
from kubeplan.rules.registry import load_rules
from kubeplan.schemas import loader


def run(rule: str, *texts: str, external: tuple[ObjectPattern, ...] = ()) -> list[Finding]:
    """Lint the texts as separate files loaded together; the findings of `rule`."""
    resources = []
    for number, text in enumerate(texts):
        resources += loader.load_text(f"f{number}.yaml", textwrap.dedent(text)).resources
    ctx = LintContext(resources, "1.33", external=external)
    findings = lint(resources, ctx, LintSettings(only=frozenset({rule})))
    assert not [f for f in findings if f.rule == "rule-error"], findings
    return [f for f in findings if f.rule == rule]


def where(findings: list[Finding]) -> list[tuple[str, int, str]]:
    return [(f.file, f.line, f.path) for f in findings]


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        tier: front
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - name: http
              containerPort: 8080
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: http
"""


# ---------------------------------------------------------------------------------------------
# Services


def test_service_and_its_deployment_in_two_files_are_matched() -> None:
    assert run("service-selects-nothing", SERVICE, DEPLOYMENT) == []
    assert run("service-target-port-missing", SERVICE, DEPLOYMENT) == []


def test_service_whose_selector_misses_reports_the_selector_line() -> None:
    service = SERVICE.replace("    app: web\n", "    app: web\n    tier: back\n")
    found = run("service-selects-nothing", service, DEPLOYMENT)
    assert where(found) == [("f0.yaml", 7, "spec.selector")]
    assert "app=web,tier=back" in found[0].message and '"shop"' in found[0].message


def test_service_does_not_select_pods_of_another_namespace() -> None:
    other = DEPLOYMENT.replace("namespace: shop", "namespace: other")
    assert where(run("service-selects-nothing", SERVICE, other)) == [
        ("f0.yaml", 7, "spec.selector")
    ]


def test_services_without_selector_or_of_type_external_name_are_skipped() -> None:
    manual = """\
    apiVersion: v1
    kind: Service
    metadata:
      name: db
    spec:
      ports:
        - port: 5432
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: ext
    spec:
      type: ExternalName
      externalName: db.example.com
      selector:
        app: nothing
    """
    assert run("service-selects-nothing", manual) == []


@pytest.mark.parametrize(
    ("kind", "template"),
    [
        ("Pod", "metadata:\n  name: web\n  labels:\n    app: web\nspec:\n  containers: []\n"),
        (
            "CronJob",
            "metadata:\n  name: web\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n"
            "      template:\n        metadata:\n          labels:\n            app: web\n"
            "        spec:\n          containers: []\n",
        ),
        (
            "DaemonSet",
            "metadata:\n  name: web\nspec:\n  template:\n    metadata:\n      labels:\n"
            "        app: web\n    spec:\n      containers: []\n",
        ),
    ],
)
def test_service_selects_pods_of_every_workload_kind(kind: str, template: str) -> None:
    api = {"Pod": "v1", "CronJob": "batch/v1", "DaemonSet": "apps/v1"}[kind]
    workload = f"apiVersion: {api}\nkind: {kind}\n{template}"
    service = SERVICE.replace("  namespace: shop\n", "").replace(
        "targetPort: http", "targetPort: 80"
    )
    assert run("service-selects-nothing", service, workload) == []


STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: kafka
spec:
  replicas: 3
  serviceName: kafka
  selector:
    matchLabels:
      app: kafka
  template:
    metadata:
      labels:
        app: kafka
    spec:
      containers:
        - name: kafka
          image: kafka:3.8
"""


def test_per_pod_service_of_a_statefulset_selects_its_pod_name_label() -> None:
    per_pod = """\
    apiVersion: v1
    kind: Service
    metadata:
      name: kafka-2
    spec:
      selector:
        statefulset.kubernetes.io/pod-name: kafka-{ordinal}
      ports:
        - port: 9092
    """
    assert run("service-selects-nothing", per_pod.format(ordinal=2), STATEFULSET) == []
    # replicas 3: ordinals 0..2, so kafka-3 is never created
    assert len(run("service-selects-nothing", per_pod.format(ordinal=3), STATEFULSET)) == 1


def test_indexed_job_service_selects_the_job_name_label() -> None:
    job = """\
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: train
    spec:
      completionMode: Indexed
      completions: 2
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: train
              image: python:3.12
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: train
    spec:
      clusterIP: None
      selector:
        job-name: train
    """
    assert run("service-selects-nothing", job) == []


def test_named_target_port_must_match_a_container_port_name() -> None:
    renamed = DEPLOYMENT.replace("- name: http", "- name: web-http")
    found = run("service-target-port-missing", SERVICE, renamed)
    assert where(found) == [("f0.yaml", 12, "spec.ports[0].targetPort")]
    assert 'targetPort "http"' in found[0].message and "Deployment web" in found[0].message


def test_named_target_port_needs_the_same_protocol() -> None:
    udp = DEPLOYMENT.replace(
        "containerPort: 8080", "containerPort: 8080\n              protocol: UDP"
    )
    found = run("service-target-port-missing", SERVICE, udp)
    assert len(found) == 1 and "no TCP containerPort" in found[0].message
    assert "UDP port there" in found[0].message


def test_named_target_port_of_a_sidecar_resolves_but_not_of_an_init_container() -> None:
    def with_init(restart: str) -> str:
        return DEPLOYMENT.replace(
            "      containers:\n",
            "      initContainers:\n        - name: proxy\n          image: envoy:1.31\n"
            f"{restart}          ports:\n            - name: proxy\n"
            "              containerPort: 15000\n      containers:\n",
        )

    service = SERVICE.replace("targetPort: http", "targetPort: proxy")
    sidecar = with_init("          restartPolicy: Always\n")
    assert run("service-target-port-missing", service, sidecar) == []
    assert len(run("service-target-port-missing", service, with_init(""))) == 1


def test_numeric_target_port_is_checked_only_against_declared_ports() -> None:
    numeric = SERVICE.replace("targetPort: http", "targetPort: 9090")
    found = run("service-target-port-undeclared", numeric, DEPLOYMENT)
    assert where(found) == [("f0.yaml", 12, "spec.ports[0].targetPort")]
    assert "9090/TCP" in found[0].message and "they declare 8080" in found[0].message
    undeclared = DEPLOYMENT.split("          ports:\n")[0]
    assert run("service-target-port-undeclared", numeric, undeclared) == []
    # a named targetPort is the other rule's business
    assert run("service-target-port-undeclared", SERVICE, DEPLOYMENT) == []


def test_unset_target_port_defaults_to_the_port() -> None:
    unset = SERVICE.replace("      targetPort: http\n", "")
    found = run("service-target-port-undeclared", unset, DEPLOYMENT)
    assert where(found) == [("f0.yaml", 11, "spec.ports[0].port")]
    assert "targetPort (unset, so the port) 80/TCP" in found[0].message
    matching = unset.replace("port: 80", "port: 8080")
    assert run("service-target-port-undeclared", matching, DEPLOYMENT) == []


# ---------------------------------------------------------------------------------------------
# Ingress and routes

INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
spec:
  defaultBackend:
    service:
      name: web
      port:
        number: 80
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  name: {port}
"""


def test_ingress_backend_resolves_across_files_by_port_number_and_name() -> None:
    assert run("ingress-backend-missing", INGRESS.format(port="http"), SERVICE) == []
    found = run("ingress-backend-missing", INGRESS.format(port="https"), SERVICE)
    assert where(found) == [
        ("f0.yaml", 21, "spec.rules[0].http.paths[0].backend.service.port.name")
    ]
    assert 'no port "https"' in found[0].message and "80 (http)" in found[0].message


def test_ingress_backend_missing_service_names_the_namespace_it_is_in() -> None:
    elsewhere = SERVICE.replace("namespace: shop", "namespace: other")
    found = run("ingress-backend-missing", INGRESS.format(port="http"), elsewhere)
    assert where(found) == [
        ("f0.yaml", 9, "spec.defaultBackend.service.name"),
        ("f0.yaml", 19, "spec.rules[0].http.paths[0].backend.service.name"),
    ]
    assert 'namespace "shop"' in found[0].message and '"other"' in found[0].message


def test_ingress_backend_declared_external_is_not_missing() -> None:
    external = (ObjectPattern("Service", "web", "shop"),)
    assert run("ingress-backend-missing", INGRESS.format(port="x"), external=external) == []
    wrong_namespace = (ObjectPattern("Service", "web", "other"),)
    assert (
        len(run("ingress-backend-missing", INGRESS.format(port="x"), external=wrong_namespace)) == 2
    )


ROUTE = """\
apiVersion: gateway.networking.k8s.io/v1
kind: {kind}
metadata:
  name: web
  namespace: gateway
spec:
  parentRefs:
    - name: gateway
  rules:
    - backendRefs:
        - name: web
          namespace: shop
          port: {port}
        - name: bucket
          group: storage.example.com
          kind: Bucket
"""


@pytest.mark.parametrize("kind", ["HTTPRoute", "GRPCRoute"])
def test_route_backend_ref_uses_its_namespace_and_the_service_port(kind: str) -> None:
    assert run("httproute-backend-missing", ROUTE.format(kind=kind, port=80), SERVICE) == []
    found = run("httproute-backend-missing", ROUTE.format(kind=kind, port=8080), SERVICE)
    assert where(found) == [("f0.yaml", 13, "spec.rules[0].backendRefs[0].port")]


def test_route_backend_ref_defaults_to_the_route_namespace() -> None:
    local = ROUTE.format(kind="HTTPRoute", port=80).replace("          namespace: shop\n", "")
    found = run("httproute-backend-missing", local, SERVICE)
    assert where(found) == [("f0.yaml", 11, "spec.rules[0].backendRefs[0].name")]
    assert 'namespace "gateway"' in found[0].message


def test_route_mirror_backend_and_missing_port_are_reported() -> None:
    route = """\
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata:
      name: web
      namespace: shop
    spec:
      rules:
        - filters:
            - type: RequestMirror
              requestMirror:
                backendRef:
                  name: shadow
                  port: 80
          backendRefs:
            - name: web
    """
    found = run("httproute-backend-missing", route, SERVICE)
    assert where(found) == [
        ("f0.yaml", 15, "spec.rules[0].backendRefs[0].port"),
        ("f0.yaml", 12, "spec.rules[0].filters[0].requestMirror.backendRef.name"),
    ]
    assert "has no port" in found[0].message


# ---------------------------------------------------------------------------------------------
# objects the pod template names

POD_REFS = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  namespace: shop
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          serviceAccountName: reporter
          priorityClassName: batch-low
          imagePullSecrets:
            - name: registry
          initContainers:
            - name: init
              image: busybox:1.37
              env:
                - name: MODE
                  valueFrom:
                    configMapKeyRef:
                      name: report-config
                      key: mode
          containers:
            - name: report
              image: report:1.0
              envFrom:
                - secretRef:
                    name: report-secrets
                - configMapRef:
                    name: optional-config
                    optional: true
          volumes:
            - name: config
              configMap:
                name: shared-config
            - name: ca
              configMap:
                name: kube-root-ca.crt
            - name: bundle
              projected:
                sources:
                  - secret:
                      name: tls
                  - configMap:
                      name: bundle-config
                      optional: true
            - name: data
              persistentVolumeClaim:
                claimName: reports
"""

OBJECTS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: report-config
  namespace: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: shared-config
  namespace: shop
---
apiVersion: v1
kind: Secret
metadata:
  name: report-secrets
  namespace: shop
---
apiVersion: v1
kind: Secret
metadata:
  name: registry
  namespace: shop
---
apiVersion: v1
kind: Secret
metadata:
  name: tls
  namespace: shop
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: reports
  namespace: shop
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: reporter
  namespace: shop
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: batch-low
value: 10
"""

POD_REF_RULES = (
    "missing-configmap",
    "missing-secret",
    "missing-pvc",
    "missing-service-account",
    "missing-priority-class",
)


@pytest.mark.parametrize("rule", POD_REF_RULES)
def test_references_resolve_against_objects_of_another_file(rule: str) -> None:
    assert run(rule, POD_REFS, OBJECTS) == []


def test_every_reference_of_a_cronjob_is_reported_where_it_is_written() -> None:
    base = "spec.jobTemplate.spec.template.spec"
    got = {rule: where(run(rule, POD_REFS)) for rule in POD_REF_RULES}
    assert got == {
        "missing-configmap": [
            ("f0.yaml", 38, f"{base}.volumes[0].configMap.name"),
            ("f0.yaml", 24, f"{base}.initContainers[0].env[0].valueFrom.configMapKeyRef.name"),
        ],
        "missing-secret": [
            ("f0.yaml", 46, f"{base}.volumes[2].projected.sources[0].secret.name"),
            ("f0.yaml", 31, f"{base}.containers[0].envFrom[0].secretRef.name"),
            ("f0.yaml", 16, f"{base}.imagePullSecrets[0].name"),
        ],
        "missing-pvc": [("f0.yaml", 52, f"{base}.volumes[3].persistentVolumeClaim.claimName")],
        "missing-service-account": [("f0.yaml", 13, f"{base}.serviceAccountName")],
        "missing-priority-class": [("f0.yaml", 14, f"{base}.priorityClassName")],
    }


def test_missing_messages_name_the_place_the_object_and_the_namespace() -> None:
    found = run("missing-configmap", POD_REFS)
    assert found[1].message == (
        'container "init" env MODE references ConfigMap "report-config", which does not exist'
        ' in namespace "shop"'
    )
    elsewhere = OBJECTS.replace(
        "name: shared-config\n  namespace: shop", "name: shared-config\n  namespace: ops"
    )
    found = run("missing-configmap", POD_REFS, elsewhere)
    assert [f.message.endswith('(the input has one in namespace "ops")') for f in found] == [True]


def test_external_declaration_satisfies_a_reference() -> None:
    external = (ObjectPattern("ConfigMap", "shared-config"),)
    found = run("missing-configmap", POD_REFS, external=external)
    assert [f.path.endswith("configMapKeyRef.name") for f in found] == [True]
    # globs in kind-wide patterns
    assert run("missing-secret", POD_REFS, external=(ObjectPattern("Secret", "*", "shop"),)) == []
    assert (
        len(run("missing-secret", POD_REFS, external=(ObjectPattern("Secret", "*", "ops"),))) == 3
    )


def test_secrets_made_by_well_known_controllers_exist() -> None:
    producers = """\
    apiVersion: cert-manager.io/v1
    kind: Certificate
    metadata:
      name: report
      namespace: shop
    spec:
      secretName: tls
      issuerRef:
        name: letsencrypt
    ---
    apiVersion: external-secrets.io/v1
    kind: ExternalSecret
    metadata:
      name: report-secrets
      namespace: shop
    spec:
      secretStoreRef:
        name: vault
    ---
    apiVersion: bitnami.com/v1alpha1
    kind: SealedSecret
    metadata:
      name: registry
      namespace: shop
    """
    assert run("missing-secret", POD_REFS, producers) == []
    no_create = producers.replace(
        "      secretStoreRef:",
        "      target:\n        creationPolicy: None\n      secretStoreRef:",
    )
    found = run("missing-secret", POD_REFS, textwrap.dedent(no_create))
    assert [f.path.endswith("secretRef.name") for f in found] == [True]


def test_statefulset_claim_templates_are_not_missing_claims() -> None:
    statefulset = """\
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: db
    spec:
      serviceName: db
      selector:
        matchLabels:
          app: db
      template:
        metadata:
          labels:
            app: db
        spec:
          containers:
            - name: db
              image: postgres:17
          volumes:
            - name: data
              persistentVolumeClaim:
                claimName: replaced-by-the-template
      volumeClaimTemplates:
        - metadata:
            name: data
          spec:
            accessModes: [ReadWriteOnce]
            resources:
              requests:
                storage: 1Gi
    """
    backup = """\
    apiVersion: v1
    kind: Pod
    metadata:
      name: backup
    spec:
      containers:
        - name: backup
          image: postgres:17
      volumes:
        - name: a
          persistentVolumeClaim:
            claimName: data-db-0
        - name: b
          persistentVolumeClaim:
            claimName: data-db-x
        - name: c
          persistentVolumeClaim:
            claimName: data-web-0
    """
    found = run("missing-pvc", statefulset, backup)
    assert where(found) == [
        ("f1.yaml", 15, "spec.volumes[1].persistentVolumeClaim.claimName"),
        ("f1.yaml", 18, "spec.volumes[2].persistentVolumeClaim.claimName"),
    ]


def test_service_account_default_and_deprecated_alias() -> None:
    pod = """\
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      namespace: shop
    spec:
      {field}
      containers:
        - name: web
          image: nginx:1.27
    """
    assert run("missing-service-account", pod.format(field="serviceAccountName: default")) == []
    found = run("missing-service-account", pod.format(field="serviceAccount: web"))
    assert where(found) == [("f0.yaml", 7, "spec.serviceAccount")]
    both = pod.format(field="serviceAccountName: default\n  serviceAccount: web")
    assert run("missing-service-account", both) == []  # serviceAccountName wins


def test_system_priority_classes_exist() -> None:
    pod = POD_REFS.replace("batch-low", "system-cluster-critical")
    assert run("missing-priority-class", pod) == []


# ---------------------------------------------------------------------------------------------
# HPA, PDB, NetworkPolicy

HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
  namespace: shop
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: {kind}
    name: web
  minReplicas: 2
  maxReplicas: 4
"""


def test_hpa_target_in_another_file() -> None:
    assert run("hpa-target-missing", HPA.format(kind="Deployment"), DEPLOYMENT) == []
    found = run("hpa-target-missing", HPA.format(kind="StatefulSet"), DEPLOYMENT)
    assert where(found) == [("f0.yaml", 10, "spec.scaleTargetRef.name")]
    assert 'StatefulSet "web"' in found[0].message
    external = (ObjectPattern("Rollout", "web", "shop"),)
    assert run("hpa-target-missing", HPA.format(kind="Rollout"), external=external) == []


PDB = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: shop
spec:
  maxUnavailable: 1
"""


def test_pdb_selectors() -> None:
    def pdb(selector: str) -> str:
        return PDB + selector

    assert (
        run(
            "pdb-selects-nothing",
            pdb("  selector:\n    matchLabels:\n      app: web\n"),
            DEPLOYMENT,
        )
        == []
    )
    assert run("pdb-selects-nothing", pdb("  selector: {}\n"), DEPLOYMENT) == []
    expressions = (
        "  selector:\n    matchExpressions:\n      - key: tier\n        operator: NotIn\n"
        "        values: [front]\n"
    )
    found = run("pdb-selects-nothing", pdb(expressions), DEPLOYMENT)
    assert where(found) == [("f0.yaml", 8, "spec.selector")]
    # FormatLabelSelector (meta/v1/helpers.go, labels/selector.go): as kubectl describe shows it
    assert "selector tier notin (front) matches" in found[0].message
    two = "  selector:\n    matchLabels: {tier: front, app: api}\n"
    (found,) = run("pdb-selects-nothing", pdb(two), DEPLOYMENT)
    assert "selector app=api,tier=front matches the pod labels of no workload" in found.message
    found = run("pdb-selects-nothing", PDB, DEPLOYMENT)
    assert where(found) == [("f0.yaml", 6, "spec.selector")] and "null" in found[0].message
    v1beta1 = pdb("  selector: {}\n").replace("policy/v1", "policy/v1beta1")
    assert len(run("pdb-selects-nothing", v1beta1, DEPLOYMENT)) == 1


NETPOL = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny
  namespace: shop
spec:
  podSelector: {selector}
  policyTypes: [Ingress]
"""


def test_networkpolicy_selectors() -> None:
    assert run("networkpolicy-selects-nothing", NETPOL.format(selector="{}"), DEPLOYMENT) == []
    found = run("networkpolicy-selects-nothing", NETPOL.format(selector="{}"))
    assert where(found) == [("f0.yaml", 7, "spec.podSelector")]
    assert "has no workload" in found[0].message
    tier = "{matchLabels: {tier: front}}"
    assert run("networkpolicy-selects-nothing", NETPOL.format(selector=tier), DEPLOYMENT) == []
    missing = "{matchExpressions: [{key: tier, operator: In, values: [back]}]}"
    assert (
        len(run("networkpolicy-selects-nothing", NETPOL.format(selector=missing), DEPLOYMENT)) == 1
    )


# ---------------------------------------------------------------------------------------------
# RBAC bindings

BINDING = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata:
  name: web
  {namespace}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: {role_kind}
  name: {role}
subjects:
  - kind: ServiceAccount
    name: {subject}
    {subject_ns}
"""


def binding(
    kind: str = "RoleBinding",
    role_kind: str = "Role",
    role: str = "reader",
    subject: str = "web",
    subject_ns: str = "",
) -> str:
    namespace = "namespace: shop" if kind == "RoleBinding" else ""
    return BINDING.format(
        kind=kind,
        namespace=namespace,
        role_kind=role_kind,
        role=role,
        subject=subject,
        subject_ns=f"namespace: {subject_ns}" if subject_ns else "",
    )


ROLE_AND_SA = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
  namespace: shop
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get]
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  namespace: shop
"""


def test_role_binding_resolves_role_and_subject_across_files() -> None:
    assert run("rolebinding-role-missing", binding(), ROLE_AND_SA) == []
    assert run("rolebinding-subject-missing", binding(), ROLE_AND_SA) == []


def test_role_is_looked_up_in_the_binding_namespace() -> None:
    other = ROLE_AND_SA.replace("namespace: shop", "namespace: other")
    found = run("rolebinding-role-missing", binding(), other)
    assert where(found) == [("f0.yaml", 9, "roleRef.name")]
    assert 'Role "reader" does not exist in namespace "shop"' in found[0].message


@pytest.mark.parametrize("role", ["view", "cluster-admin", "system:auth-delegator"])
def test_default_cluster_roles_exist(role: str) -> None:
    assert run("rolebinding-role-missing", binding("ClusterRoleBinding", "ClusterRole", role)) == []


def test_cluster_role_binding_to_a_role_is_invalid() -> None:
    found = run("rolebinding-role-missing", binding("ClusterRoleBinding"), ROLE_AND_SA)
    assert where(found) == [("f0.yaml", 8, "roleRef.kind")]


def test_subject_namespace_defaults_to_the_binding_namespace() -> None:
    found = run("rolebinding-subject-missing", binding(subject_ns="ops"), ROLE_AND_SA)
    assert where(found) == [("f0.yaml", 12, "subjects[0].name")]
    assert (
        '"ops"' in found[0].message and 'the input has one in namespace "shop"' in found[0].message
    )
    crb = binding("ClusterRoleBinding", "ClusterRole", "view")
    found = run("rolebinding-subject-missing", crb, ROLE_AND_SA)
    assert where(found) == [("f0.yaml", 11, "subjects[0]")] and "no namespace" in found[0].message
    default = binding("ClusterRoleBinding", "ClusterRole", "view", "default", "kube-system")
    assert run("rolebinding-subject-missing", default) == []
    external = (ObjectPattern("ServiceAccount", "web", "ops"),)
    assert run("rolebinding-subject-missing", binding(subject_ns="ops"), external=external) == []


# ---------------------------------------------------------------------------------------------
# RBAC lint


def role(rules: str, kind: str = "ClusterRole", extra: str = "") -> str:
    namespace = "  namespace: shop\n" if kind == "Role" else ""
    return (
        f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: r\n"
        f"{namespace}{extra}rules:\n{textwrap.indent(textwrap.dedent(rules), '  ')}"
    )


ADMIN_LIKE = """\
- apiGroups: ["*"]
  resources: ["*"]
  verbs: ["*"]
"""

RBAC_RULES = (
    "rbac-wildcard",
    "rbac-escalation-verbs",
    "rbac-secrets-access",
    "rbac-pod-exec",
    "rbac-create-pods",
    "rbac-webhook-or-csr-control",
    "rbac-token-create",
)


@pytest.mark.parametrize("rule", RBAC_RULES)
def test_star_on_star_grants_every_risky_permission(rule: str) -> None:
    found = run(rule, role(ADMIN_LIKE))
    assert found, rule
    if rule != "rbac-wildcard":
        assert where(found) == [("f0.yaml", 8, "rules[0].verbs[0]")]
        assert '(through "*" in verbs, apiGroups, resources)' in found[0].message


def test_wildcard_points_at_each_star() -> None:
    found = run("rbac-wildcard", role(ADMIN_LIKE))
    assert where(found) == [
        ("f0.yaml", 8, "rules[0].verbs[0]"),
        ("f0.yaml", 6, "rules[0].apiGroups[0]"),
        ("f0.yaml", 7, "rules[0].resources[0]"),
    ]
    subresource = run(
        "rbac-wildcard", role('- apiGroups: [apps]\n  resources: ["*/scale"]\n  verbs: [update]\n')
    )
    assert len(subresource) == 1 and '"*/scale"' in subresource[0].message


def test_aggregated_cluster_role_rules_are_not_checked() -> None:
    aggregated = role(
        ADMIN_LIKE,
        extra="aggregationRule:\n  clusterRoleSelectors:\n    - matchLabels:\n        x: 'true'\n",
    )
    for rule in RBAC_RULES:
        assert run(rule, aggregated) == [], rule


def test_resources_match_exactly_or_by_star_subresource() -> None:
    exec_any = '- apiGroups: [""]\n  resources: ["*/exec"]\n  verbs: [create]\n'
    assert len(run("rbac-pod-exec", role(exec_any))) == 1
    # `pods/*` is a literal resource name for RBAC, not a glob
    literal = '- apiGroups: [""]\n  resources: ["pods/*", pods]\n  verbs: [create, get]\n'
    assert run("rbac-pod-exec", role(literal)) == []
    # secrets of another API group are not core secrets
    other_group = "- apiGroups: [apps]\n  resources: [secrets]\n  verbs: [get]\n"
    assert run("rbac-secrets-access", role(other_group)) == []
    node_proxy = '- apiGroups: [""]\n  resources: [nodes/proxy]\n  verbs: [get]\n'
    found = run("rbac-pod-exec", role(node_proxy))
    assert len(found) == 1 and "kubelet API" in found[0].message


def test_secrets_access_scope_and_resource_names() -> None:
    rules = '- apiGroups: [""]\n  resources: [secrets]\n  verbs: [list]\n'
    found = run("rbac-secrets-access", role(rules))
    assert "in every namespace when bound by a ClusterRoleBinding" in found[0].message
    found = run("rbac-secrets-access", role(rules, "Role"))
    assert 'in namespace "shop"' in found[0].message
    named = '- apiGroups: [""]\n  resources: [secrets]\n  resourceNames: [tls]\n  verbs: [get]\n'
    assert run("rbac-secrets-access", role(named)) == []


def test_escalation_verbs() -> None:
    bind_view = (
        "- apiGroups: [rbac.authorization.k8s.io]\n  resources: [clusterroles]\n"
        "  resourceNames: [view]\n  verbs: [bind]\n"
    )
    assert run("rbac-escalation-verbs", role(bind_view)) == []
    impersonate = '- apiGroups: [""]\n  resources: [users, groups]\n  verbs: [impersonate]\n'
    found = run("rbac-escalation-verbs", role(impersonate))
    assert where(found) == [("f0.yaml", 8, "rules[0].verbs[0]")]
    assert "impersonate on users, groups" in found[0].message
    extras = "- apiGroups: [authentication.k8s.io]\n  resources: [userextras/scopes]\n  verbs: [impersonate]\n"
    assert len(run("rbac-escalation-verbs", role(extras))) == 1
    # bind on something that is not a role grants nothing
    odd = '- apiGroups: [""]\n  resources: [configmaps]\n  verbs: [bind]\n'
    assert run("rbac-escalation-verbs", role(odd)) == []


def test_webhook_and_csr_control() -> None:
    approve = (
        "- apiGroups: [certificates.k8s.io]\n  resources: [certificatesigningrequests/approval]\n"
        "  verbs: [update]\n- apiGroups: [certificates.k8s.io]\n  resources: [signers]\n"
        "  verbs: [approve]\n"
    )
    found = run("rbac-webhook-or-csr-control", role(approve))
    assert [f.path for f in found] == ["rules[0].verbs[0]", "rules[1].verbs[0]"]
    read_only = (
        "- apiGroups: [admissionregistration.k8s.io]\n"
        "  resources: [validatingwebhookconfigurations]\n  verbs: [get, list, watch]\n"
    )
    assert run("rbac-webhook-or-csr-control", role(read_only)) == []


def test_create_pods_is_off_by_default_and_covers_controllers() -> None:
    assert load_rules()["rbac-create-pods"].meta.enabled is False
    rules = "- apiGroups: [batch]\n  resources: [cronjobs]\n  verbs: [create]\n"
    assert len(run("rbac-create-pods", role(rules, "Role"))) == 1
    legacy = "- apiGroups: [extensions]\n  resources: [deployments]\n  verbs: [create]\n"
    assert run("rbac-create-pods", role(legacy, "Role")) == []  # extensions is not served


def test_token_create() -> None:
    rules = '- apiGroups: [""]\n  resources: [serviceaccounts/token]\n  verbs: [create]\n'
    assert len(run("rbac-token-create", role(rules))) == 1
    named = rules.replace("  verbs:", "  resourceNames: [builder]\n  verbs:")
    assert run("rbac-token-create", role(named)) == []


def test_cluster_admin_binding_in_a_namespace() -> None:
    found = run(
        "rbac-cluster-admin-binding", binding("RoleBinding", "ClusterRole", "cluster-admin")
    )
    assert where(found) == [("f0.yaml", 9, "roleRef.name")]
    assert 'full control of namespace "shop"' in found[0].message
    assert "ServiceAccount web" in found[0].message
    assert run("rbac-cluster-admin-binding", binding("RoleBinding", "ClusterRole", "admin")) == []


# ---------------------------------------------------------------------------------------------
# robustness

GARBAGE = """\
apiVersion: v1
kind: Service
metadata:
  name: s
spec:
  selector: [a]
  ports: {a: 1}
---
apiVersion: v1
kind: Service
metadata:
  name: t
spec:
  selector:
    app: 1
  ports:
    - 80
    - port: x
      targetPort: [1]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    metadata:
      labels: [x]
    spec:
      volumes: {a: b}
      imagePullSecrets: [1, {name: 2}]
      containers:
        - name: c
          ports: [1, {name: [x]}]
          env: [{valueFrom: 1}, {valueFrom: {secretKeyRef: 1}}]
          envFrom: [1]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: i
spec:
  defaultBackend: {service: {name: 1, port: 1}}
  rules: [1, {http: {paths: [1, {backend: 1}]}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: r
spec:
  rules: [{backendRefs: [1, {name: x, port: "80"}], filters: [1]}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: p
spec:
  selector: {matchLabels: [1], matchExpressions: [1]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: n
spec:
  podSelector: [1]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: h
spec:
  scaleTargetRef: [1]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: b
roleRef: [1]
subjects: [1, {kind: ServiceAccount, name: [1]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: c
rules: [1, {verbs: "*", resources: 1, apiGroups: [1, "*"]}, {verbs: [1, "*"]}]
"""


@pytest.mark.parametrize(
    "rule",
    sorted(
        r
        for r, x in load_rules().items()
        if x.meta.category in ("reference",) or r.startswith("rbac-")
    ),
)
def test_malformed_bodies_never_raise(rule: str) -> None:
    run(rule, GARBAGE)  # `run` asserts no rule-error
