"""What each ResourceQuota of a namespace has charged, as objects are admitted one after another.

The quota admission plugin checks every create against `status.used` and adds the object's
usage (apiserver pkg/admission/plugin/resourcequota/controller.go `CheckRequest`: `used +
requested <= hard` per resource the quota lists). kubeplan starts from `status.used` when the
quota was read from the cluster (a `kubectl get -o yaml` dump as the base); otherwise from the
sum of what the namespace's manifests run at rest, which it says it assumed (`assumed`).

A workload's pods are charged as its controller creates them: one refused pod means the next
are refused too (the controller stops at the first failed batch and retries), so the pods that
fit are counted and the first that does not gives the refusal's message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from kubeplan.admission.quota.admit import Refusal, check
from kubeplan.admission.quota.model import Quota, quotas_from
from kubeplan.admission.quota.scopes import matches
from kubeplan.admission.quota.usage import usage
from kubeplan.model import Resource

Amounts = dict[str, Fraction]


@dataclass
class PodAdmission:
    fit: int  # pods of the requested count that the quotas admit
    refusal: Refusal | None  # why the next one is refused


@dataclass
class Ledger:
    quotas: dict[str, list[Quota]] = field(default_factory=dict)  # namespace -> quotas
    used: dict[tuple[str, str], Amounts] = field(default_factory=dict)  # (ns, quota) -> used
    assumed: set[str] = field(default_factory=set)  # namespaces whose usage is a sum of manifests

    @classmethod
    def of(
        cls, quota_objects: Iterable[Resource], at_rest: Iterable[tuple[Resource, Any, int]] = ()
    ) -> Ledger:
        """The quotas, their usage from `status.used` or else the sum of `at_rest`: (object,
        its defaulted pod spec or None, its pod count) for what already runs."""
        ledger = cls()
        for quota in quotas_from(list(quota_objects)):
            ledger.quotas.setdefault(quota.namespace, []).append(quota)
            if quota.used is None:  # counted from the manifests, from zero on what it lists
                ledger.used[(quota.namespace, quota.name)] = dict.fromkeys(quota.hard, Fraction(0))
                ledger.assumed.add(quota.namespace)
            else:
                ledger.used[(quota.namespace, quota.name)] = dict(quota.used)
        known = {key for key, quota in ledger._all() if quota.used is not None}
        for resource, spec, pods in at_rest:
            ledger._charge(resource, spec, pods, skip=known)
        return ledger

    def _all(self) -> Iterable[tuple[tuple[str, str], Quota]]:
        for namespace, quotas in self.quotas.items():
            for quota in quotas:
                yield (namespace, quota.name), quota

    def covers(self, namespace: str | None) -> bool:
        return bool(namespace and self.quotas.get(namespace))

    def _used_by_name(self, namespace: str) -> dict[str, Mapping[str, Fraction]]:
        return {q.name: self.used[(namespace, q.name)] for q in self.quotas.get(namespace, ())}

    def admit_object(self, resource: Resource) -> Refusal | None:
        """Create `resource` (its object count, a Service's ports, a PVC's storage): the first
        refusal, or None and the usage is charged."""
        namespace = resource.namespace or ""
        if not self.covers(namespace):
            return None
        quotas = self.quotas[namespace]
        refusals = check(
            quotas, self._used_by_name(namespace), resource.group, resource.kind, resource.body
        )
        if refusals:
            return refusals[0]
        self._charge(resource, None, 0)
        return None

    def admit_pods(
        self, resource: Resource, template: Mapping[str, Any], spec: Mapping[str, Any], count: int
    ) -> PodAdmission:
        """Create `count` pods of `template` (with its defaulted `spec`) one after another."""
        namespace = resource.namespace or ""
        if not self.covers(namespace) or count <= 0:
            return PodAdmission(count, None)
        quotas = self.quotas[namespace]
        pod = _pod_body(template, spec)
        per_pod = {
            q.name: _masked(q, usage("", "Pod", pod, pod_spec=spec))
            for q in quotas
            if matches(q, "", "Pod", pod)
        }
        fit = count
        for name, amounts in per_pod.items():
            quota = next(q for q in quotas if q.name == name)
            used = self.used[(namespace, name)]
            for key, amount in amounts.items():
                if amount <= 0 or key not in quota.hard:
                    continue
                room = quota.hard[key] - used.get(key, Fraction(0))
                fit = min(fit, max(int(room // amount), 0))
        fit = max(fit, 0)
        for name, amounts in per_pod.items():
            used = self.used[(namespace, name)]
            for key, amount in amounts.items():
                used[key] = used.get(key, Fraction(0)) + amount * fit
        refusal = None
        first = check(quotas, self._used_by_name(namespace), "", "Pod", pod, pod_spec=spec)
        if first and (fit < count or first[0].rule != "quota-exceeded"):
            refusal = first[0]
            if refusal.rule != "quota-exceeded":
                fit = 0  # a constraint refuses every pod
        return PodAdmission(fit, refusal)

    def _charge(
        self, resource: Resource, spec: Any, pods: int, skip: Iterable[tuple[str, str]] = ()
    ) -> None:
        namespace = resource.namespace or ""
        skipped = set(skip)
        for quota in self.quotas.get(namespace, ()):
            key = (namespace, quota.name)
            if key in skipped:
                continue
            used = self.used[key]
            bare_pod = resource.group == "" and resource.kind == "Pod"  # charged as a pod below
            if not bare_pod and matches(quota, resource.group, resource.kind, resource.body):
                for name, amount in _masked(
                    quota, usage(resource.group, resource.kind, resource.body)
                ).items():
                    used[name] = used.get(name, Fraction(0)) + amount
            if spec is not None and pods:
                found = _template(resource)
                pod = _pod_body(found, spec)
                if matches(quota, "", "Pod", pod):
                    for name, amount in _masked(
                        quota, usage("", "Pod", pod, pod_spec=spec)
                    ).items():
                        used[name] = used.get(name, Fraction(0)) + amount * pods


def _masked(quota: Quota, amounts: Mapping[str, Fraction]) -> Amounts:
    return {k: v for k, v in amounts.items() if k in quota.hard}


def _pod_body(template: Mapping[str, Any], spec: Mapping[str, Any]) -> dict[str, Any]:
    metadata = template.get("metadata") if isinstance(template, Mapping) else None
    return {"apiVersion": "v1", "kind": "Pod", "metadata": dict(metadata or {}), "spec": dict(spec)}


def _template(resource: Resource) -> Mapping[str, Any]:
    from kubeplan.kube.workloads import pod_template

    found = pod_template(resource)
    return found[1] if found is not None else {}


def pod_usage(quota: Quota, workload_body: Mapping[str, Any], spec: Mapping[str, Any]) -> Amounts:
    """What one pod of a workload (its `spec.template`, with the defaulted `spec`) charges to
    `quota`: nothing when the quota's scopes do not match it."""
    workload_spec = workload_body.get("spec") if isinstance(workload_body, Mapping) else None
    template = workload_spec.get("template") if isinstance(workload_spec, Mapping) else None
    pod = _pod_body(template if isinstance(template, Mapping) else {}, spec)
    if not matches(quota, "", "Pod", pod):
        return {}
    return _masked(quota, usage("", "Pod", pod, pod_spec=spec))
