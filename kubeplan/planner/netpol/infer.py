"""Connections a workload needs: inferred from what it references, or declared by the user.

Inferred: a Service name in a container's env values, args or command, or in the data of a
ConfigMap the pod uses (envFrom, env valueFrom, volumes), written as `name`, `name.ns`,
`name.ns.svc` or `name.ns.svc.cluster.local`, optionally with `:port` (the DNS names of
kubernetes/website content/en/docs/concepts/services-networking/dns-pod-service.md). The
connection goes to the Service's backends on the resolved targetPort (a number, or a name looked
up on each backend's containers; absent: the Service port, pkg/apis/core/v1/defaults.go
SetDefaults_Service). A workload whose egress is restricted also needs DNS: UDP 53 to the
`k8s-app: kube-dns` pods of kube-system.

A config file (a ConfigMap value with white space in it: a dashboard, an `nginx.conf`, a
`settings.ini`) names many things that are not hosts, such as the Prometheus label value in
`{job="node-exporter"}`. There a token counts only in a host position: with a port or a
namespace (`db:5432`, `api.back`), after `scheme://` or `user@`, or as the whole value of a line
whose key names a host (`spring.redis.host=redis`, `REDIS_HOST: redis`, `server = "db"`).

Declared: `.kubeplan.yaml` `connections: ["frontend -> cartservice:7070", ...]`; each side is
`ns/name[Kind]`, `ns/name` or a unique name, and the port is `7070`, `7070/UDP` or absent.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kubeplan.kube.values import as_list
from kubeplan.kube.workloads import containers, pod_spec
from kubeplan.model import Finding, Severity
from kubeplan.planner.netpol.endpoints import Endpoint, Service
from kubeplan.planner.netpol.engine import Reachability
from kubeplan.planner.netpol.ports import PortSet, parse_declared, union

DNS_PORTS = PortSet.of("UDP", 53)

_HOST = re.compile(
    r"(?<![\w.-])([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)"
    r"(?:\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?))?"
    r"(?:\.svc(?:\.cluster\.local)?)?\.?"
    r"(?::(\d{1,5}))?(?![\w.-])"
)

# The key of a `key: value` / `key = value` line whose value is a host, by its last word.
_HOST_KEY = re.compile(
    r"(?:host|hostname|server|addr|address|endpoint|upstream|url|uri|target|broker)s?$", re.I
)
# The value is taken as the rest of the line, stripped in Python: a lazy `(.*?)\s*$` would retry
# the trailing `\s*` at every character, quadratic in a long run of spaces.
_ASSIGNMENT = re.compile(r"""^\s*(?:-\s+)?["']?([\w.-]+)["']?\s*[:=](.*)$""")


@dataclass(frozen=True)
class Required:
    """A connection `src` needs to `dst`; ports None: any port will do."""

    src: str
    dst: str
    ports: PortSet | None
    reason: str  # e.g. "env CART_SERVICE_ADDR=cartservice:7070", "declared in .kubeplan.yaml:3"
    declared: bool = False
    line: int = 0


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for item in value for v in _strings(item)]
    if isinstance(value, dict):
        return [v for item in value.values() for v in _strings(item)]
    return []


