"""Service, ConfigMap and Secret as the API server validates them
(pkg/apis/core/validation/validation.go `ValidateService`, `validateServicePort`,
`ValidateConfigMap`, `ValidateSecret`), driven through `kubeplan validate` on manifests.

Service cases cite TestValidateServiceCreate (pkg/apis/core/validation/validation_test.go) by
name; each asserts the finding id, the API server's message and the line.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.conftest import findings

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - name: p
    port: 8675
    targetPort: 309
"""


def native(tmp_path: Path, text: str, *args: str) -> list[tuple[str, int, str, str]]:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    return [
        (f["rule"], f["line"], f["path"], f["message"])
        for f in findings("validate", str(path), *args)
        if f["rule"].startswith("api-")
    ]


def test_a_valid_service_has_no_finding(tmp_path: Path) -> None:
    # TestValidateServiceCreate "valid 1".
    assert native(tmp_path, SERVICE) == []


@pytest.mark.parametrize(
    ("case", "old", "new", "expected"),
    [
        (
            "invalid port name",
            "  - name: p\n",
            "  - name: INVALID\n",
            (
                "api-invalid",
                8,
                "spec.ports[0].name",
                'Invalid value: "INVALID": a lowercase RFC 1123 label must consist of lower case'
                " alphanumeric characters or '-', and must start and end with an alphanumeric"
                " character (e.g. 'my-name',  or '123-abc', regex used for validation is"
                " '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            ),
        ),
        (
            "invalid protocol",
            "    port: 8675\n",
            "    port: 8675\n    protocol: INVALID\n",
            (
                "api-unsupported",
                10,
                "spec.ports[0].protocol",
                'Unsupported value: "INVALID": supported values: "SCTP", "TCP", "UDP"',
            ),
        ),
        (
            "invalid port",
            "    port: 8675\n",
            "    port: 65536\n",
            (
                "api-invalid",
                9,
                "spec.ports[0].port",
                "Invalid value: 65536: must be between 1 and 65535, inclusive",
            ),
        ),
        (
            "invalid TargetPort int",
            "    targetPort: 309\n",
            "    targetPort: 65536\n",
            (
                "api-invalid",
                10,
                "spec.ports[0].targetPort",
                "Invalid value: 65536: must be between 1 and 65535, inclusive",
            ),
        ),
        (
            "invalid publicIPs host",
            "  selector: {app: web}\n",
            "  selector: {app: web}\n  externalIPs: [myhost.mydomain]\n",
            (
                "api-invalid",
                7,
                "spec.externalIPs[0]",
                'Invalid value: "myhost.mydomain": must be a valid IP address, (e.g. 10.9.8.7'
                " or 2001:db8::ffff)",
            ),
        ),
        (
            "dup port name",
            "    targetPort: 309\n",
            "    targetPort: 309\n  - {name: p, port: 12345}\n",
            ("api-duplicate", 11, "spec.ports[1].name", 'Duplicate value: "p"'),
        ),
        (
            "nodePort with clusterIP type",
            "    targetPort: 309\n",
            "    targetPort: 309\n    nodePort: 30001\n",
            (
                "api-forbidden",
                11,
                "spec.ports[0].nodePort",
                "Forbidden: may not be used when `type` is 'ClusterIP'",
            ),
        ),
        (
            "invalid session affinity timeout",
            "  selector: {app: web}\n",
            "  selector: {app: web}\n  sessionAffinity: ClientIP\n"
            "  sessionAffinityConfig: {clientIP: {timeoutSeconds: 86401}}\n",
            (
                "api-invalid",
                8,
                "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                "Invalid value: 86401: must be greater than 0 and less than 86400",
            ),
        ),
        (
            "missing name with two ports",
            "  - name: p\n",
            "  - port: 80\n  - name: q\n",
            ("api-required", 8, "spec.ports[0].name", "Required value"),
        ),
    ],
)
def test_service_cases(
    tmp_path: Path, case: str, old: str, new: str, expected: tuple[str, int, str, str]
) -> None:
    text = SERVICE.replace(old, new, 1)
    assert text != SERVICE, case
    assert native(tmp_path, text) == [expected], case


def test_valid_load_balancer_udp(tmp_path: Path) -> None:
    # TestValidateServiceCreate "valid load balancer protocol UDP 1".
    text = SERVICE.replace("  ports:", "  type: LoadBalancer\n  ports:").replace(
        "    port: 8675\n", "    port: 8675\n    protocol: UDP\n"
    )
    assert native(tmp_path, text) == []


def test_headless_service_needs_no_ports(tmp_path: Path) -> None:
    # ValidateService: ports are required unless the Service is headless or ExternalName.
    text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  clusterIP: None\n"
    assert native(tmp_path, text) == []
    plain = text.replace("  clusterIP: None\n", "  selector: {app: db}\n")
    assert native(tmp_path, plain) == [("api-required", 5, "spec.ports", "Required value")]


def test_headless_node_port_service(tmp_path: Path) -> None:
    text = SERVICE.replace("  ports:", "  type: NodePort\n  clusterIP: None\n  ports:")
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            5,
            "spec.clusterIPs[0]",
            "Invalid value: \"None\": may not be set to 'None' for NodePort services",
        )
    ]


