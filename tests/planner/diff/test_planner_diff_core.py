"""Foundations of `kubeplan diff`: pairing two revisions, normalising, field differences."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import corpus, fixture

from kubeplan.model import Origin, Resource
from kubeplan.planner.diff import fielddiff, normalise, pairing
from kubeplan.planner.diff.fielddiff import FieldChange, diff
from kubeplan.planner.diff.pairing import Pair, pair
from kubeplan.schemas import loader


def load(text: str, name: str = "manifest.yaml") -> list[Resource]:
    result = loader.load_text(name, text)
    assert not [f for f in result.findings if f.severity == "error"], result.findings
    return result.resources


def one(text: str) -> Resource:
    (resource,) = load(text)
    return resource


def pairs_by_action(pairs: list[Pair]) -> Counter[str]:
    return Counter(p.action for p in pairs)


def changes_of(old: str, new: str) -> list[FieldChange]:
    (only,) = pair(load(old), load(new))
    return only.changes()


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          env:
            - {name: A, value: "1"}
            - {name: B, value: "2"}
            - {name: C, value: "3"}
          resources:
            requests: {cpu: 1000m, memory: 1Gi}
        - name: sidecar
          image: envoy:1.30
"""


# ---------------------------------------------------------------------------------------------
# Normalising


def test_normalise_never_mutates_the_input() -> None:
    resource = one(DEPLOYMENT)
    before = repr(resource.body)
    body = normalise.normalise(resource)
    assert repr(resource.body) == before
    assert body["spec"]["replicas"] == 1
    body["spec"]["template"]["spec"]["containers"][0]["image"] = "changed"
    assert resource.body["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"


def test_deployment_defaults_from_apps_v1_defaults_go() -> None:
    spec = normalise.normalise(one(DEPLOYMENT))["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
    }
    assert (spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"]) == (10, 600)
    pod = spec["template"]["spec"]
    assert (pod["restartPolicy"], pod["dnsPolicy"], pod["schedulerName"]) == (
        "Always",
        "ClusterFirst",
        "default-scheduler",
    )
    assert (pod["securityContext"], pod["terminationGracePeriodSeconds"]) == ({}, 30)
    web = pod["containers"][0]
    assert web["terminationMessagePath"] == "/dev/termination-log"
    assert web["terminationMessagePolicy"] == "File"
    assert web["resources"]["requests"] == {"cpu": "1", "memory": "1Gi"}


STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres:16}]}
"""


def test_statefulset_max_unavailable_1_equals_absent_MaxUnavailableStatefulSet_default() -> None:
    """pkg/apis/apps/v1/defaults.go SetDefaults_StatefulSet stores maxUnavailable 1 from 1.35;
    the controller reads a nil one as 1 before that: an explicit 1 is no change."""
    base = STATEFULSET
    explicit = (
        base + "  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}\n"
    )
    assert changes_of(base, explicit) == []
    two = base + "  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 2}}\n"
    assert [c.path for c in changes_of(base, two)] == [
        ("spec", "updateStrategy", "rollingUpdate", "maxUnavailable")
    ]
    on_delete = normalise.normalise(one(base + "  updateStrategy: {type: OnDelete}\n"))
    assert on_delete["spec"]["updateStrategy"] == {"type": "OnDelete"}


def test_recreate_strategy_gets_no_rolling_update_block() -> None:
    text = DEPLOYMENT.replace(
        "spec:\n  selector", "spec:\n  strategy: {type: Recreate}\n  selector"
    )
    assert normalise.normalise(one(text))["spec"]["strategy"] == {"type": "Recreate"}


def test_statefulset_and_daemonset_defaults() -> None:
    statefulset, daemonset = load(
        STATEFULSET
        + """\
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1024Mi}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: agent}]}
"""
    )
    sts = normalise.normalise(statefulset)["spec"]
    assert sts["podManagementPolicy"] == "OrderedReady"
    assert sts["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"partition": 0, "maxUnavailable": 1},
    }
    assert (sts["replicas"], sts["revisionHistoryLimit"]) == (1, 10)
    claim = sts["volumeClaimTemplates"][0]
    assert claim["spec"]["volumeMode"] == "Filesystem"
    assert claim["spec"]["resources"]["requests"]["storage"] == "1Gi"
    ds = normalise.normalise(daemonset)["spec"]
    assert ds["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0},
    }
    assert ds["revisionHistoryLimit"] == 10
    # `agent` has neither tag nor digest: ParseImageName gives it the tag "latest"
    assert ds["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("nginx:1.27", "IfNotPresent"),
        ("nginx@sha256:" + "a" * 64, "IfNotPresent"),  # a digest counts as a tag
        ("nginx:latest@sha256:" + "a" * 64, "Always"),
        ("localhost:5000/team/app", "Always"),  # the port is not a tag
        ("localhost:5000/team/app:v2", "IfNotPresent"),
        ("registry.example.com/Team/App", "IfNotPresent"),  # invalid: ParseImageName errs, tag ""
    ],
)
def test_image_pull_policy_from_the_tag(image: str, policy: str) -> None:
    text = f"""\
