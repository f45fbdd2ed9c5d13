"""The files a kustomization uses that are not Kubernetes objects: its patches, replacement
sources, generator inputs, transformer and generator configs, OpenAPI schema and Helm values
(kustomize api/types/kustomization.go: `patches[].path`, `patchesStrategicMerge[]`,
`patchesJson6902[].path`, `replacements[].path`, `configMapGenerator[]`/`secretGenerator[]`
`files`/`envs`/`env`, `configurations`, `generators`, `transformers`, `validators`,
`openapi.path`, `helmCharts[].valuesFile`).

A patch is a partial object: read as a whole one it is "missing selector" and a duplicate of
the object it patches. The folder walk (sources.py) and the pre-commit hook's scope
(hookscope.py) leave these files out.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

import yaml

from kubeplan.schemas import inputfs

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


class SafeAnyTagLoader(yaml.SafeLoader):
    """SafeLoader that reads any tag as plain data (`!!python/name:` in mkdocs.yml, `!Ref`)."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


SafeAnyTagLoader.add_multi_constructor("", _any_tag)


def kustomize_inputs(kustomizations: Iterable[str]) -> dict[str, str]:
    """Real path of every file a kustomization uses that is not an object -> why."""
    out: dict[str, str] = {}
    for path in kustomizations:
        try:
            text = inputfs.read_regular(path)[0].decode("utf-8-sig")
            data = yaml.load(text, Loader=SafeAnyTagLoader)
        except (inputfs.Refused, UnicodeDecodeError, yaml.YAMLError):
            continue  # not readable as a kustomization: nothing to leave out
        if not isinstance(data, dict):
            continue
        folder = os.path.dirname(path)
        where = os.path.relpath(path)
        for role, reference in _references(data):
            if "\n" in reference or "://" in reference:
                continue  # an inline patch or a remote file
            real = os.path.realpath(os.path.join(folder, reference))
            out.setdefault(real, f"a Kustomize {role} of {where}")
    return out


def _references(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(role, relative path) of the files a kustomization names that are not objects."""
    for key in ("patches", "patchesJson6902"):
        for item in _items(data.get(key)):
            if isinstance(item, dict) and isinstance(item.get("path"), str):
                yield "patch", item["path"]
    for item in _items(data.get("patchesStrategicMerge")):
        if isinstance(item, str):
            yield "patch", item
    for item in _items(data.get("replacements")):
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            yield "replacement", item["path"]
    for key in ("configMapGenerator", "secretGenerator"):
        for item in _items(data.get(key)):
            if not isinstance(item, dict):
                continue
            sources = [*_items(item.get("files")), *_items(item.get("envs")), item.get("env")]
            for source in sources:
                if isinstance(source, str):
                    yield "generator input", source.split("=", 1)[-1]
    for key in ("configurations", "generators", "transformers", "validators"):
        for item in _items(data.get(key)):
            if isinstance(item, str) and item.lower().endswith(MANIFEST_SUFFIXES):
                yield key[:-1] + " config", item
    openapi = data.get("openapi")
    if isinstance(openapi, dict) and isinstance(openapi.get("path"), str):
        yield "OpenAPI schema", openapi["path"]
    for chart in _items(data.get("helmCharts")):
        if isinstance(chart, dict):
            for values in [chart.get("valuesFile"), *_items(chart.get("additionalValuesFiles"))]:
                if isinstance(values, str):
                    yield "Helm values file", values


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
