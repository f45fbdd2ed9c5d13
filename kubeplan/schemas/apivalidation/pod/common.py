"""Constants and helpers shared by the pod spec modules (pkg/apis/core/validation/validation.go)."""

from __future__ import annotations

from typing import Any

from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError

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