apiVersion: v1
kind: Pod
metadata: {{name: p}}
spec: {{containers: [{{name: c, image: "{image}"}}]}}
"""
    body = normalise.normalise(one(text))
    assert body["spec"]["containers"][0]["imagePullPolicy"] == policy
    assert body["spec"]["enableServiceLinks"] is True


def test_service_defaults() -> None:
    text = """\
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80}, {name: dns, port: 53, protocol: UDP, targetPort: dns}]
"""
    spec = normalise.normalise(one(text))["spec"]
    assert spec["ports"] == [
        {"name": "http", "port": 80, "protocol": "TCP", "targetPort": 80},
        {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": "dns"},
    ]
    assert (spec["sessionAffinity"], spec["externalTrafficPolicy"]) == ("None", "Cluster")
    assert spec["internalTrafficPolicy"] == "Cluster"
    assert "allocateLoadBalancerNodePorts" not in spec


def test_dry_run_output_matches_the_hand_written_manifest() -> None:
    """`kubectl create deployment web --image=nginx:1.27 --dry-run=client -o yaml` leaves
    creationTimestamp: null, empty structs and status: {} behind."""
    dry_run = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  creationTimestamp: null
  labels: {app: web}
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  strategy: {}
  template:
    metadata:
      creationTimestamp: null
      labels: {app: web}
    spec:
      containers:
      - image: nginx:1.27
        name: nginx
        resources: {}
status: {}
"""
    written = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: nginx:1.27, imagePullPolicy: IfNotPresent}]
"""
    (only,) = pair(load(dry_run), load(written))
    assert only.action == "unchanged", only.changes()


def test_a_live_dump_and_the_manifest_it_came_from_are_unchanged() -> None:
    live = [
        r for r in loader.load([fixture("dump", "live.yaml")]).resources if r.kind == "Deployment"
    ]
    manifest = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
"""
    (only,) = pair(live, load(manifest))
    assert only.action == "unchanged", only.changes()


def test_cluster_scoped_objects_drop_a_stray_namespace() -> None:
    old = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r, namespace: monitoring}\nrules: []\n"
    new = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: []\n"
    (only,) = pair(load(old), load(new))
    assert only.action == "unchanged"


# ---------------------------------------------------------------------------------------------
# Pairing


def test_explicit_replicas_1_and_no_replicas_are_unchanged() -> None:
    explicit = DEPLOYMENT.replace("spec:\n  selector", "spec:\n  replicas: 1\n  selector")
    (only,) = pair(load(DEPLOYMENT), load(explicit))
    assert only.action == "unchanged"
    (scaled,) = pair(load(DEPLOYMENT), load(explicit.replace("replicas: 1", "replicas: 2")))
    assert scaled.action == "update"
    assert [(c.path, c.old, c.new, c.kind) for c in scaled.changes()] == [
        (("spec", "replicas"), 1, 2, "changed")
    ]


