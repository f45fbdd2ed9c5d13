"""Reliability and resource rules: requests and limits, probes, replicas, disruption budgets,
rollout parameters, selectors, StatefulSet Services, autoscalers and Job hygiene.

Kubernetes semantics these checks rely on (sources also in data/reliability.yaml, per rule):
- A container with a limit and no request gets the limit as its request (pkg/apis/core/v1/
  defaults.go SetDefaults_Pod), and a LimitRange of its namespace fills in `defaultRequest` /
  `default` (plugin/pkg/admission/limitranger; a `default` with no `defaultRequest` defaults the
  request too: SetDefaults_LimitRangeItem). Pod-level `spec.resources` (PodLevelResources) is
  honoured from 1.34, where it is beta and on by default. Checked: app containers and sidecar
  init containers (restartPolicy Always), which run for the pod's lifetime; plain init
  containers run before them (the scheduler takes the larger of the two), and ephemeral
  containers may not set resources at all (pkg/apis/core/validation).
- Probe defaults (SetDefaults_Probe, SetDefaults_HTTPGetAction): timeoutSeconds 1,
  periodSeconds 10, successThreshold 1, failureThreshold 3, httpGet path "/" and scheme HTTP.
  A named probe port is looked up in the ports of that container only (pkg/probe/util.go
  ResolveContainerPort); when it is not there the probe errors, and the kubelet counts that
  as a failure (pkg/kubelet/prober/prober.go).
- PodDisruptionBudget (pkg/controller/disruption/disruption.go getExpectedPodCount):
  maxUnavailable and a percentage minAvailable are scaled with GetScaledValueFromIntOrPercent
  rounding UP, against the summed scale of the controllers of the selected pods; an integer
  minAvailable is compared with the number of selected pods. disruptionsAllowed =
  currentHealthy - desiredHealthy, forced to 0 when the expected count is 0 (updatePdbStatus),
  which is what a PDB with neither field gets (policy/v1 defaults neither), and what
  maxUnavailable or a percentage gets over bare Pods only (getExpectedScale skips unmanaged
  pods).
- Deployment RollingUpdate (pkg/apis/apps/validation/validation.go ValidateRollingUpdateDeployment
  and pkg/controller/deployment/util/deployment_util.go ResolveFenceposts; shared/reference/
  rollouts.md §1.2-1.3): the API server rejects maxSurge and maxUnavailable that are both 0 as
  written (a percentage taken by its number); the controller resolves maxSurge rounding up and
  maxUnavailable rounding down against replicas, and uses maxUnavailable 1 when both resolve
  to 0. DaemonSet (ValidateRollingUpdateDaemonSet): exactly one of the two must be non-zero,
  after the defaults maxUnavailable 1 and maxSurge 0 (pkg/apis/apps/v1/defaults.go).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kubeplan.model import Path, Resource
from kubeplan.rules import selectors, workloads
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check
from kubeplan.rules.values import as_dict as _dict
from kubeplan.rules.values import as_int as _int
from kubeplan.rules.values import as_list as _list
from kubeplan.rules.values import as_str as _str
from kubeplan.rules.values import namespace_of as _namespace
from kubeplan.rules.workloads import ContainerRef

_SHOWN = 3
_PERCENT = re.compile(r"^[0-9]+%$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# Labels the Job registry strategy generates (pkg/registry/batch/job/strategy.go generateSelector)
_JOB_NAME_LABELS = ("job-name", "batch.kubernetes.io/job-name")
_JOB_UID_LABELS = ("controller-uid", "batch.kubernetes.io/controller-uid")


# ---------------------------------------------------------------------------------------------
# helpers on untrusted bodies


def _spec(resource: Resource) -> dict[str, Any]:
    return _dict(resource.body.get("spec"))


def _show(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def _minor(version: str) -> tuple[int, int]:
    try:
        major, minor = version.split(".")[:2]
        return int(major), int(minor)
    except ValueError:
        return (1, 0)


def _label_selector_text(selector: dict[str, Any]) -> str:
    parts = [f"{k}={v}" for k, v in _dict(selector.get("matchLabels")).items()]
    for expression in _list(selector.get("matchExpressions")):
        expression = _dict(expression)
        key, operator = expression.get("key"), expression.get("operator")
        values = ",".join(str(v) for v in _list(expression.get("values")))
        parts.append(f"{key} {operator} ({values})" if values else f"{key} {operator}")
    return ", ".join(parts) if parts else "{}"


def _labels_text(labels: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in labels.items()) if labels else "none"


def _who(ref: ContainerRef) -> str:
    if ref.list_name == "initContainers":
        return f'sidecar container "{ref.name}"'
    if ref.list_name == "ephemeralContainers":
        return f'ephemeral container "{ref.name}"'
    return f'container "{ref.name}"'


def _long_running(resource: Resource, include_sidecars: bool) -> Iterator[ContainerRef]:
    """Containers that run for the pod's lifetime: app containers, and sidecar init containers
    (restartPolicy Always) when asked."""
    lists = ("containers", "initContainers") if include_sidecars else ("containers",)
    for ref in workloads.containers(resource, lists=lists):
        if ref.list_name == "initContainers" and ref.container.get("restartPolicy") != "Always":
            continue
        yield ref


# ---------------------------------------------------------------------------------------------
# int-or-percent values (k8s.io/apimachinery/pkg/util/intstr GetScaledValueFromIntOrPercent)


@dataclass(frozen=True, slots=True)
class _IntOrPercent:
    number: int
    percent: bool

    def scaled(self, total: int, round_up: bool) -> int:
        if not self.percent:
            return self.number
        product = self.number * total
        return -(-product // 100) if round_up else product // 100

    def __str__(self) -> str:
        return f'"{self.number}%"' if self.percent else str(self.number)


def _int_or_percent(value: Any) -> _IntOrPercent | None:
    """A valid int-or-percent value (ints >= 0, strings `^[0-9]+%$`), else None."""
    number = _int(value)
    if number is not None:
        return _IntOrPercent(number, False) if number >= 0 else None
    if isinstance(value, str) and _PERCENT.match(value):
        return _IntOrPercent(int(value[:-1]), True)
    return None


# ---------------------------------------------------------------------------------------------
# indexes, built once per context


def _build_hpas(ctx: LintContext) -> dict[tuple[str, str, str], Resource]:
    """(namespace, kind, name) of a scale target -> the first HorizontalPodAutoscaler on it."""
    index: dict[tuple[str, str, str], Resource] = {}
    for hpa in ctx.of_kind("HorizontalPodAutoscaler"):
        if hpa.group != "autoscaling":
            continue
        target = _dict(_spec(hpa).get("scaleTargetRef"))
        kind, name = _str(target.get("kind")), _str(target.get("name"))
        if kind and name:
            index.setdefault((_namespace(hpa), kind, name), hpa)
    return index


def _hpa_for(ctx: LintContext, resource: Resource) -> Resource | None:
    if not resource.name:
        return None
    index = ctx.index(_build_hpas)
    return index.get((_namespace(resource), resource.kind, resource.name))


def _hpa_range(hpa: Resource) -> tuple[int, int | None]:
    """(minReplicas defaulted to 1, maxReplicas or None)."""
    spec = _spec(hpa)
    low = _int(spec.get("minReplicas"))
    return (low if low is not None else 1), _int(spec.get("maxReplicas"))


def _max_replicas(ctx: LintContext, resource: Resource) -> int | None:
    """The most pods a scalable workload runs: its replicas, or its autoscaler's maximum."""
    hpa = _hpa_for(ctx, resource)
    if hpa is not None:
        return _hpa_range(hpa)[1]
    return workloads.replicas(resource)


