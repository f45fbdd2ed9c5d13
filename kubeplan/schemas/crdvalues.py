"""What the API server checks in a custom resource beyond its CRD's JSON schema: duplicates in
`set` and `map` lists (crdlists.py) and the CRD's CEL rules (cel/rules.py)."""

from __future__ import annotations

from typing import Any

from kubeplan.model import Finding, Resource, Severity, finding_for
from kubeplan.schemas import crdlists
from kubeplan.schemas.cel import rules

NOT_EVALUATED = "crd-rule-not-evaluated"


def findings(resource: Resource, schema: dict[str, Any]) -> list[Finding]:
    """The findings of one custom resource (create: no old object) against its version's raw
    `openAPIV3Schema`, each at the line of its field."""
    ref = resource.ref()
    errors = crdlists.duplicates(schema, resource.body)
    outcome = rules.validate(schema, resource.body)
    errors.extend(outcome.errors)
    out = [
        finding_for(resource, error.type.rule, Severity.ERROR, error.body(), error.path, ref=ref)
        for error in errors
    ]
    out.extend(
        finding_for(resource, NOT_EVALUATED, Severity.WARNING, why, path, ref=ref)
        for path, why in outcome.skipped
    )
    return out