def test_cpu_1000m_and_cpu_1_are_unchanged() -> None:
    other = DEPLOYMENT.replace("cpu: 1000m, memory: 1Gi", 'cpu: "1", memory: 1024Mi')
    assert [p.action for p in pair(load(DEPLOYMENT), load(other))] == ["unchanged"]
    more = DEPLOYMENT.replace("cpu: 1000m", "cpu: 1500m")
    (change,) = changes_of(DEPLOYMENT, more)
    assert (change.short_label, change.old, change.new) == (
        "containers[web].resources.requests.cpu",
        "1",
        "1500m",
    )


def test_object_moved_between_files_is_the_same_object() -> None:
    base = loader.load_text("a.yaml", DEPLOYMENT).resources
    new = loader.load_text("b.yaml", DEPLOYMENT).resources
    (only,) = pair(base, new)
    assert (only.action, only.old.origin.file, only.new.origin.file) == (
        "unchanged",
        "a.yaml",
        "b.yaml",
    )


def test_api_version_move_within_the_group_is_the_same_object() -> None:
    hpa = """\
apiVersion: autoscaling/{version}
kind: HorizontalPodAutoscaler
metadata: {{name: web, namespace: shop}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}
  minReplicas: 2
  maxReplicas: {max}
"""
    (moved,) = pair(
        load(hpa.format(version="v2beta2", max=5)), load(hpa.format(version="v2", max=5))
    )
    assert (moved.action, moved.api_version_changed, moved.changes()) == ("unchanged", True, [])
    (edited,) = pair(
        load(hpa.format(version="v2beta2", max=5)), load(hpa.format(version="v2", max=9))
    )
    assert edited.action == "update"
    assert [c.label for c in edited.changes()] == ["spec.maxReplicas"]


def test_extensions_objects_pair_with_their_apps_and_networking_successors() -> None:
    old = """\
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: web, namespace: shop}
spec: {rules: [{host: shop.example.com}]}
---
apiVersion: extensions/v1beta1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: "agent:1"}]}
"""
    new = old.replace("extensions/v1beta1\nkind: Ingress", "networking.k8s.io/v1\nkind: Ingress")
    new = new.replace("extensions/v1beta1\nkind: DaemonSet", "apps/v1\nkind: DaemonSet")
    pairs = pair(load(old), load(new))
    assert [(p.action in ("update", "unchanged"), p.old is not None) for p in pairs] == [
        (True, True)
    ] * 2
    assert pairing.pairing_group("extensions", "Deployment") == "apps"
    assert pairing.pairing_group("extensions", "NetworkPolicy") == "networking.k8s.io"


def test_create_delete_and_rename_detection() -> None:
    renamed = DEPLOYMENT.replace("name: web\n  namespace", "name: web-v2\n  namespace")
    extra = """\
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {a: "1"}
"""
    pairs = pair(load(DEPLOYMENT + extra), load(renamed))
    actions = {(p.action, p.resource.kind, p.resource.name) for p in pairs}
    assert actions == {
        ("create", "Deployment", "web-v2"),
        ("delete", "Deployment", "web"),
        ("delete", "ConfigMap", "settings"),
    }
    (created,) = [p for p in pairs if p.action == "create"]
    assert created.renamed_from is not None and created.renamed_from.name == "web"
    assert created.similarity is not None and created.similarity >= pairing.RENAME_SIMILARITY


def test_a_different_object_is_not_a_rename() -> None:
    other = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: 4
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api, tier: backend}}
    spec:
      serviceAccountName: api
      containers:
        - {name: api, image: "api:3", args: [--port, "9000"], ports: [{containerPort: 9000}]}
