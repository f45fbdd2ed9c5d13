"""`.kubeplan.yaml`: found upwards from the working directory, or given with --config.

The file is read with the same line-keeping parser as manifests and checked against
`CONFIG_SCHEMA`, so a misspelled key is reported at its line instead of being ignored.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kubeplan.config.find import CONFIG_NAMES, find_config
from kubeplan.errors import ConfigError
from kubeplan.kube.cluster import ObjectPattern
from kubeplan.model import Severity, format_path
from kubeplan.position import locate
from kubeplan.rules.engine import Exclusion, LintSettings
from kubeplan.schemas import yamlnodes

__all__ = ["CONFIG_NAMES", "CONFIG_SCHEMA", "Config", "find_config", "load_config"]

_GLOBS = {"type": "string", "minLength": 1}
_SEVERITY = {"enum": ["error", "warning", "info"]}
_RULE_OBJECT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "enabled": {"type": "boolean"},
        "severity": _SEVERITY,
        "options": {"type": "object"},
    },
}
CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "kubernetes-version": {"type": ["string", "number"]},
        "strict": {"type": "boolean"},
        "fail-on": {"enum": ["error", "warning", "info", "never"]},
        "inline-ignore": {"type": "boolean"},
        # Rendering of Kustomize/Helm folders (kubeplan/schemas/renderguard.py).
        "render": {"type": "boolean"},
        "allow-remote": {"type": "boolean"},
        "rules": {
            "type": "object",
            "additionalProperties": {
                "anyOf": [{"type": "boolean"}, {"enum": ["on", "off"]}, _SEVERITY, _RULE_OBJECT]
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
        # Namespaces that exist in the cluster but not in the manifests, with the labels admission
        # reads (Pod Security: kubeplan/admission/namespaces.py).
        "namespaces": {
            "type": "object",
            "propertyNames": {"pattern": "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"},
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "labels": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                    }
                },
            },
        },
        # A kube-apiserver AdmissionConfiguration (or a PodSecurityConfiguration): the cluster's
        # Pod Security defaults and exemptions. Relative to the config file.
        "admission-config": {"type": "string", "minLength": 1},
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
    kubernetes_version_line: int = 0
    strict: bool | None = None
    fail_on: str | None = None
    render: bool | None = None
    allow_remote: bool | None = None
    lint: LintSettings = field(default_factory=LintSettings)
    ignore_paths: list[str] = field(default_factory=list)
    external: tuple[ObjectPattern, ...] = ()
    custom_rules: list[tuple[dict[str, Any], Any]] = field(default_factory=list)  # (row, node)
    connections: list[tuple[str, int]] = field(default_factory=list)  # (declared text, line)
    # name -> labels of the namespaces the config declares (they exist in the cluster)
    namespaces: dict[str, dict[str, str]] = field(default_factory=dict)
    admission_config: str | None = None  # resolved against the config file's folder


def load_config(
    path: str | None,
    known_rules: Callable[[], set[str]],
    known_findings: Callable[[], set[str]] | None = None,
) -> Config:
    """Read and check a config; `path` None means search upwards (none found: defaults).
    `known_rules` are the ids `rules:` may name; `known_findings`, when given, every id kubeplan
    reports, which `exclude:` rows may name (besides the config's own custom rules).

    Every problem is a `file:line: key: what is wrong` line of one ConfigError (exit 2)."""
    path = path or find_config()
    if path is None:
        return Config()
    text = _read(path)
    documents = [d for d in yamlnodes.parse_stream(text) if d.node is not None or d.problems]
    problems = [f"{path}:{p.line}: {p.message}" for d in documents for p in d.problems]
    if problems:
        raise ConfigError("\n".join(problems))
    documents = [d for d in documents if d.data is not None]  # `---` alone, comments
    if not documents:
        return Config(path=path)
    if len(documents) > 1:
        raise ConfigError(
            f"{path}:{documents[1].line}: a second YAML document; the config is one mapping"
        )
    doc = documents[0]
    data = doc.data
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}:{doc.line}: the config is {_kind_of(data)}, not a mapping of keys"
            " (kubernetes-version, rules, exclude, ...; docs/config.md)"
        )
    errors = _schema_errors(path, data, doc)
    errors += _version_errors(path, data, doc, text)
    errors += _rule_errors(path, data, doc, known_rules)
    errors += _ignore_errors(path, data, doc)
    if known_findings is not None:
        errors += _exclude_errors(path, data, doc, known_findings)
    if errors:
        raise ConfigError("\n".join(sorted(set(errors), key=_line_order)))
    return _build(path, data, doc, text)


def _read(path: str) -> str:
    """The config's text; a file that is not UTF-8 (UTF-16 from an editor) is a config error."""
    from kubeplan.schemas import inputfs

    if path == os.devnull:
        return ""  # `--config /dev/null`: the usual way to say "no config", not a device to read
    try:  # bounded, and never a FIFO or a device: a pull request can add the config file
        raw = inputfs.read_regular(path)[0]
    except inputfs.Refused as error:
        raise ConfigError(f"{path}: cannot read the config: {error}") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and b"\x00" in raw[:4]):
        raise ConfigError(f"{path}:1: the config is UTF-16; save it as UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}:{line}: the config is not UTF-8 text; save it as UTF-8"
        ) from None


