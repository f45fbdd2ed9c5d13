"""`.kubeplan.yaml`: found upwards from the working directory, or given with --config.

The file is read with the same line-keeping parser as manifests and checked against
`CONFIG_SCHEMA`, so a misspelled key is reported at its line instead of being ignored.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kubeplan.model import Severity, format_path
from kubeplan.rules.config_error import ConfigError
from kubeplan.rules.context import ObjectPattern
from kubeplan.rules.engine import Exclusion, LintSettings
from kubeplan.schemas import yamlnodes

CONFIG_NAMES = (".kubeplan.yaml", ".kubeplan.yml")

_GLOBS = {"type": "string", "minLength": 1}
_SEVERITY = {"enum": ["error", "warning", "info"]}
CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "kubernetes-version": {"type": ["string", "number"]},
        "strict": {"type": "boolean"},
        "fail-on": {"enum": ["error", "warning", "info", "never"]},
        "inline-ignore": {"type": "boolean"},
        "rules": {
            "type": "object",
            "additionalProperties": {
                "anyOf": [
                    {"type": "boolean"},
                    {"enum": ["on", "off"]},
                    _SEVERITY,
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "enabled": {"type": "boolean"},
                            "severity": _SEVERITY,
                            "options": {"type": "object"},
                        },
                    },
                ]
            },
        },
        "exclude": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "rules": {"type": "array", "items": {"type": "string"}},
                    "kind": _GLOBS,
                    "namespace": _GLOBS,
                    "name": _GLOBS,
                    "container": _GLOBS,
                    "reason": {"type": "string"},
                },
            },
        },
        "ignore-paths": {"type": "array", "items": _GLOBS},
        "external": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["kind"],
                "properties": {"kind": _GLOBS, "namespace": _GLOBS, "name": _GLOBS},
            },
        },
        "custom-rules": {"type": "array", "items": {"type": "object"}},
        # Required NetworkPolicy connections: "frontend -> cartservice:7070" (docs/reach.md).
        "connections": {
            "type": "array",
            "items": {"type": "string", "pattern": r"^\s*\S+\s*->\s*\S+\s*$"},
        },
    },
}


@dataclass
class Config:
    path: str | None = None
    kubernetes_version: str | None = None
    strict: bool | None = None
    fail_on: str | None = None
    lint: LintSettings = field(default_factory=LintSettings)
    ignore_paths: list[str] = field(default_factory=list)
    external: tuple[ObjectPattern, ...] = ()
    custom_rules: list[tuple[dict[str, Any], Any]] = field(default_factory=list)  # (row, node)
    connections: list[tuple[str, int]] = field(default_factory=list)  # (declared text, line)


def find_config(start: str | None = None) -> str | None:
    folder = os.path.abspath(start or os.getcwd())
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def load_config(path: str | None, known_rules: Callable[[], set[str]]) -> Config:
    """Read and check a config; `path` None means search upwards (none found: defaults)."""
    path = path or find_config()
    if path is None:
        return Config()
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the config: {error}") from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the config is not UTF-8 text; save it as UTF-8") from None
    documents = [d for d in yamlnodes.parse_stream(text) if d.node is not None or d.problems]
    problems = [f"{path}:{p.line}: {p.message}" for d in documents for p in d.problems]
    if problems:
        raise ConfigError("\n".join(problems))
    if not documents:
        return Config(path=path)
    doc = documents[0]
    data = doc.data
    errors = []
    import jsonschema_rs  # only when a config is read: start-up time of config-less runs

    for error in jsonschema_rs.validator_for(CONFIG_SCHEMA).iter_errors(data):
        location = list(error.instance_path)
        if type(error.kind).__name__ == "AdditionalProperties":
            for key in error.kind.unexpected:
                line, _ = yamlnodes.locate(doc.node, (*location, key), doc.offset)
                where = format_path((*location, key))
                errors.append(f"{path}:{line}: unknown key {where}")
            continue
        line, _ = yamlnodes.locate(doc.node, tuple(location), doc.offset)
        where = format_path(tuple(location)) or "the config"
        errors.append(f"{path}:{line}: {where}: {error.message}")
    if not isinstance(data, dict):
        raise ConfigError("\n".join(errors) or f"{path}: the config is not a mapping")
    rules = data.get("rules") or {}
    for rule_id in rules if isinstance(rules, dict) else ():
        if rule_id not in known_rules():
            line, _ = yamlnodes.locate(doc.node, ("rules", rule_id), doc.offset)
            errors.append(
                f"{path}:{line}: rules: no rule named {rule_id!r} (kubeplan rules lists them)"
            )
    if errors:
        raise ConfigError("\n".join(sorted(set(errors), key=_line_order)))
    return _build(path, data, doc)


def _line_order(message: str) -> tuple[int, str]:
    parts = message.split(":")
    return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0, message)


def _build(path: str, data: dict[str, Any], doc: yamlnodes.Document) -> Config:
    config = Config(path=path)
    version = data.get("kubernetes-version")
    config.kubernetes_version = str(version) if version is not None else None
    config.strict = data.get("strict")
    config.fail_on = data.get("fail-on")
    settings = config.lint
    settings.inline_ignore = data.get("inline-ignore", True)
    for rule_id, value in (data.get("rules") or {}).items():
        if isinstance(value, bool) or value in ("on", "off"):
            settings.enabled[rule_id] = value in (True, "on")
        elif isinstance(value, str):
            settings.enabled[rule_id] = True
            settings.severities[rule_id] = Severity(value)
        elif isinstance(value, dict):
            if "enabled" in value:
                settings.enabled[rule_id] = value["enabled"]
            elif "severity" in value or "options" in value:
                settings.enabled[rule_id] = True
            if "severity" in value:
                settings.severities[rule_id] = Severity(value["severity"])
            if "options" in value:
                settings.options[rule_id] = value["options"]
    for row in data.get("exclude") or []:
        settings.exclusions.append(
            Exclusion(
                rules=frozenset(row.get("rules") or ()),
                kind=row.get("kind", "*"),
                namespace=row.get("namespace", "*"),
                name=row.get("name", "*"),
                container=row.get("container"),
                reason=row.get("reason"),
            )
        )
    config.ignore_paths = list(data.get("ignore-paths") or [])
    config.external = tuple(
        ObjectPattern(row["kind"], row.get("name", "*"), row.get("namespace", "*"))
        for row in data.get("external") or []
    )
    for index, text in enumerate(data.get("connections") or []):
        line, _ = yamlnodes.locate(doc.node, ("connections", index), doc.offset)
        config.connections.append((text, line))
    custom_node = _child(doc.node, "custom-rules")
    for index, row in enumerate(data.get("custom-rules") or []):
        node = custom_node.value[index] if custom_node is not None else None
        config.custom_rules.append((row, node))
    return config


def _child(node: Any, key: str) -> Any:
    for key_node, value_node in getattr(node, "value", ()):
        if getattr(key_node, "value", None) == key:
            return value_node
    return None