"""
    pairs = pair(load(DEPLOYMENT), load(other))
    assert pairs_by_action(pairs) == Counter({"create": 1, "delete": 1})
    assert all(p.renamed_from is None for p in pairs)


def test_renames_only_within_kind_and_namespace() -> None:
    moved = DEPLOYMENT.replace("name: web\n  namespace: shop", "name: web-v2\n  namespace: other")
    pairs = pair(load(DEPLOYMENT), load(moved))
    assert all(p.renamed_from is None for p in pairs)


def test_generate_name_objects_are_always_created() -> None:
    job = "apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: migrate-}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: m, image: m}]}}}\n"
    result = loader.load_text("job.yaml", job)
    pairs = pair(result.resources, result.resources)
    assert [p.action for p in pairs] == ["create"]


# ---------------------------------------------------------------------------------------------
# Field differences


def test_reordered_env_is_one_reordered_change() -> None:
    reordered = DEPLOYMENT.replace(
        '- {name: A, value: "1"}\n            - {name: B, value: "2"}',
        '- {name: B, value: "2"}\n            - {name: A, value: "1"}',
    )
    (change,) = changes_of(DEPLOYMENT, reordered)
    assert change.kind == "reordered"
    assert change.path == ("spec", "template", "spec", "containers", 0, "env")
    assert change.label == "spec.template.spec.containers[web].env"
    assert (change.old, change.new) == (["A", "B", "C"], ["B", "A", "C"])


def test_reordered_containers_are_one_change_and_roll_pods_per_set_element_order() -> None:
    """Client-side `kubectl apply` sends `$setElementOrder/containers` for a pure reorder
    (strategicpatch/patch.go diffLists: `!orderSame`) and the server sorts the stored list by it
    (mergePatchIntoOriginal): the stored template changes, so the pods roll. The diff says it once."""
    web, sidecar = DEPLOYMENT.split("        - name: sidecar\n")
    head, web_block = web.split("      containers:\n")
    swapped = head + "      containers:\n        - name: sidecar\n" + sidecar + web_block
    pairs = pair(load(DEPLOYMENT), load(swapped))
    assert [p.action for p in pairs] == ["update"]
    (change,) = pairs[0].changes()
    assert (change.kind, change.short_label) == ("reordered", "containers")
    assert (change.old, change.new) == (["web", "sidecar"], ["sidecar", "web"])
    assert "setElementOrder" in (fielddiff.__doc__ or "")


def test_element_paths_use_the_new_index_and_labels_use_the_key() -> None:
    web, sidecar = DEPLOYMENT.split("        - name: sidecar\n")
    head, web_block = web.split("      containers:\n")
    swapped = head + "      containers:\n        - name: sidecar\n" + sidecar + web_block
    swapped = swapped.replace("nginx:1.27", "nginx:1.28")
    changes = changes_of(DEPLOYMENT, swapped)
    assert [(c.kind, c.path, c.label) for c in changes] == [
        ("reordered", ("spec", "template", "spec", "containers"), "spec.template.spec.containers"),
        (
            "changed",
            ("spec", "template", "spec", "containers", 1, "image"),
            "spec.template.spec.containers[web].image",
        ),
    ]
    assert changes[1].short_label == "containers[web].image"


def test_added_and_removed_list_elements() -> None:
    new = DEPLOYMENT.replace(
        '            - {name: C, value: "3"}\n', '            - {name: D, value: "4"}\n'
    )
    changes = changes_of(DEPLOYMENT, new)
    assert [(c.kind, c.short_label, c.path[-1]) for c in changes] == [
        ("added", "containers[web].env[D]", 2),
        ("removed", "containers[web].env[C]", 2),
    ]


def test_ports_match_by_container_port_and_protocol() -> None:
    old = {
        "kind": "Pod",
        "apiVersion": "v1",
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "ports": [
                        {"containerPort": 53, "protocol": "UDP", "name": "dns-udp"},
                        {"containerPort": 53, "name": "dns-tcp"},
                    ],
                }
            ]
        },
    }
    new = {
        "kind": "Pod",
        "apiVersion": "v1",
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "ports": [
                        {"containerPort": 53, "protocol": "TCP", "name": "dns-tcp"},
                        {"containerPort": 53, "protocol": "UDP", "name": "dns"},
                    ],
                }
            ]
        },
    }
    changes = diff(old, new)
    assert [(c.kind, c.label) for c in changes] == [
        ("reordered", "spec.containers[c].ports"),
        ("added", "spec.containers[c].ports[53/TCP].protocol"),
        ("changed", "spec.containers[c].ports[53/UDP].name"),
    ]


def test_service_ports_match_by_port_and_protocol() -> None:
    old = {
        "kind": "Service",
        "apiVersion": "v1",
        "spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443, "name": "https"}]},
    }
    new = {
        "kind": "Service",
        "apiVersion": "v1",
        "spec": {"ports": [{"port": 443, "name": "https"}, {"port": 80, "name": "web"}]},
    }
    assert [(c.kind, c.label) for c in diff(old, new)] == [
        ("reordered", "spec.ports"),
        ("changed", "spec.ports[80/TCP].name"),
    ]


def test_lists_without_merge_keys_are_atomic() -> None:
    old = {
        "kind": "Pod",
        "apiVersion": "v1",
        "spec": {
            "tolerations": [{"key": "a", "operator": "Exists"}, {"key": "b", "operator": "Exists"}],
            "containers": [{"name": "c", "args": ["--a", "--b"]}],
        },
    }
    new = {
        "kind": "Pod",
        "apiVersion": "v1",
        "spec": {
            "tolerations": [{"key": "b", "operator": "Exists"}, {"key": "a", "operator": "Exists"}],
            "containers": [{"name": "c", "args": ["--b", "--a"]}],
        },
    }
    changes = diff(old, new)
    assert [(c.kind, c.label) for c in changes] == [
        ("changed", "spec.tolerations"),
        ("changed", "spec.containers[c].args"),
    ]
    assert changes[0].old == old["spec"]["tolerations"]


def test_duplicate_merge_keys_fall_back_to_a_whole_list_compare() -> None:
    old = {
        "kind": "Pod",
        "apiVersion": "v1",
        "spec": {
            "containers": [
                {"name": "c", "env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]}
            ]
        },
    }
    new = {
        "kind": "Pod",
        "apiVersion": "v1",
        "spec": {"containers": [{"name": "c", "env": [{"name": "A", "value": "2"}]}]},
    }
    ((kind, label),) = [(c.kind, c.label) for c in diff(old, new)]
    assert (kind, label) == ("changed", "spec.containers[c].env")


def test_maps_and_scalars() -> None:
    old = {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {"name": "x", "annotations": {"example.com/a": "1"}},
        "data": {"a": "1", "b": "2"},
    }
    new = {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {"name": "x", "annotations": {"example.com/a": "2"}},
        "data": {"a": "1", "c": "3"},
        "immutable": True,
    }
    assert [(c.kind, c.label, c.old, c.new) for c in diff(old, new)] == [
        ("changed", 'metadata.annotations["example.com/a"]', "1", "2"),
        ("added", "data.c", None, "3"),
        ("removed", "data.b", "2", None),
        ("added", "immutable", None, True),
    ]
    assert [c.kind for c in diff({"a": 1, "b": 1}, {"a": True, "b": 2})] == ["changed"] * 2
    assert diff(old, old) == []


def test_custom_resources_with_an_embedded_pod_spec_match_containers_by_name() -> None:
    old = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "Prometheus",
        "spec": {"containers": [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]},
    }
    new = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "Prometheus",
        "spec": {"containers": [{"name": "b", "image": "b:1"}, {"name": "a", "image": "a:2"}]},
    }
    assert [(c.kind, c.label) for c in diff(old, new)] == [
        ("reordered", "spec.containers"),
        ("changed", "spec.containers[a].image"),
    ]


# ---------------------------------------------------------------------------------------------
# The corpus (../shared/corpus/README.md, "Revisions")

MICROSERVICES_CHAIN = ["v0.3.5", "v0.4.0", "v0.7.0", "v0.8.0", "v0.10.0", "v0.10.5", "top"]
# pair -> (added, removed, changed) from the README table
MICROSERVICES_COUNTS = {
    ("v0.3.5", "v0.4.0"): (0, 0, 13),
    ("v0.4.0", "v0.7.0"): (0, 0, 13),
    ("v0.7.0", "v0.8.0"): (0, 0, 11),
    ("v0.8.0", "v0.10.0"): (11, 0, 24),
    ("v0.10.0", "v0.10.5"): (0, 0, 11),
    ("v0.10.5", "top"): (0, 0, 11),
}


@cache
def _microservices(revision: str) -> list[Resource]:
    if revision == "top":
        path = corpus("microservices-demo", "release", "kubernetes-manifests.yaml")
    else:
        path = corpus(
            "microservices-demo", "revisions", revision, "release", "kubernetes-manifests.yaml"
        )
    return loader.load([str(path)]).resources


@pytest.mark.parametrize(("before", "after"), list(MICROSERVICES_COUNTS))
def test_microservices_demo_revisions_match_the_readme(before: str, after: str) -> None:
    pairs = pair(_microservices(before), _microservices(after))
    counts = pairs_by_action(pairs)
    assert (counts["create"], counts["delete"], counts["update"]) == MICROSERVICES_COUNTS[
        (before, after)
    ]
    assert all(p.renamed_from is None for p in pairs)
    if (before, after) == ("v0.8.0", "v0.10.0"):
        assert {p.resource.kind for p in pairs if p.action == "create"} == {"ServiceAccount"}


def test_microservices_demo_reshuffled_release_is_a_pure_image_bump() -> None:
    """v0.10.5 -> v0.10.6 reorders the documents (a large line diff); paired by identity, only
    images change, plus the imagePullPolicy the server derives from one image's tag."""
    pairs = pair(_microservices("v0.10.5"), _microservices("top"))
    changes = [(p.resource, c) for p in pairs for c in p.changes()]
    assert {c.path[-1] for _, c in changes} == {"image", "imagePullPolicy"}
    assert {c.kind for _, c in changes} == {"changed"}
    assert sum(1 for _, c in changes if c.path[-1] == "image") == 12
    (pull,) = [(r, c) for r, c in changes if c.path[-1] == "imagePullPolicy"]
    resource, change = pull
    # busybox:latest -> busybox:1.38.0@sha256:...: Always -> IfNotPresent (SetDefaults_Container)
    assert (resource.name, change.short_label, change.old, change.new) == (
        "loadgenerator",
        "initContainers[frontend-check].imagePullPolicy",
        "Always",
        "IfNotPresent",
    )
    image = {c.path: c for _, c in changes if c.path[-1] == "image"}
    assert (*change.path[:-1], "image") in image


