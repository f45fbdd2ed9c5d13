"""Double-quoted escapes as kubectl reads them: go-yaml v2 (sigs.k8s.io/yaml goyaml.v2,
scannerc.go `yaml_parser_scan_flow_scalar`) accepts `\\'` and refuses `\\/`, where libyaml
does the opposite. An official kubernetes.io example writes `"it\\'s"`."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubeplan.schemas.yamlnodes import parse_stream
from tests.conftest import kubeplan


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('"it\\\'s"', "it's"),  # case '\'': s = append(s, '\'')
        ('"tab\\tend"', "tab\tend"),
        ('"nul\\0"', "nul\x00"),
        ('"nbsp\\_"', "nbsp\xa0"),
        ('"u\\u00e9"', "ué"),
        ('"quote \\" and backslash \\\\"', 'quote " and backslash \\'),
        ("'single \\/ stays'", "single \\/ stays"),  # no escapes in single quotes
    ],
)
def test_escapes_go_yaml_accepts(text: str, value: str) -> None:
    (doc,) = parse_stream(f"key: {text}\n")
    assert doc.problems == []
    assert doc.data == {"key": value}


def test_a_slash_escape_is_refused_as_kubectl_refuses_it() -> None:
    (doc,) = parse_stream('a: 1\nurl: "https:\\/\\/example.com"\n')
    (problem,) = doc.problems
    assert problem.rule == "yaml-syntax"
    assert problem.line == 2
    assert "found unknown escape character '/'" in problem.message
    assert "go-yaml" in problem.message


def test_a_block_scalar_keeps_its_backslashes() -> None:
    (doc,) = parse_stream("script: |\n  sed 's/\\/usr/\\/opt/'\n  echo \"it\\'s\"\n")
    assert doc.problems == []
    assert doc.data == {"script": "sed 's/\\/usr/\\/opt/'\necho \"it\\'s\"\n"}


def test_the_kubernetes_io_example_validates(tmp_path: Path) -> None:
    path = tmp_path / "cm.yaml"
    path.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: quotes\n"
        'data:\n  message: "it\\\'s a kubectl-valid string"\n'
    )
    run = kubeplan("validate", str(path), "--format", "json")
    assert run.exit_code == 0, run.stdout
    assert run.json()["findings"] == []