def _references(
    endpoint: Endpoint, configmaps: dict[tuple[str, str], Any]
) -> list[tuple[str, str, bool]]:
    """(where, text, whether it is a config file) for every text that may name a Service; a
    config file is a ConfigMap value with white space in it (see the module docstring)."""
    resource = endpoint.resource
    if resource is None:
        return []
    out: list[tuple[str, str, bool]] = []
    used: set[str] = set()
    for ref in containers(resource):
        container = ref.container
        for env in as_list(container.get("env")):
            if not isinstance(env, dict):
                continue
            if isinstance(env.get("value"), str):
                out.append((f"env {env.get('name')}", env["value"], False))
            source = env.get("valueFrom")
            key_ref = source.get("configMapKeyRef") if isinstance(source, dict) else None
            if isinstance(key_ref, dict) and isinstance(key_ref.get("name"), str):
                used.add(key_ref["name"])
        for source in as_list(container.get("envFrom")):
            ref_map = source.get("configMapRef") if isinstance(source, dict) else None
            if isinstance(ref_map, dict) and isinstance(ref_map.get("name"), str):
                used.add(ref_map["name"])
        for key in ("command", "args"):
            for text in _strings(container.get(key)):
                out.append((key, text, False))
    found = pod_spec(resource)
    for volume in as_list(found[1].get("volumes") if found else None):
        if not isinstance(volume, dict):
            continue
        sources = [volume.get("configMap")]
        projected = volume.get("projected")
        if isinstance(projected, dict):
            sources += [
                s.get("configMap") for s in as_list(projected.get("sources")) if isinstance(s, dict)
            ]
        used.update(
            s["name"] for s in sources if isinstance(s, dict) and isinstance(s.get("name"), str)
        )
    for name in sorted(used):
        data = configmaps.get((endpoint.namespace, name))
        for text in _strings(data):
            config_file = any(c.isspace() for c in text.strip())
            out.append((f"ConfigMap {name}", text, config_file))
    return out


def _service_port(entry: dict[str, Any]) -> tuple[str, int, int | str] | None:
    """(protocol, port, targetPort number or name) of a Service port, or None for one the API
    server refuses (pkg/apis/core/validation/validation.go ValidateService: port 1-65535,
    protocol TCP, UDP or SCTP, targetPort a port number or a name). An absent, 0 or "" targetPort
    is the port (pkg/apis/core/v1/defaults.go SetDefaults_Service)."""
    number = entry.get("port")
    protocol = entry.get("protocol") or "TCP"
    target = entry.get("targetPort")
    if isinstance(target, str) and target.isascii() and target.isdigit():
        target = int(target)
    if target is None or target == "" or (type(target) is int and target == 0):
        target = number
    named = isinstance(target, str) and bool(target)
    valid = _port_number(number) and protocol in ("TCP", "UDP", "SCTP")
    return (protocol, number, target) if valid and (named or _port_number(target)) else None


def _port_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535


def _target_ports(service: Service, backend: Endpoint, port: int | None) -> PortSet | None:
    """Ports on `backend` that `service:port` leads to (all the Service's ports when None)."""
    sets = []
    for entry in service.ports:
        read = _service_port(entry)
        if read is None or (port is not None and read[1] != port):
            continue
        protocol, _, target = read
        if isinstance(target, str):
            sets += [PortSet.of(protocol, n) for n in backend.port_numbers(target, protocol)]
        else:
            sets.append(PortSet.of(protocol, target))
    if port is not None and not sets:
        return PortSet.of("TCP", port)  # not a Service port: taken as the pod port itself
    return union(sets) if sets else None


def _hosts(text: str) -> Iterator[tuple[str, str | None, str | None, str, int]]:
    """(name, namespace, port, as written, offset) of every host-like token."""
    for m in _HOST.finditer(text):
        if m.group(3) is None or 0 < int(m.group(3)) <= 65535:  # `x:99999` names no port
            yield m.group(1), m.group(2), m.group(3), m.group(0), m.start()


