"""NetworkPolicy semantics, one fixture per rule (fixtures/netpol/).

Each test names the Kubernetes source it follows: the e2e suite
(test/e2e/network/netpol/network_policy.go), the API types
(staging/src/k8s.io/api/networking/v1/types.go) or defaulting
(pkg/apis/networking/v1/defaults.go)."""

from __future__ import annotations

from conftest import fixture

from kubeplan.model import Severity
from kubeplan.planner.netpol import analyse
from kubeplan.planner.netpol.ports import ALL, NONE, PortSet
from kubeplan.schemas import loader


def reach_of(name: str):  # type: ignore[no-untyped-def]
    return analyse(loader.load([fixture("netpol", name)]).resources)


def test_default_deny_ingress_isolates_every_pod_of_the_namespace() -> None:
    # e2e "should support a 'default-deny-ingress' policy"
    reach = reach_of("deny-all.yaml")
    assert reach.ports("x/a", "x/b") == NONE
    assert reach.ports("x/b", "x/a") == NONE
    assert reach.ports("203.0.113.7", "x/a") == NONE
    # egress is not isolated: the pods still reach the outside
    assert reach.ports("x/a", "203.0.113.7") == ALL
    # a pod cannot block traffic to itself (network-policies.md)
    assert reach.ports("x/a", "x/a") == ALL


def test_allow_all_rule_with_no_peers_and_no_ports() -> None:
    # e2e "should support allow-all policy": `ingress: [{}]`
    reach = reach_of("allow-all.yaml")
    assert reach.ports("x/a", "x/b") == ALL
    assert reach.ports("198.51.100.1", "x/b") == ALL


def test_app_foo_allowed_into_app_nginx_only() -> None:
    # e2e "should support a 'default-deny-ingress' policy" + "should allow ingress access from
    # updated pod"; website example access-nginx
    reach = reach_of("app-foo-nginx.yaml")
    assert reach.ports("default/foo", "default/nginx") == ALL
    assert reach.ports("default/bar", "default/nginx") == NONE
    assert reach.ports("203.0.113.7", "default/nginx") == NONE
    assert reach.ports("default/nginx", "default/bar") == ALL  # nginx's egress is open


def test_namespace_and_pod_selector_in_one_peer_is_and() -> None:
    # types.go NetworkPolicyPeer: both set in one element selects pods in matching namespaces
    reach = reach_of("peer-and.yaml")
    assert reach.ports("beta/client", "alpha/server") == ALL
    assert reach.ports("beta/other", "alpha/server") == NONE  # right namespace, wrong label
    assert reach.ports("alpha/local", "alpha/server") == NONE  # right label, wrong namespace


def test_namespace_and_pod_selector_as_two_peers_is_or() -> None:
    reach = reach_of("peer-or.yaml")
    assert reach.ports("beta/client", "alpha/server") == ALL
    assert reach.ports("beta/other", "alpha/server") == ALL  # any pod of team=client
    assert reach.ports("alpha/local", "alpha/server") == ALL  # app=client in the own namespace
    assert [c.src for c in reach.connections if c.dst == "alpha/server[Pod]"] == [
        "alpha/local[Pod]",
        "beta/client[Pod]",
        "beta/other[Pod]",
    ]


def test_ipblock_with_except() -> None:
    # e2e "should enforce except clause while egress access to server in CIDR block"
    reach = reach_of("ipblock-except.yaml")
    tcp443 = PortSet.of("TCP", 443)
    assert reach.ports("10.0.0.1", "default/web") == tcp443
    assert reach.ports("10.1.2.3", "default/web") == NONE
    assert reach.ports("10.255.0.1", "default/web") == tcp443
    assert reach.ports("192.168.0.1", "default/web") == NONE
    sources = sorted(c.src for c in reach.connections if c.dst == "default/web[Pod]")
    assert sources == ["10.0.0.0/16", "10.2.0.0-10.255.255.255"]


def test_named_ports_resolve_per_destination_pod_and_protocol() -> None:
    # e2e "should allow ingress access on one named port"; the name resolves on each
    # destination pod, and must match the protocol too (netpol-analyzer issue #405)
    reach = reach_of("named-ports.yaml")
    assert reach.ports("default/client", "default/s1") == PortSet.of("TCP", 8080)
    assert reach.ports("default/client", "default/s2") == PortSet.of("TCP", 9090)


def test_end_port_range_and_sctp() -> None:
    # e2e "should support allow-all policy" is TCP; "should not mistakenly treat 'protocol:
    # SCTP' as 'protocol: TCP'"; endPort is inclusive (validation.go ValidateNetworkPolicyPort)
    reach = reach_of("endport-sctp.yaml")
    allowed = reach.ports("default/client", "default/server")
    assert allowed == PortSet.of("TCP", 32000, 32768) | PortSet.of("SCTP", 5000)
    assert not (allowed & PortSet.of("TCP", 5000))
    assert not (allowed & PortSet.of("UDP", 32000))
    assert [p for p in allowed.to_json() if p["protocol"] == "TCP"] == [  # type: ignore[union-attr]
        {"protocol": "TCP", "port": 32000, "end_port": 32768}
    ]


