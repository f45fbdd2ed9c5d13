"""Before/after reachability: used connections inferred from references, exposure warnings,
namespace name labels, and IPv6 ranges."""

from __future__ import annotations

from kubeplan.planner.netpol import analyse
from kubeplan.planner.netpol.change import reach_change
from kubeplan.planner.netpol.infer import inferred, parse_declared_line
from kubeplan.planner.netpol.ports import ALL, NONE, PortSet
from kubeplan.schemas import loader

APP = """
apiVersion: v1
kind: ConfigMap
metadata: {name: client-config, namespace: front}
data:
  settings.ini: |
    [backend]
    url = http://api.back:8443/v1
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: front}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec:
      containers:
        - name: client
          image: registry.example/client:1
          args: ["--cache=cache"]
          volumeMounts: [{name: config, mountPath: /etc/client}]
      volumes:
        - name: config
          configMap: {name: client-config}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cache, namespace: front}
spec:
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      containers:
        - name: cache
          image: registry.example/cache:1
          ports: [{name: redis, containerPort: 6379}]
---
apiVersion: v1
kind: Service
metadata: {name: cache, namespace: front}
spec:
  selector: {app: cache}
  ports: [{port: 6379, targetPort: redis}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: back}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: registry.example/api:1
          ports: [{name: https, containerPort: 9443}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: back}
spec:
  selector: {app: api}
  ports: [{port: 8443, targetPort: https}]
"""

# api admits only namespace `front` by its automatic name label; then a revision that admits
# only `other` cuts client -> api.
ADMIT = """
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-from, namespace: back}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
    - from:
        - namespaceSelector:
            matchLabels: {kubernetes.io/metadata.name: %s}
"""


def load(text: str):  # type: ignore[no-untyped-def]
    return loader.load_text("app.yaml", text).resources


def test_used_connections_from_configmap_and_args_resolve_named_target_ports() -> None:
    resources = load(APP)
    reach = analyse(resources)
    used = {(r.src, r.dst): r for r in inferred(reach, resources)}
    to_api = used[("front/client[Deployment]", "back/api[Deployment]")]
    assert to_api.ports == PortSet.of("TCP", 9443)  # Service 8443 -> targetPort https -> 9443
    assert "ConfigMap client-config" in to_api.reason
    to_cache = used[("front/client[Deployment]", "front/cache[Deployment]")]
    assert to_cache.ports == PortSet.of("TCP", 6379)  # bare name, no port: the Service's ports
    assert len(used) == 2  # no egress policy: DNS is not required


CONFIG_FILES = """
apiVersion: v1
kind: ConfigMap
metadata: {name: %(name)s, namespace: front}
data:
  config: |
%(text)s
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: %(name)s, namespace: front}
spec:
  selector: {matchLabels: {app: %(name)s}}
  template:
    metadata: {labels: {app: %(name)s}}
    spec:
      containers: [{name: main, image: registry.example/app:1}]
      volumes: [{name: config, configMap: {name: %(name)s}}]
"""

# name -> (config file text, whether it names the `cache` Service as a host)
CONFIG_CASES = {
    "dashboard": ('{"expr": "rate(hits{job=\\"cache\\"}[5m])", "title": "cache"}', False),
    "labels": ("name: cache\napp: cache", False),
    "properties": ("spring.redis.host=cache\nspring.redis.timeout=2s", True),
    "env-style": ("REDIS_HOST: cache\nLOG: info", True),
    "toml": ('[store]\nserver = "cache"', True),
    "with-port": ("upstream: cache:6379 weight=2", True),
    "url": ("see redis://cache for details", True),
    "qualified": ("the cache is cache.front and nothing else", True),
}


def test_config_files_name_a_host_only_in_a_host_position() -> None:
    """A ConfigMap file mentions Services in PromQL labels and titles (kube-prometheus' Grafana
    dashboards say `job="node-exporter"`); only host positions count as a use."""
    text = APP + "".join(
        "---" + CONFIG_FILES % {"name": name, "text": "    " + body.replace("\n", "\n    ")}
        for name, (body, _) in CONFIG_CASES.items()
    )
    resources = load(text)
    used = {
        r.src for r in inferred(analyse(resources), resources) if r.dst.startswith("front/cache")
    }
    assert used == {
        f"front/{name}[Deployment]" for name, (_, named) in CONFIG_CASES.items() if named
    } | {"front/client[Deployment]"}  # APP's client: args --cache=cache


