"""The settings of one run: the config every command reads the same way, and the command line
over it.

`resolve` is the one place where `.kubeplan.yaml` (given with --config, or found upwards from the
working directory up to the repository root, config/find.py) meets the command-line options:
`--kubernetes-version` and `--fail-on` win over the config's `kubernetes-version` and `fail-on`,
which win over the defaults (the newest bundled release, `error`). validate, lint, check, diff,
plan, reach, can-i, who-can and baseline write all call it, so one repository is never validated
against one release and planned against another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Settings:
    config: Any  # config.load.Config, or None when there is no config file
    kubernetes_version: str  # normalised: "1.33"
    fail_on: str  # error | warning | info | never

    @property
    def config_path(self) -> str | None:
        return self.config.path if self.config is not None else None

    def ignored(self) -> Callable[[str], bool] | None:
        """The config's ignore-paths as a test on file names; None when nothing is ignored."""
        if self.config is None:
            return None
        from kubeplan.rules.ignore_paths import matcher

        return matcher(self.config.ignore_paths, self.config.path)

    def effective(self) -> Any:
        """The config, or kubeplan's defaults (`Config()`) when there is no config file."""
        if self.config is not None:
            return self.config
        from kubeplan.config.load import Config

        return Config()

    def lint(self) -> Any:
        """The config's `rules:`, `exclude:` and `inline-ignore` (rules.engine.LintSettings)."""
        if self.config is not None:
            return self.config.lint
        from kubeplan.rules.engine import LintSettings

        return LintSettings()

    def note(self) -> str:
        """One line for --verbose: the config used, or where none was found."""
        if self.config_path is not None:
            return f"config: {self.config_path}"
        from kubeplan.config.find import search_note

        return f"config: none ({search_note()})"


def resolve(
    config_path: str | None,
    kubernetes_version: str | None = None,
    fail_on: str | None = None,
    *,
    with_version: bool = True,
) -> Settings:
    """Read the config (raises ConfigError) and the version it and the command line name
    (raises CatalogError for a release kubeplan does not bundle). `with_version` False: a
    command that reads no schemas (reach) skips the catalog and its validator; the version is
    then "" ."""
    from kubeplan.config.find import find_config

    path = config_path or find_config()
    config = None
    if path is not None:  # the loader and its schema validator only when there is a file
        from kubeplan.config.load import load_config
        from kubeplan.rules.known import rule_ids

        config = load_config(path, rule_ids, rule_ids)
    return Settings(
        config,
        _version(kubernetes_version, config) if with_version else "",
        fail_on or (config.fail_on if config else None) or "error",
    )


def _version(given: str | None, config: Any) -> str:
    """--kubernetes-version, else the config's, else the newest bundled release."""
    from kubeplan.schemas.catalog import newest_version, normalise_version

    if given is not None:
        return normalise_version(given)
    if config is not None and config.kubernetes_version is not None:
        return _config_version(config)
    return newest_version()


def _config_version(config: Any) -> str:
    """The config's release, checked here so that a bad one names the config file."""
    from kubeplan.errors import ConfigError
    from kubeplan.schemas.catalog import CatalogError, normalise_version

    try:
        return normalise_version(config.kubernetes_version)
    except CatalogError as error:
        raise ConfigError(
            f"{config.path}:{config.kubernetes_version_line}: kubernetes-version: {error}"
        ) from None
