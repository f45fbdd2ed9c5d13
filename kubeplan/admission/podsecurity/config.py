"""The PodSecurity configuration kube-apiserver is given (`--admission-control-config-file`).

Accepted: an AdmissionConfiguration (apiserver.config.k8s.io/v1 or v1alpha1) whose `plugins`
entry named `PodSecurity` holds the configuration inline (`configuration:`) or names a file
(`path:`, relative to the AdmissionConfiguration's folder, as apiserver `ReadAdmissionConfiguration`
resolves it), or a bare PodSecurityConfiguration (pod-security.admission.config.k8s.io v1,
v1beta1 or v1alpha1). The first entry with the name wins and an inline configuration wins over
a path (apiserver pkg/admission/config.go `ConfigFor`, `GetAdmissionPluginConfigurationFor`);
no entry, or an entry with neither, is the default configuration (privileged:latest for every
mode, no exemptions: PSA admission/api/load `LoadFromData` with no data).

Defaults fill a missing or empty level with privileged and a missing or empty version with
latest (admission/api/v1/defaults.go `SetDefaults_PodSecurityDefaults`), then the configuration
is validated as admission/api/validation/validation.go does. A `path:` file is read only when
its real path stays inside the folder of the file given, because kubeplan reads nothing outside
its input. Keys PSA does not know are refused (kube-apiserver's decoder would ignore them, and
a misspelled `exemption:` would silently exempt nothing).

Every problem is one `file:line: what is wrong` line of a ConfigError.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubeplan.admission.podsecurity.api import (
    PRIVILEGED_DEFAULTS,
    PolicyDefaults,
    parse_level,
    parse_version,
)
from kubeplan.errors import ConfigError
from kubeplan.kube.goquote import go_quote
from kubeplan.kube.names import name_is_dns_label, name_is_dns_subdomain
from kubeplan.position import locate
from kubeplan.schemas import inputfs, yamlnodes

Path = tuple[str | int, ...]

MAX_CONFIG_BYTES = 1024 * 1024
PLUGIN_NAME = "PodSecurity"
ADMISSION_API_VERSIONS = ("apiserver.config.k8s.io/v1", "apiserver.config.k8s.io/v1alpha1")
PSA_GROUP = "pod-security.admission.config.k8s.io"
PSA_API_VERSIONS = tuple(f"{PSA_GROUP}/{v}" for v in ("v1", "v1beta1", "v1alpha1"))
_DEFAULT_KEYS = {
    "enforce": "level",
    "enforce-version": "version",
    "audit": "level",
    "audit-version": "version",
    "warn": "level",
    "warn-version": "version",
}
_EXEMPTION_KEYS = ("usernames", "namespaces", "runtimeClasses")


@dataclass(frozen=True)
class PodSecurityConfig:
    """The plugin's configuration. Exemptions match exact strings (admission/admission.go
    `exemptNamespace`, `exemptUser`, `exemptRuntimeClass`, all `containsString`)."""

    defaults: PolicyDefaults
    exempt_usernames: frozenset[str]
    exempt_namespaces: frozenset[str]
    exempt_runtime_classes: frozenset[str]

    def exempt_namespace(self, namespace: str | None) -> bool:
        return bool(namespace) and namespace in self.exempt_namespaces

    def exempt_user(self, username: str | None) -> bool:
        return bool(username) and username in self.exempt_usernames

    def exempt_runtime_class(self, runtime_class: str | None) -> bool:
        """A pod's `spec.runtimeClassName`; unset is never exempt."""
        return bool(runtime_class) and runtime_class in self.exempt_runtime_classes


DEFAULT_CONFIG = PodSecurityConfig(PRIVILEGED_DEFAULTS, frozenset(), frozenset(), frozenset())


@dataclass
class _Source:
    """A parsed file, to turn a path inside it into a line."""

    path: str
    doc: yamlnodes.Document

    def line(self, where: Path) -> int:
        return locate(self.doc.node, where, self.doc.offset)[0]

    def error(self, where: Path, message: str) -> str:
        return f"{self.path}:{self.line(where)}: {message}"


def load_admission_config(path: str) -> PodSecurityConfig:
    """The PodSecurity configuration of `path` (see the module docstring); raises ConfigError."""
    source = _parse(path)
    data = source.doc.data
    kind = data.get("kind")
    if kind == "AdmissionConfiguration":
        return _from_admission_configuration(source)
    if kind == "PodSecurityConfiguration":
        return _from_pod_security_configuration(source, (), data)
    raise ConfigError(
        source.error(
            ("kind",) if "kind" in data else (),
            f"kind {kind!r} is neither AdmissionConfiguration nor PodSecurityConfiguration"
            if kind is not None
            else "no kind: expected an AdmissionConfiguration or a PodSecurityConfiguration",
        )
    )


