"""Objects of the other policy APIs that decide connectivity (data/other_policies.yaml).

kubeplan models networking.k8s.io/v1 NetworkPolicy. A cluster may also enforce
AdminNetworkPolicies, CNI-specific policies (Calico, Cilium, Antrea) or a service mesh's
authorization; a connection kubeplan shows as allowed may be refused by one of them. Each such
object in the input is a warning, so the answer is never silently wrong.
"""

from __future__ import annotations

from functools import cache
from importlib import resources as importlib_resources
from typing import Any

from kubeplan.datafiles import read_yaml
from kubeplan.model import Finding, Resource, Severity, finding_for

NOT_MODELLED = "netpol-not-modelled"


@cache
def _table() -> dict[tuple[str, str], dict[str, Any]]:
    rows = read_yaml(
        importlib_resources.files("kubeplan.planner.netpol") / "data" / "other_policies.yaml"
    )
    return {(row["group"], kind): row for row in rows["policies"] for kind in row["kinds"]}


def is_other_policy(resource: Resource) -> bool:
    return (resource.group, resource.kind) in _table()


def unmodelled_findings(resources: list[Resource]) -> list[Finding]:
    out = []
    for resource in resources:
        row = _table().get((resource.group, resource.kind))
        if row is None:
            continue
        out.append(
            finding_for(
                resource,
                NOT_MODELLED,
                Severity.WARNING,
                f"{resource.kind} {resource.name or ''} decides connectivity too and is not"
                " modelled: a connection kubeplan shows as allowed may be refused by it",
                hint=f"{row['what'][:1].upper()}{row['what'][1:]} ({row['source']}).",
            )
        )
    return out
