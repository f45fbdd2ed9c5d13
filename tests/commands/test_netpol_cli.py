"""`kubeplan reach`: the command on fixtures and on the corpus sets that carry NetworkPolicies."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import corpus, fixture, kubeplan

from kubeplan.planner.netpol.change import reach_change
from kubeplan.schemas import loader

CHANGE = ("netpol", "change")


def _change_run(*extra: str):  # type: ignore[no-untyped-def]
    return kubeplan(
        "reach",
        fixture(*CHANGE, "new"),
        "--base",
        fixture(*CHANGE, "base"),
        "--config",
        fixture(*CHANGE, "kubeplan.yaml"),
        *extra,
    )


def test_change_cuts_used_and_declared_connections_and_exits_1() -> None:
    run = _change_run("--format", "json")
    assert run.exit_code == 1, run.stderr
    document = run.json()
    assert document["schema_version"] == 1
    cuts = {
        (f["message"].split(" ")[1], f["message"].split(" ")[3]): f
        for f in document["findings"]
        if f["rule"] == "netpol-cuts-connection"
    }
    # used: DB_ADDR names the db Service, whose targetPort `pg` is 5432 on the db pods
    web_db = cuts[("shop/web[Deployment]", "shop/db[Deployment]")]
    assert web_db["severity"] == "error"
    assert web_db["resource"]["name"] == "db-ingress"
    assert web_db["file"].endswith("new/policies.yaml") and web_db["line"] == 33
    assert "(TCP 5432)" in web_db["message"]
    # egress restricted without DNS
    dns = cuts[("shop/web[Deployment]", "kube-system/kube-dns[implicit]")]
    assert dns["resource"]["name"] == "web-egress" and "(UDP 53)" in dns["message"]
    # declared in the config
    declared = cuts[("shop/api[Deployment]", "shop/web[Deployment]")]
    assert declared["resource"]["name"] == "web-deny-ingress"
    assert "declared required" in declared["message"]
    assert len(cuts) == 3
    exposes = [f for f in document["findings"] if f["rule"] == "netpol-exposes-workload"]
    assert [(f["severity"], f["resource"]["name"]) for f in exposes] == [("warning", "api-ingress")]
    assert "all namespaces" in exposes[0]["message"]
    unknown = [f for f in document["findings"] if f["rule"] == "netpol-declared-unknown"]
    assert [(f["line"], "ghost" in f["message"]) for f in unknown] == [(4, True)]


def test_change_json_lost_and_gained_shape() -> None:
    document = _change_run("--format", "json").json()
    lost = {(c["from"], c["to"]): c["ports"] for c in document["lost"]}
    assert lost[("shop/web[Deployment]", "shop/db[Deployment]")] == "all"
    assert lost[("shop/web[Deployment]", "0.0.0.0/0")] == "all"
    assert ("0.0.0.0/0", "shop/web[Deployment]") in lost
    gained = {(c["from"], c["to"]): c["ports"] for c in document["gained"]}
    # api-ingress now admits every namespace, db included (api -> db was open already)
    assert gained == {("shop/db[Deployment]", "shop/api[Deployment]"): "all"}
    assert document["summary"]["lost"] == len(document["lost"])


def test_fail_on_never_and_text_output() -> None:
    run = _change_run("--fail-on", "never", "--no-color")
    assert run.exit_code == 0
    assert "Lost connections (7):" in run.stdout
    assert "\x1b[" not in run.stdout
    assert "- shop/web[Deployment]" in run.stdout


def test_reach_without_base_lists_connections_with_ports() -> None:
    run = kubeplan("reach", fixture("netpol", "named-ports.yaml"), "--format", "json")
    assert run.exit_code == 0, run.stderr
    connections = {(c["from"], c["to"]): c["ports"] for c in run.json()["connections"]}
    assert connections[("default/client[Pod]", "default/s1[Pod]")] == [
        {"protocol": "TCP", "port": 8080, "end_port": 8080}
    ]
    assert ("default/s1[Pod]", "default/s2[Pod]") not in connections
    assert connections[("default/s1[Pod]", "0.0.0.0/0")] == "all"


def test_declared_connection_not_allowed_without_base_is_an_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "kubeplan.yaml"
    config.write_text('connections:\n  - "bar -> nginx:80"\n  - "foo -> nginx:80"\n')
    run = kubeplan(
        "reach", fixture("netpol", "app-foo-nginx.yaml"), "--config", str(config), "-o", "json"
    )
    assert run.exit_code == 1
    [finding] = run.json()["findings"]
    assert finding["rule"] == "netpol-blocks-declared"
    assert finding["resource"]["name"] == "access-nginx"
    assert "default/bar[Pod]" in finding["message"]


def test_config_rejects_a_malformed_connection(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "kubeplan.yaml"
    config.write_text("connections:\n  - frontend cartservice\n")
    run = kubeplan("reach", fixture("netpol", "deny-all.yaml"), "--config", str(config))
    assert run.exit_code == 2
    assert f"{config}:2:" in run.stderr


def test_explain_names_the_rule_or_the_isolating_policy() -> None:
    path = fixture("netpol", "app-foo-nginx.yaml")
    allowed = kubeplan("reach", path, "--explain", "foo", "nginx")
    assert allowed.exit_code == 0
    assert "default/foo[Pod] -> default/nginx[Pod]: all" in allowed.stdout
    assert "allowed by default/access-nginx spec.ingress[0]: all" in allowed.stdout
    denied = kubeplan("reach", path, "--explain", "default/bar", "default/nginx")
    assert "no connection" in denied.stdout
    assert "isolated by default/access-nginx" in denied.stdout
    assert "no rule allows default/bar[Pod]: denied" in denied.stdout


def test_mermaid_and_dot_mark_lost_connections_red() -> None:
    mermaid = _change_run("--format", "mermaid", "--fail-on", "never").stdout
    assert mermaid.startswith("graph LR")
    assert "-.->" in mermaid and "stroke:red" in mermaid
    dot = _change_run("--format", "dot", "--fail-on", "never").stdout
    assert dot.startswith("digraph reach {")
    assert "color=red" in dot and dot.rstrip().endswith("}")


def test_microservices_demo_policies() -> None:
    demo = corpus("microservices-demo")
    run = kubeplan(
        "reach",
        str(demo / "release" / "kubernetes-manifests.yaml"),
        str(demo / "kustomize" / "components" / "network-policies"),
        "-o",
        "json",
    )
    assert run.exit_code == 0, run.stderr
    connections = {(c["from"], c["to"]): c["ports"] for c in run.json()["connections"]}
    cart = [
        {"protocol": "TCP", "port": 7070, "end_port": 7070},
    ]
    assert connections[("default/frontend[Deployment]", "default/cartservice[Deployment]")] == cart
    assert ("default/frontend[Deployment]", "default/redis-cart[Deployment]") not in connections
    assert ("default/cartservice[Deployment]", "default/redis-cart[Deployment]") in connections


def test_microservices_demo_adding_the_policies_cuts_nothing_used() -> None:
    # The upstream policies were written for the app: every Service reference stays allowed.
    demo = corpus("microservices-demo")
    base = loader.load([str(demo / "release" / "kubernetes-manifests.yaml")]).resources
    new = loader.load(
        [
            str(demo / "release" / "kubernetes-manifests.yaml"),
            str(demo / "kustomize" / "components" / "network-policies"),
        ]
    ).resources
    change = reach_change(base, new)
    assert change.lost and not change.gained
    cuts = [f for f in change.findings if f.rule == "netpol-cuts-connection"]
    assert all("kube-dns" in f.message for f in cuts), [f.message for f in cuts]


def test_sock_shop_matchlabels_null_selects_every_pod() -> None:
    folder = corpus("sock-shop-upstream", "deploy", "kubernetes")
    run = kubeplan(
        "reach", str(folder / "complete-demo.yaml"), str(folder / "manifests-policy"), "-o", "json"
    )
    # the Namespace defined twice is the loader's finding; it does not fail reach
    assert run.exit_code == 0, run.stderr
    connections = {(c["from"], c["to"]) for c in run.json()["connections"]}
    # carts-db-access admits `name: cart`, but the carts pods are labelled `name: carts`, and
    # cortex-access (`podSelector: {matchLabels: null}`) isolates every sock-shop pod for
    # ingress: nothing reaches carts-db. catalogue-db-access matches its client.
    assert not [src for src, dst in connections if dst == "sock-shop/carts-db[Deployment]"]
    assert ("sock-shop/catalogue[Deployment]", "sock-shop/catalogue-db[Deployment]") in connections
    explained = kubeplan(
        "reach",
        str(folder / "complete-demo.yaml"),
        str(folder / "manifests-policy"),
        "--explain",
        "sock-shop/carts",
        "sock-shop/carts-db",
    ).stdout
    assert "isolated by sock-shop/carts-db-access, sock-shop/cortex-access" in explained


def test_kube_prometheus_and_recipes_analyse_without_workloads_crashing() -> None:
    run = kubeplan("reach", str(corpus("kube-prometheus", "manifests")), "-o", "json")
    assert run.exit_code == 0, run.stderr
    summary = run.json()["summary"]
    assert summary["policies"] == 8 and summary["workloads"] >= 5
    recipes = kubeplan("reach", str(corpus("netpol-recipes", "extracted")), "-o", "json")
    assert recipes.exit_code == 0, recipes.stderr
    assert recipes.json()["connections"] == []


def test_reach_analyses_whatever_loads_and_writes_output_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "in.yaml"
    broken = "apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n"
    source.write_text(
        Path(fixture("netpol", "app-foo-nginx.yaml")).read_text() + "\n---\n" + broken
    )
    target = tmp_path / "out.json"
    run = kubeplan("reach", str(source), "-o", "json", "--output", str(target))
    assert run.exit_code == 0, run.stderr  # the loader's finding is shown, reach still answers
    document = json.loads(target.read_text())
    assert {f["rule"] for f in document["findings"]} and all(
        not f["rule"].startswith("netpol-") for f in document["findings"]
    )
    pairs = {(c["from"], c["to"]) for c in document["connections"]}
    assert ("default/foo[Pod]", "default/nginx[Pod]") in pairs
    assert ("default/bar[Pod]", "default/nginx[Pod]") not in pairs


def test_reach_reads_standard_input() -> None:
    text = Path(fixture("netpol", "deny-all.yaml")).read_text()
    run = kubeplan("reach", "-", "-o", "json", stdin=text)
    assert run.exit_code == 0, run.stderr
    assert [(c["from"], c["to"]) for c in run.json()["connections"]] == [
        ("x/a[Pod]", "0.0.0.0/0"),
        ("x/b[Pod]", "0.0.0.0/0"),
    ]


def test_unreadable_path_exits_2() -> None:
    run = kubeplan("reach", "/nonexistent/kubeplan/path")
    assert run.exit_code == 2
    assert run.stderr.startswith("kubeplan: ")


def test_text_groups_by_destination_with_a_matrix_for_small_sets() -> None:
    run = kubeplan("reach", fixture("netpol", "named-ports.yaml"), "--no-color")
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    s1 = lines.index("  default/s1[Pod]")
    assert lines[s1 + 1].split() == ["<-", "default/client[Pod]", "TCP", "8080"]
    matrix = lines.index("Matrix (row -> column; A all, p some ports, . none):")
    assert lines[matrix + 2].split() == ["1", "\\", "p", "p", "default/client[Pod]"]
    assert lines[matrix + 3].split() == ["2", "A", "\\", ".", "default/s1[Pod]"]


OTHER_POLICIES = """
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-all}
spec:
  priority: 10
  subject: {namespaces: {}}
  ingress: [{action: Deny, from: [{namespaces: {}}]}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: l7, namespace: x}