def _parse(path: str) -> _Source:
    """Read (bounded, a regular file only) and parse one YAML mapping document."""
    try:
        raw = inputfs.read_regular(path, MAX_CONFIG_BYTES)[0]
    except inputfs.Refused as error:
        raise ConfigError(f"{path}: cannot read the admission configuration: {error}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: the file is not UTF-8 text") from None
    documents = [d for d in yamlnodes.parse_stream(text) if d.node is not None or d.problems]
    problems = [f"{path}:{p.line}: {p.message}" for d in documents for p in d.problems]
    if problems:
        raise ConfigError("\n".join(problems))
    documents = [d for d in documents if d.data is not None]
    if not documents:
        raise ConfigError(f"{path}:1: the file is empty: expected an admission configuration")
    if len(documents) > 1:
        raise ConfigError(f"{path}:{documents[1].line}: a second YAML document; expected one")
    if not isinstance(documents[0].data, dict):
        raise ConfigError(f"{path}:{documents[0].line}: expected a mapping (apiVersion, kind, ...)")
    return _Source(path, documents[0])


def _from_admission_configuration(source: _Source) -> PodSecurityConfig:
    data = source.doc.data
    errors = _unknown_keys(source, (), data, ("apiVersion", "kind", "plugins"))
    if data.get("apiVersion") not in ADMISSION_API_VERSIONS:
        errors.append(
            source.error(
                ("apiVersion",),
                f"apiVersion {data.get('apiVersion')!r}: an AdmissionConfiguration is "
                + " or ".join(ADMISSION_API_VERSIONS),
            )
        )
    plugins = data.get("plugins")
    if plugins is not None and not isinstance(plugins, list):
        errors.append(source.error(("plugins",), "plugins: expected a list"))
        plugins = []
    entry = None
    for index, plugin in enumerate(plugins or []):
        where: Path = ("plugins", index)
        if not isinstance(plugin, dict):
            errors.append(source.error(where, f"plugins[{index}]: expected a mapping"))
            continue
        errors += _unknown_keys(source, where, plugin, ("name", "path", "configuration"))
        if not isinstance(plugin.get("name"), str) or not plugin.get("name"):
            errors.append(source.error(where, f"plugins[{index}].name: Required value"))
        elif plugin["name"] == PLUGIN_NAME and entry is None:
            entry = index
    if errors:
        raise ConfigError("\n".join(errors))
    if entry is None:
        return DEFAULT_CONFIG
    plugin = plugins[entry]
    where = ("plugins", entry)
    if plugin.get("configuration") is not None:
        inline = plugin["configuration"]
        if not isinstance(inline, dict):
            raise ConfigError(
                source.error((*where, "configuration"), "configuration: expected a mapping")
            )
        return _from_pod_security_configuration(source, (*where, "configuration"), inline)
    if plugin.get("path"):
        return _from_path(source, where, plugin["path"])
    return DEFAULT_CONFIG


def _from_path(source: _Source, where: Path, value: Any) -> PodSecurityConfig:
    """A `path:` entry: relative to the AdmissionConfiguration's folder, read only inside it."""
    at = (*where, "path")
    if not isinstance(value, str):
        raise ConfigError(source.error(at, "path: expected a string"))
    folder = os.path.dirname(os.path.abspath(source.path))
    target = value if os.path.isabs(value) else os.path.join(folder, value)
    real, boundary = os.path.realpath(target), os.path.realpath(folder)
    if not inputfs.inside(real, boundary):
        raise ConfigError(
            source.error(
                at,
                f"path {value!r} leads outside {folder}; kubeplan reads no file outside its"
                " input (put the PodSecurityConfiguration inline under `configuration:`)",
            )
        )
    referenced = _parse(target)
    data = referenced.doc.data
    if data.get("kind") != "PodSecurityConfiguration":
        raise ConfigError(
            referenced.error(
                ("kind",) if "kind" in data else (),
                f"kind {data.get('kind')!r}: the file named by {source.path} plugins path must"
                " be a PodSecurityConfiguration",
            )
        )
    return _from_pod_security_configuration(referenced, (), data)


def _from_pod_security_configuration(
    source: _Source, base: Path, data: Mapping[str, Any]
) -> PodSecurityConfig:
    errors = _unknown_keys(source, base, data, ("apiVersion", "kind", "defaults", "exemptions"))
    if data.get("kind") != "PodSecurityConfiguration":
        errors.append(
            source.error(
                (*base, "kind"),
                f"kind {data.get('kind')!r}: expected PodSecurityConfiguration",
            )
        )
    if data.get("apiVersion") not in PSA_API_VERSIONS:
        errors.append(
            source.error(
                (*base, "apiVersion"),
                f"apiVersion {data.get('apiVersion')!r}: a PodSecurityConfiguration is "
                + ", ".join(PSA_API_VERSIONS),
            )
        )
    defaults, more = _defaults(source, base, data.get("defaults"))
    errors += more
    exemptions, more = _exemptions(source, base, data.get("exemptions"))
    errors += more
    if not errors:
        for where, message in validate_pod_security_configuration(defaults, **exemptions):
            errors.append(source.error((*base, *where), message))
    if errors:
        raise ConfigError("\n".join(errors))
    return PodSecurityConfig(
        defaults,
        frozenset(exemptions["usernames"]),
        frozenset(exemptions["namespaces"]),
        frozenset(exemptions["runtime_classes"]),
    )