@cache
def _kube_prometheus(revision: str) -> list[Resource]:
    if revision == "top":
        path = corpus("kube-prometheus", "manifests")
    else:
        path = corpus("kube-prometheus", "revisions", revision, "manifests")
    return loader.load([str(path)]).resources


def test_kube_prometheus_network_policies_commit_creates_exactly_eight() -> None:
    pairs = pair(_kube_prometheus("2022-04-04_a182d78"), _kube_prometheus("2022-04-05_01004de"))
    counts = pairs_by_action(pairs)
    assert counts == Counter({"unchanged": 112, "create": 8})
    created = [p.resource for p in pairs if p.action == "create"]
    assert {(r.kind, r.namespace) for r in created} == {("NetworkPolicy", "monitoring")}
    assert all(p.renamed_from is None for p in pairs)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("2022-04-05_01004de", "v0.11.0", {"update": 84, "unchanged": 36}),
        ("v0.11.0", "v0.17.0", {"update": 120, "create": 10}),
        ("v0.17.0", "v0.18.0", {"update": 102, "unchanged": 28, "create": 1}),
        ("v0.18.0", "top", {"update": 103, "unchanged": 28}),
    ],
)
def test_kube_prometheus_release_pairs_match_the_readme(
    before: str, after: str, expected: dict[str, int]
) -> None:
    pairs = pair(_kube_prometheus(before), _kube_prometheus(after))
    assert pairs_by_action(pairs) == Counter(expected)


