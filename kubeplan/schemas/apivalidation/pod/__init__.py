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
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from kubeplan.kube import names, quantity
from kubeplan.model import Path, format_path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.objectmeta import validate_annotations, validate_labels
from kubeplan.schemas.apivalidation.registry import validates

# Releases from which a relaxed rule is on by default (pkg/features/kube_features.go history).
RELAXED_ENV_VAR_NAMES_FROM = 32  # RelaxedEnvironmentVariableValidation: beta, on, in 1.32
RELAXED_DNS_SEARCH_FROM = 33  # RelaxedDNSSearchValidation: beta, on, in 1.33
SIDECAR_CONTAINERS_FROM = 29  # SidecarContainers: beta, on, in 1.29
SLEEP_ZERO_FROM = 33  # PodLifecycleSleepActionAllowZero: beta, on, in 1.33
# InPlacePodVerticalScaling: beta, on, in 1.33; before, dropDisabledFields drops resizePolicy.
IN_PLACE_RESIZE_FROM = 33

_PROTOCOLS = ("SCTP", "TCP", "UDP")  # sets.List(supportedPortProtocols): sorted
_PULL_POLICIES = ("Always", "IfNotPresent", "Never")
_RESTART_POLICIES = ("Always", "OnFailure", "Never")
_DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
_TERMINATION_MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")
_HTTP_SCHEMES = ("HTTP", "HTTPS")
_TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_SCHEDULE_ACTIONS = ("DoNotSchedule", "ScheduleAnyway")
_NODE_INCLUSION_POLICIES = ("Honor", "Ignore")
_FS_GROUP_CHANGE_POLICIES = ("Always", "OnRootMismatch")
_SECCOMP_TYPES = ("Localhost", "RuntimeDefault", "Unconfined")
_PREEMPTION_POLICIES = ("PreemptLowerPriority", "Never")
_MOUNT_PROPAGATIONS = ("Bidirectional", "HostToContainer", "None")
_OSES = ("linux", "windows")
_ENV_FIELD_PATHS = (
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
)
_RESOURCE_FIELD_PATHS = (
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
)
# validateVolumeSource checks these sources, each "may not specify more than 1 volume type".
_VOLUME_SOURCES = (
    "emptyDir",
    "hostPath",
    "gitRepo",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "flocker",
    "persistentVolumeClaim",
    "rbd",
    "cinder",
    "cephfs",
    "quobyte",
    "downwardAPI",
    "fc",
    "flexVolume",
    "configMap",
    "azureFile",
    "vsphereVolume",
    "photonPersistentDisk",
    "portworxVolume",
    "azureDisk",
    "storageos",
    "projected",
    "scaleIO",
    "csi",
    "ephemeral",
    "image",
)
# pkg/apis/core/helper/helpers.go: standardContainerResources, standardResources.
_STANDARD_CONTAINER_RESOURCES = frozenset({"cpu", "memory", "ephemeral-storage"})
_STANDARD_RESOURCES = frozenset(
    {
        "cpu",
        "memory",
        "ephemeral-storage",
        "requests.cpu",
        "requests.memory",
        "requests.ephemeral-storage",
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
        "pods",
        "resourcequotas",
        "services",
        "replicationcontrollers",
        "secrets",
        "persistentvolumeclaims",
        "configmaps",
        "services.nodeports",
        "services.loadbalancers",
        "requests.storage",
    }
)


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _s(value: Any) -> str:
    return value if isinstance(value, str) else ""


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


class _Common:
    """What validateContainerCommon needs from the pod spec."""

    def __init__(
        self,
        ctx: Context,
        volumes: dict[str, dict[str, Any]],
        claim_names: set[str],
        grace: int,
        restart_policy: str,
        host_users: bool,
        is_pod: bool,
    ) -> None:
        self.ctx = ctx
        self.volumes = volumes
        self.claim_names = claim_names
        self.grace = grace
        self.restart_policy = restart_policy
        self.host_users = host_users
        self.is_pod = is_pod


def _enum(path: Path, value: str, valid: tuple[str, ...]) -> list[FieldError]:
    """The `switch ... case "": Required; default: NotSupported` pattern."""
    if value in valid:
        return []
    if not value:
        return [field.required(path)]
    return [field.not_supported(path, value, valid)]


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


# ---------------------------------------------------------------------------------------------
# Volumes


def _validate_volumes(
    volumes: list[Any], path: Path, ctx: Context
) -> tuple[dict[str, dict[str, Any]], list[FieldError]]:
    """`ValidateVolumes`: names are unique DNS labels; one source each (`validateVolumeSource`).
    `SetDefaults_Volume` makes a volume without a source an emptyDir, so none lacks one."""
    errors: list[FieldError] = []
    seen: dict[str, dict[str, Any]] = {}
    for index, volume in enumerate(volumes):
        volume = _d(volume)
        name = _s(volume.get("name"))
        at = (*path, index)
        errs = _validate_volume_source(volume, at, ctx)
        if not name:
            errs.append(field.required((*at, "name")))
        else:
            errs.extend(field.invalid((*at, "name"), name, m) for m in names.is_dns1123_label(name))
        if name in seen:
            errs.append(field.duplicate((*at, "name"), name))
        if not errs:
            seen[name] = volume
        errors.extend(errs)
    return seen, errors


