"""`kubeplan diff --base DUMP` against live objects shaped as the API server returns them.

Each dump is what `kubectl get -o yaml` prints after `kubectl apply` of the manifest, plus what
the cluster added: the last-applied annotation (staging/src/k8s.io/kubectl/pkg/util/apply.go),
the service-account token volume and its mounts (plugin/pkg/admission/serviceaccount/
admission.go), a LimitRange's resources (plugin/pkg/admission/limitranger/admission.go), a
mutating webhook's env var and sidecar, a webhook's injected caBundle, a ServiceAccount's token
secret, server defaults. Client-side apply keeps all of them (strategicpatch
CreateThreeWayMergePatch: only what the last-applied configuration had and the manifest drops
is deleted), so none is a change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from conftest import kubeplan

from kubeplan.planner.diff.run import run_diff
from kubeplan.schemas.catalog import newest_version

SERVER = {"uid": "0d6c3a1e-5b1f-4c57-9d0e-3c4e1f2a7b10", "resourceVersion": "4711"}


def _dump(tmp_path: Path, items: list[dict[str, Any]]) -> str:
    path = tmp_path / "live.yaml"
    path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items}))
    return str(path)


def _live(manifest: dict[str, Any], body: dict[str, Any], last_applied: bool = True) -> dict:
    """`body` as the server returns it, with its server fields and the last-applied JSON."""
    live = json.loads(json.dumps(body))
    metadata = live.setdefault("metadata", {})
    metadata.update(SERVER)
    metadata.setdefault("namespace", manifest["metadata"].get("namespace", "default"))
    if last_applied:
        metadata.setdefault("annotations", {})[
            "kubectl.kubernetes.io/last-applied-configuration"
        ] = json.dumps(manifest) + "\n"
    live.setdefault("status", {})
    return live


def _diff(tmp_path: Path, manifest: Any, dump: str, *extra: str) -> tuple[int, dict[str, Any]]:
    path = tmp_path / "manifest.yaml"
    docs = manifest if isinstance(manifest, list) else [manifest]
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    run = kubeplan("diff", str(path), "--base", dump, "--format", "json", *extra)
    assert run.exit_code in (0, 1), run.stdout + run.stderr
    return run.exit_code, run.json()


def _fields(document: dict[str, Any]) -> list[str]:
    return [f["path"] for c in document["changes"] for f in c["fields"]]


def _actions(document: dict[str, Any]) -> dict[str, str]:
    return {c["resource"]["name"]: c["action"] for c in document["changes"]}


POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "namespace": "shop", "annotations": {}},
    "spec": {
        "containers": [
            {
                "name": "web",
                "image": "nginx:1.25",
                "env": [{"name": "MODE", "value": "prod"}],
                "volumeMounts": [{"name": "conf", "mountPath": "/etc/web"}],
            }
        ],
        "volumes": [{"name": "conf", "configMap": {"name": "web"}}],
    },
}


def _live_pod(manifest: dict[str, Any], last_applied: bool = True) -> dict[str, Any]:
    """The pod after admission: token volume and mount, a webhook's env var and sidecar, a
    LimitRange's resources, the server's defaults."""
    container = json.loads(json.dumps(manifest["spec"]["containers"][0]))
    container["env"] = [*container["env"], {"name": "OTEL_SERVICE_NAME", "value": "web"}]
    container["volumeMounts"] = [
        *container["volumeMounts"],
        {
            "name": "kube-api-access-x7k2p",
            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
            "readOnly": True,
        },
    ]
    container["resources"] = {"limits": {"cpu": "500m"}, "requests": {"cpu": "100m"}}
    container.update(
        {
            "imagePullPolicy": "IfNotPresent",
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
        }
    )
    sidecar = {"name": "istio-proxy", "image": "istio/proxyv2:1.22.0", "args": ["proxy"]}
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "web",
            "annotations": {"kubernetes.io/limit-ranger": "LimitRanger plugin set: cpu"},
        },
        "spec": {
            "containers": [container, sidecar],
            "volumes": [
                {"name": "conf", "configMap": {"name": "web", "defaultMode": 420}},
                {
                    "name": "kube-api-access-x7k2p",
                    "projected": {
                        "defaultMode": 420,
                        "sources": [
                            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}
                        ],
                    },
                },
            ],
            "serviceAccountName": "default",
            "nodeName": "node-1",
            "tolerations": [
                {
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                }
            ],
        },
    }
    return _live(manifest, body, last_applied)


def test_empty_annotations_against_only_last_applied_is_unchanged(tmp_path: Path) -> None:
    """`annotations: {}` and a live object whose only annotation is last-applied: the stored
    object has no annotations either way (protobuf drops an empty map, generated.pb.go)."""
    manifest = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "web", "namespace": "shop", "annotations": {}, "labels": {}},
        "data": {"a": "1"},
    }
    dump = _dump(tmp_path, [_live(manifest, {**manifest, "metadata": {"name": "web"}})])
    code, document = _diff(tmp_path, manifest, dump)
    assert (code, _actions(document)) == (0, {"web": "unchanged"})


def test_entries_added_by_admission_are_kept_and_a_pod_is_not_rejected(tmp_path: Path) -> None:
    """The token volume and mount, an injected env var and sidecar and a LimitRange's resources
    are in neither the manifest nor last-applied: client-side apply keeps them (patch.go
    diffListsOfMaps with IgnoreDeletions), so the pod is unchanged and nothing is `immutable`."""
    dump = _dump(tmp_path, [_live_pod(POD)])
    code, document = _diff(tmp_path, POD, dump)
    assert _actions(document) == {"web": "unchanged"}
    assert not [f for f in document["findings"] if f["rule"] == "immutable-field-changed"]
    assert code == 0


def test_a_real_change_beside_injected_entries_points_into_the_manifest(tmp_path: Path) -> None:
    """Only the image changes; its path indexes the manifest's containers (the sidecar the
    merge keeps does not shift it), and a Pod's image may change (ValidatePodUpdate)."""
    dump = _dump(tmp_path, [_live_pod(POD)])
    new = json.loads(json.dumps(POD))
    new["spec"]["containers"].insert(0, {"name": "init-log", "image": "busybox:1.36"})
    new["spec"]["containers"][1]["image"] = "nginx:1.26"
    _, document = _diff(tmp_path, new, dump)
    assert _fields(document) == ["spec.containers[init-log]", "spec.containers[web].image"]
    result = run_diff([str(tmp_path / "manifest.yaml")], dump, newest_version())
    paths = [change.path for report in result.changes for change in report.fields]
    # indices into the manifest: init-log is its containers[0], web its containers[1]
    assert paths == [("spec", "containers", 0), ("spec", "containers", 1, "image")]


