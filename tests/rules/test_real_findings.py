"""Findings that stay right on manifests shaped like real repositories' (vendor installs,
operators, samples): what kubeplan cannot see is not proof it is missing, literal env values
that are not secrets, advice that does not break a controller, Gateway API scope, Secret data
that the API server refuses, and removed kinds.

Each test writes its manifests to tmp_path and runs the CLI on them.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from tests.conftest import findings


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def of_rule(found: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    return [f for f in found if f["rule"] == rule]


CONTROLLER = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: operator
  namespace: ops
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: operator
  namespace: ops
spec:
  selector:
    matchLabels: {app: operator}
  template:
    metadata:
      labels: {app: operator}
    spec:
      serviceAccountName: operator
      containers:
        - name: manager
          image: example.com/operator:1.0
"""

BINDING = """\
---
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata:
  name: operator
  {namespace}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
  - kind: ServiceAccount
    name: operator
    {subject_namespace}
"""


def test_a_bound_service_account_is_not_told_to_switch_its_token_off(tmp_path: Path) -> None:
    rule = "service-account-token-automounted"
    alone = write(tmp_path, "alone.yaml", CONTROLLER)
    (finding,) = of_rule(findings("check", alone), rule)
    assert finding["resource"]["name"] == "operator"
    for kind, namespace, subject_namespace in (
        ("ClusterRoleBinding", "", "namespace: ops"),
        ("RoleBinding", "namespace: ops", ""),  # the subject's namespace is the binding's
        ("RoleBinding", "namespace: other", "namespace: ops"),
    ):
        text = CONTROLLER + BINDING.format(
            kind=kind, namespace=namespace, subject_namespace=subject_namespace
        )
        path = write(tmp_path, "bound.yaml", text)
        assert of_rule(findings("check", path), rule) == [], (kind, namespace)
    # A RoleBinding in another namespace without a subject namespace binds that namespace's
    # "operator", not this one: the advice stands.
    text = CONTROLLER + BINDING.format(
        kind="RoleBinding", namespace="namespace: other", subject_namespace=""
    )
    path = write(tmp_path, "elsewhere.yaml", text)
    assert len(of_rule(findings("check", path), rule)) == 1


ENV_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
    - name: app
      image: example.com/app:1.0
      env:
{env}
"""


def env_findings(tmp_path: Path, env: str) -> list[dict[str, Any]]:
    text = ENV_POD.format(env=textwrap.indent(textwrap.dedent(env), "        "))
    return of_rule(findings("check", write(tmp_path, "pod.yaml", text)), "secret-in-env")


def test_secret_in_env_judges_the_value_not_only_the_name(tmp_path: Path) -> None:
    # Shapes from real repositories: a language model server's token limits, the mysql image's
    # flags, numbers and booleans, empty values and references.
    assert (
        env_findings(
            tmp_path,
            """\
            - name: MAX_TOTAL_TOKENS
              value: '2048'
            - name: MAX_NEW_TOKENS
              value: "512"
            - name: TOKEN_LIMIT
              value: "4k"
            - name: MYSQL_ALLOW_EMPTY_PASSWORD
              value: "yes"
            - name: MYSQL_RANDOM_ROOT_PASSWORD
              value: "1"
            - name: SECRET_ROTATION
              value: "3600"
            - name: PASSWORD_MIN
              value: "12"
            - name: DB_PASSWORD
              value: ""
            - name: API_TOKEN
              value: "true"
            - name: API_KEY
              valueFrom:
                secretKeyRef: {name: api, key: key, optional: true}
            """,
        )
        == []
    )
    found = env_findings(
        tmp_path,
        """\
        - name: MAX_TOTAL_TOKENS
          value: '2048'
        - name: DB_PASSWORD
          value: hunter2
        - name: GITHUB_TOKEN
          value: ghp_abc123
        """,
    )
    assert [f["path"] for f in found] == [
        "spec.containers[0].env[1].value",
        "spec.containers[0].env[2].value",
    ]
    assert found[0]["line"] == 13 and found[0]["severity"] == "error"


WEBHOOK = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: controller
  namespace: ingress
spec:
  selector:
    matchLabels: {app: controller}
  template:
    metadata:
      labels: {app: controller}
    spec:
      containers:
        - name: controller
          image: example.com/controller:1.0
          volumeMounts:
            - {name: webhook-cert, mountPath: /usr/local/certificates/}
      volumes:
        - name: webhook-cert
          secret:
            secretName: controller-admission
"""

