"""The errors a user can fix: each is exit 2 with one line, never a traceback.

Every layer raises its own (input that cannot be read, a release kubeplan does not bundle, a
config or a user rule that cannot be used, an output that cannot be written, a baseline that
cannot be read); all derive from `KubeplanError`, which the command line catches in one place
(kubeplan/guard.py). Anything else that escapes a command is an internal error.
"""

from __future__ import annotations


class KubeplanError(Exception):
    """A user error: bad usage or input that could not be read at all (exit 2, one line)."""


class ConfigError(KubeplanError):
    """A config that cannot be used: every problem as `file:line: message` lines."""