def test_an_entry_dropped_from_the_manifest_is_removed(tmp_path: Path) -> None:
    """deletionsMap: the env var MODE was in last-applied and is not in the manifest: deleted,
    and on a Pod that is a forbidden update (immutable)."""
    dump = _dump(tmp_path, [_live_pod(POD)])
    new = json.loads(json.dumps(POD))
    new["spec"]["containers"][0]["env"] = []
    code, document = _diff(tmp_path, new, dump)
    assert _actions(document) == {"web": "update"}
    fields = [f for c in document["changes"] for f in c["fields"]]
    assert [(f["path"], f["change"]) for f in fields] == [
        ("spec.containers[web].env[MODE]", "removed")
    ]
    assert code == 1


def test_without_last_applied_only_the_manifests_fields_count(tmp_path: Path) -> None:
    """No annotation: kubectl apply uses an empty original, nothing is removed; the diff's
    notes say which assumption was used."""
    dump = _dump(tmp_path, [_live_pod(POD, last_applied=False)])
    code, document = _diff(tmp_path, POD, dump)
    assert (code, _actions(document)) == (0, {"web": "unchanged"})
    result = run_diff([str(tmp_path / "manifest.yaml")], dump, newest_version())
    assert any(
        "modelled client-side kubectl apply" in note
        and "1 without one, so only the manifest's own fields are compared" in note
        for note in result.notes
    )


def test_a_broken_last_applied_annotation_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    live = _live_pod(POD)
    live["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = "{nope"
    dump = _dump(tmp_path, [live])
    _, document = _diff(tmp_path, POD, dump)
    rules = [f["rule"] for f in document["findings"]]
    assert "last-applied-invalid" in rules
    assert _actions(document) == {"web": "unchanged"}


def test_service_account_token_secret_is_kept(tmp_path: Path) -> None:
    """ServiceAccount.Secrets is `patchStrategy:"merge" patchMergeKey:"name"`: the token secret
    the token controller listed (clusters before 1.24) is not the manifest's to remove."""
    manifest = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "app", "namespace": "shop"},
        "secrets": [{"name": "app-config"}],
    }
    live = _live(
        manifest, {**manifest, "secrets": [{"name": "app-config"}, {"name": "app-token-9xk2d"}]}
    )
    code, document = _diff(tmp_path, manifest, _dump(tmp_path, [live]))
    assert (code, _actions(document)) == (0, {"app": "unchanged"})


def test_webhook_ca_bundle_and_defaults_are_kept(tmp_path: Path) -> None:
    """A caBundle injected by cert-manager and the admissionregistration/v1 defaults
    (SetDefaults_ValidatingWebhook: failurePolicy, matchPolicy, namespaceSelector, ...) are
    fields the manifest never set."""
    manifest = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": "policy"},
        "webhooks": [
            {
                "name": "check.example.com",
                "admissionReviewVersions": ["v1"],
                "sideEffects": "None",
                "clientConfig": {"service": {"name": "policy", "namespace": "policy"}},
            }
        ],
    }
    webhook = json.loads(json.dumps(manifest["webhooks"][0]))
    webhook["clientConfig"]["caBundle"] = "LS0tLS1CRUdJTi"
    webhook["clientConfig"]["service"]["port"] = 443
    webhook.update(
        {
            "failurePolicy": "Fail",
            "matchPolicy": "Equivalent",
            "namespaceSelector": {},
            "objectSelector": {},
            "timeoutSeconds": 10,
        }
    )
    live = _live(manifest, {**manifest, "webhooks": [webhook]})
    live["metadata"].pop("namespace")
    code, document = _diff(tmp_path, manifest, _dump(tmp_path, [live]))
    assert (code, _actions(document)) == (0, {"policy": "unchanged"})


