"""The Kubernetes documentation's ValidatingAdmissionPolicy examples, on real YAML read by
kubeplan's loader (kubernetes/website content/en/examples/validatingadmissionpolicy/*.yaml and
docs/reference/access-authn-authz/validating-admission-policy.md, release-1.30 to 1.34), with
the API server's texts the page quotes."""

from __future__ import annotations

from pathlib import Path

from vapcase import deployment, read, request

from kubeplan.admission.vap import evaluate

BASIC = """
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: "demo-policy.example.com"
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  validations:
    - expression: "object.spec.replicas <= 5"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: "demo-binding-test.example.com"
spec:
  policyName: "demo-policy.example.com"
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels:
        environment: test
"""

WITH_PARAM = """
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: "replicalimit-policy.example.com"
spec:
  failurePolicy: Fail
  paramKind:
    apiVersion: rules.example.com/v1
    kind: ReplicaLimit
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  validations:
    - expression: "object.spec.replicas <= params.maxReplicas"
      messageExpression: "'object.spec.replicas must be no greater than ' + string(params.maxReplicas)"
      reason: Invalid
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: "replicalimit-binding-test.example.com"
spec:
  policyName: "replicalimit-policy.example.com"
  validationActions: [Deny]
  paramRef:
    name: "replica-limit-test.example.com"
    namespace: "default"
    parameterNotFoundAction: Deny
  matchResources:
    namespaceSelector:
      matchLabels:
        environment: test
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: "replicalimit-binding-nontest"
spec:
  policyName: "replicalimit-policy.example.com"
  validationActions: [Deny]
  paramRef:
    name: "replica-limit-prod.example.com"
    namespace: "default"
    parameterNotFoundAction: Deny
  matchResources:
    namespaceSelector:
      matchExpressions:
      - key: environment
        operator: NotIn
        values:
        - test
---
apiVersion: rules.example.com/v1
kind: ReplicaLimit
metadata:
  name: "replica-limit-test.example.com"
  namespace: "default"
maxReplicas: 3
---
apiVersion: rules.example.com/v1
kind: ReplicaLimit
metadata:
  name: "replica-limit-prod.example.com"
  namespace: "default"
maxReplicas: 100
"""

AUDIT = """
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: "demo-policy.example.com"
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  validations:
    - expression: "object.spec.replicas > 50"
      messageExpression: "'Deployment spec.replicas set to ' + string(object.spec.replicas)"
  auditAnnotations:
    - key: "high-replica-count"
      valueExpression: "'Deployment spec.replicas set to ' + string(object.spec.replicas)"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: "demo-binding-test.example.com"
spec:
  policyName: "demo-policy.example.com"
  validationActions: [Warn, Audit]
"""

MATCH_CONDITIONS = """
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: "demo-policy.example.com"
spec:
  matchConstraints:
    resourceRules:
      - apiGroups:   ["*"]
        apiVersions: ["*"]
        operations:  ["CREATE", "UPDATE"]
        resources:   ["*"]
  matchConditions:
    - name: 'exclude-leases' # Each match condition must have a unique name
      expression: '!(request.resource.group == "coordination.k8s.io" && request.resource.resource == "leases")' # Match non-lease resources.
    - name: 'exclude-kubelet-requests'
      expression: '!("system:nodes" in request.userInfo.groups)' # Match requests made by non-node users.
    - name: 'rbac' # Skip RBAC requests.
      expression: 'request.resource.group != "rbac.authorization.k8s.io"'
  validations:
    - expression: "!object.metadata.name.contains('demo') || object.metadata.namespace == 'demo'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: "demo-binding"
spec:
  policyName: "demo-policy.example.com"
  validationActions: [Deny]
"""

VARIABLES = """
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: "image-matches-namespace-environment.policy.example.com"
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  variables:
  - name: environment
    expression: "'environment' in namespaceObject.metadata.labels ? namespaceObject.metadata.labels['environment'] : 'prod'"
  - name: exempt
    expression: "'exempt' in namespaceObject.metadata.labels && namespaceObject.metadata.labels['exempt'] == 'true'"
  - name: containers
    expression: "object.spec.template.spec.containers"
  - name: containersToCheck
    expression: "variables.containers.filter(c, c.image.contains('example.com/'))"
  validations:
  - expression: "variables.exempt || variables.containersToCheck.all(c, c.image.startsWith(variables.environment + '.'))"
    messageExpression: "'only ' + variables.environment + ' images are allowed in namespace ' + namespaceObject.metadata.name"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: "image-binding"
spec:
  policyName: "image-matches-namespace-environment.policy.example.com"
  validationActions: [Deny]
"""


def outcome_texts(outcomes: list) -> list[tuple[str, str]]:
    return [(o.action, o.message) for o in outcomes]


def test_basic_example_denies_in_a_test_namespace_only(tmp_path: Path) -> None:
    policies = read(tmp_path, BASIC)
    req = request(deployment(6))
    denied = evaluate(
        policies, req, namespace_labels={"environment": "test"}, namespace_object=None
    )
    assert outcome_texts(denied) == [
        (
            "Deny",
            "ValidatingAdmissionPolicy 'demo-policy.example.com' with binding"
            " 'demo-binding-test.example.com' denied request: failed expression:"
            " object.spec.replicas <= 5",
        )
    ]
    assert denied[0].path == ("spec", "replicas") and denied[0].expression_index == 0
    other = {"environment": "prod"}
    assert evaluate(policies, req, namespace_labels=other, namespace_object=None) == []
    five = request(deployment(5))
    assert (
        evaluate(policies, five, namespace_labels={"environment": "test"}, namespace_object=None)
        == []
    )


