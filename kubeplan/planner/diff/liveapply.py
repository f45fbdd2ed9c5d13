"""What an apply does to a live object from a `kubectl get -o yaml` dump, per apply mode.

`LiveApply(version, server_side, force_conflicts)` is handed to `pairing.pair`: for every
object of the manifests whose base is a live object (one the loader found server fields on),
it returns the body the object will have after the apply, so that the diff compares the live
object with that, not with the manifest alone:

* client-side apply (the default): the three-way merge of `applymerge.py`, with the live
  object's last-applied configuration (`lastapplied.py`) as the original, or none;
* `--server-side`: field ownership from `metadata.managedFields` (`managedfields.py`).

It counts which assumption was used for how many objects (`notes()`), and turns an unreadable
last-applied configuration or a server-side apply conflict into findings (`findings`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from kubeplan.model import Finding, Resource, Severity, finding_for
from kubeplan.planner.diff import applymerge, lastapplied, managedfields, patchmeta


@dataclass
class LiveApply:
    kubernetes_version: str
    server_side: bool = False
    force_conflicts: bool = False
    three_way: int = 0
    two_way: int = 0
    ownership: int = 0
    no_ownership: int = 0
    findings: list[Finding] = field(default_factory=list)

    def __call__(self, live: Resource, manifest: Resource) -> dict[str, Any] | None:
        """The body of `live` after applying `manifest`; None when `live` is not from a dump
        or either body is not a mapping (the plain comparison is used then)."""
        if not live.server_fields or not isinstance(manifest.body, dict):
            return None
        if not isinstance(live.body, dict):
            return None
        schema = patchmeta.root(
            manifest.group, manifest.version, manifest.kind, self.kubernetes_version
        )
        if self.server_side:
            body = self._server_side(live, manifest, schema)
        else:
            body = self._client_side(live, manifest, schema)
        # An update never writes status: the registry strategies copy the live status over the
        # new object's (e.g. pkg/registry/apps/deployment/strategy.go PrepareForUpdate
        # `newDeployment.Status = oldDeployment.Status`; the same in every strategy with a
        # status subresource), and the dump's status was set aside by the loader.
        body.pop("status", None)
        return body

    def _client_side(
        self, live: Resource, manifest: Resource, schema: patchmeta.Field
    ) -> dict[str, Any]:
        applied = lastapplied.read(live)
        if applied.problem is not None:
            self.findings.append(
                finding_for(
                    live,
                    "last-applied-invalid",
                    Severity.WARNING,
                    f"{applied.problem}; compared as kubectl apply treats an object without it"
                    " (what the manifest does not set is kept)",
                    ("metadata", "annotations"),
                )
            )
        if applied.body is None:
            self.two_way += 1
        else:
            self.three_way += 1
        return applymerge.merged(applied.body or {}, manifest.body, live.body, schema)

    def _server_side(
        self, live: Resource, manifest: Resource, schema: patchmeta.Field
    ) -> dict[str, Any]:
        owners = managedfields.read(live)
        if owners.problem is not None:
            self.findings.append(
                finding_for(
                    live,
                    "managed-fields-invalid",
                    Severity.WARNING,
                    f"{owners.problem}; no field is taken as the applier's",
                    ("metadata", "managedFields"),
                )
            )
        if owners.applier is None:
            self.no_ownership += 1
        else:
            self.ownership += 1
        if not self.force_conflicts:
            for conflict in managedfields.conflicts(owners, manifest.body, live.body, schema):
                self.findings.append(
                    finding_for(
                        manifest,
                        "apply-conflict",
                        Severity.ERROR,
                        f"{conflict.label}: owned by {', '.join(conflict.managers)}, and the"
                        " manifest sets another value; server-side apply fails with a conflict",
                        conflict.path,
                        hint="kubectl apply --server-side --force-conflicts takes the field"
                        " over; or leave the field out of the manifest",
                    )
                )
        # the merge shares unchanged values with the live body; prune edits in place
        body = copy.deepcopy(applymerge.merged({}, manifest.body, live.body, schema))
        managedfields.prune(owners, manifest.body, body, schema)
        return body

    def notes(self) -> list[str]:
        """Which apply was modelled, for the diff's and the plan's notes."""
        out = []
        if self.server_side:
            if self.ownership or self.no_ownership:
                out.append(
                    "modelled kubectl apply --server-side"
                    + (" --force-conflicts" if self.force_conflicts else "")
                    + f": {self.ownership} live object(s) by their managedFields (a field another"
                    " manager owns is kept, one only the applier owned and the manifest drops is"
                    " removed)"
                    + (
                        f"; {self.no_ownership} without managedFields of the applier: nothing"
                        " they have that the manifests do not set is removed"
                        if self.no_ownership
                        else ""
                    )
                )
        elif self.three_way or self.two_way:
            text = (
                "modelled client-side kubectl apply (three-way strategic merge):"
                f" {self.three_way} live object(s) with their last-applied configuration"
            )
            if self.two_way:
                text += (
                    f"; {self.two_way} without one, so only the manifest's own fields are"
                    " compared and what it does not set is kept"
                )
            out.append(text)
        return out


__all__ = ["LiveApply"]