def _kind_of(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return f"a single {type(value).__name__} value"


def _compile(schema: dict[str, Any]) -> Any:
    """A validator for `schema`, imported only when a config is read (start-up time of
    config-less runs)."""
    from kubeplan.schemas import offline

    return offline.compile_schema(schema)


def _schema_errors(path: str, data: dict[str, Any], doc: yamlnodes.Document) -> list[str]:
    errors = []
    for error in _precise(_compile(CONFIG_SCHEMA).iter_errors(data)):
        location = list(error.instance_path)
        if type(error.kind).__name__ == "AdditionalProperties":
            for key in error.kind.unexpected:
                line, _ = locate(doc.node, (*location, key), doc.offset)
                where = format_path((*location, key))
                hint = _did_you_mean(str(key), _keys_at(location))
                errors.append(f"{path}:{line}: unknown key {where}{hint}")
            continue
        line, _ = locate(doc.node, tuple(location), doc.offset)
        where = format_path(tuple(location)) or "the config"
        if type(error.kind).__name__ == "AnyOf" and location[:1] == ["rules"]:
            errors.append(
                f"{path}:{line}: {where}: {error.instance!r} is not a rule setting: on, off, true,"
                " false, error, warning, info, or a mapping of enabled, severity and options"
            )
            continue
        hint = ""
        if type(error.kind).__name__ == "Enum" and isinstance(error.instance, str):
            hint = _did_you_mean(error.instance, [str(o) for o in error.kind.options])
        errors.append(f"{path}:{line}: {where}: {error.message}{hint}")
    return errors


def _precise(errors: Any) -> Any:
    """The errors, with "not valid under any of the schemas" for a rule given as a mapping
    replaced by what is wrong in that mapping (an unknown key, a wrong severity)."""
    for error in errors:
        location = list(error.instance_path)
        if (
            type(error.kind).__name__ == "AnyOf"
            and len(location) == 2
            and location[0] == "rules"
            and isinstance(error.instance, dict)
        ):
            wrapped = {"rules": {location[1]: error.instance}}
            schema = {"properties": {"rules": {"additionalProperties": _RULE_OBJECT}}}
            yield from _compile(schema).iter_errors(wrapped)
        else:
            yield error


def _keys_at(location: list[str | int]) -> list[str]:
    """The keys CONFIG_SCHEMA allows at an instance location (for "did you mean")."""
    schema: Any = CONFIG_SCHEMA
    for step in location:
        if isinstance(step, int):
            schema = schema.get("items", {})
        elif step in schema.get("properties", {}):
            schema = schema["properties"][step]
        else:  # a rule id under rules: its mapping form
            extra = schema.get("additionalProperties")
            schema = _RULE_OBJECT if isinstance(extra, dict) and "anyOf" in extra else {}
    return list(schema.get("properties", {}))


def _did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _version_errors(
    path: str, data: dict[str, Any], doc: yamlnodes.Document, text: str
) -> list[str]:
    """`kubernetes-version: 1.30` is the YAML number 1.3: refuse it with the fix, unless the
    number reads back as written (1.33)."""
    version = data.get("kubernetes-version")
    if not isinstance(version, float | int) or isinstance(version, bool):
        return []
    line, _ = locate(doc.node, ("kubernetes-version",), doc.offset)
    written = _written_version(text, line) or str(version)
    if written == str(version):
        return []
    return [
        f"{path}:{line}: kubernetes-version: {written} is read by YAML as the number {version};"
        f' quote it: kubernetes-version: "{written}"'
    ]


def _rule_errors(
    path: str, data: dict[str, Any], doc: yamlnodes.Document, known_rules: Callable[[], set[str]]
) -> list[str]:
    """Rule ids in `rules:` that no rule has, with the closest id."""
    rules = data.get("rules")
    if not isinstance(rules, dict):
        return []
    errors = []
    known = known_rules() | _custom_ids(data)
    for rule_id in rules:
        if rule_id not in known:
            line, _ = locate(doc.node, ("rules", rule_id), doc.offset)
            hint = _did_you_mean(str(rule_id), known)
            errors.append(
                f"{path}:{line}: rules: no rule named {rule_id!r}{hint} (kubeplan rules lists them)"
            )
    return errors


def _exclude_errors(
    path: str, data: dict[str, Any], doc: yamlnodes.Document, known: Callable[[], set[str]]
) -> list[str]:
    """Rule ids in `exclude[].rules` that kubeplan never reports: a typo there silently
    suppresses nothing."""
    rows = data.get("exclude")
    if not isinstance(rows, list):
        return []
    ids: set[str] | None = None
    errors = []
    for index, row in enumerate(rows):
        names = row.get("rules") if isinstance(row, dict) else None
        for position, rule_id in enumerate(names if isinstance(names, list) else []):
            if not isinstance(rule_id, str):
                continue
            if ids is None:
                ids = known() | _custom_ids(data)
            if rule_id not in ids:
                where = ("exclude", index, "rules", position)
                line, _ = locate(doc.node, where, doc.offset)
                hint = _did_you_mean(rule_id, ids)
                errors.append(
                    f"{path}:{line}: {format_path(where)}: no rule named {rule_id!r}{hint}"
                    " (kubeplan rules lists them)"
                )
    return errors


def _custom_ids(data: dict[str, Any]) -> set[str]:
    rows = data.get("custom-rules")
    rows = rows if isinstance(rows, list) else []
    return {row["id"] for row in rows if isinstance(row, dict) and isinstance(row.get("id"), str)}


def _ignore_errors(path: str, data: dict[str, Any], doc: yamlnodes.Document) -> list[str]:
    """`ignore-paths` entries that are not gitignore patterns (rules/ignore_paths.py)."""
    patterns = data.get("ignore-paths")
    if not isinstance(patterns, list):
        return []
    import pathspec

    errors = []
    for index, pattern in enumerate(patterns):
        if not isinstance(pattern, str):
            continue  # the schema says so
        try:
            pathspec.GitIgnoreSpec.from_lines([pattern])
        except ValueError as error:
            line, _ = locate(doc.node, ("ignore-paths", index), doc.offset)
            errors.append(f"{path}:{line}: ignore-paths[{index}]: not a gitignore pattern: {error}")
    return errors


def _line_order(message: str) -> tuple[int, str]:
    parts = message.split(":")
    return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0, message)