def _validate_volume_source(volume: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    errors = []
    count = 0
    for source in _VOLUME_SOURCES:
        if volume.get(source) is None:
            continue
        if count:
            errors.append(
                field.forbidden((*path, source), "may not specify more than 1 volume type")
            )
            continue
        count += 1
        errors.extend(_validate_one_source(source, _d(volume.get(source)), (*path, source), ctx))
    return errors


def _validate_one_source(
    source: str, body: dict[str, Any], path: Path, ctx: Context
) -> list[FieldError]:
    """The required fields of the common sources (validateSecretVolumeSource,
    validateConfigMapVolumeSource, validatePersistentClaimVolumeSource,
    validateHostPathVolumeSource, validateNFSVolumeSource)."""
    required = {
        "secret": "secretName",
        "configMap": "name",
        "persistentVolumeClaim": "claimName",
        "hostPath": "path",
        "nfs": "server",
    }.get(source)
    errors = []
    if required and not _s(body.get(required)):
        errors.append(field.required((*path, required)))
    if source in ("secret", "configMap", "projected", "downwardAPI"):
        mode = body.get("defaultMode")
        if isinstance(mode, int) and not 0 <= mode <= 0o777:
            errors.append(
                field.invalid(
                    (*path, "defaultMode"),
                    mode,
                    "must be a number between 0 and 0777 (octal), both inclusive",
                )
            )
    if source in ("secret", "configMap"):
        for index, item in enumerate(_l(body.get("items"))):
            errors.extend(_validate_key_to_path(_d(item), (*path, "items", index)))
    if source == "hostPath" and _s(body.get("path")):
        errors.extend(_path_no_backsteps(body["path"], (*path, "path")))
        kind = body.get("type")
        if isinstance(kind, str) and kind not in _HOST_PATH_TYPES:
            errors.append(field.not_supported((*path, "type"), kind, _HOST_PATH_TYPES))
    if source == "downwardAPI":
        for index, item in enumerate(_l(body.get("items"))):
            errors.extend(_validate_downward_api_file(_d(item), (*path, "items", index), ctx))
    if source == "projected":
        errors.extend(_validate_projection_sources(_l(body.get("sources")), path, ctx))
    if source == "csi" and not _s(body.get("driver")):
        errors.append(field.required((*path, "driver")))
    if source == "emptyDir":
        limit = quantity.parse(body.get("sizeLimit")) if "sizeLimit" in body else None
        if limit is not None and limit.value < 0:
            errors.append(
                field.forbidden(
                    (*path, "sizeLimit"), "SizeLimit field must be a valid resource quantity"
                )
            )
    if source == "nfs":
        nfs_path = _s(body.get("path"))
        if not nfs_path:
            errors.append(field.required((*path, "path")))
        if not nfs_path.startswith("/"):
            errors.append(field.invalid((*path, "path"), nfs_path, "must be an absolute path"))
    return errors


# validateHostPathType: sets.List(supportedHostPathTypes), sorted.
_HOST_PATH_TYPES = (
    "",
    "BlockDevice",
    "CharDevice",
    "Directory",
    "DirectoryOrCreate",
    "File",
    "FileOrCreate",
    "Socket",
)
_VOLUME_FIELD_PATHS = (
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
)
_FILE_MODE_MSG = "must be a number between 0 and 0777 (octal), both inclusive"


def _validate_downward_api_file(item: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    """`validateDownwardAPIVolumeFile`. Go reports at the volume's `downwardAPI` path (no
    index); kubeplan at the item, for its line."""
    errors = []
    target = _s(item.get("path"))
    if not target:
        errors.append(field.required((*path, "path")))
    errors.extend(_local_non_reserved_path(target, (*path, "path")))
    field_ref = item.get("fieldRef")
    resource_ref = item.get("resourceFieldRef")
    if isinstance(field_ref, dict):
        errors.extend(_validate_field_ref(field_ref, (*path, "fieldRef"), ctx, _VOLUME_FIELD_PATHS))
        if isinstance(resource_ref, dict):
            errors.append(
                field.invalid(
                    path,
                    "resource",
                    "fieldRef and resourceFieldRef can not be specified simultaneously",
                )
            )
    elif isinstance(resource_ref, dict):
        if not _s(resource_ref.get("containerName")):
            errors.append(field.required((*path, "resourceFieldRef", "containerName")))
        else:
            errors.extend(_validate_resource_field_ref(resource_ref, (*path, "resourceFieldRef")))
    else:
        errors.append(field.required(path, "one of fieldRef and resourceFieldRef is required"))
    mode = item.get("mode")
    if isinstance(mode, int) and not 0 <= mode <= 0o777:
        errors.append(field.invalid((*path, "mode"), mode, _FILE_MODE_MSG))
    return errors


def _validate_projection_sources(sources: list[Any], path: Path, ctx: Context) -> list[FieldError]:
    """`validateProjectionSources`: one source per entry, names required, unique paths, the
    service account token's expiry (defaulted to 3600 s) between 10 minutes and 2^32 s."""
    errors: list[FieldError] = []
    seen: set[str] = set()

    def claim(target: str, value: str) -> None:
        if not target:
            return
        if target in seen:
            errors.append(field.invalid(path, value, "conflicting duplicate paths"))
        seen.add(target)

    for index, source in enumerate(sources):
        source = _d(source)
        at = (*path, "sources", index)
        count = 0
        for kind in ("secret", "configMap"):
            body = source.get(kind)
            if not isinstance(body, dict):
                continue
            count += 1
            name = _s(body.get("name"))
            if not name:
                errors.append(field.required((*at, kind, "name")))
            for item_index, item in enumerate(_l(body.get("items"))):
                item = _d(item)
                errors.extend(_validate_key_to_path(item, (*at, kind, "items", item_index)))
                claim(_s(item.get("path")), name)
        body = source.get("downwardAPI")
        if isinstance(body, dict):
            count += 1
            for item_index, item in enumerate(_l(body.get("items"))):
                item = _d(item)
                item_path = (*at, "downwardAPI", "items", item_index)
                errors.extend(_validate_downward_api_file(item, item_path, ctx))
                claim(_s(item.get("path")), _s(item.get("path")))
        body = source.get("serviceAccountToken")
        if isinstance(body, dict):
            count += 1
            token_path = (*at, "serviceAccountToken")
            expiry = body.get("expirationSeconds", 3600)
            if isinstance(expiry, int) and expiry < 600:
                errors.append(
                    field.invalid(
                        (*token_path, "expirationSeconds"),
                        expiry,
                        "may not specify a duration less than 10 minutes",
                    )
                )
            if isinstance(expiry, int) and expiry > 1 << 32:
                errors.append(
                    field.invalid(
                        (*token_path, "expirationSeconds"),
                        expiry,
                        "may not specify a duration larger than 2^32 seconds",
                    )
                )
            target = _s(body.get("path"))
            if not target:
                errors.append(field.required((*path, "path")))
            else:
                errors.extend(_local_non_reserved_path(target, (*token_path, "path")))
        if isinstance(source.get("clusterTrustBundle"), dict):
            count += 1
        if count > 1:
            errors.append(field.forbidden(at, "may not specify more than 1 volume type per source"))
    return errors


def _validate_key_to_path(item: dict[str, Any], path: Path) -> list[FieldError]:
    """`validateKeyToPath`."""
    errors = []
    if not _s(item.get("key")):
        errors.append(field.required((*path, "key")))
    target = _s(item.get("path"))
    if not target:
        errors.append(field.required((*path, "path")))
    errors.extend(_local_non_reserved_path(target, (*path, "path")))
    mode = item.get("mode")
    if isinstance(mode, int) and not 0 <= mode <= 0o777:
        errors.append(
            field.invalid(
                (*path, "mode"), mode, "must be a number between 0 and 0777 (octal), both inclusive"
            )
        )
    return errors


def _path_no_backsteps(target: str, path: Path) -> list[FieldError]:
    """`validatePathNoBacksteps`."""
    if ".." in target.replace("\\", "/").split("/"):
        return [field.invalid(path, target, "must not contain '..'")]
    return []


def _local_descending_path(target: str, path: Path) -> list[FieldError]:
    """`validateLocalDescendingPath`."""
    errors = []
    if target.startswith("/"):
        errors.append(field.invalid(path, target, "must be a relative path"))
    return errors + _path_no_backsteps(target, path)


def _local_non_reserved_path(target: str, path: Path) -> list[FieldError]:
    """`ValidateLocalNonReservedPath`."""
    errors = _local_descending_path(target, path)
    if target.startswith("..") and not target.startswith("../"):
        errors.append(field.invalid(path, target, "must not start with '..'"))
    return errors


# ---------------------------------------------------------------------------------------------
# Containers


def _validate_containers(containers: list[Any], path: Path, common: _Common) -> list[FieldError]:
    """`validateContainers`: at least one; names unique among them; probes, lifecycle; no
    container restartPolicy; host ports unique across them."""
    if not containers:
        return [field.required(path)]
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, container in enumerate(containers):
        container = _d(container)
        at = (*path, index)
        errors.extend(_validate_container_common(container, at, common))
        name = _s(container.get("name"))
        if name in seen:
            errors.append(field.duplicate((*at, "name"), name))
        else:
            seen.add(name)
        errors.extend(_validate_probes_and_lifecycle(container, at, common))
        if container.get("restartPolicy") is not None and common.ctx.minor < 35:
            # ContainerRestartRules (beta, on, in 1.35) allows it on regular containers.
            errors.append(
                field.forbidden((*at, "restartPolicy"), "may not be set for non-init containers")
            )
    errors.extend(_host_port_conflicts(containers, path))
    return errors


def _validate_init_containers(
    containers: list[Any], regular: list[Any], path: Path, common: _Common
) -> list[FieldError]:
    """`validateInitContainers`: names unique with the regular containers; `restartPolicy`
    only `Always` (a sidecar); probes and lifecycle only on sidecars."""
    errors: list[FieldError] = []
    seen = {_s(_d(c).get("name")) for c in regular}
    for index, container in enumerate(containers):
        container = _d(container)
        at = (*path, index)
        errors.extend(_validate_container_common(container, at, common))
        policy = container.get("restartPolicy")
        sidecar = False
        if isinstance(policy, str):
            if policy != "Always":
                errors.append(field.not_supported((*at, "restartPolicy"), policy, ("Always",)))
            sidecar = policy == "Always" and common.ctx.minor >= SIDECAR_CONTAINERS_FROM
        name = _s(container.get("name"))
        if name in seen:
            errors.append(field.duplicate((*at, "name"), name))
        elif name:
            seen.add(name)
        errors.extend(_host_port_conflicts([container], path, index))
        if sidecar:
            errors.extend(_validate_probes_and_lifecycle(container, at, common))
        else:
            for key in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if container.get(key) is not None:
                    errors.append(
                        field.forbidden(
                            (*at, key),
                            "may not be set for init containers without restartPolicy=Always",
                        )
                    )
    return errors


# validateEphemeralContainers' allow-list (allowedEphemeralContainerFields).
_EPHEMERAL_FORBIDDEN = (
    "ports",
    "resources",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
    "resizePolicy",
    "restartPolicy",
)


def _validate_ephemeral_containers(
    containers: list[Any],
    regular: list[Any],
    init: list[Any],
    path: Path,
    common: _Common,
) -> list[FieldError]:
    """`validateEphemeralContainers`."""
    errors: list[FieldError] = []
    others = {_s(_d(c).get("name")) for c in [*regular, *init]}
    seen = set(others)
    for index, container in enumerate(containers):
        container = _d(container)
        at = (*path, index)
        errors.extend(_validate_container_common(container, at, common))
        name = _s(container.get("name"))
        if name in seen:
            errors.append(field.duplicate((*at, "name"), name))
        else:
            seen.add(name)
        target = _s(container.get("targetContainerName"))
        if target and target not in others:
            errors.append(field.not_found((*at, "targetContainerName"), target))
        for key in _EPHEMERAL_FORBIDDEN:
            if container.get(key):
                errors.append(
                    field.forbidden((*at, key), "cannot be set for an Ephemeral Container")
                )
        for mount_index, mount in enumerate(_l(container.get("volumeMounts"))):
            for key in ("subPath", "subPathExpr"):
                if _s(_d(mount).get(key)):
                    errors.append(
                        field.forbidden(
                            (*at, "volumeMounts", mount_index, key),
                            "cannot be set for an Ephemeral Container",
                        )
                    )
    return errors


def _validate_container_common(
    container: dict[str, Any], path: Path, common: _Common
) -> list[FieldError]:
    """`validateContainerCommon`."""
    errors: list[FieldError] = []
    name = _s(container.get("name"))
    if not name:
        errors.append(field.required((*path, "name")))
    else:
        errors.extend(field.invalid((*path, "name"), name, m) for m in names.is_dns1123_label(name))
    if not _s(container.get("image")):
        errors.append(field.required((*path, "image")))
    policy = _s(container.get("terminationMessagePolicy")) or "File"
    errors.extend(_enum((*path, "terminationMessagePolicy"), policy, _TERMINATION_MESSAGE_POLICIES))
    mounts = _l(container.get("volumeMounts"))
    devices = _l(container.get("volumeDevices"))
    errors.extend(_validate_container_ports(_l(container.get("ports")), (*path, "ports")))
    errors.extend(_validate_env(_l(container.get("env")), (*path, "env"), common.ctx))
    errors.extend(_validate_env_from(_l(container.get("envFrom")), (*path, "envFrom"), common.ctx))
    errors.extend(
        _validate_volume_mounts(mounts, devices, container, (*path, "volumeMounts"), common)
    )
    errors.extend(_validate_volume_devices(devices, mounts, (*path, "volumeDevices"), common))
    pull = _s(container.get("imagePullPolicy")) or "IfNotPresent"
    errors.extend(_enum((*path, "imagePullPolicy"), pull, _PULL_POLICIES))
    errors.extend(_validate_resources(_d(container.get("resources")), (*path, "resources"), common))
    if common.ctx.at_least(IN_PLACE_RESIZE_FROM):
        resize = _l(container.get("resizePolicy"))
        errors.extend(_validate_resize_policy(resize, (*path, "resizePolicy"), common))
    errors.extend(
        _validate_security_context(
            _d(container.get("securityContext")), (*path, "securityContext"), common
        )
    )
    return errors


def _validate_container_ports(ports: list[Any], path: Path) -> list[FieldError]:
    """`validateContainerPorts` (protocol defaulted to TCP: `SetDefaults_ContainerPort`)."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, port in enumerate(ports):
        port = _d(port)
        at = (*path, index)
        name = _s(port.get("name"))
        if name:
            msgs = names.is_valid_port_name(name)
            if msgs:
                errors.extend(field.invalid((*at, "name"), name, m) for m in msgs)
            elif name in seen:
                errors.append(field.duplicate((*at, "name"), name))
            else:
                seen.add(name)
        container_port = port.get("containerPort")
        if not container_port:
            errors.append(field.required((*at, "containerPort")))
        elif isinstance(container_port, int):
            errors.extend(
                field.invalid((*at, "containerPort"), container_port, m)
                for m in names.is_valid_port_num(container_port)
            )
        host_port = port.get("hostPort")
        if isinstance(host_port, int) and host_port != 0:
            errors.extend(
                field.invalid((*at, "hostPort"), host_port, m)
                for m in names.is_valid_port_num(host_port)
            )
        protocol = _s(port.get("protocol")) or "TCP"
        if protocol not in _PROTOCOLS:
            errors.append(field.not_supported((*at, "protocol"), protocol, _PROTOCOLS))
    return errors


def _host_port_conflicts(containers: list[Any], path: Path, first: int = 0) -> list[FieldError]:
    """`AccumulateUniqueHostPorts`: a protocol/hostIP/hostPort used twice."""
    errors = []
    seen: set[str] = set()
    for offset, container in enumerate(containers):
        for index, port in enumerate(_l(_d(container).get("ports"))):
            port = _d(port)
            host_port = port.get("hostPort")
            if not isinstance(host_port, int) or host_port == 0:
                continue
            key = f"{_s(port.get('protocol')) or 'TCP'}/{_s(port.get('hostIP'))}/{host_port}"
            if key in seen:
                at = (*path, first + offset, "ports", index, "hostPort")
                errors.append(field.duplicate(at, key))
            else:
                seen.add(key)
    return errors


def _validate_host_network_deps(spec: dict[str, Any], path: Path, is_pod: bool) -> list[FieldError]:
    """`validatePodHostNetworkDeps`: with hostNetwork, hostPort must equal containerPort (a
    template may leave it 0). A Pod's hostPort is first defaulted to its containerPort
    (`SetDefaults_Pod`), so only a written, different hostPort fails."""
    if spec.get("hostNetwork") is not True:
        return []
    errors = []
    for c_index, container in enumerate(_l(spec.get("containers"))):
        for index, port in enumerate(_l(_d(container).get("ports"))):
            port = _d(port)
            host_port = port.get("hostPort") or 0
            container_port = port.get("containerPort") or 0
            if is_pod and host_port == 0:
                host_port = container_port
            if (is_pod or host_port != 0) and host_port != container_port:
                errors.append(
                    field.invalid(
                        (*path, "containers", c_index, "ports", index, "hostPort"),
                        host_port,
                        "must match `containerPort` when `hostNetwork` is true",
                    )
                )
    return errors


# ---------------------------------------------------------------------------------------------
# Env


def _validate_env(env: list[Any], path: Path, ctx: Context) -> list[FieldError]:
    """`ValidateEnv`: names by `IsEnvVarName`, or `IsRelaxedEnvVarName` once
    RelaxedEnvironmentVariableValidation is on (1.32); `validateEnvVarValueFrom`."""
    check = _env_name_check(ctx)
    errors: list[FieldError] = []
    for index, var in enumerate(env):
        var = _d(var)
        at = (*path, index)
        name = _s(var.get("name"))
        if not name:
            errors.append(field.required((*at, "name")))
        else:
            errors.extend(field.invalid((*at, "name"), name, m) for m in check(name))
        errors.extend(_validate_value_from(var, (*at, "valueFrom"), ctx))
    return errors


def _env_name_check(ctx: Context) -> Any:
    if ctx.at_least(RELAXED_ENV_VAR_NAMES_FROM):
        return names.is_relaxed_env_var_name
    return names.is_env_var_name


def _validate_value_from(var: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    """`validateEnvVarValueFrom`: exactly one source, and none with a non-empty `value`."""
    source = var.get("valueFrom")
    if not isinstance(source, dict):
        return []
    errors: list[FieldError] = []
    count = 0
    if isinstance(source.get("fieldRef"), dict):
        count += 1
        errors.extend(_validate_field_ref(source["fieldRef"], (*path, "fieldRef"), ctx))
    if isinstance(source.get("resourceFieldRef"), dict):
        count += 1
        errors.extend(
            _validate_resource_field_ref(source["resourceFieldRef"], (*path, "resourceFieldRef"))
        )
    for key in ("configMapKeyRef", "secretKeyRef"):
        if isinstance(source.get(key), dict):
            count += 1
            errors.extend(_validate_key_selector(source[key], (*path, key)))
    if isinstance(source.get("fileKeyRef"), dict) and ctx.at_least(35):
        count += 1  # EnvFiles (beta, on, in 1.35); its own checks are not ported
    if count == 0:
        errors.append(
            field.invalid(
                path,
                "",
                "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or"
                " `secretKeyRef`",
            )
        )
    elif _s(var.get("value")):
        errors.append(field.invalid(path, "", "may not be specified when `value` is not empty"))
    elif count > 1:
        errors.append(
            field.invalid(path, "", "may not have more than one field specified at a time")
        )
    return errors


# pkg/apis/core/pods/helpers.go ConvertDownwardAPIFieldLabel: the labels v1 converts
# (`spec.host` is the old name of spec.nodeName); status.hostIPs from 1.29 (PodHostIPs on).
_CONVERTIBLE_FIELD_LABELS = frozenset(
    {
        "metadata.annotations",
        "metadata.labels",
        "metadata.name",
        "metadata.namespace",
        "metadata.uid",
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.serviceAccountName",
        "spec.schedulerName",
        "status.phase",
        "status.hostIP",
        "status.podIP",
        "status.podIPs",
        "spec.terminationGracePeriodSeconds",
        "spec.host",
    }
)
HOST_IPS_FROM = 29


def _split_subscript(field_path: str) -> tuple[str, str, bool]:
    """`fieldpath.SplitMaybeSubscriptedPath`: `metadata.labels['k']` -> (path, k, True)."""
    if not field_path.endswith("']"):
        return field_path, "", False
    head, sep, key = field_path[:-2].partition("['")
    if not sep or not head:
        return field_path, "", False
    return head, key, True


def _env_field_paths(ctx: Context) -> tuple[str, ...]:
    """validEnvDownwardAPIFieldPathExpressions at the release."""
    if ctx.at_least(HOST_IPS_FROM):
        return _ENV_FIELD_PATHS
    return tuple(p for p in _ENV_FIELD_PATHS if p != "status.hostIPs")


def _validate_field_ref(
    ref: dict[str, Any], path: Path, ctx: Context, expressions: tuple[str, ...] | None = None
) -> list[FieldError]:
    """`validateObjectFieldSelector` (apiVersion defaults to v1); `expressions` are the paths
    the caller accepts (the env's by default)."""
    expressions = _env_field_paths(ctx) if expressions is None else expressions
    field_path = _s(ref.get("fieldPath"))
    if not field_path:
        return [field.required((*path, "fieldPath"))]
    base, key, subscripted = _split_subscript(field_path)
    convertible = set(_CONVERTIBLE_FIELD_LABELS)
    if ctx.at_least(HOST_IPS_FROM):
        convertible.add("status.hostIPs")
    if subscripted and base not in ("metadata.annotations", "metadata.labels"):
        detail = f"error converting fieldPath: field label does not support subscript: {field_path}"
        return [field.invalid((*path, "fieldPath"), field_path, detail)]
    if not subscripted and field_path not in convertible:
        detail = f"error converting fieldPath: field label not supported: {field_path}"
        return [field.invalid((*path, "fieldPath"), field_path, detail)]
    if subscripted:
        key = key.lower() if base == "metadata.annotations" else key
        return [field.invalid(path, key, m) for m in names.is_qualified_name(key, ctx.minor)]
    if field_path == "spec.host":
        field_path = "spec.nodeName"
    if field_path not in expressions:
        return [field.not_supported((*path, "fieldPath"), field_path, sorted(expressions))]
    return []


def _validate_resource_field_ref(ref: dict[str, Any], path: Path) -> list[FieldError]:
    """`validateContainerResourceFieldSelector` (env form: no containerName needed)."""
    resource = _s(ref.get("resource"))
    if not resource:
        return [field.required((*path, "resource"))]
    if resource in _RESOURCE_FIELD_PATHS or resource.startswith(
        ("limits.hugepages-", "requests.hugepages-")
    ):
        return []
    return [field.not_supported((*path, "resource"), resource, _RESOURCE_FIELD_PATHS)]


def _validate_key_selector(ref: dict[str, Any], path: Path) -> list[FieldError]:
    """`validateConfigMapKeySelector` / `validateSecretKeySelector`."""
    errors = []
    name = _s(ref.get("name"))
    errors.extend(field.invalid((*path, "name"), name, m) for m in names.is_dns1123_subdomain(name))
    key = _s(ref.get("key"))
    if not key:
        errors.append(field.required((*path, "key")))
    else:
        errors.extend(field.invalid((*path, "key"), key, m) for m in names.is_config_map_key(key))
    return errors


def _validate_env_from(sources: list[Any], path: Path, ctx: Context) -> list[FieldError]:
    """`ValidateEnvFrom`: the prefix is an env var name; exactly one of configMapRef, secretRef."""
    check = _env_name_check(ctx)
    errors: list[FieldError] = []
    for index, source in enumerate(sources):
        source = _d(source)
        at = (*path, index)
        prefix = _s(source.get("prefix"))
        if prefix:
            errors.extend(field.invalid((*at, "prefix"), prefix, m) for m in check(prefix))
        count = 0
        for key in ("configMapRef", "secretRef"):
            ref = source.get(key)
            if isinstance(ref, dict):
                count += 1
                name = _s(ref.get("name"))
                if not name:
                    errors.append(field.required((*at, key, "name")))
                else:
                    errors.extend(
                        field.invalid((*at, key, "name"), name, m)
                        for m in names.name_is_dns_subdomain(name, True)
                    )
        if count == 0:
            errors.append(
                field.invalid(path, "", "must specify one of: `configMapRef` or `secretRef`")
            )
        elif count > 1:
            errors.append(
                field.invalid(path, "", "may not have more than one field specified at a time")
            )
    return errors


# ---------------------------------------------------------------------------------------------
# Volume mounts and devices


def _validate_volume_mounts(
    mounts: list[Any],
    devices: list[Any],
    container: dict[str, Any],
    path: Path,
    common: _Common,
) -> list[FieldError]:
    """`ValidateVolumeMounts`. Go reports subPath and subPathExpr errors at
    `volumeMounts.subPath` (no index); kubeplan at the mount's own subPath, for its line."""
    errors: list[FieldError] = []
    device_names = {_s(_d(d).get("name")): _s(_d(d).get("devicePath")) for d in devices}
    mount_points: set[str] = set()
    privileged = _d(container.get("securityContext")).get("privileged") is True
    for index, mount in enumerate(mounts):
        mount = _d(mount)
        at = (*path, index)
        name = _s(mount.get("name"))
        mount_path = _s(mount.get("mountPath"))
        if not name:
            errors.append(field.required((*at, "name")))
        if name not in common.volumes:
            errors.append(field.not_found((*at, "name"), name))
        if not mount_path:
            errors.append(field.required((*at, "mountPath")))
        if mount_path in mount_points:
            errors.append(field.invalid((*at, "mountPath"), mount_path, "must be unique"))
        mount_points.add(mount_path)
        if name in device_names:
            errors.append(
                field.invalid((*at, "name"), name, "must not already exist in volumeDevices")
            )
        if mount_path in device_names.values():
            errors.append(
                field.invalid(
                    (*at, "mountPath"),
                    mount_path,
                    "must not already exist as a path in volumeDevices",
                )
            )
        sub_path = _s(mount.get("subPath"))
        sub_path_expr = _s(mount.get("subPathExpr"))
        if sub_path:
            errors.extend(_local_descending_path(sub_path, (*at, "subPath")))
        if sub_path_expr:
            if sub_path:
                errors.append(
                    field.invalid(
                        (*at, "subPathExpr"),
                        sub_path_expr,
                        "subPathExpr and subPath are mutually exclusive",
                    )
                )
            errors.extend(_local_descending_path(sub_path_expr, (*at, "subPathExpr")))
        propagation = mount.get("mountPropagation")
        if isinstance(propagation, str):
            prop_path = (*at, "mountPropagation")
            if propagation not in _MOUNT_PROPAGATIONS:
                errors.append(field.not_supported(prop_path, propagation, _MOUNT_PROPAGATIONS))
            if propagation == "Bidirectional" and not privileged:
                errors.append(
                    field.forbidden(
                        prop_path,
                        "Bidirectional mount propagation is available only to privileged"
                        " containers",
                    )
                )
    return errors


def _validate_volume_devices(
    devices: list[Any], mounts: list[Any], path: Path, common: _Common
) -> list[FieldError]:
    """`ValidateVolumeDevices`: only PVC or ephemeral volumes; names and paths unique."""
    errors: list[FieldError] = []
    mount_names = {_s(_d(m).get("name")): _s(_d(m).get("mountPath")) for m in mounts}
    seen_names: set[str] = set()
    seen_paths: set[str] = set()
    for index, device in enumerate(devices):
        device = _d(device)
        at = (*path, index)
        name = _s(device.get("name"))
        device_path = _s(device.get("devicePath"))
        volume = common.volumes.get(name)
        if not name:
            errors.append(field.required((*at, "name")))
        if name in seen_names:
            errors.append(field.invalid((*at, "name"), name, "must be unique"))
        if volume is not None and not (
            volume.get("persistentVolumeClaim") is not None or volume.get("ephemeral") is not None
        ):
            errors.append(
                field.invalid(
                    (*at, "name"),
                    name,
                    "can only use volume source type of PersistentVolumeClaim or Ephemeral for"
                    " block mode",
                )
            )
        if volume is None:
            errors.append(field.not_found((*at, "name"), name))
        if not device_path:
            errors.append(field.required((*at, "devicePath")))
        if device_path in seen_paths:
            errors.append(field.invalid((*at, "devicePath"), device_path, "must be unique"))
        if device_path and _path_no_backsteps(device_path, at):
            errors.append(
                field.invalid((*at, "devicePath"), device_path, "can not contain backsteps ('..')")
            )
        else:
            seen_paths.add(device_path)
        if name in mount_names:
            errors.append(
                field.invalid((*at, "name"), name, "must not already exist in volumeMounts")
            )
        if device_path in mount_names.values():
            errors.append(
                field.invalid(
                    (*at, "devicePath"),
                    device_path,
                    "must not already exist as a path in volumeMounts",
                )
            )
        if name:
            seen_names.add(name)
    return errors


# ---------------------------------------------------------------------------------------------
# Resources


def _is_native(name: str) -> bool:
    """`helper.IsNativeResource`: no `/`, or a `kubernetes.io/` prefix."""
    return "/" not in name or "kubernetes.io/" in name


def _is_hugepages(name: str) -> bool:
    return name.startswith("hugepages-")


def _overcommit_allowed(name: str) -> bool:
    """`helper.IsOvercommitAllowed`."""
    return _is_native(name) and not _is_hugepages(name)


def _is_extended(name: str) -> bool:
    """`helper.IsExtendedResourceName`."""
    if _is_native(name) or name.startswith("requests."):
        return False
    return not names.is_qualified_name("requests." + name)


def _validate_resource_name(name: str, path: Path, ctx: Context) -> list[FieldError]:
    """`validateContainerResourceName` (and the `validateResourceName` it starts with)."""
    errors = [field.invalid(path, name, m) for m in names.is_qualified_name(name, ctx.minor)]
    if errors:
        return errors
    if "/" not in name:
        if name not in _STANDARD_RESOURCES and not name.startswith(
            ("hugepages-", "requests.hugepages-")
        ):
            errors.append(
                field.invalid(path, name, "must be a standard resource type or fully qualified")
            )
        if name not in _STANDARD_CONTAINER_RESOURCES and not _is_hugepages(name):
            errors.append(field.invalid(path, name, "must be a standard resource for containers"))
    elif not _is_native(name) and not _is_extended(name):
        errors.append(field.invalid(path, name, "doesn't follow extended resource name standard"))
    return errors


def _quantities(values: Any) -> dict[str, quantity.Quantity]:
    out = {}
    for key, value in _d(values).items():
        parsed = quantity.resource_list_value(value)
        if isinstance(key, str) and parsed is not None:
            out[key] = parsed
    return out


def _validate_quantity(name: str, value: quantity.Quantity, path: Path) -> list[FieldError]:
    """`ValidateResourceQuantityValue`: not negative; whole for integer resources."""
    errors = []
    if value.value < 0:
        errors.append(field.invalid(path, str(value), "must be greater than or equal to 0"))
    if _is_extended(name) and value.value.denominator != 1:
        errors.append(field.invalid(path, str(value), "must be an integer"))
    return errors


def _validate_resources(resources: dict[str, Any], path: Path, common: _Common) -> list[FieldError]:
    """`validateResourceRequirements`: names, quantities, requests ≤ limits (= for resources
    that cannot be overcommitted, which also need a limit), hugepages need cpu or memory.
    A Pod's requests default to its limits first (`SetDefaults_Pod`)."""
    limits = _quantities(resources.get("limits"))
    requests = _quantities(resources.get("requests"))
    if common.is_pod:
        requests = {**limits, **requests}
    lim_path, req_path = (*path, "limits"), (*path, "requests")
    errors: list[FieldError] = []
    for name, value in limits.items():
        at = (*lim_path, name)
        errors.extend(_validate_resource_name(name, at, common.ctx))
        errors.extend(_validate_quantity(name, value, at))
        errors.extend(_hugepage_value(name, value, at))
    for name, value in requests.items():
        at = (*req_path, name)
        errors.extend(_validate_resource_name(name, at, common.ctx))
        errors.extend(_validate_quantity(name, value, at))
        limit = limits.get(name)
        if limit is not None:
            if value.value != limit.value and not _overcommit_allowed(name):
                detail = f"must be equal to {name} limit of {limit}"
                errors.append(field.invalid(req_path, str(value), detail))
            elif value.value > limit.value:
                detail = f"must be less than or equal to {name} limit of {limit}"
                errors.append(field.invalid(req_path, str(value), detail))
        elif not _overcommit_allowed(name):
            errors.append(
                field.required(lim_path, "Limit must be set for non overcommitable resources")
            )
        errors.extend(_hugepage_value(name, value, at))
    names_used = set(limits) | set(requests)
    if any(_is_hugepages(n) for n in names_used) and not names_used & {"cpu", "memory"}:
        errors.append(field.forbidden(path, "HugePages require cpu or memory"))
    errors.extend(_validate_claims(_l(resources.get("claims")), (*path, "claims"), common))
    return errors


def _validate_resize_policy(policies: list[Any], path: Path, common: _Common) -> list[FieldError]:
    """`validateResizePolicy`: cpu or memory, once each; NotRequired or RestartContainer, and
    only NotRequired when the pod's restartPolicy is Never. Go reports the unsupported values
    at `resizePolicy`; kubeplan at the entry."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, policy in enumerate(policies):
        policy = _d(policy)
        at = (*path, index)
        name = _s(policy.get("resourceName"))
        restart = _s(policy.get("restartPolicy"))
        if name in seen:
            errors.append(field.duplicate(at, name))
        seen.add(name)
        errors.extend(_enum((*at, "resourceName"), name, ("cpu", "memory")))
        errors.extend(_enum((*at, "restartPolicy"), restart, ("NotRequired", "RestartContainer")))
        if common.restart_policy == "Never" and restart != "NotRequired":
            errors.append(
                field.invalid(
                    (*at, "restartPolicy"),
                    restart,
                    "must be 'NotRequired' when `restartPolicy` is 'Never'",
                )
            )
    return errors


def _hugepage_value(name: str, value: quantity.Quantity, path: Path) -> list[FieldError]:
    """`validateResourceQuantityHugePageValue`: a whole multiple of the page size."""
    if not _is_hugepages(name):
        return []
    page = quantity.parse(name[len("hugepages-") :])
    if page is None or page.value <= 0:
        return []
    ratio = value.value / page.value
    if ratio.denominator == 1 and ratio >= 0:
        return []
    return [field.invalid(path, str(value), f"{value} is not positive integer multiple of {name}")]


def _validate_claims(claims: list[Any], path: Path, common: _Common) -> list[FieldError]:
    """`validateResourceClaimNames` (the plain cases): each names a pod resource claim."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, claim in enumerate(claims):
        name = _s(_d(claim).get("name"))
        if not name:
            errors.append(field.required((*path, index)))
            continue
        if name in seen and not _s(_d(claim).get("request")):
            errors.append(field.duplicate((*path, index), name))
        seen.add(name)
        if name not in common.claim_names:
            detail = "must be one of the names in pod.spec.resourceClaims"
            if common.claim_names:
                detail += ": " + ", ".join(sorted(common.claim_names))
            else:
                detail += " which is empty"
            errors.append(field.FieldError(field.ErrorType.NOT_FOUND, (*path, index), name, detail))
    return errors


# ---------------------------------------------------------------------------------------------
# Probes and lifecycle


def _validate_probes_and_lifecycle(
    container: dict[str, Any], path: Path, common: _Common
) -> list[FieldError]:
    errors: list[FieldError] = []
    lifecycle = container.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook in ("postStart", "preStop"):
            handler = lifecycle.get(hook)
            if isinstance(handler, dict):
                errors.extend(_validate_handler(handler, (*path, "lifecycle", hook), common, True))
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = container.get(key)
        if isinstance(probe, dict):
            errors.extend(_validate_probe(probe, key, (*path, key), common))
    return errors


def _validate_probe(
    probe: dict[str, Any], kind: str, path: Path, common: _Common
) -> list[FieldError]:
    """`validateProbe` and its liveness/readiness/startup wrappers (defaults: timeout 1,
    period 10, success 1, failure 3)."""
    errors = _validate_handler(probe, path, common, False)
    for key in (
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ):
        value = probe.get(key)
        if isinstance(value, int) and value < 0:
            errors.append(field.invalid((*path, key), value, "must be greater than or equal to 0"))
    grace = probe.get("terminationGracePeriodSeconds")
    if isinstance(grace, int) and grace <= 0:
        errors.append(
            field.invalid((*path, "terminationGracePeriodSeconds"), grace, "must be greater than 0")
        )
    success = probe.get("successThreshold", 1)
    if kind in ("livenessProbe", "startupProbe") and isinstance(success, int) and success != 1:
        errors.append(field.invalid((*path, "successThreshold"), success, "must be 1"))
    if kind == "readinessProbe" and grace is not None:
        errors.append(
            field.invalid(
                (*path, "terminationGracePeriodSeconds"),
                grace,
                "must not be set for readinessProbes",
            )
        )
    return errors


def _validate_handler(
    handler: dict[str, Any], path: Path, common: _Common, is_hook: bool
) -> list[FieldError]:
    """`validateHandler`: exactly one of exec, httpGet, tcpSocket, grpc (probes), sleep
    (hooks)."""
    kinds = (
        ("exec", "httpGet", "tcpSocket", "sleep")
        if is_hook
        else (
            "exec",
            "httpGet",
            "tcpSocket",
            "grpc",
        )
    )
    errors: list[FieldError] = []
    count = 0
    for kind in kinds:
        body = handler.get(kind)
        if not isinstance(body, dict):
            continue
        if count:
            errors.append(
                field.forbidden((*path, kind), "may not specify more than 1 handler type")
            )
            continue
        count += 1
        errors.extend(_validate_action(kind, body, (*path, kind), common))
    if count == 0:
        errors.append(field.required(path, "must specify a handler type"))
    return errors


def _validate_action(
    kind: str, body: dict[str, Any], path: Path, common: _Common
) -> list[FieldError]:
    if kind == "exec":
        return [] if _l(body.get("command")) else [field.required((*path, "command"))]
    if kind == "httpGet":
        errors = _port_num_or_name(body.get("port"), (*path, "port"))
        scheme = _s(body.get("scheme")) or "HTTP"
        if scheme not in _HTTP_SCHEMES:
            errors.append(field.not_supported((*path, "scheme"), scheme, _HTTP_SCHEMES))
        for header in _l(body.get("httpHeaders")):
            header_name = _s(_d(header).get("name"))
            errors.extend(
                field.invalid((*path, "httpHeaders"), header_name, m)
                for m in names.is_http_header_name(header_name)
            )
        return errors
    if kind in ("tcpSocket", "grpc"):
        return _port_num_or_name(body.get("port"), (*path, "port"))
    if kind == "sleep":
        return _validate_sleep(body, path, common)
    return []


def _validate_sleep(body: dict[str, Any], path: Path, common: _Common) -> list[FieldError]:
    """`validateSleepAction`: 0 < seconds ≤ grace period (0 allowed from 1.33)."""
    seconds = body.get("seconds")
    if not isinstance(seconds, int):
        return []
    grace = common.grace
    if common.ctx.at_least(SLEEP_ZERO_FROM):
        if seconds < 0 or seconds > grace:
            detail = f"must be non-negative and less than terminationGracePeriodSeconds ({grace})"
            return [field.invalid(path, seconds, detail)]
    elif seconds <= 0 or seconds > grace:
        detail = (
            f"must be greater than 0 and less than terminationGracePeriodSeconds ({grace})."
            " Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep."
        )
        return [field.invalid(path, seconds, detail)]
    return []


def _port_num_or_name(port: Any, path: Path) -> list[FieldError]:
    """`ValidatePortNumOrName`."""
    if isinstance(port, bool):
        return []
    if isinstance(port, int):
        return [field.invalid(path, port, m) for m in names.is_valid_port_num(port)]
    if isinstance(port, str):
        return [field.invalid(path, port, m) for m in names.is_valid_port_name(port)]
    return []


# ---------------------------------------------------------------------------------------------
# Security contexts


def _validate_security_context(
    context: dict[str, Any], path: Path, common: _Common
) -> list[FieldError]:
    """`ValidateSecurityContext` (the rules that do not depend on cluster policy)."""
    errors: list[FieldError] = []
    for key, check in (
        ("runAsUser", names.is_valid_user_id),
        ("runAsGroup", names.is_valid_group_id),
    ):
        value = context.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            errors.extend(field.invalid((*path, key), value, m) for m in check(value))
    proc_mount = context.get("procMount")
    if isinstance(proc_mount, str):
        if proc_mount not in ("Default", "Unmasked"):
            errors.append(
                field.not_supported((*path, "procMount"), proc_mount, ("Default", "Unmasked"))
            )
        elif proc_mount == "Unmasked" and common.host_users:
            errors.append(
                field.invalid(
                    (*path, "procMount"), proc_mount, "`hostUsers` must be false to use `Unmasked`"
                )
            )
    errors.extend(_validate_seccomp(context.get("seccompProfile"), (*path, "seccompProfile")))
    if context.get("allowPrivilegeEscalation") is False:
        if context.get("privileged") is True:
            errors.append(
                field.invalid(
                    path,
                    context,
                    "cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
                )
            )
        for cap in _l(_d(context.get("capabilities")).get("add")):
            if cap == "CAP_SYS_ADMIN":
                errors.append(
                    field.invalid(
                        path,
                        context,
                        "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add`"
                        " CAP_SYS_ADMIN",
                    )
                )
    return errors


def _validate_seccomp(profile: Any, path: Path) -> list[FieldError]:
    """`validateSeccompProfileField`."""
    if not isinstance(profile, dict):
        return []
    kind = _s(profile.get("type"))
    errors = []
    if not kind:
        errors.append(
            field.required((*path, "type"), "type is required when seccompProfile is set")
        )
    elif kind not in _SECCOMP_TYPES:
        errors.append(field.not_supported((*path, "type"), kind, _SECCOMP_TYPES))
    local = profile.get("localhostProfile")
    if kind == "Localhost":
        if local is None:
            errors.append(
                field.required(
                    (*path, "localhostProfile"), "must be set when seccomp type is Localhost"
                )
            )
        elif isinstance(local, str):
            errors.extend(_local_descending_path(local, (*path, "localhostProfile")))
    elif local is not None:
        errors.append(
            field.invalid(
                (*path, "localhostProfile"),
                profile,
                "can only be set when seccomp type is Localhost",
            )
        )
    return errors


def _validate_pod_security_context(spec: dict[str, Any], path: Path) -> list[FieldError]:
    """`validatePodSpecSecurityContext` and `validateHostUsers`."""
    context = spec.get("securityContext")
    if not isinstance(context, dict):
        return []
    errors: list[FieldError] = []
    checks = (
        ("fsGroup", names.is_valid_group_id),
        ("runAsUser", names.is_valid_user_id),
        ("runAsGroup", names.is_valid_group_id),
    )
    for key, check in checks:
        value = context.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            errors.extend(field.invalid((*path, key), value, m) for m in check(value))
    for index, gid in enumerate(_l(context.get("supplementalGroups"))):
        if isinstance(gid, int) and not isinstance(gid, bool):
            errors.extend(
                field.invalid((*path, "supplementalGroups", index), gid, m)
                for m in names.is_valid_group_id(gid)
            )
    if spec.get("shareProcessNamespace") is True and spec.get("hostPID") is True:
        errors.append(
            field.invalid(
                (*path, "shareProcessNamespace"),
                True,
                "ShareProcessNamespace and HostPID cannot both be enabled",
            )
        )
    policy = context.get("fsGroupChangePolicy")
    if isinstance(policy, str) and policy not in _FS_GROUP_CHANGE_POLICIES:
        errors.append(
            field.not_supported((*path, "fsGroupChangePolicy"), policy, _FS_GROUP_CHANGE_POLICIES)
        )
    errors.extend(_validate_seccomp(context.get("seccompProfile"), (*path, "seccompProfile")))
    errors.extend(_validate_sysctls(spec, _l(context.get("sysctls")), (*path, "sysctls")))
    if context.get("hostUsers") is False:
        spec_path = path[:-1]
        for key, shown in (
            ("hostNetwork", "hostNetwork"),
            ("hostPID", "HostPID"),
            ("hostIPC", "HostIPC"),
        ):
            if spec.get(key) is True:
                errors.append(
                    field.forbidden((*spec_path, shown), "when `pod.Spec.HostUsers` is false")
                )
    return errors


def _validate_sysctls(spec: dict[str, Any], sysctls: list[Any], path: Path) -> list[FieldError]:
    """`validateSysctls`: names required, well-formed and unique."""
    import re

    pattern = re.compile(r"([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?")
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, sysctl in enumerate(sysctls):
        name = _s(_d(sysctl).get("name"))
        at = (*path, index, "name")
        if not name:
            errors.append(field.required(at))
        elif len(name) > 253 or not pattern.fullmatch(name):
            detail = (
                "must have at most 253 characters and match regex "
                r"^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$"
            )
            errors.append(field.invalid(at, name, detail))
        elif name in seen:
            errors.append(field.duplicate(at, name))
        seen.add(name)
    return errors


# ---------------------------------------------------------------------------------------------
# Scheduling


def _validate_affinity(affinity: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    """`validateAffinity`: node affinity terms and weights, pod (anti-)affinity terms."""
    errors: list[FieldError] = []
    node = _d(affinity.get("nodeAffinity"))
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution")
    node_path = (*path, "nodeAffinity")
    if isinstance(required, dict):
        req_path = (*node_path, "requiredDuringSchedulingIgnoredDuringExecution")
        terms = _l(required.get("nodeSelectorTerms"))
        if not terms:
            errors.append(
                field.required(
                    (*req_path, "nodeSelectorTerms"), "must have at least one node selector term"
                )
            )
        for index, term in enumerate(terms):
            errors.extend(
                _node_selector_term(_d(term), (*req_path, "nodeSelectorTerms", index), False, ctx)
            )
    preferred_path = (*node_path, "preferredDuringSchedulingIgnoredDuringExecution")
    for index, term in enumerate(_l(node.get("preferredDuringSchedulingIgnoredDuringExecution"))):
        term = _d(term)
        errors.extend(_weight(term, (*preferred_path, index, "weight")))
        errors.extend(
            _node_selector_term(
                _d(term.get("preference")), (*preferred_path, index, "preference"), True, ctx
            )
        )
    for key in ("podAffinity", "podAntiAffinity"):
        pod = _d(affinity.get(key))
        base = (*path, key)
        req_key = "requiredDuringSchedulingIgnoredDuringExecution"
        for index, term in enumerate(_l(pod.get(req_key))):
            errors.extend(_pod_affinity_term(_d(term), (*base, req_key, index), ctx))
        pref_key = "preferredDuringSchedulingIgnoredDuringExecution"
        for index, term in enumerate(_l(pod.get(pref_key))):
            term = _d(term)
            errors.extend(_weight(term, (*base, pref_key, index, "weight")))
            errors.extend(
                _pod_affinity_term(
                    _d(term.get("podAffinityTerm")),
                    (*base, pref_key, index, "podAffinityTerm"),
                    ctx,
                )
            )
    return errors


def _weight(term: dict[str, Any], path: Path) -> list[FieldError]:
    weight = term.get("weight")
    if isinstance(weight, int) and not 0 < weight <= 100:
        return [field.invalid(path, weight, "must be in the range 1-100")]
    return []


def _node_selector_term(
    term: dict[str, Any], path: Path, allow_invalid_values: bool, ctx: Context
) -> list[FieldError]:
    """`ValidateNodeSelectorTerm`."""
    errors: list[FieldError] = []
    for index, req in enumerate(_l(term.get("matchExpressions"))):
        req = _d(req)
        at = (*path, "matchExpressions", index)
        operator = _s(req.get("operator"))
        values = _l(req.get("values"))
        if operator in ("In", "NotIn"):
            if not values:
                errors.append(
                    field.required(
                        (*at, "values"), "must be specified when `operator` is 'In' or 'NotIn'"
                    )
                )
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                errors.append(
                    field.forbidden(
                        (*at, "values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    )
                )
        elif operator in ("Gt", "Lt"):
            if len(values) != 1:
                errors.append(
                    field.required(
                        (*at, "values"),
                        "must be specified single value when `operator` is 'Lt' or 'Gt'",
                    )
                )
        else:
            errors.append(
                field.invalid((*at, "operator"), operator, "not a valid selector operator")
            )
        key = _s(req.get("key"))
        errors.extend(
            field.invalid((*at, "key"), key, m) for m in names.is_qualified_name(key, ctx.minor)
        )
        if not allow_invalid_values:
            for v_index, value in enumerate(values):
                if isinstance(value, str):
                    errors.extend(
                        field.invalid((*at, "values", v_index), value, m)
                        for m in names.is_valid_label_value(value)
                    )
    for index, req in enumerate(_l(term.get("matchFields"))):
        req = _d(req)
        at = (*path, "matchFields", index)
        operator = _s(req.get("operator"))
        values = _l(req.get("values"))
        if operator in ("In", "NotIn"):
            if len(values) != 1:
                errors.append(
                    field.required(
                        (*at, "values"),
                        "must be only one value when `operator` is 'In' or 'NotIn' for node field"
                        " selector",
                    )
                )
        else:
            errors.append(
                field.invalid((*at, "operator"), operator, "not a valid selector operator")
            )
        key = _s(req.get("key"))
        if key != "metadata.name":
            errors.append(field.invalid((*at, "key"), key, "not a valid field selector key"))
        else:
            for v_index, value in enumerate(values):
                if isinstance(value, str):
                    errors.extend(
                        field.invalid((*at, "values", v_index), value, m)
                        for m in names.is_dns1123_subdomain(value)
                    )
    return errors


def _pod_affinity_term(term: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    """`validatePodAffinityTerm`: namespaces are DNS labels; topologyKey required and a
    qualified name."""
    errors: list[FieldError] = []
    errors.extend(_label_selector(_d(term.get("labelSelector")), (*path, "labelSelector"), ctx))
    for name in _l(term.get("namespaces")):
        if isinstance(name, str):
            errors.extend(
                field.invalid((*path, "namespace"), name, m)
                for m in names.name_is_dns_label(name, False)
            )
    key = _s(term.get("topologyKey"))
    if not key:
        errors.append(field.required((*path, "topologyKey"), "can not be empty"))
    errors.extend(
        field.invalid((*path, "topologyKey"), key, m)
        for m in names.is_qualified_name(key, ctx.minor)
    )
    return errors


def _label_selector(selector: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    """`ValidateLabelSelector` (meta/v1/validation): requirements and matchLabels."""
    errors: list[FieldError] = []
    for index, req in enumerate(_l(selector.get("matchExpressions"))):
        req = _d(req)
        at = (*path, "matchExpressions", index)
        operator = _s(req.get("operator"))
        values = _l(req.get("values"))
        if operator in ("In", "NotIn"):
            if not values:
                errors.append(
                    field.required(
                        (*at, "values"), "must be specified when `operator` is 'In' or 'NotIn'"
                    )
                )
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                errors.append(
                    field.forbidden(
                        (*at, "values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    )
                )
        else:
            errors.append(
                field.invalid((*at, "operator"), operator, "not a valid selector operator")
            )
        key = _s(req.get("key"))
        errors.extend(
            field.invalid((*at, "key"), key, m) for m in names.is_qualified_name(key, ctx.minor)
        )
        for v_index, value in enumerate(values):
            if isinstance(value, str):
                errors.extend(
                    field.invalid((*at, "values", v_index), value, m)
                    for m in names.is_valid_label_value(value)
                )
    errors.extend(validate_labels(selector.get("matchLabels"), (*path, "matchLabels"), ctx))
    return errors


def _validate_topology_spread(constraints: list[Any], path: Path, ctx: Context) -> list[FieldError]:
    """`validateTopologySpreadConstraints`."""
    errors: list[FieldError] = []
    for index, constraint in enumerate(constraints):
        constraint = _d(constraint)
        at = (*path, index)
        skew = constraint.get("maxSkew")
        if isinstance(skew, int) and skew <= 0:
            errors.append(field.invalid((*at, "maxSkew"), skew, "must be greater than zero"))
        if not _s(constraint.get("topologyKey")):
            errors.append(field.required((*at, "topologyKey"), "can not be empty"))
        action = _s(constraint.get("whenUnsatisfiable"))
        if action not in _SCHEDULE_ACTIONS:
            errors.append(
                field.not_supported((*at, "whenUnsatisfiable"), action, _SCHEDULE_ACTIONS)
            )
        for later in constraints[index + 1 :]:
            later = _d(later)
            if later.get("topologyKey") == constraint.get("topologyKey") and later.get(
                "whenUnsatisfiable"
            ) == constraint.get("whenUnsatisfiable"):
                key = f"{{{_s(constraint.get('topologyKey'))}, {action}}}"
                errors.append(field.duplicate((*at, "{topologyKey, whenUnsatisfiable}"), key))
                break
        min_domains = constraint.get("minDomains")
        if isinstance(min_domains, int):
            if min_domains <= 0:
                errors.append(
                    field.invalid((*at, "minDomains"), min_domains, "must be greater than zero")
                )
            if action != "DoNotSchedule":
                errors.append(
                    field.invalid(
                        (*at, "minDomains"),
                        min_domains,
                        f"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {action}",
                    )
                )
        for key in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            policy = constraint.get(key)
            if isinstance(policy, str) and policy not in _NODE_INCLUSION_POLICIES:
                errors.append(field.not_supported((*at, key), policy, _NODE_INCLUSION_POLICIES))
        selector = constraint.get("labelSelector")
        if isinstance(selector, dict):
            errors.extend(_label_selector(selector, (*at, "labelSelector"), ctx))
    return errors


def _validate_tolerations(tolerations: list[Any], path: Path, ctx: Context) -> list[FieldError]:
    """`ValidateTolerations`."""
    errors: list[FieldError] = []
    for index, toleration in enumerate(tolerations):
        toleration = _d(toleration)
        at = (*path, index)
        key = _s(toleration.get("key"))
        operator = _s(toleration.get("operator"))
        effect = _s(toleration.get("effect"))
        value = _s(toleration.get("value"))
        if key:
            errors.extend(
                field.invalid((*at, "key"), key, m) for m in names.is_qualified_name(key, ctx.minor)
            )
        if not key and operator != "Exists":
            errors.append(
                field.invalid(
                    (*at, "operator"),
                    operator,
                    'operator must be Exists when `key` is empty, which means "match all values'
                    ' and all keys"',
                )
            )
        if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
            errors.append(
                field.invalid(
                    (*at, "effect"),
                    effect,
                    "effect must be 'NoExecute' when `tolerationSeconds` is set",
                )
            )
        if operator in ("Equal", ""):
            msgs = names.is_valid_label_value(value)
            if msgs:
                errors.append(field.invalid((*at, "operator"), value, ";".join(msgs)))
        elif operator == "Exists":
            if value:
                errors.append(
                    field.invalid(
                        (*at, "operator"), value, "value must be empty when `operator` is 'Exists'"
                    )
                )
        else:
            errors.append(field.not_supported((*at, "operator"), operator, ("Equal", "Exists")))
        if effect and effect not in _TAINT_EFFECTS:
            errors.append(field.not_supported((*at, "effect"), effect, _TAINT_EFFECTS))
    return errors


def _validate_dns_config(
    spec: dict[str, Any], dns_policy: str, path: Path, ctx: Context
) -> list[FieldError]:
    """`validatePodDNSConfig`."""
    config = spec.get("dnsConfig")
    if dns_policy == "None":
        if not isinstance(config, dict):
            return [field.required(path, "must provide `dnsConfig` when `dnsPolicy` is None")]
        if not _l(config.get("nameservers")):
            return [
                field.required(
                    (*path, "nameservers"),
                    "must provide at least one DNS nameserver when `dnsPolicy` is None",
                )
            ]
    if not isinstance(config, dict):
        return []
    errors: list[FieldError] = []
    nameservers = _l(config.get("nameservers"))
    if len(nameservers) > 3:
        errors.append(
            field.invalid(
                (*path, "nameservers"), nameservers, "must not have more than 3 nameservers"
            )
        )
    for index, server in enumerate(nameservers):
        errors.extend(_valid_ip((*path, "nameservers", index), server))
    searches = [s for s in _l(config.get("searches")) if isinstance(s, str)]
    if len(searches) > 32:
        errors.append(
            field.invalid((*path, "searches"), searches, "must not have more than 32 search paths")
        )
    if len(" ".join(searches)) > 2048:
        errors.append(
            field.invalid(
                (*path, "searches"),
                searches,
                "must not have more than 2048 characters (including spaces) in the search list",
            )
        )
    relaxed = ctx.at_least(RELAXED_DNS_SEARCH_FROM)
    for index, search in enumerate(searches):
        at = (*path, "searches", index)
        if relaxed:
            if search != ".":
                trimmed = search.removesuffix(".")
                errors.extend(
                    field.invalid(at, trimmed, m)
                    for m in names.is_dns1123_subdomain_with_underscore(trimmed)
                )
        else:
            trimmed = search.removesuffix(".")
            errors.extend(
                field.invalid(at, trimmed, m) for m in names.is_dns1123_subdomain(trimmed)
            )
    for index, option in enumerate(_l(config.get("options"))):
        if not _s(_d(option).get("name")):
            errors.append(field.required((*path, "options", index), "must not be empty"))
    return errors


def _valid_ip(path: Path, value: Any) -> list[FieldError]:
    """`validation.IsValidIP`: an IPv4 or IPv6 address. Python refuses IPv4 octets with leading
    zeros, which the strict parser of recent releases refuses too (older ones parsed them
    sloppily)."""
    text = _s(value)
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return [
            field.invalid(
                path, text, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
            )
        ]
    return []


def _validate_readiness_gates(spec: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    """`validateReadinessGates`."""
    errors: list[FieldError] = []
    for index, gate in enumerate(_l(spec.get("readinessGates"))):
        condition = _s(_d(gate).get("conditionType"))
        at = (*path, index, "conditionType")
        errors.extend(
            field.invalid(at, condition, m) for m in names.is_qualified_name(condition, ctx.minor)
        )
    return errors


def _validate_scheduling_gates(spec: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    """`validateSchedulingGates`: qualified names, no duplicates."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, gate in enumerate(_l(spec.get("schedulingGates"))):
        name = _s(_d(gate).get("name"))
        errors.extend(
            field.invalid((*path, index), name, m) for m in names.is_qualified_name(name, ctx.minor)
        )
        if name in seen:
            errors.append(field.duplicate((*path, index), name))
        seen.add(name)
    return errors


def _validate_single_fields(spec: dict[str, Any], path: Path, ctx: Context) -> list[FieldError]:
    """The single fields at the end of `ValidatePodSpec`."""
    errors: list[FieldError] = []
    for key in ("serviceAccountName", "nodeName", "priorityClassName"):
        value = _s(spec.get(key))
        if value:
            errors.extend(
                field.invalid((*path, key), value, m) for m in names.is_dns1123_subdomain(value)
            )
    deadline = spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int) and not 1 <= deadline <= 2**31 - 1:
        errors.append(
            field.invalid(
                (*path, "activeDeadlineSeconds"),
                deadline,
                names.inclusive_range_error(1, 2**31 - 1),
            )
        )
    for key in ("hostname", "subdomain"):
        value = _s(spec.get(key))
        if value:
            errors.extend(
                field.invalid((*path, key), value, m) for m in names.is_dns1123_label(value)
            )
    errors.extend(_validate_tolerations(_l(spec.get("tolerations")), (*path, "tolerations"), ctx))
    for index, alias in enumerate(_l(spec.get("hostAliases"))):
        alias = _d(alias)
        at = (*path, "hostAliases", index)
        errors.extend(_valid_ip((*at, "ip"), alias.get("ip")))
        for h_index, host in enumerate(_l(alias.get("hostnames"))):
            host = _s(host)
            errors.extend(
                field.invalid((*at, "hostnames", h_index), host, m)
                for m in names.is_dns1123_subdomain(host)
            )
    runtime_class = spec.get("runtimeClassName")
    if isinstance(runtime_class, str):
        errors.extend(
            field.invalid((*path, "runtimeClassName"), runtime_class, m)
            for m in names.is_dns1123_subdomain(runtime_class)
        )
    preemption = spec.get("preemptionPolicy")
    if isinstance(preemption, str):
        errors.extend(_enum((*path, "preemptionPolicy"), preemption, _PREEMPTION_POLICIES))
    os_name = spec.get("os")
    if isinstance(os_name, dict):
        name = _s(os_name.get("name"))
        if not name:
            errors.append(field.required((*path, "os", "name"), "cannot be empty"))
        elif name not in _OSES:
            errors.append(field.not_supported((*path, "os"), name, _OSES))
    return errors


# ---------------------------------------------------------------------------------------------
# Warnings (pkg/api/pod/warnings.go `warningsForPodSpecAndMeta`)


def _visit_containers(spec: dict[str, Any], path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """`pods.VisitContainersWithPath`: init containers, containers, ephemeral containers."""
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for index, container in enumerate(_l(spec.get(key))):
            if isinstance(container, dict):
                yield (*path, key, index), container


def port_warnings(spec: dict[str, Any], path: Path) -> list[FieldError]:
    """The port warnings of `warningsForPodSpecAndMeta`: a containerPort/protocol pair used
    twice is a duplicate (same hostIP and hostPort), an overlap (one hostPort 0) or dangerously
    ambiguous (same hostPort, one hostIP empty); a hostIP without a hostPort."""
    warnings = []
    seen: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
    for container_path, container in _visit_containers(spec, path):
        for index, port in enumerate(_l(container.get("ports"))):
            port = _d(port)
            at = (*container_path, "ports", index)
            host_ip = _s(port.get("hostIP"))
            host_port = port.get("hostPort") or 0
            protocol = _s(port.get("protocol")) or "TCP"
            if host_ip and host_port == 0:
                shown = (
                    f"{{Name:{_s(port.get('name'))} HostPort:0 ContainerPort:"
                    f"{port.get('containerPort') or 0} Protocol:{protocol} HostIP:{host_ip}}}"
                )
                warnings.append(field.warning(at, f"hostIP set without hostPort: {shown}"))
            key = f"{port.get('containerPort') or 0}/{protocol}"
            for other_path, other in seen.get(key, []):
                other_ip = _s(other.get("hostIP"))
                other_port = other.get("hostPort") or 0
                if host_ip == other_ip and host_port == other_port:
                    what = "duplicate"
                elif host_port == 0 or other_port == 0:
                    what = "overlapping"
                elif host_port == other_port and (host_ip == "") != (other_ip == ""):
                    what = "dangerously ambiguous"
                else:
                    continue
                text = f"{what} port definition with {format_path(other_path)}"
                warnings.append(field.warning(at, text))
            seen.setdefault(key, []).append((at, port))
    return warnings
