"""Where a field sits in its YAML document: the line and column of a field path.

The ground floor of kubeplan, beside model.py: it imports nothing of kubeplan, so that
`Resource.position` (model.py) can answer without reaching up into schemas/. The parser
(schemas/yamlnodes.py) builds the node graph this reads, and shares the boolean words below.
"""

from __future__ import annotations

from typing import Any

import yaml

BOOL_TAG = "tag:yaml.org,2002:bool"

# Plain scalars Kubernetes' decoder reads as booleans (go-yaml v2, vendored in sigs.k8s.io/yaml as
# goyaml.v2/resolve.go `resolveMapList`): PyYAML's YAML 1.1 set plus y/Y/n/N, so that
# `enabled: y` in ConfigMap data is a boolean there, and rejected, as the API server does.
GO_YAML_BOOLS: dict[str, bool] = {
    **{
        word: True
        for word in ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")
    },
    **{
        word: False
        for word in ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")
    },
}


def _key_text(node: Any) -> str:
    """A key as the decoder names it: `n:` is the key "false" (see GO_YAML_BOOLS)."""
    if node.tag == BOOL_TAG and node.value in GO_YAML_BOOLS:
        return "true" if GO_YAML_BOOLS[node.value] else "false"
    return node.value


# Mappings with more keys than this get an index on their first lookup; smaller ones are scanned.
_INDEX_FROM = 16


def _lookup(node: Any, want: str) -> tuple[Any, Any] | None:
    """(key node, value node) of `want` in a mapping node; the last of duplicate keys wins, as
    the decoder keeps the last value.

    A large mapping is indexed once, on its first lookup, and the index kept on the node: locating
    every field of a mapping of n keys (a finding per unknown field) costs O(n), not O(n^2)."""
    if len(node.value) <= _INDEX_FROM:
        for key_node, value_node in reversed(node.value):
            if isinstance(key_node, yaml.ScalarNode) and _key_text(key_node) == want:
                return key_node, value_node
        return None
    index = getattr(node, "_kubeplan_index", None)
    if index is None:
        index = {
            _key_text(key_node): (key_node, value_node)
            for key_node, value_node in node.value
            if isinstance(key_node, yaml.ScalarNode)
        }
        node._kubeplan_index = index
    return index.get(want)


def locate(root: Any, path: tuple[str | int, ...], offset: int = 0) -> tuple[int, int]:
    """Line and column (1-based) of `path` under `root`.

    A mapping key's own line is returned (so `spec.replica` points at `replica:`); where the
    path leaves the document, the deepest existing parent is returned.
    """
    node = root
    mark = root.start_mark
    for part in path:
        if isinstance(node, yaml.MappingNode):
            found = _lookup(node, part if isinstance(part, str) else str(part))
            if found is None:
                break
            mark = found[0].start_mark
            node = found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                node = node.value[part]
                mark = node.start_mark
            else:
                break
        else:
            break
    return mark.line + 1 + offset, mark.column + 1
