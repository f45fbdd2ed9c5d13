"""Text from a hostile manifest cannot write GitHub workflow commands, terminal escape sequences
or bidi overrides into a human format: names, values and file names holding a line break and
`::error file=x::pwned`, an ESC sequence and U+202E are printed as visible escapes, a legacy
`##[error]` command anywhere in a line is broken, and no line starts with a `::command` from the
input (a file name or a namespace at the start of a line; kubeplan/report/escape.py). JSON keeps
the exact text; JUnit stays valid XML.

GitHub's runner reads `::name props::data` at the start of a line after TrimStart() and the
legacy `##[name]data` anywhere in a line (actions/runner src/Runner.Common/ActionCommand.cs
TryParseV2 and TryParse, both tried by src/Runner.Worker/ActionCommandManager.cs)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from conftest import kubeplan

from kubeplan.report.escape import no_workflow_commands, printable

XSD = xmlschema.XMLSchema(str(Path(__file__).parents[1] / "data" / "junit-10.xsd"))
HOSTILE = "x\n::error file=x::pwned\x1b[2J\u202e"
# As a YAML double-quoted scalar writes it: the stream itself holds only printable characters.
YAML_HOSTILE = '"x\\n::error file=x::pwned\\e[2J\\u202e"'
LEGACY = "##[error]legacy"
LINE_START = "::error::at-line-start"
# kubeplan's own annotations: one line each, every property percent-encoded.
ANNOTATION = re.compile(r"::(error|warning|notice) file=[^:,]*,line=\d+,col=\d+,title=[^:,]*::")


def _manifests(tag: str, hostile: bool) -> str:
    name = YAML_HOSTILE if hostile else "web"
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: shop
  annotations:
    note: {YAML_HOSTILE}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: {YAML_HOSTILE}
          image: "nginx:{tag}"
        - name: "{LEGACY}"
          image: "nginx:{tag}"
          env:
            - name: PEER
              value: {YAML_HOSTILE}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  key: {YAML_HOSTILE if hostile else '"plain"'}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {name}
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes: ["Ingress"]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: {"other" if hostile else "web"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {name}
  namespace: shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: edit
subjects:
  - kind: User
    name: {YAML_HOSTILE}
    apiGroup: rbac.authorization.k8s.io
"""


@pytest.fixture
def sets(tmp_path: Path) -> tuple[Path, Path]:
    base, new = tmp_path / "base", tmp_path / "new"
    base.mkdir()
    new.mkdir()
    (base / "app.yaml").write_text(_manifests("1.0", hostile=False))
    (new / "app.yaml").write_text(_manifests("1.1\\n::error file=x::pwned\\e[2J", hostile=True))
    # a file name is text of the pull request too
    (new / "evil\n::error file=x::pwned\x1b[2J\u202e.yaml").write_text(
        _manifests("1.2", hostile=True).replace("namespace: shop", "namespace: other")
    )
    # text of the input at the start of a line: a file name, a namespace
    (new / f"{LINE_START}.yaml").write_text(
        _manifests("1.3", hostile=True).replace("namespace: shop", f'namespace: "{LINE_START}"')
    )
    return base, new


def _commands(base: Path, new: Path) -> list[tuple[str, ...]]:
    return [
        ("validate", str(new)),
        ("lint", str(new)),
        ("check", str(new)),
        ("check", "--verbose", str(new)),
        ("diff", str(new), "--base", str(base)),
        ("plan", str(new), "--base", str(base), "--verbose"),
    ]


def _assert_inert(out: str, github: bool = False) -> None:
    for line in out.split("\n"):
        if line.lstrip().startswith("::"):
            assert github and ANNOTATION.match(line), line
    assert "##[" not in out
    assert "\x1b" not in out
    assert "\u202e" not in out


@pytest.mark.parametrize("fmt", ["text", "markdown", "github"])
def test_no_command_or_escape_sequence_in_human_formats(sets, fmt):
    base, new = sets
    seen = False
    for args in _commands(base, new):
        run = kubeplan(*args, "--format", fmt)
        assert run.exit_code in (0, 1), (args, run.stderr)
        _assert_inert(run.stdout, github=fmt == "github")
        _assert_inert(run.stderr)
        seen = seen or "::error file=x::pwned" in run.stdout
    assert seen, "the hostile text never reached the report: the test proves nothing"


