"""The pod spec wherever it sits: Pod, PodTemplate and every pod template of a workload.

Source: pkg/apis/core/validation/validation.go (`ValidatePodCreate`, `ValidatePodTemplate`,
`ValidatePodTemplateSpec`, `ValidatePodSpec` and the functions it calls, named beside each
rule), read at 000f2605 (≈ 1.33/1.34) and checked against the gates of each release where a rule
changed. The API server validates the object after defaulting (pkg/apis/core/v1/defaults.go), so
the defaults that decide a rule are applied first (`_d_*` below): a port's protocol is TCP, a
volume with no source is an emptyDir, a Pod's requests default to its limits, and so on.

Paths follow Go's `field.Path`, with one difference kept on purpose: where Go reports a map
entry at the map (`resources.requests`), kubeplan does too, so the message reads as the API
server's; the line is that of the map.

The entry points are here; each section of validation.go is a module of this package
(containers, ports, env, volumes, mounts, resources, probes, security, scheduling, specfields).
"""

from __future__ import annotations

from typing import Any

from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.objectmeta import validate_annotations, validate_labels
from kubeplan.schemas.apivalidation.pod.common import (
    _DNS_POLICIES,
    _RESTART_POLICIES,
    _Common,
    _d,
    _enum,
    _l,
    _s,
)
from kubeplan.schemas.apivalidation.pod.containers import (
    _validate_containers,
    _validate_ephemeral_containers,
    _validate_init_containers,
)
from kubeplan.schemas.apivalidation.pod.ports import _validate_host_network_deps, port_warnings
from kubeplan.schemas.apivalidation.pod.scheduling import (
    _validate_affinity,
    _validate_topology_spread,
)
from kubeplan.schemas.apivalidation.pod.security import _validate_pod_security_context
from kubeplan.schemas.apivalidation.pod.specfields import (
    _validate_dns_config,
    _validate_readiness_gates,
    _validate_scheduling_gates,
    _validate_single_fields,
)
from kubeplan.schemas.apivalidation.pod.volumes import _validate_volumes
from kubeplan.schemas.apivalidation.registry import validates

__all__ = [
    "port_warnings",
    "validate_pod_object",
    "validate_pod_spec",
    "validate_pod_template_metadata",
    "validate_pod_template_spec",
]

# ---------------------------------------------------------------------------------------------
# Entry points


