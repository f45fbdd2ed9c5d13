"""Plain scalars, keys and layout as go-yaml v2 reads them (sigs.k8s.io/yaml goyaml.v2
resolve.go `resolveTable`/`resolve`, scannerc.go), where YAML 1.1 in PyYAML would differ or
where the decoder refuses: booleans of YAML 1.1 including `y`/`n`, `0o` octal, no base 60,
`<<` merge keys, duplicate keys, tabs in indentation."""

from __future__ import annotations

import pytest

from kubeplan.schemas.yamlnodes import parse_stream


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("y", True), ("Yes", True), ("ON", True), ("n", False), ("off", False), ("NO", False),
        ("0o17", 15), ("0x10", 16), ("1_000", 1000), ("1:30", "1:30"), ("~", None),
        ("'yes'", "yes"),
    ],
)  # fmt: skip
def test_plain_scalars_resolve_as_go_yaml(text: str, value: object) -> None:
    (doc,) = parse_stream(f"v: {text}\n")
    assert doc.problems == []
    assert doc.data == {"v": value}


def test_a_boolean_key_is_its_json_name() -> None:
    """sigs.k8s.io/yaml turns the key `n` (false to go-yaml) into the JSON key "false"."""
    (doc,) = parse_stream("n: 1\n")
    assert doc.data == {"false": 1}


def test_merge_keys_are_honoured() -> None:
    (doc,) = parse_stream("base: &b {a: 1, b: 2}\nderived:\n  <<: *b\n  b: 3\n")
    assert doc.data["derived"] == {"a": 1, "b": 3}


def test_a_duplicate_key_is_refused() -> None:
    (doc,) = parse_stream("a: 1\na: 2\n")
    assert [p.rule for p in doc.problems] == ["yaml-duplicate-key"]


def test_a_tab_in_indentation_is_refused() -> None:
    (doc,) = parse_stream("a:\n\tb: 1\n")
    assert [p.rule for p in doc.problems] == ["yaml-syntax"]
    assert "tab" in doc.problems[0].message
