"""Which pods a controller owns and how they are named: selectors that match the template,
and the headless Service that gives StatefulSet pods their DNS names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from kubeplan.kube import selectors, workloads
from kubeplan.kube.selectors import format_label_selector, format_set_selector
from kubeplan.kube.values import as_dict as _dict
from kubeplan.kube.values import as_list as _list
from kubeplan.kube.values import namespace_of as _namespace
from kubeplan.model import Resource
from kubeplan.rules.builtin.reliability.common import (
    labels_text,
    spec_of,
)
from kubeplan.rules.context import LintContext
from kubeplan.rules.registry import Violation, check

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# Labels the Job registry strategy generates (pkg/registry/batch/job/strategy.go generateSelector)
_JOB_NAME_LABELS = ("job-name", "batch.kubernetes.io/job-name")
_JOB_UID_LABELS = ("controller-uid", "batch.kubernetes.io/controller-uid")


def _build_services(ctx: LintContext) -> dict[tuple[str, str], Resource]:
    return {(_namespace(s), s.name): s for s in ctx.of_kind("Service") if s.name and s.group == ""}


# ---------------------------------------------------------------------------------------------
# selectors


def _job_selector_problem(resource: Resource) -> str | None:
    spec = spec_of(resource)
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        return None
    labels = workloads.pod_labels(resource)
    if spec.get("manualSelector") is True:
        if not selectors.matches(selector, labels):
            return (
                f"selector {format_label_selector(selector)} does not match the template labels"
                f' ({labels_text(labels)}); the API server rejects it ("`selector` does not'
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
        f"selector {format_label_selector(selector)} is set without manualSelector: true; the"
        " API server generates the Job's selector and rejects this one (\"`selector` not"
        ' auto-generated")'
    )


@check("selector-mismatch")
def selector_mismatch(
    resource: Resource, ctx: LintContext, options: dict[str, Any]
) -> Iterator[Violation]:
    if workloads.pod_template(resource) is None:
        return
    spec = spec_of(resource)
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
            text = format_set_selector(selector)
            yield Violation(
                ("spec", "selector"),
                f"selector {text} does not match the template labels ({labels_text(labels)});"
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
            f"selector {format_label_selector(selector)} does not match the template labels"
            f' ({labels_text(labels)}); the API server rejects it ("`selector` does not match'
            ' template `labels`")',
        )


# ---------------------------------------------------------------------------------------------
# StatefulSet governing Service


def _headless(service: Resource) -> bool:
    spec = spec_of(service)
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
    spec = spec_of(resource)
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
        cluster_ip = spec_of(service).get("clusterIP")
        shown = f"clusterIP {cluster_ip}" if cluster_ip else "a cluster IP"
        yield Violation(
            ("spec", "serviceName"),
            f'serviceName "{name}": Service "{name}" is not headless ({shown}, not None); DNS'
            " publishes no per-pod records for it",
        )