@validates("", "Pod", "PodTemplate")
def validate_pod_object(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    """`ValidatePodCreate` for a Pod, `ValidatePodTemplate` for a PodTemplate (ObjectMeta is
    the registry's)."""
    if body.get("kind") == "PodTemplate":
        template = body.get("template")
        if not isinstance(template, dict):
            return []
        return validate_pod_template_spec(template, ("template",), ctx)
    spec = body.get("spec")
    if not isinstance(spec, dict):
        return []
    errors = validate_pod_spec(spec, ("spec",), ctx, is_pod=True)
    errors.extend(_pod_only(spec, ("spec",)))
    errors.extend(port_warnings(spec, ("spec",)))
    return errors


def validate_pod_template_spec(template: Any, path: Path, ctx: Context) -> list[FieldError]:
    """`ValidatePodTemplateSpec`: the template's labels and annotations, its pod spec, no
    ephemeral containers; and the duplicate-port warnings of `GetWarningsForPodTemplate`."""
    if not isinstance(template, dict):
        return []
    metadata = _d(template.get("metadata"))
    errors = validate_labels(metadata.get("labels"), (*path, "metadata", "labels"), ctx)
    errors.extend(
        validate_annotations(metadata.get("annotations"), (*path, "metadata", "annotations"), ctx)
    )
    spec = template.get("spec")
    if isinstance(spec, dict):
        spec_path = (*path, "spec")
        errors.extend(validate_pod_spec(spec, spec_path, ctx))
        if _l(spec.get("ephemeralContainers")):
            errors.append(
                field.forbidden(
                    (*spec_path, "ephemeralContainers"),
                    "ephemeral containers not allowed in pod template",
                )
            )
        errors.extend(port_warnings(spec, spec_path))
    return errors


def validate_pod_template_metadata(template: Any, path: Path, ctx: Context) -> list[FieldError]:
    """The template's labels and annotations only: what a StatefulSet's template gets.

    pkg/apis/apps/validation `ValidatePodTemplateSpecForStatefulSet` does not call
    ValidatePodTemplateSpec ("TODO: Add validation for PodSpec, currently this will check
    volumes, which we know will fail": its volumeMounts may name volumeClaimTemplates), so a
    StatefulSet's pod spec is not validated on create; its pods are, by the controller."""
    if not isinstance(template, dict):
        return []
    metadata = _d(template.get("metadata"))
    errors = validate_labels(metadata.get("labels"), (*path, "metadata", "labels"), ctx)
    errors.extend(
        validate_annotations(metadata.get("annotations"), (*path, "metadata", "annotations"), ctx)
    )
    return errors


def validate_pod_spec(
    spec: Any, path: Path, ctx: Context, is_pod: bool = False
) -> list[FieldError]:
    """`ValidatePodSpec` on `spec` found at `path` (after the defaults the rules depend on)."""
    if not isinstance(spec, dict):
        return []
    grace = spec.get("terminationGracePeriodSeconds", 30)
    grace = grace if isinstance(grace, int) else 30
    restart_policy = _s(spec.get("restartPolicy")) or "Always"
    volumes, errors = _validate_volumes(_l(spec.get("volumes")), (*path, "volumes"), ctx)
    claim_names = {
        _s(_d(c).get("name")) for c in _l(spec.get("resourceClaims")) if _s(_d(c).get("name"))
    }
    host_users = _d(spec.get("securityContext")).get("hostUsers") is not False
    common = _Common(ctx, volumes, claim_names, grace, restart_policy, host_users, is_pod)
    containers = _l(spec.get("containers"))
    init_containers = _l(spec.get("initContainers"))
    errors.extend(_validate_containers(containers, (*path, "containers"), common))
    errors.extend(
        _validate_init_containers(init_containers, containers, (*path, "initContainers"), common)
    )
    errors.extend(
        _validate_ephemeral_containers(
            _l(spec.get("ephemeralContainers")),
            containers,
            init_containers,
            (*path, "ephemeralContainers"),
            common,
        )
    )
    errors.extend(_validate_host_network_deps(spec, path, is_pod))
    errors.extend(_enum((*path, "restartPolicy"), restart_policy, _RESTART_POLICIES))
    dns_policy = _s(spec.get("dnsPolicy")) or "ClusterFirst"
    errors.extend(_enum((*path, "dnsPolicy"), dns_policy, _DNS_POLICIES))
    errors.extend(validate_labels(spec.get("nodeSelector"), (*path, "nodeSelector"), ctx))
    errors.extend(_validate_pod_security_context(spec, (*path, "securityContext")))
    errors.extend(_validate_affinity(_d(spec.get("affinity")), (*path, "affinity"), ctx))
    errors.extend(_validate_dns_config(spec, dns_policy, (*path, "dnsConfig"), ctx))
    errors.extend(_validate_readiness_gates(spec, (*path, "readinessGates"), ctx))
    errors.extend(_validate_scheduling_gates(spec, (*path, "schedulingGates"), ctx))
    errors.extend(
        _validate_topology_spread(
            _l(spec.get("topologySpreadConstraints")), (*path, "topologySpreadConstraints"), ctx
        )
    )
    errors.extend(_validate_single_fields(spec, path, ctx))
    return errors


def _pod_only(spec: dict[str, Any], path: Path) -> list[FieldError]:
    """`validatePodMetadataAndSpec` and `ValidatePodCreate`: what a Pod gets beyond a template."""
    errors = []
    for key in ("containers", "initContainers"):
        for index, container in enumerate(_l(spec.get(key))):
            image = _s(_d(container).get("image"))
            if image and image != image.strip(" \t\n\v\f\r\x85\xa0"):
                errors.append(
                    field.invalid(
                        (*path, key, index, "image"),
                        image,
                        "must not have leading or trailing whitespace",
                    )
                )
    if _l(spec.get("ephemeralContainers")):
        errors.append(field.forbidden((*path, "ephemeralContainers"), "cannot be set on create"))
    if _s(spec.get("nodeName")) and _l(spec.get("schedulingGates")):
        errors.append(
            field.forbidden(
                (*path, "nodeName"), "cannot be set until all schedulingGates have been cleared"
            )
        )
    return errors
