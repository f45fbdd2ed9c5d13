"""The context of one classified object: both bodies, both revisions, the version, and the
conditions of a row evaluated against them."""

from __future__ import annotations

from kubeplan.kube.workloads import pod_template_path
from kubeplan.model import Resource
from kubeplan.planner.diff.effects.bodies import as_list, expected_holds, get, version_holds
from kubeplan.planner.diff.effects.checks import CHECKS
from kubeplan.planner.diff.effects.consumers import Use, replaces_all_pods
from kubeplan.planner.diff.effects.indexes import BY_KEY, USES, rolls_memo
from kubeplan.planner.diff.effects.table import Row
from kubeplan.planner.diff.fielddiff import FieldChange
from kubeplan.planner.diff.normalise import normalise
from kubeplan.planner.diff.pairing import Pair, pair_key


class Context:
    def __init__(
        self,
        pair: Pair,
        new_resources: list[Resource],
        base_resources: list[Resource],
        version: tuple[int, int],
    ) -> None:
        assert pair.new is not None and pair.old is not None
        self.pair = pair
        self.resource: Resource = pair.new
        self.base: Resource = pair.old
        self.old_body = pair.old_body or {}
        self.new_body = pair.new_body or {}
        self.new_resources = new_resources
        self.base_resources = base_resources
        self.version = version
        self.template = pod_template_path(self.resource.group, self.resource.kind)
        # whether each consumer rolls, shared by every object classified against these revisions
        self._rolls = rolls_memo(new_resources, base_resources)

    # -- conditions

    def holds(self, row: Row, change: FieldChange) -> bool:
        when = row.when
        if "change" in when and change.kind not in as_list(when["change"]):
            return False
        for side, body in (("old", self.old_body), ("new", self.new_body)):
            for path, expected in (when.get(side) or {}).items():
                if not expected_holds(get(body, path), expected):
                    return False
        for path, expected in (when.get("either") or {}).items():
            if not (
                expected_holds(get(self.old_body, path), expected)
                or expected_holds(get(self.new_body, path), expected)
            ):
                return False
        for path, expected in (when.get("both") or {}).items():
            if not (
                expected_holds(get(self.old_body, path), expected)
                and expected_holds(get(self.new_body, path), expected)
            ):
                return False
        if "version" in when and not version_holds(str(when["version"]), self.version):
            return False
        return all(CHECKS[name](self, change, row) for name in row.checks)

    # -- consumers

    def uses(self, change: FieldChange) -> list[Use]:
        resource = self.resource
        index = USES.get(self.new_resources)
        uses = index.get((resource.namespace, resource.kind, resource.name or ""), [])
        keys = self._changed_keys(change)
        if keys is None:
            return list(uses)
        return [use for use in uses if use.keys is None or use.keys & keys]

    def _changed_keys(self, change: FieldChange) -> frozenset[str] | None:
        if len(change.path) >= 2 and isinstance(change.path[1], str):
            return frozenset([change.path[1]])
        keys: set[str] = set()
        for value in (change.old, change.new):
            if isinstance(value, dict):
                keys.update(str(key) for key in value)
        return frozenset(keys) if keys else None

    def rolls(self, workload: Resource) -> bool:
        """Whether the workload replaces all its pods in this revision: it is created by it, or
        its pod template changes and its controller rolls every pod at once (not a paused
        Deployment, a StatefulSet with a partition or OnDelete, a DaemonSet with OnDelete, a
        ReplicaSet or ReplicationController, whose template changes leave running pods alone)."""
        known = self._rolls.get(id(workload))
        if known is None:
            base = BY_KEY.get(self.base_resources).get(pair_key(workload))
            if base is None:
                known = True
            else:
                path = pod_template_path(workload.group, workload.kind) or ()
                body = normalise(workload)
                known = replaces_all_pods(workload.kind, body) and (
                    get(normalise(base), path) != get(body, path)
                )
            self._rolls[id(workload)] = known
        return known

    # -- the ConfigMap/Secret reference note of template changes

    def under_template(self, path: tuple[str | int, ...]) -> bool:
        if self.template is None:
            return False
        if not self.template:
            return path[:1] == ("spec",)
        return path[: len(self.template)] == self.template
