"""No schema is ever retrieved: a `$ref` in a CRD or a custom rule reads no file and opens no
connection, and a schema that is broken is a finding or a config error, never a traceback.

Every run goes through the console entry point in a subprocess. A `file://` reference points
at a FIFO: opening it to read blocks until a writer comes, so a read attempt hangs the run
into its timeout. An `http://` reference points at a socket this test listens on: a
connection attempt would be queued on it.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow  # every test runs kubeplan as a process
SECRET = "TOPSECRET-7d41f0c2"
TIMEOUT = 60

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              SUBSCHEMA
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  size: 1
"""


def _kubeplan(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "kubeplan", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=cwd,
        env=env,
        check=False,
    )


@pytest.fixture
def secrets(tmp_path: Path) -> dict[str, str]:
    """A JSON file holding the secret, and a FIFO: reading either is what must not happen."""
    folder = tmp_path / "outside"
    folder.mkdir()
    plain = folder / "secret.json"
    plain.write_text(json.dumps({"token": SECRET, "schema": {"type": "string"}}))
    fifo = folder / "secret.fifo"
    os.mkfifo(fifo)
    return {"plain": plain.as_uri(), "fifo": fifo.as_uri()}


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A listening socket no one should connect to."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def _no_connection(server: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        connection, _ = server.accept()
        connection.close()


def _crd_with(tmp_path: Path, subschema: str) -> Path:
    manifest = tmp_path / "repo" / "widget.yaml"
    manifest.parent.mkdir(exist_ok=True)
    manifest.write_text(CRD.replace("SUBSCHEMA", subschema))
    return manifest


def _targets(secrets: dict[str, str], server: socket.socket) -> list[str]:
    port = server.getsockname()[1]
    return [
        f"{secrets['plain']}#/schema",
        f"{secrets['plain']}#/token",
        f"{secrets['fifo']}#/schema",
        f"http://127.0.0.1:{port}/schema.json",
        f"http://127.0.0.1:{port}/schema.json#/token",
    ]


@pytest.mark.parametrize("index", range(5))
@pytest.mark.parametrize("output", ["text", "json"])
def test_crd_ref_is_refused_at_its_line_and_nothing_is_retrieved(
    tmp_path: Path, secrets: dict[str, str], listener: socket.socket, index: int, output: str
) -> None:
    target = _targets(secrets, listener)[index]
    manifest = _crd_with(tmp_path, f'$ref: "{target}"')
    done = _kubeplan("check", "--format", output, str(manifest), cwd=manifest.parent)
    assert "Traceback" not in done.stderr, done.stderr
    assert SECRET not in done.stdout + done.stderr
    _no_connection(listener)
    assert done.returncode == 1, done.stderr
    if output == "json":
        found = [
            f for f in json.loads(done.stdout)["findings"] if f["rule"] == "crd-invalid-schema"
        ]
        assert [(f["severity"], f["line"], f["path"]) for f in found] == [
            ("error", 18, "spec.versions[0].schema.openAPIV3Schema.properties.spec.$ref"),
            ("info", 20, "apiVersion"),  # the Widget is not validated against it, and says so
        ]
        assert "$ref is not supported" in found[0]["message"]


@pytest.mark.parametrize(
    ("subschema", "line", "path", "words"),
    [
        ("type: strign", 18, "properties.spec.type", "type 'strign' is not supported"),
        ("[1, 2]", 17, "properties.spec", "a schema must be a mapping, not a list"),
        ("{type: integer, minimum: x}", 18, "properties.spec.minimum", "not valid JSON Schema"),
        ("{type: string, pattern: '('}", 18, "properties.spec.pattern", "not valid JSON Schema"),
        ("{type: object, properties: {a: {type: 'null'}}}", 18, "properties.a.type", "'null'"),
    ],
)
def test_broken_crd_schema_is_a_finding_on_the_crd(
    tmp_path: Path, subschema: str, line: int, path: str, words: str
) -> None:
    manifest = _crd_with(tmp_path, subschema)
    done = _kubeplan("validate", "--format", "json", str(manifest), cwd=manifest.parent)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr
    found = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "crd-invalid-schema"]
    error, info = found
    assert (error["severity"], error["line"]) == ("error", line)
    assert error["path"].endswith(path) and words in error["message"], error
    assert (info["severity"], info["resource"]["kind"]) == ("info", "Widget")