# ---------------------------------------------------------------------------------------------
# Speed


def _synthetic(count: int) -> list[Resource]:
    resources: list[Resource] = []
    for i in range(count):
        namespace = f"team-{i % 50}"
        origin = Origin(f"set/{i // 100}.yaml", i % 100, 1)
        if i % 3 == 0:
            body: dict[str, Any] = {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {
                    "name": f"app-{i}",
                    "namespace": namespace,
                    "labels": {"app": f"app-{i}"},
                },
                "spec": {
                    "selector": {"matchLabels": {"app": f"app-{i}"}},
                    "template": {
                        "metadata": {"labels": {"app": f"app-{i}"}},
                        "spec": {
                            "containers": [
                                {
                                    "name": "main",
                                    "image": f"registry.example.com/app-{i}:1.{i % 7}",
                                    "env": [
                                        {"name": f"VAR_{k}", "value": str(k)} for k in range(5)
                                    ],
                                    "ports": [{"containerPort": 8080}],
                                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                                    "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
                                }
                            ],
                            "volumes": [{"name": "config", "configMap": {"name": f"cfg-{i}"}}],
                        },
                    },
                },
            }
        elif i % 3 == 1:
            body = {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": f"svc-{i}", "namespace": namespace},
                "spec": {
                    "selector": {"app": f"app-{i}"},
                    "ports": [{"port": 80, "targetPort": 8080}],
                },
            }
        else:
            body = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": f"cfg-{i}", "namespace": namespace},
                "data": {f"key-{k}": f"value {i} {k}" for k in range(8)},
            }
        resources.append(
            Resource(
                body["apiVersion"],
                body["kind"],
                body["metadata"]["name"],
                namespace,
                body,
                origin,
                namespaced=True,
            )
        )
    return resources