def test_param_binding_per_environment(tmp_path: Path) -> None:
    policies = read(tmp_path, WITH_PARAM)
    req = request(deployment(4))
    test_ns = evaluate(
        policies, req, namespace_labels={"environment": "test"}, namespace_object=None
    )
    assert outcome_texts(test_ns) == [
        (
            "Deny",
            "ValidatingAdmissionPolicy 'replicalimit-policy.example.com' with binding"
            " 'replicalimit-binding-test.example.com' denied request: object.spec.replicas must"
            " be no greater than 3",
        )
    ]
    prod = evaluate(policies, req, namespace_labels={"environment": "prod"}, namespace_object=None)
    assert prod == []
    big = request(deployment(101))
    prod_big = evaluate(policies, big, namespace_labels={}, namespace_object=None)
    assert [o.binding for o in prod_big] == ["replicalimit-binding-nontest"]


def test_param_not_found_with_deny_is_a_configuration_error(tmp_path: Path) -> None:
    text = WITH_PARAM.replace(
        'name: "replica-limit-test.example.com"\n  namespace', 'name: "gone"\n  namespace'
    )
    policies = read(tmp_path, text)
    out = evaluate(policies, request(deployment(1)), namespace_labels={"environment": "test"},
                   namespace_object=None)  # fmt: skip
    assert outcome_texts(out) == [
        (
            "Deny",
            "ValidatingAdmissionPolicy 'replicalimit-policy.example.com' with binding"
            " 'replicalimit-binding-test.example.com' denied request: failed to configure"
            " binding: no params found for policy binding with `Deny` parameterNotFoundAction",
        )
    ]
    assert out[0].error
    allow = read(
        tmp_path, text.replace("parameterNotFoundAction: Deny", "parameterNotFoundAction: Allow")
    )
    assert evaluate(allow, request(deployment(1)), namespace_labels={"environment": "test"},
                    namespace_object=None) == []  # fmt: skip
    ignore = read(tmp_path, text.replace("failurePolicy: Fail", "failurePolicy: Ignore"))
    assert evaluate(ignore, request(deployment(1)), namespace_labels={"environment": "test"},
                    namespace_object=None) == []  # fmt: skip


def test_warn_and_audit_with_an_audit_annotation(tmp_path: Path) -> None:
    policies = read(tmp_path, AUDIT)
    out = evaluate(policies, request(deployment(3)), namespace_labels={}, namespace_object=None)
    message = "Deployment spec.replicas set to 3"
    assert outcome_texts(out) == [
        (
            "Warn",
            "Validation failed for ValidatingAdmissionPolicy 'demo-policy.example.com' with"
            f" binding 'demo-binding-test.example.com': {message}",
        ),
        (
            "Audit",
            'validation.policy.admission.k8s.io/validation_failure: [{"message":"' + message
            + '","policy":"demo-policy.example.com","binding":"demo-binding-test.example.com",'
            '"expressionIndex":0,"validationActions":["Warn","Audit"]}]',
        ),
        ("Audit", f"demo-policy.example.com/high-replica-count: {message}"),
    ]  # fmt: skip
    high = evaluate(policies, request(deployment(60)), namespace_labels={}, namespace_object=None)
    assert outcome_texts(high) == [
        ("Audit", "demo-policy.example.com/high-replica-count: Deployment spec.replicas set to 60")
    ]


def test_match_conditions_skip_node_requests(tmp_path: Path) -> None:
    policies = read(tmp_path, MATCH_CONDITIONS)
    obj = {**deployment(1), "metadata": {"name": "demo-web", "namespace": "team"}}
    out = evaluate(policies, request(obj), namespace_labels={}, namespace_object=None)
    assert [o.action for o in out] == ["Deny"]
    node = request(obj, groups=("system:nodes",))
    assert evaluate(policies, node, namespace_labels={}, namespace_object=None) == []
    in_demo = {**obj, "metadata": {"name": "demo-web", "namespace": "demo"}}
    assert evaluate(policies, request(in_demo), namespace_labels={}, namespace_object=None) == []


def namespace(name: str, **labels: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def with_image(image: str) -> dict:
    obj = deployment(1)
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = image
    return obj


def test_variables_and_namespace_object(tmp_path: Path) -> None:
    policies = read(tmp_path, VARIABLES)
    ns = namespace("team", environment="staging")

    def run(image: str, ns: dict = ns) -> list:
        labels = ns["metadata"]["labels"]
        return evaluate(policies, request(with_image(image)), namespace_labels=labels,
                        namespace_object=ns)  # fmt: skip

    assert run("staging.example.com/app:1") == []
    assert run("nginx:1.27") == []  # not an example.com image: not checked
    assert outcome_texts(run("prod.example.com/app:1")) == [
        (
            "Deny",
            "ValidatingAdmissionPolicy 'image-matches-namespace-environment.policy.example.com'"
            " with binding 'image-binding' denied request: only staging images are allowed in"
            " namespace team",
        )
    ]
    assert (
        run("prod.example.com/app:1", namespace("team", environment="staging", exempt="true")) == []
    )
