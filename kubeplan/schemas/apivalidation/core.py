"""Hand-written validation of the core group (v1) kinds other than Pod (pkg/apis/core/validation/validation.go).

Each validator reads the defaulted value where pkg/apis/core/v1/defaults.go fills one
(`SetDefaults_Service`: type ClusterIP, sessionAffinity None, port protocol TCP, targetPort =
port, the ClientIP timeout 10800, the traffic policies) before it checks it, as the API server
validates the defaulted object.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
from typing import Any

from kubeplan.kube import names
from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.context import Context
from kubeplan.schemas.apivalidation.field import FieldError
from kubeplan.schemas.apivalidation.registry import validates
from kubeplan.schemas.apivalidation.selector import (
    d,
    is_int,
    lst,
    validate_label_selector,
    validate_labels,
)

# pkg/apis/core/types.go: MaxSecretSize = 1 * 1024 * 1024 (ConfigMaps share it).
MAX_SECRET_SIZE = 1 << 20
# pkg/apis/core/types.go: MaxClientIPServiceAffinitySeconds; v1 DefaultClientIPServiceAffinitySeconds.
MAX_CLIENT_IP_AFFINITY_SECONDS = 86400
DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800
# pkg/cluster/ports: KubeletPort.
KUBELET_PORT = 10250

_PROTOCOLS = ("SCTP", "TCP", "UDP")  # sets.List(supportedPortProtocols)
_SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")  # sorted
_AFFINITIES = ("ClientIP", "None")
_TRAFFIC_POLICIES = ("Cluster", "Local")

_SPEC = ("spec",)


# ---------------------------------------------------------------------------------------------
# Service


def _headless(spec: dict[str, Any]) -> bool:
    """`isHeadlessService`: clusterIPs[0] is None. The strategy's normalizeClusterIPs fills
    clusterIPs from clusterIP first, so `clusterIP: None` alone is headless too."""
    ips = lst(spec.get("clusterIPs"))
    first = ips[0] if ips else spec.get("clusterIP")
    return first == "None"


def _cluster_ips(spec: dict[str, Any]) -> list[Any]:
    ips = lst(spec.get("clusterIPs"))
    if not ips and spec.get("clusterIP"):
        return [spec["clusterIP"]]
    return ips


@validates("", "Service")
def validate_service(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    """`ValidateService` on the defaulted spec (the cluster-IP family rules of
    `ValidateServiceClusterIPsRelatedFields` and `trafficDistribution` are not ported)."""
    spec = d(body.get("spec"))
    kind = spec.get("type") or "ClusterIP"
    ports = lst(spec.get("ports"))
    headless = _headless(spec)
    errors: list[FieldError] = []
    if not ports and not headless and kind != "ExternalName":
        errors.append(field.required((*_SPEC, "ports")))
    errors.extend(_service_type_rules(spec, kind, ports, headless))
    seen: set[str] = set()
    for index, port in enumerate(ports):
        errors.extend(_service_port(d(port), len(ports) > 1, seen, (*_SPEC, "ports", index)))
    if spec.get("selector") is not None:
        errors.extend(validate_labels(spec.get("selector"), (*_SPEC, "selector"), ctx))
    errors.extend(_session_affinity(spec))
    errors.extend(_external_ips(spec))
    if kind not in _SERVICE_TYPES:
        errors.append(field.not_supported((*_SPEC, "type"), kind, _SERVICE_TYPES))
    if kind == "ClusterIP":
        for index, port in enumerate(ports):
            if d(port).get("nodePort"):
                errors.append(
                    field.forbidden(
                        (*_SPEC, "ports", index, "nodePort"),
                        "may not be used when `type` is 'ClusterIP'",
                    )
                )
    errors.extend(_duplicate_ports(ports))
    errors.extend(_load_balancer_fields(spec, kind))
    errors.extend(_traffic_policies(spec, kind))
    return errors


def _service_type_rules(
    spec: dict[str, Any], kind: str, ports: list[Any], headless: bool
) -> list[FieldError]:
    errors: list[FieldError] = []
    first_ip = (*_SPEC, "clusterIPs", 0)
    if kind == "LoadBalancer":
        for index, port in enumerate(ports):
            if d(port).get("port") == KUBELET_PORT:
                errors.append(
                    field.invalid(
                        (*_SPEC, "ports", index),
                        KUBELET_PORT,
                        f"may not expose port {KUBELET_PORT} externally since it is used by kubelet",
                    )
                )
        if headless:
            errors.append(
                field.invalid(
                    first_ip, "None", "may not be set to 'None' for LoadBalancer services"
                )
            )
    elif kind == "NodePort" and headless:
        errors.append(
            field.invalid(first_ip, "None", "may not be set to 'None' for NodePort services")
        )
    elif kind == "ExternalName":
        if _cluster_ips(spec):
            errors.append(
                field.forbidden((*_SPEC, "clusterIPs"), "may not be set for ExternalName services")
            )
        if lst(spec.get("ipFamilies")):
            errors.append(
                field.forbidden((*_SPEC, "ipFamilies"), "may not be set for ExternalName services")
            )
        if spec.get("ipFamilyPolicy") is not None:
            errors.append(
                field.forbidden(
                    (*_SPEC, "ipFamilyPolicy"), "may not be set for ExternalName services"
                )
            )
        external = spec.get("externalName")
        cname = external.removesuffix(".") if isinstance(external, str) else ""
        path = (*_SPEC, "externalName")
        if cname:
            errors.extend(field.invalid(path, cname, m) for m in names.is_dns1123_subdomain(cname))
        else:
            errors.append(field.required(path))
    return errors


def _service_port(
    port: dict[str, Any], require_name: bool, seen: set[str], path: Path
) -> list[FieldError]:
    """`validateServicePort` after defaulting (protocol TCP, targetPort = port)."""
    errors: list[FieldError] = []
    name = port.get("name") if isinstance(port.get("name"), str) else ""
    if require_name and not name:
        errors.append(field.required((*path, "name")))
    elif name:
        errors.extend(field.invalid((*path, "name"), name, m) for m in names.is_dns1123_label(name))
        if name in seen:
            errors.append(field.duplicate((*path, "name"), name))
        seen.add(name)
    number = port.get("port")
    if is_int(number):
        errors.extend(
            field.invalid((*path, "port"), number, m) for m in names.is_valid_port_num(number)
        )
    protocol = port.get("protocol") or "TCP"
    if protocol not in _PROTOCOLS:
        errors.append(field.not_supported((*path, "protocol"), protocol, _PROTOCOLS))
    target = port.get("targetPort")
    if target in (None, 0, ""):
        target = number
    errors.extend(port_num_or_name(target, (*path, "targetPort")))
    app_protocol = port.get("appProtocol")
    if isinstance(app_protocol, str):
        errors.extend(
            field.invalid((*path, "appProtocol"), app_protocol, m)
            for m in names.is_qualified_name(app_protocol)
        )
    return errors


def port_num_or_name(port: Any, path: Path) -> list[FieldError]:
    """`ValidatePortNumOrName`."""
    if is_int(port):
        return [field.invalid(path, port, m) for m in names.is_valid_port_num(port)]
    if isinstance(port, str):
        return [field.invalid(path, port, m) for m in names.is_valid_port_name(port)]
    return []


def _session_affinity(spec: dict[str, Any]) -> list[FieldError]:
    affinity = spec.get("sessionAffinity") or "None"
    path = (*_SPEC, "sessionAffinity")
    if affinity not in _AFFINITIES:
        return [field.not_supported(path, affinity, _AFFINITIES)]
    config = spec.get("sessionAffinityConfig")
    if affinity == "None":
        if config is not None:
            return [
                field.forbidden(
                    (*_SPEC, "sessionAffinityConfig"),
                    "must not be set when session affinity is None",
                )
            ]
        return []
    timeout = d(d(config).get("clientIP")).get("timeoutSeconds")
    if timeout is None:
        timeout = DEFAULT_CLIENT_IP_AFFINITY_SECONDS  # SetDefaults_Service
    if is_int(timeout) and not 0 < timeout <= MAX_CLIENT_IP_AFFINITY_SECONDS:
        return [
            field.invalid(
                (*_SPEC, "sessionAffinityConfig", "clientIP", "timeoutSeconds"),
                timeout,
                f"must be greater than 0 and less than {MAX_CLIENT_IP_AFFINITY_SECONDS}",
            )
        ]
    return []


def _external_ips(spec: dict[str, Any]) -> list[FieldError]:
    """`IsValidIP` on each external IP (the strict parse; `ValidateNonSpecialIP` not ported)."""
    errors: list[FieldError] = []
    for index, ip in enumerate(lst(spec.get("externalIPs"))):
        if not isinstance(ip, str):
            continue
        if not _valid_ip(ip):
            errors.append(
                field.invalid(
                    (*_SPEC, "externalIPs", index),
                    ip,
                    "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                )
            )
    return errors


def _valid_ip(value: str) -> bool:
    """An IP as Go's netutils.ParseIPSloppy reads it: IPv4 octets may have leading zeros
    (legacy fields accept them); no IPv6 zone."""
    if "%" in value:
        return False
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        parts = value.split(".")
        return len(parts) == 4 and all(p.isdigit() and int(p) < 256 for p in parts)


def _duplicate_ports(ports: list[Any]) -> list[FieldError]:
    """(protocol, nodePort) and (protocol, port) pairs are unique."""
    errors: list[FieldError] = []
    node_ports: set[tuple[str, Any]] = set()
    pairs: set[tuple[str, Any]] = set()
    for index, port in enumerate(ports):
        port = d(port)
        protocol = port.get("protocol") or "TCP"
        node_port = port.get("nodePort")
        if node_port:
            if (protocol, node_port) in node_ports:
                errors.append(field.duplicate((*_SPEC, "ports", index, "nodePort"), node_port))
            node_ports.add((protocol, node_port))
    for index, port in enumerate(ports):
        port = d(port)
        key = (port.get("protocol") or "TCP", port.get("port"))
        if key in pairs:
            # Go prints the core.ServicePort key with only Protocol and Port set.
            value = {"protocol": key[0], "port": key[1]}
            errors.append(field.duplicate((*_SPEC, "ports", index), value))
        pairs.add(key)
    return errors


def _load_balancer_fields(spec: dict[str, Any], kind: str) -> list[FieldError]:
    errors: list[FieldError] = []
    ranges = lst(spec.get("loadBalancerSourceRanges"))
    if ranges:
        # Go's path is spelled "spec.LoadBalancerSourceRanges"; the line is the field's.
        path = (*_SPEC, "loadBalancerSourceRanges")
        if kind != "LoadBalancer":
            errors.append(field.forbidden(path, "may only be used when `type` is 'LoadBalancer'"))
        for index, value in enumerate(ranges):
            if isinstance(value, str) and not _valid_cidr(value.strip()):
                errors.append(
                    field.invalid(
                        (*path, index),
                        value.strip(),
                        "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
                    )
                )
    if spec.get("allocateLoadBalancerNodePorts") is not None and kind != "LoadBalancer":
        errors.append(
            field.forbidden(
                (*_SPEC, "allocateLoadBalancerNodePorts"),
                "may only be used when `type` is 'LoadBalancer'",
            )
        )
    return errors


def _valid_cidr(value: str) -> bool:
    """`IsValidCIDR`: netutils.ParseCIDRSloppy (host bits may be set)."""
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return "/" in value


def _externally_accessible(spec: dict[str, Any], kind: str) -> bool:
    """apiservice.ExternallyAccessible: LoadBalancer, NodePort, or ClusterIP with externalIPs."""
    return kind in ("LoadBalancer", "NodePort") or (
        kind == "ClusterIP" and bool(lst(spec.get("externalIPs")))
    )


def _traffic_policies(spec: dict[str, Any], kind: str) -> list[FieldError]:
    """`validateServiceExternalTrafficPolicy` and `validateServiceInternalTrafficFieldsValue`;
    SetDefaults_Service fills both with Cluster where they apply."""
    errors: list[FieldError] = []
    external = spec.get("externalTrafficPolicy") or ""
    path = (*_SPEC, "externalTrafficPolicy")
    accessible = _externally_accessible(spec, kind)
    if not accessible and external:
        errors.append(
            field.invalid(path, external, "may only be set for externally-accessible services")
        )
    elif accessible and external and external not in _TRAFFIC_POLICIES:
        errors.append(field.not_supported(path, external, _TRAFFIC_POLICIES))
    health = spec.get("healthCheckNodePort")
    needs_health = kind == "LoadBalancer" and external == "Local"
    if not needs_health and health:
        errors.append(
            field.invalid(
                (*_SPEC, "healthCheckNodePort"),
                health,
                "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
            )
        )
    internal = spec.get("internalTrafficPolicy")
    if internal is not None and internal not in _TRAFFIC_POLICIES:
        errors.append(
            field.not_supported((*_SPEC, "internalTrafficPolicy"), internal, _TRAFFIC_POLICIES)
        )
    return errors


# ---------------------------------------------------------------------------------------------
# ConfigMap and Secret


def _key_errors(key: str, path: Path) -> list[FieldError]:
    return [field.invalid(path, key, m) for m in names.is_config_map_key(key)]


@validates("", "ConfigMap")
def validate_config_map(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    """`ValidateConfigMap`: keys, a key in both data and binaryData, the 1 MiB total."""
    errors: list[FieldError] = []
    data = d(body.get("data"))
    binary = d(body.get("binaryData"))
    total = 0
    for key, value in data.items():
        key = str(key)
        errors.extend(_key_errors(key, ("data", key)))
        if key in binary:
            errors.append(
                field.invalid(("data", key), key, "duplicate of key present in binaryData")
            )
        if isinstance(value, str):
            total += len(value.encode("utf-8", "surrogatepass"))
    for key, value in binary.items():
        key = str(key)
        errors.extend(_key_errors(key, ("binaryData", key)))
        decoded = _decoded(value)
        total += len(decoded) if decoded is not None else 0
    if total > MAX_SECRET_SIZE:
        # Go passes the path "" (the whole object) and the object as the value.
        errors.append(field.too_long((), None, MAX_SECRET_SIZE))
    return errors


def _decoded(value: Any) -> bytes | None:
    """The bytes of a `[]byte` field (standard base64), or None where decoding fails (the
    API server then refuses the request before validation)."""
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _secret_data(body: dict[str, Any]) -> dict[str, bytes]:
    """`data` decoded, with `stringData` merged over it (the v1 conversion does this before
    validation: Convert_v1_Secret_To_core_Secret)."""
    merged: dict[str, bytes] = {}
    for key, value in d(body.get("data")).items():
        decoded = _decoded(value)
        merged[str(key)] = decoded if decoded is not None else b""
    for key, value in d(body.get("stringData")).items():
        if isinstance(value, str):
            merged[str(key)] = value.encode("utf-8", "surrogatepass")
    return merged


@validates("", "Secret")
def validate_secret(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    """`ValidateSecret`: keys, the 1 MiB total, and each type's required keys."""
    data = _secret_data(body)
    errors: list[FieldError] = []
    string_keys = set(d(body.get("stringData")))
    for key in data:
        where = "stringData" if key in string_keys else "data"
        errors.extend(_key_errors(key, (where, key)))
    if sum(len(v) for v in data.values()) > MAX_SECRET_SIZE:
        errors.append(field.too_long(("data",), "", MAX_SECRET_SIZE))
    errors.extend(_secret_type(body, data))
    return errors


