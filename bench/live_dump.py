"""Make the live dump (`kubectl get -o yaml`) a cluster would return after applying a manifest set.

    python bench/live_dump.py SET_PATH --out /tmp/dump.yaml [--server-side]
    python bench/live_dump.py --measure [--server-side]   # every corpus set: how many change

Each object of the set is written as the API server stores it, so that `kubeplan diff SET --base
DUMP` can be checked to say "no change":

* the defaults kubeplan's normaliser knows (kubeplan/planner/diff/normalise.py), as the API
  server's defaulting writes them, quantities in canonical form;
* the server's fields: `uid`, `resourceVersion`, `generation`, `creationTimestamp`,
  `metadata.managedFields` (the manifest's fields, owned by `kubectl-client-side-apply`
  (Update) for a client-side apply, or by `kubectl` (Apply) with `--server-side`), and `status`;
* client-side apply's `kubectl.kubernetes.io/last-applied-configuration` (the manifest as JSON,
  staging/src/k8s.io/kubectl/pkg/util/apply.go `GetModifiedConfiguration`), not with
  `--server-side`;
* what admission and the registry add that no manifest sets: a Service's `clusterIP`,
  `clusterIPs`, `ipFamilies`, `ipFamilyPolicy` (pkg/registry/core/service/storage), a Pod's
  service-account token volume `kube-api-access-<suffix>` and its mounts
  (plugin/pkg/admission/serviceaccount/admission.go), the Deployment controller's
  `deployment.kubernetes.io/revision` annotation;
* the namespaces and objects every cluster makes (kube/data/cluster_objects.yaml).

Objects without a name (generateName) are left out: they cannot be paired.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from kubeplan.planner.diff import managedfields, patchmeta  # noqa: E402
from kubeplan.planner.diff.normalise import normalise  # noqa: E402
from kubeplan.schemas import loader  # noqa: E402

CORPUS = PROJECT.parent / "shared" / "corpus"
VERSION = "1.37"
TOKEN_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
CLUSTER_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def live_object(resource: Any, server_side: bool) -> dict[str, Any]:
    body = normalise(resource)
    metadata = body.setdefault("metadata", {})
    ident = _digest(resource.kind, resource.namespace or "", resource.name or "")
    schema = patchmeta.root(resource.group, resource.version, resource.kind, VERSION)
    metadata["uid"] = f"{ident[:8]}-{ident[8:12]}-{ident[12:16]}-{ident[16:20]}-{ident[20:32]}"
    metadata["resourceVersion"] = str(int(ident[:6], 16))
    metadata["generation"] = 1
    metadata["creationTimestamp"] = "2026-01-01T00:00:00Z"
    metadata["managedFields"] = [
        {
            "apiVersion": resource.api_version,
            "fieldsType": "FieldsV1",
            "fieldsV1": managedfields.fieldset(resource.body, schema),
            "manager": "kubectl" if server_side else "kubectl-client-side-apply",
            "operation": "Apply" if server_side else "Update",
            "time": "2026-01-01T00:00:00Z",
        }
    ]
    annotations = metadata.setdefault("annotations", {})
    if not server_side:
        annotations[LAST_APPLIED] = json.dumps(resource.body, separators=(",", ":")) + "\n"
    _server_written(resource, body, annotations, ident)
    if not annotations:
        del metadata["annotations"]
    body["status"] = {}
    return body


def _server_written(resource: Any, body: dict[str, Any], annotations: dict, ident: str) -> None:
    spec = body.get("spec") if isinstance(body.get("spec"), dict) else None
    service = resource.group == "" and resource.kind == "Service" and spec is not None
    if service and spec.get("type") != "ExternalName" and "clusterIP" not in spec:
        ip = f"10.96.{int(ident[:2], 16)}.{int(ident[2:4], 16) or 1}"
        spec["clusterIP"] = ip
        spec["clusterIPs"] = [ip]
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
    if resource.group == "apps" and resource.kind == "Deployment":
        annotations["deployment.kubernetes.io/revision"] = "1"
    if resource.group == "" and resource.kind == "Pod" and spec is not None:
        mounted = any(
            isinstance(mount, dict) and mount.get("mountPath") == TOKEN_MOUNT
            for container in spec.get("containers", [])
            if isinstance(container, dict)
            for mount in container.get("volumeMounts", [])
        )
        # admission.go mountServiceAccountToken: no token volume when automounting is off or a
        # container already mounts something at the token's path
        named = all(
            isinstance(c, dict) and c.get("name") for c in spec.get("containers", [])
        )  # a container without a name is refused on create (pod validation): nothing to admit
        if spec.get("automountServiceAccountToken") is not False and not mounted and named:
            volume = f"kube-api-access-{ident[:5]}"
            spec.setdefault("volumes", []).append(
                {
                    "name": volume,
                    "projected": {
                        "defaultMode": 420,
                        "sources": [
                            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                            {
                                "configMap": {
                                    "name": "kube-root-ca.crt",
                                    "items": [{"key": "ca.crt", "path": "ca.crt"}],
                                }
                            },
                        ],
                    },
                }
            )
            for container in spec.get("containers", []):
                if isinstance(container, dict):
                    container.setdefault("volumeMounts", []).append(
                        {"mountPath": TOKEN_MOUNT, "name": volume, "readOnly": True}
                    )
        spec.setdefault("serviceAccountName", "default")
        spec.setdefault("nodeName", "node-1")


def _cluster_made() -> list[dict[str, Any]]:
    out = []
    for name in CLUSTER_NAMESPACES:
        out.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {
                    "name": name,
                    "uid": _digest("ns", name)[:36],
                    "resourceVersion": "1",
                    "labels": {"kubernetes.io/metadata.name": name},
                },
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            }
        )
    return out


def dump(paths: list[str], server_side: bool) -> dict[str, Any]:
    loaded = loader.load(paths)
    items: dict[tuple[str, str, str | None, str], dict[str, Any]] = {}
    for item in _cluster_made():
        items[("", "Namespace", None, item["metadata"]["name"])] = item
    for resource in loaded.resources:
        if resource.name and isinstance(resource.body, dict):
            key = (resource.group, resource.kind, resource.namespace, resource.name)
            items[key] = live_object(resource, server_side)
    return {
        "apiVersion": "v1",
        "kind": "List",
        "metadata": {"resourceVersion": ""},
        "items": list(items.values()),
    }


def measure(server_side: bool, kubeplan: list[str], sets: dict[str, str], out: Path) -> None:
    """How many objects `kubeplan diff SET --base DUMP` says change, per corpus set."""
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, relative in sets.items():
        path = str(CORPUS / relative)
        target = out / f"{name}.yaml"
        target.write_text(yaml.safe_dump(dump([path], server_side), sort_keys=False))
        argv = [*kubeplan, "diff", path, "--base", str(target), "--format", "json"]
        if server_side:
            argv.append("--server-side")
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        try:
            document = json.loads(done.stdout)
        except ValueError:
            print(f"{name}: no JSON (exit {done.returncode}): {done.stderr.strip()[:200]}")
            continue
        changes = document.get("changes") or []
        changed = [c for c in changes if c.get("action") not in ("unchanged", None)]
        total += len(changed)
        print(f"{name}: {len(changed)} of {len(changes)} objects change, exit {done.returncode}")
    print(f"total: {total}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--server-side", action="store_true")
    parser.add_argument("--measure", action="store_true")
    parser.add_argument("--kubeplan", default=f"{sys.executable} -m kubeplan")
    parser.add_argument("--dumps", type=Path, default=Path("/tmp/kubeplan-live-dumps"))
    args = parser.parse_args()
    if args.measure:
        from corpus_outputs import SETS

        measure(args.server_side, args.kubeplan.split(), SETS, args.dumps)
        return 0
    text = yaml.safe_dump(dump(args.paths, args.server_side), sort_keys=False)
    if args.out:
        args.out.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