class _ConfigLines:
    """The lines of a config file, each read once as `key: value` / `key = value`: the host
    position test of every token then costs O(1), where searching the token's line from its
    offset each time cost O(line) per token, quadratic on a long minified line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self.values: dict[int, str | None] = {}

    def host_value(self, offset: int) -> str | None:
        """The value of the line holding `offset` when its key names a host, else None."""
        number = bisect.bisect_right(self.starts, offset) - 1
        if number not in self.values:
            begin = self.starts[number]
            end = self.starts[number + 1] - 1 if number + 1 < len(self.starts) else None
            assignment = _ASSIGNMENT.match(self.text[begin:end])
            value = None
            if assignment is not None and _HOST_KEY.search(assignment.group(1)):
                value = assignment.group(2).strip().strip("\"',;")
            self.values[number] = value
        return self.values[number]

    def host_position(self, start: int, written: str, qualified: bool) -> bool:
        """Does the token at `start` stand where a host does?"""
        text = self.text
        if qualified or text.endswith("://", 0, start) or text.endswith("@", 0, start):
            return True
        return self.host_value(start) == written


@lru_cache(maxsize=65536)
def _used_hosts(
    text: str, config_file: bool
) -> tuple[tuple[str, str | None, str | None, str], ...]:
    """Distinct (name, namespace, port, as written) of the tokens of `text` that may name a
    Service; in a config file only those in a host position. The same env values and ConfigMap
    texts recur across workloads, so each distinct text is scanned once, in linear time, and a
    text naming one host a hundred thousand times yields it once."""
    lines = _ConfigLines(text) if config_file else None
    found = dict.fromkeys(
        (name, namespace, port, written)
        for name, namespace, port, written, start in _hosts(text)
        if lines is None
        or lines.host_position(start, written, namespace is not None or port is not None)
    )
    return tuple(found)


def inferred(reach: Reachability, resources: list[Any]) -> list[Required]:
    configmaps = {
        (r.namespace or "default", r.name): r.body.get("data")
        for r in resources
        if r.kind == "ConfigMap" and r.group == ""
    }
    services: dict[tuple[str, str], Service] = {(s.namespace, s.name): s for s in reach.services}
    dns = [
        e
        for e in reach.endpoints
        if e.namespace == "kube-system" and e.labels.get("k8s-app") == "kube-dns"
    ]
    out: set[Required] = set()
    for endpoint in reach.endpoints:
        if endpoint.implicit:
            continue
        for where, text, config_file in _references(endpoint, configmaps):
            for name, namespace, port, written in _used_hosts(text, config_file):
                service = services.get((namespace or endpoint.namespace, name))
                if service is None:
                    continue
                for backend in service.backends:
                    if backend is endpoint:
                        continue
                    ports = _target_ports(service, backend, int(port) if port else None)
                    reason = f"{where}: {written}"
                    out.add(Required(endpoint.key, backend.key, ports, reason))
        if reach.isolated(endpoint.key, "egress"):
            for server in dns:
                out.add(
                    Required(
                        endpoint.key, server.key, DNS_PORTS, "DNS, as its egress is restricted"
                    )
                )
    return sorted(out, key=lambda r: (r.src, r.dst, r.reason))


def parse_declared_line(text: str) -> tuple[str, str, PortSet | None] | None:
    """`frontend -> cartservice:7070` -> ("frontend", "cartservice", TCP 7070)."""
    left, sep, right = text.partition("->")
    if not sep:
        return None
    src, dst = left.strip(), right.strip()
    port_text = ""
    if re.search(r":[0-9][0-9/A-Za-z-]*$", dst):
        dst, _, port_text = dst.rpartition(":")
    try:
        ports = parse_declared(port_text)
    except ValueError:
        return None
    return src, dst, ports


UNKNOWN_DECLARED = "netpol-declared-unknown"


def declared(
    reach: Reachability, lines: list[tuple[str, int]], source: str
) -> tuple[list[Required], list[Finding]]:
    """Declared connections resolved to endpoints, and a warning for each that is not."""
    out, problems = [], []
    for text, line in lines:
        parsed = parse_declared_line(text)
        if parsed is None:
            message = f"cannot read connection {text!r} (expected 'FROM -> TO[:PORT[/PROTOCOL]]')"
            problems.append(Finding(UNKNOWN_DECLARED, Severity.WARNING, message, source, line))
            continue
        src_text, dst_text, ports = parsed
        src, dst = reach.find(src_text), reach.find(dst_text)
        if src is None or dst is None:
            missing = src_text if src is None else dst_text
            message = f"connection {text!r}: {missing!r} names no single workload in the input"
            problems.append(Finding(UNKNOWN_DECLARED, Severity.WARNING, message, source, line))
            continue
        out.append(Required(src.key, dst.key, ports, f"{source}:{line}", True, line))
    return out, problems
