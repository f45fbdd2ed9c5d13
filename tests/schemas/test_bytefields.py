"""`[]byte` fields (`format: byte`) whose value is not base64: the API server refuses the
request while decoding it, with Go's base64 error offset."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kubeplan.schemas.bytefields import base64_error
from tests.conftest import findings, kubeplan

# Go's encoding/base64 TestDecodeCorrupt table (StdEncoding): input -> offset, None: decodes.
GO_CASES = {
    "": None,
    "\n": None,
    "AAA=\n": None,
    "AAAA\n": None,
    "!!!!": 0,
    "====": 0,
    "x===": 1,
    "=AAA": 0,
    "A=AA": 1,
    "AA=A": 2,
    "AA==A": 4,
    "AAA=AAAA": 4,
    "AAAAA": 4,
    "AAAAAA": 4,
    "A=": 1,
    "A==": 1,
    "AA=": 3,
    "AA==": None,
    "AAA=": None,
    "AAAA": None,
    "AAAAAA=": 7,
    "YWJjZA=====": 8,
    "A!\n": 1,
    "A=\n": 1,
}


@pytest.mark.parametrize(("text", "offset"), GO_CASES.items())
def test_the_offset_is_go_base64s(text: str, offset: int | None) -> None:
    assert base64_error(text.encode()) == offset


SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: db
type: Opaque
data:
  username: YWRtaW4=
  password: hunter2
  folded: |
    YWRt
    aW4=
stringData:
  plain: not base64 at all
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: blob
binaryData:
  logo.png: iVBORw0KGgo
data:
  text: not base64 either
"""


def test_secret_data_that_is_not_base64_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(SECRET)
    run = kubeplan("validate", str(path), "--format", "json")
    assert run.exit_code == 1
    found = [(f["line"], f["path"], f["message"]) for f in run.json()["findings"]]
    assert found == [
        (
            8,
            "data.password",
            'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at'
            " input byte 4",
        ),
        (
            20,
            'binaryData["logo.png"]',
            'ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data'
            " at input byte 8",
        ),
    ]


def test_a_webhook_ca_bundle_that_is_not_base64(tmp_path: Path) -> None:
    text = """\
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingWebhookConfiguration
    metadata:
      name: hook
    webhooks:
      - name: hook.example.com
        admissionReviewVersions: [v1]
        sideEffects: None
        clientConfig:
          caBundle: "-----BEGIN CERTIFICATE-----"
          service: {name: hook, namespace: default}
    """
    path = tmp_path / "hook.yaml"
    path.write_text(textwrap.dedent(text))
    (finding,) = [f for f in findings("check", str(path)) if f["rule"] == "schema-invalid"]
    assert finding["path"] == "webhooks[0].clientConfig.caBundle"
    assert finding["line"] == 10
    assert finding["message"].endswith("illegal base64 data at input byte 0")