def test_namespace_name_label_selects_and_a_cut_is_reported_on_the_policy() -> None:
    base = load(APP + ADMIT % "front")
    new = load(APP + ADMIT % "other")
    assert analyse(base).ports("front/client", "back/api") == ALL
    change = reach_change(base, new)
    assert change.new.ports("front/client", "back/api") == NONE
    [cut] = [f for f in change.findings if f.rule == "netpol-cuts-connection"]
    assert cut.resource is not None and cut.resource["name"] == "api-from"
    assert "front/client[Deployment] -> back/api[Deployment] (TCP 9443)" in cut.message
    text = APP + ADMIT % "other"
    kind_line = text.splitlines().index("kind: NetworkPolicy") + 1
    assert (cut.file, cut.line) == ("app.yaml", kind_line)


def test_exposure_to_everywhere_and_removed_isolation_are_warnings() -> None:
    base = load(APP + ADMIT % "front")
    open_rule = APP + ADMIT.replace(
        "- namespaceSelector:\n            matchLabels: {kubernetes.io/metadata.name: %s}",
        "- ipBlock: {cidr: 0.0.0.0/0}",
    )
    change = reach_change(base, load(open_rule))
    found = sorted((f.rule, str(f.severity), f.message.split(",")[0]) for f in change.findings)
    assert found == [
        # the same change also cuts the pods of `front`, which use api
        (
            "netpol-cuts-connection",
            "error",
            "cuts front/client[Deployment] -> back/api[Deployment] (TCP 9443)",
        ),
        (
            "netpol-exposes-workload",
            "warning",
            "back/api-from opens back/api[Deployment] to 0.0.0.0/0",
        ),
    ]
    removed = reach_change(base, load(APP))
    messages = sorted(f.message for f in removed.findings)
    assert messages == [
        "back/api[Deployment] is no longer isolated for ingress: open to 0.0.0.0/0",
        "back/api[Deployment] is no longer isolated for ingress: open to all namespaces",
    ]
    assert all(f.resource and f.resource["kind"] == "Deployment" for f in removed.findings)


def test_ipv6_blocks_get_their_own_ranges() -> None:
    text = APP + ADMIT.replace(
        "- namespaceSelector:\n            matchLabels: {kubernetes.io/metadata.name: %s}",
        "- ipBlock: {cidr: '2001:db8::/32', except: ['2001:db8:1::/48']}",
    )
    reach = analyse(load(text))
    assert reach.ports("2001:db8:2::1", "back/api") == ALL
    assert reach.ports("2001:db8:1::1", "back/api") == NONE
    assert reach.ports("10.0.0.1", "back/api") == NONE
    sources = sorted(c.src for c in reach.connections if c.dst == "back/api[Deployment]")
    assert sources == ["2001:db8:2::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::/48"]


def test_declared_connection_syntax() -> None:
    assert parse_declared_line("frontend -> cartservice:7070") == (
        "frontend",
        "cartservice",
        PortSet.of("TCP", 7070),
    )
    assert parse_declared_line("a -> ns/b[Deployment]:53/UDP") == (
        "a",
        "ns/b[Deployment]",
        PortSet.of("UDP", 53),
    )
    assert parse_declared_line("a -> b") == ("a", "b", None)
    assert parse_declared_line("a b") is None


def test_explain_accepts_a_service_name_for_its_backend() -> None:
    from kubeplan.planner.netpol.explain import explain

    reach = analyse(
        load(
            APP.replace(
                "metadata: {name: api, namespace: back}\nspec:\n  selector: {app: api}",
                "metadata: {name: api-svc, namespace: back}\nspec:\n  selector: {app: api}",
            )
            + ADMIT % "front"
        )
    )
    lines = explain(reach, "front/client", "back/api-svc")
    assert lines[0] == "front/client[Deployment] -> back/api[Deployment]: all"
    assert "    allowed by back/api-from spec.ingress[0]: all" in lines