def _defaults(source: _Source, base: Path, value: Any) -> tuple[PolicyDefaults, list[str]]:
    """`defaults`, with SetDefaults_PodSecurityDefaults applied (missing or "" level is
    privileged, version latest)."""
    if value is None:
        return PRIVILEGED_DEFAULTS, []
    where = (*base, "defaults")
    if not isinstance(value, dict):
        return PRIVILEGED_DEFAULTS, [source.error(where, "defaults: expected a mapping")]
    errors = _unknown_keys(source, where, value, tuple(_DEFAULT_KEYS))
    fields = {}
    for key, kind in _DEFAULT_KEYS.items():
        item = value.get(key)
        if item is not None and not isinstance(item, str):
            errors.append(
                source.error(
                    (*where, key),
                    f'defaults.{key}: {item!r} is not a string (quote it, e.g. "v1.30")',
                )
            )
            item = None
        fields[key.replace("-", "_")] = item or ("privileged" if kind == "level" else "latest")
    return PolicyDefaults(**fields), errors


def _exemptions(source: _Source, base: Path, value: Any) -> tuple[dict[str, list[str]], list[str]]:
    lists: dict[str, list[str]] = {"usernames": [], "namespaces": [], "runtime_classes": []}
    if value is None:
        return lists, []
    where = (*base, "exemptions")
    if not isinstance(value, dict):
        return lists, [source.error(where, "exemptions: expected a mapping")]
    errors = _unknown_keys(source, where, value, _EXEMPTION_KEYS)
    for key in _EXEMPTION_KEYS:
        items = value.get(key)
        target = "runtime_classes" if key == "runtimeClasses" else key
        if items is None:
            continue
        if not isinstance(items, list):
            errors.append(source.error((*where, key), f"exemptions.{key}: expected a list"))
            continue
        for index, item in enumerate(items):
            if not isinstance(item, str):
                errors.append(
                    source.error(
                        (*where, key, index),
                        f"exemptions.{key}[{index}]: {item!r} is not a string",
                    )
                )
            else:
                lists[target].append(item)
    return lists, errors


def _unknown_keys(
    source: _Source, where: Path, data: Mapping[str, Any], known: Sequence[str]
) -> list[str]:
    prefix = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in where)
    prefix = prefix.replace(".[", "[")
    return [
        source.error(
            (*where, key),
            f"unknown key {prefix + '.' if prefix else ''}{key}"
            f" (known: {', '.join(known)}; kube-apiserver would ignore it)",
        )
        for key in data
        if key not in known
    ]


def validate_pod_security_configuration(
    defaults: PolicyDefaults,
    usernames: Sequence[str] = (),
    namespaces: Sequence[str] = (),
    runtime_classes: Sequence[str] = (),
) -> list[tuple[Path, str]]:
    """admission/api/validation/validation.go `ValidatePodSecurityConfiguration`: each error
    as (path, field.Error text), in Go's order (defaults, namespaces, runtime classes,
    usernames)."""
    errors: list[tuple[Path, str]] = []
    for key in _DEFAULT_KEYS:
        value = getattr(defaults, key.replace("-", "_"))
        parse = parse_level if _DEFAULT_KEYS[key] == "level" else parse_version
        error = parse(value)[1]
        if error is not None:
            where: Path = ("defaults", key)
            errors.append((where, f"defaults.{key}: Invalid value: {go_quote(value)}: {error}"))
    errors += _validate_names("namespaces", namespaces, lambda n: name_is_dns_label(n, False))
    errors += _validate_names(
        "runtimeClasses", runtime_classes, lambda n: name_is_dns_subdomain(n, False)
    )
    seen: set[str] = set()
    for index, username in enumerate(usernames):
        where = ("exemptions", "usernames", index)
        if username == "":
            errors.append((where, f"exemptions.usernames[{index}]: Required value"))
        elif username in seen:
            errors.append(
                (where, f"exemptions.usernames[{index}]: Duplicate value: {go_quote(username)}")
            )
        else:
            seen.add(username)
    return errors


def _validate_names(key: str, names: Sequence[str], check: Any) -> list[tuple[Path, str]]:
    """`validateNamespaces` / `validateRuntimeClasses`: invalid names, then duplicates."""
    errors: list[tuple[Path, str]] = []
    seen: set[str] = set()
    for index, name in enumerate(names):
        where: Path = ("exemptions", key, index)
        problems = check(name)
        if problems:
            errors.append(
                (
                    where,
                    f"exemptions.{key}[{index}]: Invalid value: {go_quote(name)}: "
                    + ", ".join(problems),
                )
            )
        elif name in seen:
            errors.append((where, f"exemptions.{key}[{index}]: Duplicate value: {go_quote(name)}"))
        else:
            seen.add(name)
    return errors
