"""The reports of a run that failed: written where the requested reports go, saying so.

A CI job uploads the SARIF file, publishes the JUnit file and reads the JSON whatever kubeplan's
exit code was. When kubeplan fails (an internal error, exit 2) those files must exist and must
say that the run failed, never look like a clean run. Each command that writes reports calls
`expect(targets)` once it knows them; `write(...)` then writes a failure document to each one.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from kubeplan import __version__

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

# (format, path or None for standard output) of the running command.
_expected: list[tuple[str, str | None]] = []
_stdout_written = False


def expect(targets: Sequence[tuple[str, str | None]]) -> None:
    """The targets the running command will write (replacing any earlier call)."""
    _expected[:] = list(targets)


def stdout_written() -> None:
    """Part of a report reached standard output: a failure document there would be mixed in."""
    global _stdout_written
    _stdout_written = True


def render(name: str, command: str, message: str, error_type: str) -> str:
    """The failure document of one format: `message` is the one line said on stderr."""
    if name == "json":
        doc = {
            "schema_version": 1,
            "kubeplan_version": __version__,
            "command": command,
            "error": {"type": error_type, "message": message},
        }
        return json.dumps(doc, ensure_ascii=False) + "\n"
    if name == "sarif":
        return json.dumps(_sarif(command, message), ensure_ascii=False) + "\n"
    if name == "junit":
        return _junit(command, message, error_type)
    if name == "markdown":
        return f"## kubeplan {command}\n\n**kubeplan failed:** {message}\n"
    if name == "github":
        return f"::error title=kubeplan failed::{_github_escape(message)}\n"
    return f"{message}\n"


def _sarif(command: str, message: str) -> dict[str, object]:
    """A run with no results whose invocation failed (SARIF 2.1.0 §3.20.14, §3.20.21)."""
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kubeplan",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [],
                    }
                },
                "automationDetails": {"id": f"kubeplan/{command}/"},
                "invocations": [
                    {
                        "executionSuccessful": False,
                        "exitCode": 2,
                        "toolExecutionNotifications": [
                            {
                                "level": "error",
                                "message": {"text": message},
                                "descriptor": {"id": "internal-error"},
                            }
                        ],
                    }
                ],
                "results": [],
            }
        ],
    }


def _xml(text: str) -> str:
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return out.replace('"', "&quot;")


def _junit(command: str, message: str, error_type: str) -> str:
    name = _xml(f"kubeplan {command}")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="{name}" tests="1" failures="0" errors="1">\n'
        f'  <testsuite name="{name}" tests="1" failures="0" errors="1">\n'
        f'    <testcase name="{name}" classname="kubeplan">\n'
        f'      <error message="{_xml(message)}" type="{_xml(error_type)}">'
        f"{_xml(message)}</error>\n"
        "    </testcase>\n  </testsuite>\n</testsuites>\n"
    )


def _github_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def write(command: str, message: str, error_type: str) -> None:
    """Write the failure document to every expected target; never raises.

    Standard output gets one only for the machine formats (json, sarif, junit) and only when
    nothing of a report reached it yet; people read the line on stderr."""
    for name, path in _expected:
        text = render(name, command, message, error_type)
        try:
            if path is None:
                if _stdout_written or name not in ("json", "sarif", "junit"):
                    continue
                sys.stdout.write(text)
                sys.stdout.flush()
            else:
                with open(path, "w", encoding="utf-8", errors="replace", newline="\n") as out:
                    out.write(text)
        except Exception:  # failing already; the stderr line says so
            continue