@dataclass
class _PdbIndex:
    by_namespace: dict[str, list[Resource]] = field(default_factory=lambda: defaultdict(list))
    selected: dict[int, list[Resource]] = field(default_factory=dict)  # id(pdb) -> workloads
    covered: dict[int, Resource] = field(default_factory=dict)  # id(workload) -> first PDB


def _pdb_selector(pdb: Resource) -> dict[str, Any] | None:
    """The selector of a PDB, or None when it selects nothing (null; v1beta1 empty)."""
    selector = _spec(pdb).get("selector")
    if not isinstance(selector, dict):
        return None
    empty = not selector.get("matchLabels") and not selector.get("matchExpressions")
    if pdb.version == "v1beta1" and empty:
        return None  # policy/v1beta1: an empty selector selects no pods
    return selector


def _build_pdbs(ctx: LintContext) -> _PdbIndex:
    index = _PdbIndex()
    pdbs = [p for p in ctx.of_kind("PodDisruptionBudget") if p.group == "policy"]
    if not pdbs:
        return index
    # namespace -> (label pair -> workloads), to select by the rarest matchLabels pair
    by_pair: dict[str, dict[tuple[str, str], list[Resource]]] = {}
    labels_of: dict[int, dict[str, str]] = {}
    for pdb in pdbs:
        namespace = _namespace(pdb)
        index.by_namespace[namespace].append(pdb)
        if namespace not in by_pair:
            table: dict[tuple[str, str], list[Resource]] = defaultdict(list)
            for workload in ctx.workloads_in(namespace):
                labels = workloads.pod_labels(workload)
                labels_of[id(workload)] = labels
                for pair in labels.items():
                    table[pair].append(workload)
            by_pair[namespace] = table
    for pdb in pdbs:
        namespace = _namespace(pdb)
        selector = _pdb_selector(pdb)
        chosen: list[Resource] = []
        if selector is not None:
            pairs = _dict(selector.get("matchLabels"))
            candidates: Iterable[Resource]
            if pairs:
                lists = [  # a value that is no string selects nothing (selectors.matches)
                    by_pair[namespace].get((k, v), []) if isinstance(v, str) else []
                    for k, v in pairs.items()
                ]
                candidates = min(lists, key=len)
            else:
                candidates = ctx.workloads_in(namespace)
            chosen = [
                w
                for w in candidates
                if selectors.matches(selector, labels_of.get(id(w), workloads.pod_labels(w)))
            ]
        index.selected[id(pdb)] = chosen
        for workload in chosen:
            index.covered.setdefault(id(workload), pdb)
    return index


