"""kubeplan's own data tables: YAML files shipped inside the package.

Only for those tables. Manifests go through `kubeplan.schemas.yamlnodes`, which keeps the line of
every node and applies the rules of Kubernetes' YAML decoder; the tables need neither.
"""

from __future__ import annotations

import os
from importlib.resources.abc import Traversable
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it


def read_yaml(path: str | os.PathLike[str] | Traversable) -> Any:
    """The parsed content of one data file (a path or an `importlib.resources` entry)."""
    if isinstance(path, Traversable):
        text = path.read_text(encoding="utf-8")
    else:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    return yaml.load(text, Loader=_LOADER)