def test_empty_null_and_absent_lists_and_nested_defaults_are_equal(tmp_path: Path) -> None:
    """`rules: []` against a stored ClusterRole without rules (protobuf keeps no empty list);
    `protocol: TCP` that SetDefaults_Endpoints and SetDefaults_Service write inside lists."""
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "nothing"},
        "rules": [],
    }
    endpoints = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": "db", "namespace": "shop"},
        "subsets": [{"addresses": [{"ip": "10.0.0.5"}], "ports": [{"port": 5432}]}],
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "db", "namespace": "shop"},
        "spec": {"ports": [{"port": 5432}]},
    }
    live_role = _live(role, {k: v for k, v in role.items() if k != "rules"})
    live_role["metadata"].pop("namespace")
    live_endpoints = _live(
        endpoints,
        {
            **endpoints,
            "subsets": [
                {"addresses": [{"ip": "10.0.0.5"}], "ports": [{"port": 5432, "protocol": "TCP"}]}
            ],
        },
    )
    live_service = _live(
        service,
        {
            **service,
            "spec": {
                "ports": [{"port": 5432, "protocol": "TCP", "targetPort": 5432}],
                "clusterIP": "10.96.4.7",
                "clusterIPs": ["10.96.4.7"],
                "ipFamilies": ["IPv4"],
                "ipFamilyPolicy": "SingleStack",
                "sessionAffinity": "None",
                "type": "ClusterIP",
                "internalTrafficPolicy": "Cluster",
            },
        },
    )
    dump = _dump(tmp_path, [live_role, live_endpoints, live_service])
    code, document = _diff(tmp_path, [role, endpoints, service], dump)
    assert set(_actions(document).values()) == {"unchanged"}
    assert code == 0


def test_a_cluster_made_namespace_pairs_with_the_users_manifest(tmp_path: Path) -> None:
    """pkg/controlplane/controller/systemnamespaces makes default, kube-system, kube-public and
    kube-node-lease; a manifest for one of them updates it, it is never created."""
    namespaces = []
    live = []
    for name in ("default", "kube-system", "kube-public", "kube-node-lease"):
        namespaces.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": name, "labels": {"team": "platform"}},
            }
        )
        live.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {
                    "name": name,
                    "labels": {"kubernetes.io/metadata.name": name},
                    **SERVER,
                },
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            }
        )
    _, document = _diff(tmp_path, namespaces, _dump(tmp_path, live))
    assert set(_actions(document).values()) == {"update"}
    assert set(_fields(document)) == {"metadata.labels.team"}
    assert document["summary"]["create"] == 0


def test_defaults_an_older_api_version_wrote_are_kept(tmp_path: Path) -> None:
    """A Deployment first created as extensions/v1beta1 keeps that version's defaults
    (pkg/apis/extensions/v1beta1/defaults.go SetDefaults_Deployment: revisionHistoryLimit and
    progressDeadlineSeconds math.MaxInt32); the apps/v1 manifest never set them, so applying it
    keeps them: no change."""
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "shop"},
        "spec": {
            "selector": {"matchLabels": {"app": "api"}},
            "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {"containers": [{"name": "api", "image": "api:1"}]},
            },
        },
    }
    live = _live(
        manifest,
        {
            **manifest,
            "spec": {
                **manifest["spec"],
                "revisionHistoryLimit": 2147483647,
                "progressDeadlineSeconds": 2147483647,
            },
        },
    )
    code, document = _diff(tmp_path, manifest, _dump(tmp_path, [live]))
    assert (code, _actions(document)) == (0, {"api": "unchanged"})


def test_a_server_filled_field_the_manifest_pins_to_another_value_is_a_change(
    tmp_path: Path,
) -> None:
    """The allocated clusterIP is kept when the manifest leaves it out, but a manifest that
    pins another one changes it, and spec.clusterIP is immutable (ValidateServiceUpdate)."""
    manifest = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "db", "namespace": "shop"},
        "spec": {"ports": [{"port": 5432}], "clusterIP": "10.96.0.50"},
    }
    body = {
        **manifest,
        "spec": {
            "ports": [{"port": 5432, "protocol": "TCP", "targetPort": 5432}],
            "clusterIP": "10.96.4.7",
            "clusterIPs": ["10.96.4.7"],
        },
    }
    live = _live({**manifest, "spec": {"ports": [{"port": 5432}]}}, body)
    code, document = _diff(tmp_path, manifest, _dump(tmp_path, [live]))
    fields = [(f["path"], f["effect"]) for c in document["changes"] for f in c["fields"]]
    assert ("spec.clusterIP", "immutable") in fields
    assert code == 1