def test_github_annotations_are_one_per_finding(sets):
    _, new = sets
    expected = [f for f in kubeplan("check", str(new), "--format", "json").json()["findings"]]
    out = kubeplan("check", str(new), "--format", "github").stdout
    annotations = [line for line in out.splitlines() if line.startswith("::")]
    assert len(annotations) == len(expected)
    assert all(ANNOTATION.match(line) for line in annotations)


def test_reach_and_rbac_text(sets):
    base, new = sets
    runs = [
        kubeplan("reach", str(new)),
        kubeplan("reach", str(new), "--base", str(base)),
        kubeplan("reach", str(new), "--format", "mermaid"),
        kubeplan("who-can", "get", "pods", "-n", "shop", str(new)),
        kubeplan("can-i", "-n", "shop", "--as", HOSTILE, "--list", str(new)),
    ]
    for run in runs:
        assert run.exit_code in (0, 1), run.stderr
        _assert_inert(run.stdout)
        _assert_inert(run.stderr)
    who_can = runs[3].stdout
    assert printable(HOSTILE, tab=False) in who_can


def test_junit_is_valid_xml_with_the_text_escaped(sets):
    base, new = sets
    for args in _commands(base, new):
        run = kubeplan(*args, "--format", "junit")
        assert run.exit_code in (0, 1), (args, run.stderr)
        errors = [str(e.reason) for e in XSD.iter_errors(run.stdout)]
        assert not errors, (args, errors[:3])
        assert "\x1b" not in run.stdout
        assert "\u202e" not in run.stdout
    root = ET.fromstring(kubeplan("check", str(new), "--format", "junit").stdout)
    names = [case.get("name") for case in root.iter("testcase")]
    assert any(printable(HOSTILE) in name for name in names)


def test_json_and_sarif_keep_the_exact_text(sets):
    _, new = sets
    document = kubeplan("check", str(new), "--format", "json").json()
    names = {(f["resource"] or {}).get("name") for f in document["findings"]}
    assert HOSTILE in names
    sarif = json.loads(kubeplan("check", str(new), "--format", "sarif").stdout)
    messages = [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    assert any(HOSTILE in m for m in messages)


def test_printable():
    assert printable("plain: a-b/c ünïcode ✓\ttab") == "plain: a-b/c ünïcode ✓\ttab"
    assert printable("a\tb", tab=False) == "a\\tb"
    assert printable(HOSTILE) == "x\\n::error file=x::pwned\\x1b[2J\\u202e"
    assert (
        printable("\r\x00\x7f\x85\u2028\u2066\ud800") == "\\r\\x00\\x7f\\x85\\u2028\\u2066\\ud800"
    )
    assert printable("a ##[error]x") == "a #\\x23[error]x"


def test_no_workflow_commands():
    assert no_workflow_commands("::error::x\n \u00a0::warning file=a::m\n") == (
        "\\x3a:error::x\n \u00a0\\x3a:warning file=a::m\n"
    )
    # IPv6 blocks are no commands
    assert no_workflow_commands("  ::/0\n::1 -> ::2\nx ::error::y\n") == (
        "  ::/0\n::1 -> ::2\nx ::error::y\n"
    )


def test_input_text_at_the_start_of_a_line(tmp_path, monkeypatch):
    """A file name or a namespace that starts a line of the report: `::error::` after the
    runner's TrimStart() would be a command without any control character."""
    manifest = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: "{LINE_START}"
spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: a, image: nginx}}]
"""
    (tmp_path / f"{LINE_START}.yaml").write_text(manifest)
    monkeypatch.chdir(tmp_path)
    name = f"{LINE_START}.yaml"
    runs = {
        "text": kubeplan("check", name),
        "junit": kubeplan("check", name, "--format", "junit"),
        "github": kubeplan("check", name, "--format", "github"),
        "reach": kubeplan("reach", name),
        "mermaid": kubeplan("reach", name, "--format", "mermaid"),
    }
    for fmt, run in runs.items():
        assert run.exit_code in (0, 1), run.stderr
        _assert_inert(run.stdout, github=fmt == "github")
    assert runs["text"].stdout.startswith("\\x3a:error::at-line-start.yaml\n")
    assert "  \\x3a:error::at-line-start/web[Deployment]\n" in runs["reach"].stdout