spec: {endpointSelector: {matchLabels: {app: a}}}
---
apiVersion: crd.projectcalico.org/v1
kind: GlobalNetworkPolicy
metadata: {name: deny}
spec: {selector: all()}
---
apiVersion: example.com/v1
kind: NetworkPolicy
metadata: {name: unrelated, namespace: x}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
spec: {containers: [{name: c, image: i}]}
"""


def test_other_policy_apis_are_reported_not_silently_ignored(tmp_path: Path) -> None:
    """An AdminNetworkPolicy, a Cilium or a Calico policy can refuse what the NetworkPolicies
    allow (kubeplan/planner/netpol/data/other_policies.yaml): each is a warning, in reach and in
    the plan that adds it; a CRD kind of another group named NetworkPolicy is not."""
    path = tmp_path / "other.yaml"
    path.write_text(OTHER_POLICIES)
    run = kubeplan("reach", str(path), "-o", "json")
    assert run.exit_code == 0
    warned = {
        f["resource"]["kind"] for f in run.json()["findings"] if f["rule"] == "netpol-not-modelled"
    }
    assert warned == {"AdminNetworkPolicy", "CiliumNetworkPolicy", "GlobalNetworkPolicy"}
    plan = kubeplan("plan", str(path), "-o", "json")
    planned = [f for f in plan.json()["findings"] if f["rule"] == "netpol-not-modelled"]
    assert len(planned) == 3 and all(f["severity"] == "warning" for f in planned)