def _build_services(ctx: LintContext) -> dict[tuple[str, str], Resource]:
    return {(_namespace(s), s.name): s for s in ctx.of_kind("Service") if s.name and s.group == ""}


def _build_limitranges(ctx: LintContext) -> dict[str, tuple[set[str], set[str]]]:
    """namespace -> (resources given a default request, resources given a default limit)."""
    index: dict[str, tuple[set[str], set[str]]] = {}
    for limit_range in ctx.of_kind("LimitRange"):
        if limit_range.group != "":
            continue
        requests, limits = index.setdefault(_namespace(limit_range), (set(), set()))
        for item in _list(_spec(limit_range).get("limits")):
            item = _dict(item)
            if item.get("type") != "Container":
                continue
            default = set(_dict(item.get("default")))
            limits.update(default)
            # A default limit without a default request defaults the request to it.
            requests.update(default, _dict(item.get("defaultRequest")))
    return index


# ---------------------------------------------------------------------------------------------
# requests and limits


_RESOURCE_WORDS = {"cpu": "CPU", "memory": "memory", "ephemeral-storage": "ephemeral-storage"}


def _has(resources: dict[str, Any], which: str, name: str) -> bool:
    values = _dict(resources.get(which))
    if name in values:
        return True
    # A limit without a request: the request defaults to the limit (SetDefaults_Pod).
    return which == "requests" and name in _dict(resources.get("limits"))


def _defaulted(resource: Resource, ctx: LintContext, which: str, name: str) -> bool:
    """Is the value supplied outside the container: pod-level resources or a LimitRange?"""
    if _minor(ctx.kubernetes_version) >= (1, 34):
        found = workloads.pod_spec(resource)
        if found is not None and _has(_dict(found[1].get("resources")), which, name):
            return True
    index = ctx.index(_build_limitranges)
    defaults = index.get(_namespace(resource))
    if defaults is None:
        return False
    return name in (defaults[0] if which == "requests" else defaults[1])


def _missing_resource(
    resource: Resource, ctx: LintContext, which: str, name: str
) -> Iterator[Violation]:
    word = "request" if which == "requests" else "limit"
    checked_default = None
    for ref in _long_running(resource, include_sidecars=True):
        if _has(_dict(ref.container.get("resources")), which, name):
            continue
        if checked_default is None:
            checked_default = _defaulted(resource, ctx, which, name)
        if checked_default:
            return
        yield Violation(
            (*ref.path, "resources", which, name),
            f"{_who(ref)} has no {_RESOURCE_WORDS[name]} {word}",
        )


@check("cpu-requests-missing")
def cpu_requests_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    yield from _missing_resource(resource, ctx, "requests", "cpu")


@check("memory-requests-missing")
def memory_requests_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    yield from _missing_resource(resource, ctx, "requests", "memory")


@check("cpu-limits-missing")
def cpu_limits_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    yield from _missing_resource(resource, ctx, "limits", "cpu")


@check("memory-limits-missing")
def memory_limits_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    yield from _missing_resource(resource, ctx, "limits", "memory")


@check("ephemeral-storage-missing")
def ephemeral_storage_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    yield from _missing_resource(resource, ctx, "limits", "ephemeral-storage")


# ---------------------------------------------------------------------------------------------
# probes


def _probe_containers(resource: Resource) -> Iterator[ContainerRef]:
    """App containers of a long-running workload (Jobs and CronJobs run to completion)."""
    if resource.kind in ("Job", "CronJob"):
        return
    yield from workloads.containers(resource, lists=("containers",))


@check("readiness-probe-missing")
def readiness_probe_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for ref in _probe_containers(resource):
        if not isinstance(ref.container.get("readinessProbe"), dict):
            yield Violation((*ref.path, "readinessProbe"), f"{_who(ref)} has no readinessProbe")