def test_schema_that_is_not_a_mapping_at_the_top(tmp_path: Path) -> None:
    text = CRD.replace(
        "        openAPIV3Schema:\n          type: object\n          properties:\n"
        "            spec:\n              SUBSCHEMA\n",
        "        openAPIV3Schema: just a string\n",
    )
    manifest = tmp_path / "crd.yaml"
    manifest.write_text(text)
    done = _kubeplan("check", "--format", "json", str(manifest), cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    found = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "crd-invalid-schema"]
    assert [(f["severity"], f["line"]) for f in found] == [("error", 14), ("info", 16)]


def _config(tmp_path: Path, rule: str) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir(exist_ok=True)
    (repo / ".kubeplan.yaml").write_text("custom-rules:\n" + rule)
    (repo / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    return repo


@pytest.mark.parametrize("index", range(5))
def test_custom_rule_ref_outside_the_schema_is_a_config_error(
    tmp_path: Path, secrets: dict[str, str], listener: socket.socket, index: int
) -> None:
    target = _targets(secrets, listener)[index]
    repo = _config(
        tmp_path,
        "  - id: team-label\n    message: m\n    kinds: [ConfigMap]\n"
        f"    schema:\n      properties:\n        metadata:\n          $ref: '{target}'\n",
    )
    done = _kubeplan("check", ".", cwd=repo)
    assert done.returncode == 2, done.stdout + done.stderr
    assert SECRET not in done.stdout + done.stderr
    _no_connection(listener)
    (line,) = done.stderr.strip().splitlines()
    assert ".kubeplan.yaml:2: custom rule: team-label: schema.properties.metadata.$ref:" in line
    assert "never retrieves schemas" in line


def test_custom_rule_ref_inside_the_schema_still_works(tmp_path: Path) -> None:
    repo = _config(
        tmp_path,
        "  - id: team-label\n    message: every ConfigMap names its team\n"
        "    kinds: [ConfigMap]\n    schema:\n      properties:\n"
        "        metadata: {$ref: '#/$defs/labelled'}\n"
        "      $defs:\n        labelled: {required: [labels]}\n",
    )
    done = _kubeplan("lint", "--format", "json", ".", cwd=repo)
    assert done.returncode == 0, done.stderr
    (finding,) = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "team-label"]
    assert finding["path"] == "metadata.labels"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("path: [a, b]\n    exists: true", r"team-label: path: \[.*\] is not of type \"string\""),
        ("path: metadata.name\n    matches: 5", r"team-label: matches: 5 is not of type"),
        ("path: metadata.name\n    one-of: abc", r"team-label: one-of: \"abc\" is not of type"),
        ("path: metadata.name\n    exists: 'yes'", r"team-label: exists: \"yes\" is not of type"),
        ("kinds: ConfigMap\n    path: a\n    exists: true", r"team-label: kinds: \"ConfigMap\""),
        ("schema: [1]", r"team-label: schema: \[1\] is not of type"),
        ("schema: {type: strign}", r"team-label: invalid JSON Schema: "),
        ("path: a\n    exists: true\n    category: [x]", r"team-label: category: \[\"x\"\]"),
    ],
)
def test_custom_rule_value_of_the_wrong_type_is_one_config_error_line(
    tmp_path: Path, rule: str, expected: str
) -> None:
    repo = _config(tmp_path, f"  - id: team-label\n    message: m\n    {rule}\n")
    done = _kubeplan("check", ".", cwd=repo)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert re.search(expected, line), line


def test_every_schema_compilation_goes_through_the_refusing_retriever() -> None:
    """jsonschema_rs is used in one module only: a new call site cannot forget the retriever."""
    users = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "kubeplan").rglob("*.py")
        if re.search(r"^\s*(import|from) jsonschema_rs", path.read_text("utf-8"), re.M)
    )
    assert users == ["kubeplan/schemas/offline.py"]