def test_empty_versus_absent_selectors() -> None:
    # types.go: podSelector alone -> the policy's namespace; namespaceSelector {} alone -> every
    # namespace; `matchLabels: null` selects everything
    reach = reach_of("selectors.yaml")
    assert reach.ports("alpha/api", "alpha/server") == ALL
    assert reach.ports("beta/remote", "alpha/server") == NONE
    assert reach.ports("beta/remote", "alpha/api") == ALL
    # every alpha pod is egress-isolated to alpha pods only
    assert reach.ports("alpha/same", "beta/remote") == NONE
    assert reach.ports("alpha/same", "203.0.113.7") == NONE
    assert reach.ports("alpha/same", "alpha/api") == ALL


def test_policy_types_defaulting() -> None:
    # defaults.go SetDefaults_NetworkPolicy: Egress only when len(spec.egress) != 0
    reach = reach_of("policy-types.yaml")
    assert not reach.isolated("default/a", "egress")  # `egress: []` -> Ingress only
    assert reach.ports("default/a", "default/c") == ALL
    assert reach.isolated("default/b", "egress")  # an egress rule -> [Ingress, Egress]
    assert reach.ports("default/b", "default/a") == ALL
    assert reach.ports("default/b", "default/c") == NONE
    assert reach.ports("default/c", "default/b") == NONE  # b's ingress: no rule
    # policyTypes [Egress] with ingress rules: the ingress rules are ignored
    assert not reach.isolated("default/c", "ingress")
    assert reach.ports("default/a", "default/c") == ALL
    assert reach.ports("default/c", "default/a") == NONE


def test_invalid_policy_pieces_are_reported_and_match_nothing() -> None:
    text = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad, namespace: default}
spec:
  podSelector: {}
  ingress:
    - from:
        - ipBlock: {cidr: 10.0.0.0/33}
        - {}
      ports:
        - {port: http, endPort: 90}
        - {port: 80, protocol: ICMP}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: default, labels: {app: p}}
spec: {containers: [{name: c, image: i}]}
"""
    result = loader.load_text("bad.yaml", text)
    reach = analyse(result.resources)
    messages = sorted(f.message for f in reach.findings)
    assert len(messages) == 4, messages
    assert all(f.rule == "netpol-invalid" for f in reach.findings)
    # each is a validation error of ValidateNetworkPolicySpec: the whole policy is refused
    assert {f.severity for f in reach.findings} == {Severity.ERROR}
    assert reach.ports("10.0.0.1", "default/p") == NONE  # isolated, nothing valid allows


def test_pods_of_one_owner_collapse_and_differing_labels_are_reported() -> None:
    pod = """
apiVersion: v1
kind: Pod
metadata:
  name: web-{suffix}
  namespace: default
  labels: {{app: web, track: {track}}}
  ownerReferences:
    - {{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d4f, controller: true, uid: u1}}
spec: {{containers: [{{name: c, image: i}}]}}
"""
    text = "---".join(
        [
            pod.format(suffix="a", track="stable"),
            pod.format(suffix="b", track="stable"),
            pod.format(suffix="c", track="canary"),
        ]
    )
    reach = analyse(loader.load_text("pods.yaml", text).resources)
    assert [e.key for e in reach.endpoints if not e.implicit] == ["default/web-5d4f[ReplicaSet]"]
    [variant] = reach.findings
    assert variant.rule == "netpol-owner-variants"
    assert variant.resource is not None and variant.resource["name"] == "web-c"
    assert "pods.yaml:2" in variant.message


def test_malformed_selectors_and_service_ports_match_nothing() -> None:
    """Pieces the API server refuses (a LabelSelector whose matchExpressions is not a list, a
    value that is not a string, a Service port out of range or of another type) select or lead
    nowhere; the rest of the input is analysed as usual."""
    text = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: odd, namespace: default}
spec:
  podSelector: {}
  ingress:
    - from:
        - podSelector: {matchExpressions: {key: app}}
        - podSelector:
            matchExpressions: [{key: app, operator: In, values: [{}, client]}]
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: default, labels: {app: server}}
spec: {containers: [{name: c, image: i, env: [{name: API, value: "server:8080 server"}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: default, labels: {app: client}}
spec: {containers: [{name: c, image: i, env: [{name: API, value: "server:8080"}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: server, namespace: default}
spec:
  selector: {app: server}
  ports: [{port: [1]}, {port: 8080, targetPort: {}}, {port: 8080, protocol: ICMP}, {port: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default, labels: {app: web}}
spec: {containers: [{name: c, image: i, env: [{name: API, value: "web-svc:8443"}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-svc, namespace: default}
spec:
  selector: {app: server}
  ports: [{port: 8443, targetPort: 0}]
"""
    from kubeplan.planner.netpol.infer import inferred

    resources = loader.load_text("odd.yaml", text).resources
    reach = analyse(resources)
    # the second peer's `client` value still selects; the first peer selects nothing
    assert reach.ports("default/client", "default/server") == ALL
    assert reach.ports("default/server", "default/client") == NONE
    used = {(r.src, r.dst): r.ports for r in inferred(reach, resources)}
    # no valid Service port 8080: the reference is taken as the pod port itself
    assert used[("default/client[Pod]", "default/server[Pod]")] == PortSet.of("TCP", 8080)
    # targetPort 0 is defaulted to the port (SetDefaults_Service)
    assert used[("default/web[Pod]", "default/server[Pod]")] == PortSet.of("TCP", 8443)
