"""Ingress and IngressClass as pkg/apis/networking/validation validates them
(`ValidateIngressSpec`, `validateHTTPIngressPath`, `validateIngressBackend`,
`validateIngressClassSpec`), driven through `kubeplan validate`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import findings

INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: web, port: {number: 80}}
"""


def native(tmp_path: Path, text: str) -> list[tuple[str, int, str, str]]:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    return [
        (f["rule"], f["line"], f["path"], f["message"])
        for f in findings("validate", str(path))
        if f["rule"].startswith("api-")
    ]


def test_valid_ingress(tmp_path: Path) -> None:
    assert native(tmp_path, INGRESS) == []
    wildcard = INGRESS.replace("shop.example.com", '"*.example.com"')
    assert native(tmp_path, wildcard) == []


P = "spec.rules[0].http.paths[0]"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "shop.example.com",
            "10.0.0.1",
            (
                "api-invalid",
                7,
                "spec.rules[0].host",
                'Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
            ),
        ),
        (
            "path: /\n",
            "path: /a/../b\n",
            ("api-invalid", 10, f"{P}.path", "Invalid value: \"/a/../b\": must not contain '/../'"),
        ),
        (
            "path: /\n",
            "path: /a/.\n",
            ("api-invalid", 10, f"{P}.path", "Invalid value: \"/a/.\": cannot end with '/.'"),
        ),
        (
            "path: /\n",
            "path: api\n",
            ("api-invalid", 10, f"{P}.path", 'Invalid value: "api": must be an absolute path'),
        ),
        (
            "port: {number: 80}",
            "port: {name: http, number: 80}",
            (
                "api-invalid",
                12,
                f"{P}.backend",
                'Invalid value: "": cannot set both port name & port number',
            ),
        ),
        (
            "port: {number: 80}",
            "port: {}",
            ("api-required", 12, f"{P}.backend", "Required value: port name or number is required"),
        ),
        (
            "pathType: Prefix",
            "pathType: Regex",
            (
                "api-unsupported",
                11,
                f"{P}.pathType",
                'Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
            ),
        ),
    ],
)
def test_ingress_cases(
    tmp_path: Path, old: str, new: str, expected: tuple[str, int, str, str]
) -> None:
    text = INGRESS.replace(old, new, 1)
    assert text != INGRESS
    assert native(tmp_path, text) == [expected]


def test_both_resource_and_service_backends(tmp_path: Path) -> None:
    text = INGRESS.replace(
        "          service:",
        "          resource: {apiGroup: k8s.example.com, kind: Bucket, name: b}\n          service:",
    )
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            12,
            f"{P}.backend",
            'Invalid value: "": cannot set both resource and service backends',
        )
    ]


def test_default_backend_or_rules(tmp_path: Path) -> None:
    text = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec: {}\n"
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            5,
            "spec",
            "Invalid value: null: either `defaultBackend` or `rules` must be specified",
        )
    ]


def test_ingress_class_controller(tmp_path: Path) -> None:
    head = "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: nginx\nspec:\n"
    assert native(tmp_path, head + "  controller: k8s.io/ingress-nginx\n") == []
    assert native(tmp_path, head + "  controller: nginx\n") == [
        (
            "api-invalid",
            6,
            "spec.controller",
            'Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")',
        )
    ]
    cluster_ns = (
        head + "  controller: k8s.io/x\n  parameters: {kind: Cfg, name: c, namespace: ns}\n"
    )
    assert native(tmp_path, cluster_ns) == [
        (
            "api-forbidden",
            7,
            "spec.parameters.namespace",
            "Forbidden: `parameters.scope` is set to 'Cluster'",
        )
    ]
