"""The stable JSON contract (docs/json-output.md), versioned by `schema_version`."""

from __future__ import annotations

import json
from typing import Any

from kubeplan.report.document import ReportData

SCHEMA_VERSION = 1


def to_document(result: ReportData, show_suppressed: bool = True) -> dict[str, Any]:
    counts = result.counts()
    findings = [f for f in result.findings if show_suppressed or not f.suppressed]
    return {
        "schema_version": SCHEMA_VERSION,
        "kubernetes_version": result.kubernetes_version,
        "config": result.config,
        "findings": [f.to_json() for f in findings],
        "summary": {
            "resources": result.resources,
            "files": result.files,
            "errors": counts["errors"],
            "warnings": counts["warnings"],
            "infos": counts["infos"],
            "suppressed": counts["suppressed"],
        },
    }


def render(result: ReportData) -> str:
    # Compact on purpose: with `indent`, the json module falls back to its pure-Python encoder,
    # which took longer than linting for 10,000 resources. Pipe through `jq` to read it.
    return json.dumps(to_document(result), ensure_ascii=False, separators=(",", ":")) + "\n"