def _build(path: str, data: dict[str, Any], doc: yamlnodes.Document, text: str) -> Config:
    config = Config(path=path)
    version = data.get("kubernetes-version")
    if version is not None:
        line = locate(doc.node, ("kubernetes-version",), doc.offset)[0]
        # a number as written: 1.33, not the float YAML makes of it
        config.kubernetes_version = _written_version(text, line) or str(version)
        config.kubernetes_version_line = line
    config.strict = data.get("strict")
    config.fail_on = data.get("fail-on")
    config.render = data.get("render")
    config.allow_remote = data.get("allow-remote")
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
        line, _ = locate(doc.node, ("connections", index), doc.offset)
        config.connections.append((text, line))
    for name, row in (data.get("namespaces") or {}).items():
        config.namespaces[str(name)] = dict((row or {}).get("labels") or {})
    # a declared namespace exists: references to it resolve, as `external:` rows make them
    config.external += tuple(ObjectPattern("Namespace", name, "*") for name in config.namespaces)
    if data.get("admission-config"):
        folder = os.path.dirname(os.path.abspath(path))
        config.admission_config = os.path.join(folder, data["admission-config"])
    custom_node = _child(doc.node, "custom-rules")
    for index, row in enumerate(data.get("custom-rules") or []):
        node = custom_node.value[index] if custom_node is not None else None
        config.custom_rules.append((row, node))
    return config


def _written_version(text: str, line: int) -> str | None:
    """The plain scalar after `kubernetes-version:` on `line` as written (the parsed document
    keeps no scalar nodes); None when it is not written there in the plain block form."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    match = re.match(r"\s*kubernetes-version:\s*([0-9][0-9.]*)\s*(?:#.*)?$", lines[line - 1])
    return match.group(1) if match else None


def _child(node: Any, key: str) -> Any:
    for key_node, value_node in getattr(node, "value", ()):
        if getattr(key_node, "value", None) == key:
            return value_node
    return None