def _modified(resources: list[Resource], touch_all: bool) -> list[Resource]:
    out: list[Resource] = []
    for i, resource in enumerate(resources):
        if i % 101 == 0:
            continue  # deleted
        body = normalise._copy(resource.body)
        name = resource.name
        if touch_all:  # a version label bump on every object, as in kube-prometheus releases
            body["metadata"].setdefault("labels", {})["app.kubernetes.io/version"] = "2.0"
        if i % 10 == 0 and resource.kind == "Deployment":
            body["spec"]["template"]["spec"]["containers"][0]["image"] += "-patched"
        if i % 97 == 0:
            name = f"{name}-renamed"
            body["metadata"]["name"] = name
        out.append(
            Resource(
                resource.api_version,
                resource.kind,
                name,
                resource.namespace,
                body,
                resource.origin,
                namespaced=True,
            )
        )
    return out


@pytest.mark.slow  # ten thousand resources
@pytest.mark.parametrize("touch_all", [False, True], ids=["some-changed", "all-changed"])
def test_ten_thousand_resources_pair_deletes_renames_and_changes(touch_all: bool) -> None:
    """Pairing at scale is exact (its speed is measured in bench/, not here)."""
    base = _synthetic(10_000)
    new = _modified(base, touch_all)
    pairs = pair(base, new)
    changes = [c for p in pairs for c in p.changes()]
    counts = pairs_by_action(pairs)
    dropped = sum(1 for i in range(10_000) if i % 101 == 0)
    renamed = sum(1 for i in range(10_000) if i % 97 == 0 and i % 101 != 0)
    assert (counts["delete"], counts["create"]) == (dropped + renamed, renamed)
    assert sum(1 for p in pairs if p.renamed_from is not None) == renamed
    if touch_all:
        assert counts["update"] == len(new) - renamed
        assert len(changes) == counts["update"] + sum(
            1 for i in range(0, 10_000, 30) if i % 101 and i % 97
        )  # the label everywhere, plus the patched images
    else:
        assert len(changes) == counts["update"] > 300


def test_defaults_data_cites_a_source_for_every_struct() -> None:
    table = normalise.defaults()
    assert all(source for source in table.sources.values())
    text = (Path(normalise.__file__).parent / "data" / "defaults.yaml").read_text()
    for path in (
        "pkg/apis/apps/v1/defaults.go",
        "pkg/apis/core/v1/defaults.go",
        "pkg/apis/batch/v1/defaults.go",
    ):
        assert path in text
