"""The error a config that cannot be used raises, apart from the config loader so that commands
can catch it without importing the loader and its schema validator (start-up time)."""

from __future__ import annotations


class ConfigError(Exception):
    """A config that cannot be used: every problem as `file:line: message` lines."""