DUMP = """\
apiVersion: v1
kind: Secret
metadata:
  name: other
  namespace: ingress
  uid: 0b7f6a44-6c1b-4e6e-9c52-1c4b8f0a5a11
  resourceVersion: "4711"
  creationTimestamp: "2026-01-01T00:00:00Z"
type: Opaque
data:
  key: dmFsdWU=
"""


def test_a_secret_made_at_runtime_is_a_warning_unless_a_dump_shows_the_namespace(
    tmp_path: Path,
) -> None:
    # ingress-nginx's admission Job (kube-webhook-certgen) creates the Secret the controller
    # mounts: the input cannot show it, so its absence is no proof.
    manifests = write(tmp_path, "deploy.yaml", WEBHOOK)
    (finding,) = of_rule(findings("check", manifests), "missing-secret")
    assert (finding["severity"], finding["line"]) == ("warning", 21)
    assert 'Secret "controller-admission"' in finding["message"]
    # A live dump of the namespace's Secrets (read with --context) shows every Secret there.
    dump = write(tmp_path, "dump.yaml", DUMP)
    (finding,) = of_rule(findings("check", manifests, "--context", dump), "missing-secret")
    assert finding["severity"] == "error"
    # A dump of another namespace says nothing about this one.
    other = write(tmp_path, "other.yaml", DUMP.replace("namespace: ingress", "namespace: x"))
    (finding,) = of_rule(findings("check", manifests, "--context", other), "missing-secret")
    assert finding["severity"] == "warning"


def test_missing_references_are_warnings_and_the_config_severity_still_wins(
    tmp_path: Path,
) -> None:
    text = WEBHOOK.replace(
        "      containers:",
        "      serviceAccountName: controller\n      priorityClassName: high\n      containers:",
    )
    manifests = write(tmp_path, "deploy.yaml", text)
    found = findings("check", manifests)
    severities = {f["rule"]: f["severity"] for f in found if f["rule"].startswith("missing-")}
    assert severities == {
        "missing-secret": "warning",
        "missing-service-account": "warning",
        "missing-priority-class": "warning",
    }
    config = write(tmp_path, "kubeplan.yaml", "rules:\n  missing-secret: error\n")
    found = findings("check", manifests, "--config", config)
    assert [f["severity"] for f in of_rule(found, "missing-secret")] == ["error"]


def test_the_controller_service_accounts_of_kube_system_exist(tmp_path: Path) -> None:
    # A vendor install that binds a role to kube-controller-manager's own ServiceAccounts
    # (kube-prometheus, cloud controllers) references objects every cluster has.
    text = """\
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      name: extra
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
    subjects:
      - {kind: ServiceAccount, name: generic-garbage-collector, namespace: kube-system}
      - {kind: ServiceAccount, name: horizontal-pod-autoscaler, namespace: kube-system}
      - {kind: ServiceAccount, name: no-such-controller, namespace: kube-system}
    """
    found = of_rule(
        findings("check", write(tmp_path, "crb.yaml", text)), "rolebinding-subject-missing"
    )
    assert [f["path"] for f in found] == ["subjects[2].name"]


CERTGEN = """\
---
apiVersion: batch/v1
kind: Job
metadata:
  name: admission-create
  namespace: ingress
spec:
  template:
    spec:
      restartPolicy: OnFailure
      containers:
        - name: create
          image: registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.0
          args:
            - create
            - --host=controller-admission,controller-admission.$(POD_NAMESPACE).svc
            - --namespace=$(POD_NAMESPACE)
            - --secret-name=controller-admission
"""