@check("liveness-probe-missing")
def liveness_probe_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for ref in _probe_containers(resource):
        if not isinstance(ref.container.get("livenessProbe"), dict):
            yield Violation((*ref.path, "livenessProbe"), f"{_who(ref)} has no livenessProbe")


_PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
_PROBE_DEFAULTS = {
    "initialDelaySeconds": 0,
    "timeoutSeconds": 1,
    "periodSeconds": 10,
    "successThreshold": 1,
    "failureThreshold": 3,
}


def _normalized_probe(probe: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {key: probe.get(key, default) for key, default in _PROBE_DEFAULTS.items()}
    out["terminationGracePeriodSeconds"] = probe.get("terminationGracePeriodSeconds")
    for handler in _PROBE_HANDLERS:
        if handler in probe:
            value = probe[handler]
            if handler == "httpGet" and isinstance(value, dict):
                value = {"path": "/", "scheme": "HTTP", **value}
            if handler == "grpc" and isinstance(value, dict):
                value = {"service": "", **value}
            out[handler] = value
    return out


def _probe_text(probe: dict[str, Any]) -> str:
    http = probe.get("httpGet")
    if isinstance(http, dict):
        return f"httpGet {http.get('path') or '/'} port {_show(http.get('port'))}"
    tcp = probe.get("tcpSocket")
    if isinstance(tcp, dict):
        return f"tcpSocket port {_show(tcp.get('port'))}"
    grpc = probe.get("grpc")
    if isinstance(grpc, dict):
        return f"grpc port {_show(grpc.get('port'))}"
    command = _dict(probe.get("exec")).get("command")
    if isinstance(command, list):
        text = " ".join(str(part) for part in command)
        return f"exec {text[:40]}{'...' if len(text) > 40 else ''}"
    return "the same handler"


@check("probes-identical")
def probes_identical(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for ref in _long_running(resource, include_sidecars=True):
        liveness = ref.container.get("livenessProbe")
        readiness = ref.container.get("readinessProbe")
        if not isinstance(liveness, dict) or not isinstance(readiness, dict):
            continue
        if not any(h in liveness for h in _PROBE_HANDLERS):
            continue
        if _normalized_probe(liveness) == _normalized_probe(readiness):
            yield Violation(
                (*ref.path, "livenessProbe"),
                f"{_who(ref)}: livenessProbe is identical to readinessProbe"
                f" ({_probe_text(liveness)}); when it fails the pod is restarted at the moment"
                " it stops receiving traffic",
            )


@check("probe-port-not-exposed")
def probe_port_not_exposed(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    for ref in _long_running(resource, include_sidecars=True):
        names = {
            _dict(port).get("name")
            for port in _list(ref.container.get("ports"))
            if _str(_dict(port).get("name"))
        }
        for probe_name in ("livenessProbe", "readinessProbe", "startupProbe"):
            probe = _dict(ref.container.get(probe_name))
            for handler in ("httpGet", "tcpSocket"):
                port = _dict(probe.get(handler)).get("port")
                if not isinstance(port, str) or not port or port.isdigit() or port in names:
                    continue
                declared = ", ".join(sorted(names)) if names else "none"
                yield Violation(
                    (*ref.path, probe_name, handler, "port"),
                    f'{_who(ref)}: {probe_name} port "{port}" names no containerPort of this'
                    f" container (named ports: {declared}); the kubelet fails the probe",
                )


# ---------------------------------------------------------------------------------------------
# replicas, disruption budgets, spreading


def _replicas_text(resource: Resource) -> str:
    if "replicas" not in _spec(resource):
        return "replicas is unset (defaults to 1)"
    return f"replicas is {_spec(resource).get('replicas')}"


@check("single-replica")
def single_replica(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    minimum = _int(options.get("min_replicas")) or 2
    replicas = workloads.replicas(resource)
    if replicas is None or replicas == 0 or replicas >= minimum:
        return  # 0 is a deliberate scale-down
    if _hpa_for(ctx, resource) is not None:
        return
    yield Violation(
        ("spec", "replicas"),
        f"{_replicas_text(resource)}, fewer than {minimum}: the workload is down while its"
        " pod is rescheduled (node drain, eviction, node failure)",
    )


def _scale_text(ctx: LintContext, resource: Resource) -> str:
    hpa = _hpa_for(ctx, resource)
    if hpa is not None:
        return f'up to {_hpa_range(hpa)[1]} replicas (HorizontalPodAutoscaler "{hpa.name}")'
    return f"{workloads.replicas(resource)} replicas"


@check("pdb-missing")
def pdb_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if workloads.pod_template(resource) is None:
        return
    most = _max_replicas(ctx, resource)
    if most is None or most < 2:
        return
    index = ctx.index(_build_pdbs)
    if id(resource) in index.covered:
        return
    yield Violation(
        (),
        f"{_scale_text(ctx, resource)} and no PodDisruptionBudget in namespace"
        f' "{_namespace(resource)}" selects its pods: a node drain may evict them all at once',
    )


def _budget_scale(ctx: LintContext, chosen: list[Resource]) -> tuple[int, int, list[str]] | None:
    """(largest summed scale of the selected controllers, number of bare Pods, names), or None
    when a selected workload's pod count is not in the manifests."""
    total = bare = 0
    names: list[str] = []
    for workload in chosen:
        if workload.kind in workloads.SCALABLE_KINDS:
            count = _max_replicas(ctx, workload)
            if count is None:
                return None
            total += count
        elif workload.kind == "Pod":
            bare += 1  # unmanaged: counted as a pod, never as a controller's scale
        else:
            return None  # DaemonSet, Job, CronJob: the pod count is not in the manifest
        label = f"{workload.kind} {workload.name}"
        if label not in names:
            names.append(label)
    return total, bare, names


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


@check("pdb-no-disruption")
def pdb_no_disruption(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    spec = _spec(resource)
    blocked = "no voluntary eviction of its pods is ever allowed, so node drains block"
    max_unavailable = spec.get("maxUnavailable")
    min_available = spec.get("minAvailable")
    if max_unavailable is None and min_available is None:
        if resource.version == "v1beta1":
            return  # policy/v1beta1 defaulted minAvailable to 1
        yield Violation(
            ("spec",),
            "sets neither minAvailable nor maxUnavailable: the disruption controller expects 0"
            f" pods and allows 0 disruptions; {blocked}",
        )
        return
    scaled_budget = max_unavailable is not None
    if scaled_budget:
        value = _int_or_percent(max_unavailable)
        if value is not None and value.number == 0:
            yield Violation(("spec", "maxUnavailable"), f"maxUnavailable is {value}: {blocked}")
            return
        # Any other maxUnavailable rounds up to at least one pod of the controllers' scale.
        path: Path = ("spec", "maxUnavailable")
    else:
        value = _int_or_percent(min_available)
        if value is None:
            return
        if value.percent and value.number >= 100:
            yield Violation(("spec", "minAvailable"), f"minAvailable is {value}: {blocked}")
            return
        if value.number == 0:
            return
        scaled_budget = value.percent
        path = ("spec", "minAvailable")
    chosen = ctx.index(_build_pdbs).selected.get(id(resource), [])
    if not chosen:
        return  # pdb-selects-nothing reports it
    scale = _budget_scale(ctx, chosen)
    if scale is None:
        return
    total, bare, names = scale
    if scaled_budget and total == 0:
        # getExpectedScale skips unmanaged pods: with no controller the expected count is 0.
        yield Violation(
            path,
            f"selects only bare Pods ({_names(names)}), which the disruption controller does not"
            f" count for maxUnavailable or a percentage (expected pods 0): {blocked}",
        )
        return
    if value is None or max_unavailable is not None:
        return
    pods = total + bare
    needed = value.scaled(total, round_up=True)
    if needed < pods:
        return
    if value.percent:
        how = f"minAvailable {value} of {total} pods rounds up to {needed}"
    else:
        how = f"minAvailable {value.number} >= the {pods} pods"
    yield Violation(path, f"{how} of the workloads it selects ({_names(names)}): {blocked}")


def _spreads(spec: dict[str, Any]) -> bool:
    anti = _dict(_dict(spec.get("affinity")).get("podAntiAffinity"))
    if _list(anti.get("requiredDuringSchedulingIgnoredDuringExecution")):
        return True
    if _list(anti.get("preferredDuringSchedulingIgnoredDuringExecution")):
        return True
    return bool(_list(spec.get("topologySpreadConstraints")))


@check("anti-affinity-missing")
def anti_affinity_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    found = workloads.pod_spec(resource)
    if found is None:
        return
    path, spec = found
    most = _max_replicas(ctx, resource)
    if most is None or most < 2 or _spreads(spec):
        return
    yield Violation(
        (*path, "affinity"),
        f"{_scale_text(ctx, resource)} with neither podAntiAffinity nor"
        " topologySpreadConstraints: the scheduler's default spreading is best-effort, so"
        " several replicas may share one node",
    )


# ---------------------------------------------------------------------------------------------
# rollout parameters


def _rolling_values(
    raw: dict[str, Any], defaults: tuple[Any, Any], base: Path
) -> tuple[Any, Any, list[Violation]]:
    """(maxSurge, maxUnavailable) with defaults, and a violation per malformed value."""
    problems: list[Violation] = []
    values = []
    for key, default in zip(("maxSurge", "maxUnavailable"), defaults, strict=True):
        value = raw.get(key)
        if value is None:
            value = default
        elif _int_or_percent(value) is None:
            problems.append(
                Violation(
                    (*base, key),
                    f"{key} {_show(value)} is neither a non-negative integer nor a percentage"
                    ' like "25%"; the API server rejects it',
                )
            )
        values.append(value)
    return values[0], values[1], problems


@check("rolling-update-no-progress")
def rolling_update_no_progress(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    spec = _spec(resource)
    if resource.kind == "Deployment":
        strategy = _dict(spec.get("strategy"))
        base: Path = ("spec", "strategy", "rollingUpdate")
        if strategy.get("type") == "Recreate":
            if strategy.get("rollingUpdate") is not None:
                yield Violation(
                    base,
                    "rollingUpdate is set with strategy type Recreate; the API server rejects"
                    " it (\"may not be specified when strategy `type` is 'Recreate'\")",
                )
            return
        defaults: tuple[Any, Any] = ("25%", "25%")
    elif resource.kind == "DaemonSet":
        strategy = _dict(spec.get("updateStrategy"))
        base = ("spec", "updateStrategy", "rollingUpdate")
        if strategy.get("type") == "OnDelete":
            return
        defaults = (0, 1)
    else:
        return
    if strategy.get("type") not in (None, "RollingUpdate"):
        return
    surge, unavailable, problems = _rolling_values(
        _dict(strategy.get("rollingUpdate")), defaults, base
    )
    yield from problems
    if problems:
        return
    surge_value, unavailable_value = _int_or_percent(surge), _int_or_percent(unavailable)
    if surge_value is None or unavailable_value is None:
        return
    # maxUnavailable may not exceed 100%; a Deployment's maxSurge may, a DaemonSet's may not.
    limited = [("maxUnavailable", unavailable_value)]
    if resource.kind == "DaemonSet":
        limited.append(("maxSurge", surge_value))
    for key, value in limited:
        if value.percent and value.number > 100:
            yield Violation((*base, key), f"{key} {value} is over 100%; the API server rejects it")
    both_zero = surge_value.number == 0 and unavailable_value.number == 0
    if both_zero:
        yield Violation(
            (*base, "maxUnavailable"),
            f"maxSurge {surge_value} and maxUnavailable {unavailable_value} are both 0: no pod"
            ' could ever be replaced; the API server rejects it ("may not be 0 when `maxSurge`'
            ' is 0")',
        )
    elif resource.kind == "DaemonSet" and surge_value.number and unavailable_value.number:
        defaulted = (
            " (maxUnavailable defaults to 1)"
            if "maxUnavailable" not in _dict(strategy.get("rollingUpdate"))
            else ""
        )
        yield Violation(
            (*base, "maxSurge"),
            f"maxSurge {surge_value} and maxUnavailable {unavailable_value} are both non-zero"
            f"{defaulted}: a DaemonSet takes one or the other; the API server rejects it"
            ' ("may not be set when maxUnavailable is non-zero")',
        )


@check("rolling-update-all-unavailable")
def rolling_update_all_unavailable(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    strategy = _dict(_spec(resource).get("strategy"))
    if strategy.get("type") not in (None, "RollingUpdate"):
        return
    replicas = workloads.replicas(resource)
    if replicas is None or replicas <= 0 or _hpa_for(ctx, resource) is not None:
        return
    rolling = _dict(strategy.get("rollingUpdate"))
    raw_surge = rolling.get("maxSurge")
    raw_unavailable = rolling.get("maxUnavailable")
    surge_value = _int_or_percent("25%" if raw_surge is None else raw_surge)
    unavailable_value = _int_or_percent("25%" if raw_unavailable is None else raw_unavailable)
    if surge_value is None or unavailable_value is None:
        return  # rolling-update-no-progress reports malformed values
    if surge_value.number == 0 and unavailable_value.number == 0:
        return  # rejected by the API server: rolling-update-no-progress
    surge = surge_value.scaled(replicas, round_up=True)
    unavailable = unavailable_value.scaled(replicas, round_up=False)
    if surge != 0:
        return
    forced = unavailable == 0
    if forced:
        unavailable = 1  # ResolveFenceposts: both 0 -> maxUnavailable 1
    if min(unavailable, replicas) < replicas:
        return
    path: Path = ("spec", "strategy", "rollingUpdate", "maxUnavailable")
    if raw_unavailable is None:
        path = ("spec", "strategy", "rollingUpdate", "maxSurge")
    if forced:
        how = (
            f"maxSurge {surge_value} and maxUnavailable {unavailable_value} both resolve to 0"
            f" for {replicas} replica(s), so the controller uses maxUnavailable 1"
        )
    else:
        how = (
            f"maxSurge {surge_value} resolves to 0 and maxUnavailable {unavailable_value} to"
            f" {unavailable} for {replicas} replica(s)"
        )
    yield Violation(path, f"{how}: a rollout stops every pod before new ones are ready")


# ---------------------------------------------------------------------------------------------
# selectors


def _job_selector_problem(resource: Resource) -> str | None:
    spec = _spec(resource)
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        return None
    labels = workloads.pod_labels(resource)
    if spec.get("manualSelector") is True:
        if not selectors.matches(selector, labels):
            return (
                f"selector {_label_selector_text(selector)} does not match the template labels"
                f' ({_labels_text(labels)}); the API server rejects it ("`selector` does not'
                ' match template `labels`")'
            )
        return None
    # Without manualSelector the API server adds controller-uid to the selector and requires
    # it to select the generated labels job-name=<name>, controller-uid=<uid> only.
    name = resource.name or ""
    generated = dict.fromkeys(_JOB_NAME_LABELS, name)
    stripped = {
        "matchLabels": {
            k: v for k, v in _dict(selector.get("matchLabels")).items() if k not in _JOB_UID_LABELS
        },
        "matchExpressions": [
            e
            for e in _list(selector.get("matchExpressions"))
            if _dict(e).get("key") not in _JOB_UID_LABELS
        ],
    }
    if selectors.matches(stripped, generated):
        return None
    return (
        f"selector {_label_selector_text(selector)} is set without manualSelector: true; the"
        " API server generates the Job's selector and rejects this one (\"`selector` not"
        ' auto-generated")'
    )


@check("selector-mismatch")
def selector_mismatch(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if workloads.pod_template(resource) is None:
        return
    spec = _spec(resource)
    if resource.kind == "CronJob":
        job_spec = _dict(_dict(spec.get("jobTemplate")).get("spec"))
        if job_spec.get("selector") is not None:
            yield Violation(
                ("spec", "jobTemplate", "spec", "selector"),
                'jobTemplate sets a selector; the API server rejects it ("`selector` will be'
                ' auto-generated")',
            )
        if job_spec.get("manualSelector") is True:
            yield Violation(
                ("spec", "jobTemplate", "spec", "manualSelector"),
                "jobTemplate sets manualSelector: true; the API server rejects it (only nil or"
                " false)",
            )
        return
    if resource.kind == "Job":
        problem = _job_selector_problem(resource)
        if problem:
            yield Violation(("spec", "selector"), problem)
        return
    labels = workloads.pod_labels(resource)
    selector = spec.get("selector")
    if resource.kind == "ReplicationController":
        # An empty RC selector defaults to the template labels (SetDefaults_ReplicationController).
        if isinstance(selector, dict) and selector and not selectors.map_matches(selector, labels):
            text = ", ".join(f"{k}={v}" for k, v in selector.items())
            yield Violation(
                ("spec", "selector"),
                f"selector {text} does not match the template labels ({_labels_text(labels)});"
                ' the API server rejects it ("`selector` does not match template `labels`")',
            )
        return
    if resource.kind not in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"):
        return
    if not isinstance(selector, dict):
        return  # a missing selector is a schema error
    if not _dict(selector.get("matchLabels")) and not _list(selector.get("matchExpressions")):
        yield Violation(
            ("spec", "selector"),
            f'selector is empty; the API server rejects it ("empty selector is invalid for'
            f' {resource.kind.lower()}")',
        )
        return
    if not selectors.matches(selector, labels):
        yield Violation(
            ("spec", "selector"),
            f"selector {_label_selector_text(selector)} does not match the template labels"
            f' ({_labels_text(labels)}); the API server rejects it ("`selector` does not match'
            ' template `labels`")',
        )


# ---------------------------------------------------------------------------------------------
# StatefulSet governing Service


def _headless(service: Resource) -> bool:
    spec = _spec(service)
    if spec.get("clusterIP") == "None":
        return True
    ips = _list(spec.get("clusterIPs"))
    return bool(ips) and ips[0] == "None"


@check("statefulset-headless-service-missing")
def statefulset_headless_service_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if resource.group != "apps":
        return
    spec = _spec(resource)
    name = spec.get("serviceName")
    namespace = _namespace(resource)
    if name is None or name == "":
        if options.get("require_service_name", True):
            yield Violation(
                ("spec", "serviceName"),
                "has no serviceName: its pods get no stable DNS names"
                " (<pod>.<service>.<namespace>.svc)",
            )
        return
    if not isinstance(name, str):
        return
    if len(name) > 63 or not _DNS_LABEL.match(name):
        yield Violation(
            ("spec", "serviceName"),
            f'serviceName "{name}" is not a DNS label: pods cannot get it as their subdomain'
            " (rejected by the API server from 1.33)",
        )
        return
    service = ctx.index(_build_services).get((namespace, name))
    if service is None:
        if ctx.exists("Service", namespace, name):
            return  # declared external: its type cannot be checked
        yield Violation(
            ("spec", "serviceName"),
            f'serviceName "{name}": no Service of that name in namespace "{namespace}"; the'
            " pods' DNS names do not resolve",
        )
        return
    if not _headless(service):
        cluster_ip = _spec(service).get("clusterIP")
        shown = f"clusterIP {cluster_ip}" if cluster_ip else "a cluster IP"
        yield Violation(
            ("spec", "serviceName"),
            f'serviceName "{name}": Service "{name}" is not headless ({shown}, not None); DNS'
            " publishes no per-pod records for it",
        )


# ---------------------------------------------------------------------------------------------
# autoscalers


@check("hpa-replicas-conflict")
def hpa_replicas_conflict(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    spec = _spec(resource)
    if "replicas" not in spec or spec.get("replicas") is None:
        return
    hpa = _hpa_for(ctx, resource)
    if hpa is None:
        return
    yield Violation(
        ("spec", "replicas"),
        f'replicas {spec.get("replicas")} is set while HorizontalPodAutoscaler "{hpa.name}"'
        f" scales this {resource.kind}: every apply resets the scale the autoscaler chose",
    )


@check("hpa-min-max")
def hpa_min_max(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if resource.group != "autoscaling":
        return
    spec = _spec(resource)
    low = _int(spec.get("minReplicas"))
    high = _int(spec.get("maxReplicas"))
    if low is not None and low < 0:
        yield Violation(
            ("spec", "minReplicas"), f"minReplicas {low} is negative; the API server rejects it"
        )
    elif low == 0:
        yield Violation(
            ("spec", "minReplicas"),
            "minReplicas 0 is rejected unless the alpha feature gate HPAScaleToZero is on",
        )
    if high is not None and high < 1:
        yield Violation(
            ("spec", "maxReplicas"), f"maxReplicas {high} is below 1; the API server rejects it"
        )
    elif high is not None and low is not None and low > high:
        yield Violation(
            ("spec", "maxReplicas"),
            f"maxReplicas {high} is below minReplicas {low}; the API server rejects it"
            ' ("must be greater than or equal to `minReplicas`")',
        )


@check("hpa-min-replicas")
def hpa_min_replicas(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if resource.group != "autoscaling":
        return
    minimum = _int(options.get("min_replicas")) or 2
    raw = _spec(resource).get("minReplicas")
    low = _int(raw)
    if raw is not None and low is None:
        return
    value = 1 if low is None else low
    if value < 1 or value >= minimum:
        return  # below 1: hpa-min-max
    shown = "minReplicas is unset (defaults to 1)" if low is None else f"minReplicas is {low}"
    yield Violation(
        ("spec", "minReplicas"),
        f"{shown}, fewer than {minimum}: at low load the autoscaler runs a single pod",
    )


# ---------------------------------------------------------------------------------------------
# Jobs, CronJobs, restart policy


@check("job-ttl-missing")
def job_ttl_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if resource.group != "batch":
        return
    if _spec(resource).get("ttlSecondsAfterFinished") is None:
        yield Violation(
            ("spec", "ttlSecondsAfterFinished"),
            "has no ttlSecondsAfterFinished: the finished Job and its pods stay until deleted",
        )


@check("cronjob-deadline-missing")
def cronjob_deadline_missing(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if resource.group != "batch":
        return
    if _spec(resource).get("startingDeadlineSeconds") is None:
        yield Violation(
            ("spec", "startingDeadlineSeconds"),
            "has no startingDeadlineSeconds: a run missed while the controller was down or the"
            " CronJob was suspended is started however late the controller notices it",
        )


@check("restart-policy")
def restart_policy(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    found = workloads.pod_spec(resource)
    if found is None or resource.kind == "Pod":
        return
    path, spec = found
    policy = spec.get("restartPolicy")
    if policy is not None and not isinstance(policy, str):
        return
    if resource.kind in ("Job", "CronJob"):
        if policy in ("OnFailure", "Never"):
            return
        shown = "is unset (defaults to Always)" if policy is None else f"is {policy}"
        yield Violation(
            (*path, "restartPolicy"),
            f"restartPolicy {shown}: a {resource.kind}'s pod template must use OnFailure or"
            " Never; the API server rejects it",
        )
    elif policy not in (None, "Always"):
        yield Violation(
            (*path, "restartPolicy"),
            f"restartPolicy is {policy}: a {resource.kind}'s pod template must use Always;"
            " the API server rejects it",
        )
