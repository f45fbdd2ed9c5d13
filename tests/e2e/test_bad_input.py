"""No input makes kubeplan crash: the whole corpus, and files broken on purpose.

Every run here goes through the real console entry point in a subprocess with a memory cap,
so a traceback, a hang or a memory blow-up fails the test.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import corpus

MEMORY_CAP_BYTES = 2 * 1024**3
TIME_CAP_SECONDS = 60


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))


def run_json(*paths: str, command: str = "validate") -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "kubeplan", command, "--format", "json", *paths],
        capture_output=True,
        text=True,
        timeout=TIME_CAP_SECONDS,
        preexec_fn=_cap_memory,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_every_corpus_file_gives_findings_not_tracebacks() -> None:
    report = run_json(str(corpus()))
    assert report["summary"]["resources"] > 2000
    rules = {f["rule"] for f in report["findings"]}
    # the parse problems the corpus README lists, each reported as a finding
    assert {"yaml-syntax", "yaml-duplicate-key", "yaml-complex-key", "empty-file"} <= rules
    for finding in report["findings"]:
        assert finding["line"] >= 1 and finding["file"], finding


@pytest.mark.parametrize("command", ["check", "reach", "plan"])
def test_every_analysis_of_the_whole_corpus_ends_in_a_report(command: str) -> None:
    """Lint, reachability and the plan read what validation reads, broken objects included
    (a Service whose selector holds a mapping, in kubernetes-examples' vitess templates)."""
    report = run_json(str(corpus()), command=command)
    assert report["summary"]


def test_corpus_parse_problems_are_at_the_documented_lines() -> None:
    base = corpus("kubernetes-examples", "_archived")
    report = run_json(
        str(corpus("netpol-analyzer", "tests", "document_with_syntax_error")),
        str(base / "volumes" / "scaleio" / "sc-pvc.yaml"),
        str(base / "openshift-origin" / "secret.json"),
    )
    got = {(Path(f["file"]).name, f["rule"], f["line"]) for f in report["findings"]}
    assert ("document_with_syntax_error.yaml", "yaml-syntax", 225) in got
    assert ("sc-pvc.yaml", "yaml-duplicate-key", 12) in got
    assert ("secret.json", "empty-file", 1) in got


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("broken")
    good = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\ndata:\n  a: b\n"
    (folder / "truncated.yaml").write_text(
        good
        + '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cut\ndata:\n  k: "unterminated'
    )
    (folder / "truncated-flow.yaml").write_text('{"apiVersion": "v1", "kind": "ConfigMap", "metad')
    (folder / "binary.yaml").write_bytes(bytes(range(256)) * 4)
    (folder / "latin1.yaml").write_bytes("data: caf\xe9\n".encode("latin-1"))
    (folder / "control-char.yaml").write_text("apiVersion: v1\nkind: ConfigMap\x07\n")
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 10):
        prev = chr(ord("a") + n - 1)
        name = chr(ord("a") + n)
        levels.append(f"{name}: &{name} [{', '.join('*' + prev for _ in range(9))}]")
    (folder / "bomb.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n"
        + "".join(f"  {line}\n" for line in levels)
    )
    big_data = "".join(f"  key{i}: value-{i}-{'x' * 40}\n" for i in range(90_000))
    (folder / "big.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n" + big_data
    )
    (folder / "deep.yaml").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    (folder / "scalar.yaml").write_text("just a string\n")
    (folder / "after.yaml").write_text(good.replace("good", "after"))
    return folder


def test_deliberately_broken_files_each_give_one_clear_finding(broken: Path) -> None:
    assert (broken / "big.yaml").stat().st_size > 5_000_000
    report = run_json(str(broken))
    by_file: dict[str, set[str]] = {}
    for finding in report["findings"]:
        by_file.setdefault(Path(finding["file"]).name, set()).add(finding["rule"])
    assert by_file["truncated.yaml"] == {"yaml-syntax"}
    assert by_file["truncated-flow.yaml"] == {"yaml-syntax"}
    assert by_file["binary.yaml"] == {"unreadable-file"}
    assert by_file["latin1.yaml"] == {"unreadable-file"}
    assert by_file["control-char.yaml"] == {"yaml-syntax"}
    assert by_file["bomb.yaml"] == {"yaml-alias-bomb"}
    # a lone string is data, no object was meant: a note, never an error
    assert by_file["scalar.yaml"] == {"not-a-manifest"}
    assert by_file["deep.yaml"] == {"yaml-too-deep"}
    # A 5 MB ConfigMap reads as YAML like any other; the API server then refuses its size
    # (pkg/apis/core/validation/validation.go ValidateConfigMap: at most 1 MiB of data).
    assert by_file["big.yaml"] == {"api-too-long"}
    assert "after.yaml" not in by_file
    # the good documents around the broken ones were still read
    assert report["summary"]["resources"] == 3  # good, big and after


WRONG_TYPES = """\
apiVersion: apps/v1
kind: Deployment
metadata: [not, a, map]
spec: just a string
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: odd
  annotations: 7
  labels: [a]
spec:
  replicas: many
  selector: {matchLabels: [x]}
  strategy: {rollingUpdate: {maxSurge: [1], maxUnavailable: {a: b}}}
  template:
    metadata: {labels: 5, annotations: [x]}
    spec:
      securityContext: 3
      volumes: {a: b}
      containers:
        - just-a-string
        - name: c
          image: 5
          env: {A: B}
          ports: [80]
          securityContext: {capabilities: {add: SYS_ADMIN, drop: 1}}
          resources: {limits: 4}
          livenessProbe: true
      initContainers: 9
---
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {selector: [a], ports: {a: 1}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r}
rules: {verbs: "*"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
roleRef: 5
subjects: [1, {kind: ServiceAccount}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np}
spec: {podSelector: [1]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb}
spec: {selector: 5, minAvailable: [1]}
"""


def test_wrong_types_everywhere_give_findings_not_rule_crashes(tmp_path: Path) -> None:
    path = tmp_path / "wrong.yaml"
    path.write_text(WRONG_TYPES)
    done = subprocess.run(
        [sys.executable, "-m", "kubeplan", "check", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=TIME_CAP_SECONDS,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    report = json.loads(done.stdout)
    rules = {f["rule"] for f in report["findings"]}
    assert "rule-error" not in rules, [
        f["message"] for f in report["findings"] if f["rule"] == "rule-error"
    ]
    assert "schema-invalid" in rules


def test_an_ampersand_inside_a_value_is_no_anchor_and_an_anchor_is_still_checked():
    from kubeplan.schemas import yamlnodes

    plain = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {url: 'http://x?a=1&b=2'}\n"
    )
    (doc,) = yamlnodes.parse_stream(plain)
    assert doc.data["data"]["url"] == "http://x?a=1&b=2" and not doc.problems
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(7)
    )
    (bomb,) = yamlnodes.parse_stream(laughs)
    assert [p.rule for p in bomb.problems] == ["yaml-alias-bomb"]