def test_the_hint_names_the_program_given_the_missing_name(tmp_path: Path) -> None:
    manifests = write(tmp_path, "deploy.yaml", WEBHOOK + CERTGEN)
    (finding,) = of_rule(findings("check", manifests), "missing-secret")
    assert finding["severity"] == "warning"
    assert finding["message"].endswith(
        '(container "create" of Job admission-create passes the name to its program, which'
        " may create it at runtime)"
    )


SHIM_INGRESS = """\
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: ingress
  annotations:
    {annotation}
spec:
  tls:
    - hosts: [example.com]
      secretName: controller-admission
  rules:
    - host: example.com
"""

SHIM_GATEWAY = """\
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: web
  namespace: ingress
  annotations:
    cert-manager.io/cluster-issuer: letsencrypt
spec:
  gatewayClassName: example
  listeners:
    - name: https
      hostname: example.com
      port: 443
      protocol: HTTPS
      tls:
        mode: Terminate
        certificateRefs:
          - name: controller-admission
"""


def test_secrets_cert_manager_makes_for_annotated_ingresses_and_gateways(
    tmp_path: Path,
) -> None:
    for extra in (
        SHIM_INGRESS.format(annotation="cert-manager.io/cluster-issuer: letsencrypt"),
        SHIM_INGRESS.format(annotation="cert-manager.io/issuer: ca"),
        SHIM_INGRESS.format(annotation='kubernetes.io/tls-acme: "true"'),
        SHIM_GATEWAY,
    ):
        manifests = write(tmp_path, "deploy.yaml", WEBHOOK + extra)
        assert of_rule(findings("check", manifests), "missing-secret") == [], extra
    # Without the annotation cert-manager leaves the Ingress alone.
    plain = SHIM_INGRESS.format(annotation="example.com/owner: web")
    manifests = write(tmp_path, "deploy.yaml", WEBHOOK + plain)
    assert len(of_rule(findings("check", manifests), "missing-secret")) == 1


GATEWAY_API = """\
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: example
  namespace: ignored
spec:
  controllerName: example.com/gateway-controller
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: web
spec:
  gatewayClassName: example
  listeners:
    - {name: http, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web
spec:
  parentRefs:
    - name: web
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web
  namespace: default
spec:
  parentRefs:
    - name: web
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata:
  name: from-routes
  namespace: other
spec:
  from:
    - {group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default}
  to:
    - {group: "", kind: Service}
"""


def test_gateway_api_kinds_are_scoped_without_their_crds(tmp_path: Path) -> None:
    path = write(tmp_path, "gateway.yaml", GATEWAY_API)
    found = findings("check", path)
    scopes = {
        (f["resource"]["kind"], f["line"]): f["resource"]["namespace"]
        for f in of_rule(found, "unknown-kind")
    }
    assert scopes == {
        ("GatewayClass", 2): None,  # cluster-scoped: its namespace is dropped
        ("Gateway", 10): "default",
        ("HTTPRoute", 19): "default",
        ("HTTPRoute", 27): "default",
        ("ReferenceGrant", 36): "other",
    }
    # The route without a namespace is the same object as the one in "default".
    (duplicate,) = of_rule(found, "duplicate-resource")
    assert duplicate["line"] == 29
    # kubectl apply -n shop puts the Gateway and routes in "shop" and refuses the others.
    found = findings("check", "-n", "shop", path)
    assert {f["line"] for f in of_rule(found, "namespace-mismatch")} == {30, 39}


PSP = """\
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: restricted
spec:
  privileged: false
  seLinux: {rule: RunAsAny}
  runAsUser: {rule: MustRunAsNonRoot}
  supplementalGroups: {rule: RunAsAny}
  fsGroup: {rule: RunAsAny}
  volumes: ['*']
"""


def test_a_removed_kind_is_an_error_in_validate_and_check_never_an_unknown_kind(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "psp.yaml", PSP)
    for command in ("validate", "check"):
        for version in ("1.25", "1.37"):
            found = findings(command, "-k", version, path)
            assert [f["severity"] for f in found] == ["error"], (command, version, found)
            assert found[0]["rule"] in ("api-version-not-served", "removed-api")
            assert "removed in" in found[0]["message"] and found[0]["line"] == 1