def _secret_type(body: dict[str, Any], data: dict[str, bytes]) -> list[FieldError]:
    kind = body.get("type") or "Opaque"
    if kind == "kubernetes.io/service-account-token":
        annotations = d(d(body.get("metadata")).get("annotations"))
        if not annotations.get("kubernetes.io/service-account.name"):
            path = ("metadata", "annotations", "kubernetes.io/service-account.name")
            return [field.required(path)]
        return []
    if kind in ("kubernetes.io/dockercfg", "kubernetes.io/dockerconfigjson"):
        key = ".dockercfg" if kind == "kubernetes.io/dockercfg" else ".dockerconfigjson"
        if key not in data:
            return [field.required(("data", key))]
        return _json_object(data[key], ("data", key))
    if kind == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            return [field.required(("data", "username")), field.required(("data", "password"))]
        return []
    if kind == "kubernetes.io/ssh-auth":
        if not data.get("ssh-privatekey"):
            return [field.required(("data", "ssh-privatekey"))]
        return []
    if kind == "kubernetes.io/tls":
        return [field.required(("data", key)) for key in ("tls.crt", "tls.key") if key not in data]
    return []


_JSON_KINDS = {list: "array", str: "string", bool: "bool"}


def _json_object(raw: bytes, path: Path) -> list[FieldError]:
    """`json.Unmarshal` into a map: the content must be a JSON object (or null). The detail is
    Python's parser message, not Go's."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        return [field.invalid(path, "<secret contents redacted>", str(error))]
    if value is not None and not isinstance(value, dict):
        what = _JSON_KINDS.get(type(value), "number")
        detail = f"json: cannot unmarshal {what} into Go value of type map[string]interface {{}}"
        return [field.invalid(path, "<secret contents redacted>", detail)]
    return []


# ---------------------------------------------------------------------------------------------
# PersistentVolumeClaim

_ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
_VOLUME_MODES = ("Block", "Filesystem")
_QUANTITY_NUMBER = re.compile(r"([+-]?)([0-9]*\.?[0-9]*)(?:[numkMGTPE]|[KMGTPE]i|[eE][+-]?[0-9]+)?")


def _sign(quantity: Any) -> int | None:
    """-1, 0 or 1 for a quantity's value; None where it does not parse (the schema's business)."""
    if is_int(quantity):
        return (quantity > 0) - (quantity < 0)
    if not isinstance(quantity, str):
        return None
    match = _QUANTITY_NUMBER.fullmatch(quantity)
    if match is None or match[2] in ("", "."):
        return None
    if float(match[2]) == 0:
        return 0
    return -1 if match[1] == "-" else 1


@validates("", "PersistentVolumeClaim")
def validate_persistent_volume_claim(body: dict[str, Any], ctx: Context) -> list[FieldError]:
    """`ValidatePersistentVolumeClaimSpec` (dataSource and dataSourceRef not ported)."""
    spec = d(body.get("spec"))
    errors: list[FieldError] = []
    modes = lst(spec.get("accessModes"))
    if not modes:
        errors.append(field.required((*_SPEC, "accessModes"), "at least 1 access mode is required"))
    if spec.get("selector") is not None:
        errors.extend(validate_label_selector(spec.get("selector"), (*_SPEC, "selector"), ctx))
    once_pod = other = False
    for mode in modes:
        if mode not in _ACCESS_MODES:
            errors.append(field.not_supported((*_SPEC, "accessModes"), mode, _ACCESS_MODES))
        elif mode == "ReadWriteOncePod":
            once_pod = True
        else:
            other = True
    if once_pod and other:
        errors.append(
            field.forbidden(
                (*_SPEC, "accessModes"), "may not use ReadWriteOncePod with other access modes"
            )
        )
    requests = d(d(spec.get("resources")).get("requests"))
    # Go's path is spec.resources[storage] (fldPath.Child("resources").Key("storage")).
    storage_path = (*_SPEC, "resources", "storage")
    if "storage" not in requests:
        errors.append(field.required(storage_path))
    elif _sign(requests["storage"]) in (0, -1):
        value = requests["storage"]
        shown = "0" if _sign(value) == 0 else str(value)
        errors.append(field.invalid(storage_path, shown, "must be greater than zero"))
    class_name = spec.get("storageClassName")
    if isinstance(class_name, str) and class_name:
        errors.extend(
            field.invalid((*_SPEC, "storageClassName"), class_name, m)
            for m in names.is_dns1123_subdomain(class_name)
        )
    mode = spec.get("volumeMode")
    if mode is not None and mode not in _VOLUME_MODES:
        errors.append(field.not_supported((*_SPEC, "volumeMode"), mode, _VOLUME_MODES))
    return errors