def test_external_name_required(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: ext\nspec:\n  type: ExternalName\n"
    assert native(tmp_path, text) == [("api-required", 5, "spec.externalName", "Required value")]
    ok = text + "  externalName: db.example.com.\n"
    assert native(tmp_path, ok) == []


CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n"


def test_config_map_key(tmp_path: Path) -> None:
    # ValidateConfigMap: IsConfigMapKey on every key.
    text = CONFIG + 'data:\n  "a..b": x\n  ".": yy\n'
    found = native(tmp_path, text)
    assert ("api-invalid", 7, 'data["."]', "Invalid value: \".\": must not be '.'") in found
    assert all(r == "api-invalid" for r, *_ in found)
    assert native(tmp_path, CONFIG + "data:\n  key.name: x\n  KEY_NAME: yy\n") == []


def test_config_map_key_in_both_bags(tmp_path: Path) -> None:
    text = CONFIG + "data:\n  k: x\nbinaryData:\n  k: eQ==\n"
    assert native(tmp_path, text) == [
        ("api-invalid", 6, "data.k", 'Invalid value: "k": duplicate of key present in binaryData')
    ]


def test_config_map_over_1_mib(tmp_path: Path) -> None:
    # ValidateConfigMap: the total of the values is at most core.MaxSecretSize (1 MiB).
    half = "a" * (512 * 1024)
    text = CONFIG + f"data:\n  a: {half}\n  b: {half}x\n"
    assert [(r, p, m) for r, _, p, m in native(tmp_path, text)] == [
        ("api-too-long", "", "Too long: must have at most 1048576 bytes")
    ]
    exact = CONFIG + f"data:\n  a: {half}\n  b: {half}\n"
    assert native(tmp_path, exact) == []


SECRET = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_tls_secret_needs_both_keys(tmp_path: Path) -> None:
    text = SECRET + f"type: kubernetes.io/tls\ndata:\n  tls.crt: {b64('c')}\n"
    assert native(tmp_path, text) == [("api-required", 6, 'data["tls.key"]', "Required value")]
    full = text + f"  tls.key: {b64('k')}\n"
    assert native(tmp_path, full) == []


def test_tls_secret_keys_from_string_data(tmp_path: Path) -> None:
    # stringData is merged into data before validation (the v1 conversion).
    text = SECRET + "type: kubernetes.io/tls\nstringData:\n  tls.crt: c\n  tls.key: k\n"
    assert native(tmp_path, text) == []


def test_dockerconfigjson_secret(tmp_path: Path) -> None:
    text = SECRET + "type: kubernetes.io/dockerconfigjson\ndata: {}\n"
    assert native(tmp_path, text) == [
        ("api-required", 6, 'data[".dockerconfigjson"]', "Required value")
    ]
    bad = (
        SECRET + f"type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {b64('[1]')}\n"
    )
    [(rule, line, path, message)] = native(tmp_path, bad)
    assert (rule, line, path) == ("api-invalid", 7, 'data[".dockerconfigjson"]')
    assert message.startswith('Invalid value: "<secret contents redacted>": json: cannot unmarshal')
    good = (
        SECRET + f"type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {b64('{}')}\n"
    )
    assert native(tmp_path, good) == []


def test_service_account_token_secret_needs_the_annotation(tmp_path: Path) -> None:
    text = SECRET + "type: kubernetes.io/service-account-token\n"
    assert native(tmp_path, text) == [
        (
            "api-required",
            3,
            'metadata.annotations["kubernetes.io/service-account.name"]',
            "Required value",
        )
    ]


def test_basic_auth_and_ssh_auth(tmp_path: Path) -> None:
    basic = SECRET + "type: kubernetes.io/basic-auth\nstringData: {password: x}\n"
    assert native(tmp_path, basic) == []
    empty = SECRET + "type: kubernetes.io/basic-auth\n"
    assert [p for _, _, p, _ in native(tmp_path, empty)] == ["data.username", "data.password"]
    ssh = SECRET + "type: kubernetes.io/ssh-auth\nstringData: {ssh-privatekey: ''}\n"
    assert [p for _, _, p, _ in native(tmp_path, ssh)] == ["data.ssh-privatekey"]
