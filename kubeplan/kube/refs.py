"""References by name from one object to another: the one place that knows where they are.

The lint rules (rules/builtin/reference.py: "what X names must exist") and the apply-order graph
(planner/graph.py: "what X names must be applied first") read the same references from here.
Each `Ref` is typed (group, kind, namespace, name), carries the path of the name field in the
referring object and a short text saying which field it is.

Bodies are untrusted: every field may be missing or of the wrong type; a reference is yielded
only when its name is a non-empty string. Sources are given beside each extractor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kubeplan.kube import workloads
from kubeplan.kube.values import as_dict as _dict
from kubeplan.kube.values import as_list as _list
from kubeplan.kube.values import as_str as _str
from kubeplan.kube.values import namespace_of as _namespace
from kubeplan.model import Path, Resource

RBAC = "rbac.authorization.k8s.io"
GATEWAY = "gateway.networking.k8s.io"
CRD_GROUP = "apiextensions.k8s.io"


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to the object (group, kind, namespace, name); namespace None: cluster-scoped.

    `optional`: the referring object works without the target (`optional: true` on a ConfigMap
    or Secret source, an Ingress TLS secret): it orders the apply but is never reported missing.
    """

    kind: str
    name: str
    path: Path  # of the name field in the referring object
    why: str  # 'volume "config"', 'container "web" env FOO', "roleRef", ...
    group: str = ""
    namespace: str | None = None
    optional: bool = False


# ---------------------------------------------------------------------------------------------
# pods


def pod_refs(resource: Resource) -> tuple[Ref, ...]:
    """Every reference of a workload's pod template, computed once per object."""
    memo = resource.memo
    found = memo.get("pod_refs")
    if found is None:
        found = memo["pod_refs"] = tuple(_pod_refs(resource))
    return found


def claim_template_names(resource: Resource) -> list[str]:
    """Names of a StatefulSet's volumeClaimTemplates."""
    if resource.kind != "StatefulSet":
        return []
    templates = _list(_dict(resource.body.get("spec")).get("volumeClaimTemplates"))
    names = (_str(_dict(_dict(t).get("metadata")).get("name")) for t in templates)
    return [name for name in names if name]


def statefulset_claim(name: str, templates: Iterable[tuple[str, str]]) -> bool:
    """Is `name` a claim the StatefulSet controller creates, <template>-<statefulset>-<ordinal>?

    templates: (template name, StatefulSet name) pairs of the claim's namespace.
    Source: pkg/controller/statefulset/stateful_set_utils.go getPersistentVolumeClaimName."""
    for template, statefulset in templates:
        prefix = f"{template}-{statefulset}-"
        if name.startswith(prefix) and re.fullmatch(r"\d+", name[len(prefix) :]):
            return True
    return False


def _pod_refs(resource: Resource) -> Iterator[Ref]:
    found = workloads.pod_spec(resource)
    if found is None:
        return
    base, spec = found
    ns = _namespace(resource)
    # The controller replaces a template volume named like a claim template by that claim
    # (pkg/controller/statefulset/stateful_set_utils.go updateStorage).
    replaced = set(claim_template_names(resource))
    for i, volume in enumerate(_list(spec.get("volumes"))):
        volume = _dict(volume)
        if _str(volume.get("name")) in replaced:
            continue
        vpath: Path = (*base, "volumes", i)
        where = f'volume "{volume.get("name")}"'
        source = _dict(volume.get("configMap"))
        if _str(source.get("name")):
            optional = source.get("optional") is True
            path = (*vpath, "configMap", "name")
            yield Ref("ConfigMap", source["name"], path, where, "", ns, optional)
        source = _dict(volume.get("secret"))
        if _str(source.get("secretName")):
            optional = source.get("optional") is True
            path = (*vpath, "secret", "secretName")
            yield Ref("Secret", source["secretName"], path, where, "", ns, optional)
        source = _dict(volume.get("persistentVolumeClaim"))
        if _str(source.get("claimName")):
            path = (*vpath, "persistentVolumeClaim", "claimName")
            yield Ref("PersistentVolumeClaim", source["claimName"], path, where, "", ns)
        sources = _list(_dict(volume.get("projected")).get("sources"))
        for j, item in enumerate(sources):
            for key, kind in (("configMap", "ConfigMap"), ("secret", "Secret")):
                source = _dict(_dict(item).get(key))
                if _str(source.get("name")):
                    optional = source.get("optional") is True
                    path = (*vpath, "projected", "sources", j, key, "name")
                    yield Ref(kind, source["name"], path, where, "", ns, optional)
    for ref in workloads.containers(resource):
        where = f'container "{ref.name}"'
        for k, env in enumerate(_list(ref.container.get("env"))):
            value_from = _dict(_dict(env).get("valueFrom"))
            for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                source = _dict(value_from.get(key))
                if _str(source.get("name")):
                    optional = source.get("optional") is True
                    path = (*ref.path, "env", k, "valueFrom", key, "name")
                    why = f"{where} env {_dict(env).get('name')}"
                    yield Ref(kind, source["name"], path, why, "", ns, optional)
        for k, env_from in enumerate(_list(ref.container.get("envFrom"))):
            for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                source = _dict(_dict(env_from).get(key))
                if _str(source.get("name")):
                    optional = source.get("optional") is True
                    path = (*ref.path, "envFrom", k, key, "name")
                    yield Ref(kind, source["name"], path, f"{where} envFrom", "", ns, optional)
    for i, item in enumerate(_list(spec.get("imagePullSecrets"))):
        name = _str(_dict(item).get("name"))
        if name:
            path = (*base, "imagePullSecrets", i, "name")
            yield Ref("Secret", name, path, "imagePullSecrets", "", ns)
    # serviceAccount is a deprecated alias used only when serviceAccountName is empty
    # (pkg/apis/core/v1/conversion.go); the ServiceAccount admission plugin rejects a pod whose
    # account does not exist (plugin/pkg/admission/serviceaccount/admission.go).
    key = "serviceAccountName" if _str(spec.get("serviceAccountName")) else "serviceAccount"
    name = _str(spec.get(key))
    if name:
        yield Ref("ServiceAccount", name, (*base, key), key, "", ns)
    # plugin/pkg/admission/priority/admission.go: the PriorityClass must exist at pod admission.
    name = _str(spec.get("priorityClassName"))
    if name:
        path = (*base, "priorityClassName")
        yield Ref("PriorityClass", name, path, "priorityClassName", "scheduling.k8s.io")
    # plugin/pkg/admission/runtimeclass/admission.go: the RuntimeClass must exist at admission.
    name = _str(spec.get("runtimeClassName"))
    if name:
        path = (*base, "runtimeClassName")
        yield Ref("RuntimeClass", name, path, "runtimeClassName", "node.k8s.io")
    if resource.kind == "StatefulSet":
        sts = _dict(resource.body.get("spec"))
        for i, template in enumerate(_list(sts.get("volumeClaimTemplates"))):
            name = _str(_dict(_dict(template).get("spec")).get("storageClassName"))
            if name:
                path = ("spec", "volumeClaimTemplates", i, "spec", "storageClassName")
                why = "volumeClaimTemplate storageClassName"
                yield Ref("StorageClass", name, path, why, "storage.k8s.io")


# ---------------------------------------------------------------------------------------------
# Ingress and Gateway API routes


def ingress_backends(body: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """(path, backend) of the default backend and of every rule path of an Ingress."""
    spec = _dict(body.get("spec"))
    for key in ("defaultBackend", "backend"):  # `backend` is the pre-v1 name
        if isinstance(spec.get(key), dict):
            yield ("spec", key), spec[key]
    for i, rule in enumerate(_list(spec.get("rules"))):
        paths = _list(_dict(_dict(rule).get("http")).get("paths"))
        for j, entry in enumerate(paths):
            backend = _dict(entry).get("backend")
            if isinstance(backend, dict):
                yield ("spec", "rules", i, "http", "paths", j, "backend"), backend


def route_backend_refs(body: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """backendRefs of every rule, and requestMirror backendRefs of rule and backend filters."""

    def mirrors(filters: Any, base: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
        for k, item in enumerate(_list(filters)):
            ref = _dict(_dict(item).get("requestMirror")).get("backendRef")
            if isinstance(ref, dict):
                yield (*base, "filters", k, "requestMirror", "backendRef"), ref

    for i, rule in enumerate(_list(_dict(body.get("spec")).get("rules"))):
        rule = _dict(rule)
        base: Path = ("spec", "rules", i)
        for j, ref in enumerate(_list(rule.get("backendRefs"))):
            if isinstance(ref, dict):
                yield (*base, "backendRefs", j), ref
                yield from mirrors(ref.get("filters"), (*base, "backendRefs", j))
        yield from mirrors(rule.get("filters"), base)


def _ingress_refs(resource: Resource) -> Iterator[Ref]:
    # networking/v1 types.go IngressSpec, IngressBackend, IngressTLS.
    ns = _namespace(resource)
    spec = _dict(resource.body.get("spec"))
    name = _str(spec.get("ingressClassName"))
    if name:
        path = ("spec", "ingressClassName")
        yield Ref("IngressClass", name, path, "ingressClassName", "networking.k8s.io")
    for path, backend in ingress_backends(resource.body):
        service = backend.get("service")
        if isinstance(service, dict) and _str(service.get("name")):  # networking.k8s.io/v1
            yield Ref("Service", service["name"], (*path, "service", "name"), "backend", "", ns)
        elif _str(backend.get("serviceName")):  # v1beta1
            yield Ref("Service", backend["serviceName"], (*path, "serviceName"), "backend", "", ns)
        target = _dict(backend.get("resource"))
        if _str(target.get("kind")) and _str(target.get("name")):
            group = _str(target.get("apiGroup")) or ""
            path = (*path, "resource", "name")
            yield Ref(target["kind"], target["name"], path, "resource backend", group, ns)
    for i, tls in enumerate(_list(spec.get("tls"))):
        name = _str(_dict(tls).get("secretName"))
        if name:  # without it the controller serves its default certificate
            path = ("spec", "tls", i, "secretName")
            yield Ref("Secret", name, path, "tls", "", ns, optional=True)


def _object_ref(
    ref: dict[str, Any], path: Path, why: str, group: str, kind: str, ns: str
) -> Ref | None:
    """A Gateway API object reference (group, kind and namespace default per field)."""
    name = _str(ref.get("name"))
    if not name:
        return None
    group = ref["group"] if isinstance(ref.get("group"), str) else group
    kind = _str(ref.get("kind")) or kind
    namespace = _str(ref.get("namespace")) or ns
    return Ref(kind, name, (*path, "name"), why, group, namespace)


def _gateway_api_refs(resource: Resource) -> Iterator[Ref]:
    # sigs.k8s.io/gateway-api apis/v1 shared_types.go: ParentReference (group defaults to
    # gateway.networking.k8s.io, kind to Gateway), BackendObjectReference (group "" and kind
    # Service); gateway_types.go: gatewayClassName, listeners[].tls.certificateRefs (Secret).
    ns = _namespace(resource)
    spec = _dict(resource.body.get("spec"))
    if resource.kind == "Gateway":
        name = _str(spec.get("gatewayClassName"))
        if name:
            yield Ref(
                "GatewayClass", name, ("spec", "gatewayClassName"), "gatewayClassName", GATEWAY
            )
        for i, listener in enumerate(_list(spec.get("listeners"))):
            certs = _list(_dict(_dict(listener).get("tls")).get("certificateRefs"))
            for j, cert in enumerate(certs):
                path: Path = ("spec", "listeners", i, "tls", "certificateRefs", j)
                found = _object_ref(_dict(cert), path, "listener certificate", "", "Secret", ns)
                if found:
                    yield found
        return
    for i, parent in enumerate(_list(spec.get("parentRefs"))):
        found = _object_ref(
            _dict(parent), ("spec", "parentRefs", i), "parentRef", GATEWAY, "Gateway", ns
        )
        if found:
            yield found
    for path, backend in route_backend_refs(resource.body):
        found = _object_ref(backend, path, "backendRef", "", "Service", ns)
        if found:
            yield found


# ---------------------------------------------------------------------------------------------
# the other kinds


def _binding_refs(resource: Resource) -> Iterator[Ref]:
    # pkg/apis/rbac/validation/validation.go: roleRef is a Role (of the binding's namespace) or
    # a ClusterRole; a ServiceAccount subject's namespace defaults to the RoleBinding's (and is
    # required in a ClusterRoleBinding).
    ref = _dict(resource.body.get("roleRef"))
    kind, name = _str(ref.get("kind")), _str(ref.get("name"))
    if kind in ("Role", "ClusterRole") and name:
        ns = _namespace(resource) if kind == "Role" else None
        yield Ref(kind, name, ("roleRef", "name"), "roleRef", RBAC, ns)
    for i, subject in enumerate(_list(resource.body.get("subjects"))):
        subject = _dict(subject)
        name = _str(subject.get("name"))
        if subject.get("kind") != "ServiceAccount" or not name:
            continue
        ns = _str(subject.get("namespace"))
        if ns is None and resource.kind == "RoleBinding":
            ns = _namespace(resource)
        if ns:
            yield Ref("ServiceAccount", name, ("subjects", i, "name"), "subject", "", ns)


def _target_ref(resource: Resource, key: str) -> Iterator[Ref]:
    # autoscaling/v2 CrossVersionObjectReference (HPA scaleTargetRef) and the
    # VerticalPodAutoscaler's targetRef (kubernetes/autoscaler vertical-pod-autoscaler
    # pkg/apis/autoscaling.k8s.io/v1/types.go): kind, name, apiVersion in the same namespace.
    target = _dict(_dict(resource.body.get("spec")).get(key))
    kind, name = _str(target.get("kind")), _str(target.get("name"))
    if kind and name:
        group = (_str(target.get("apiVersion")) or "").rpartition("/")[0]
        path = ("spec", key, "name")
        yield Ref(kind, name, path, key, group, _namespace(resource))


def _service_ref(client: dict[str, Any], path: Path, why: str) -> Iterator[Ref]:
    service = _dict(client.get("service"))
    name, ns = _str(service.get("name")), _str(service.get("namespace"))
    if name and ns:
        yield Ref("Service", name, (*path, "service", "name"), why, "", ns)


def _webhook_refs(resource: Resource) -> Iterator[Ref]:
    # admissionregistration/v1 types.go WebhookClientConfig.service (namespace and name required)
    for i, hook in enumerate(_list(resource.body.get("webhooks"))):
        hook = _dict(hook)
        why = f'webhook "{hook.get("name")}"'
        yield from _service_ref(
            _dict(hook.get("clientConfig")), ("webhooks", i, "clientConfig"), why
        )


def _crd_refs(resource: Resource) -> Iterator[Ref]:
    # apiextensions/v1 types.go CustomResourceConversion.webhook.clientConfig.service
    webhook = _dict(_dict(_dict(resource.body.get("spec")).get("conversion")).get("webhook"))
    base: Path = ("spec", "conversion", "webhook", "clientConfig")
    yield from _service_ref(_dict(webhook.get("clientConfig")), base, "conversion webhook")


def _apiservice_refs(resource: Resource) -> Iterator[Ref]:
    # kube-aggregator apiregistration/v1 types.go APIServiceSpec.service (nil: served locally)
    spec = _dict(resource.body.get("spec"))
    yield from _service_ref(spec, ("spec",), "aggregated API")


def _claim_refs(resource: Resource) -> Iterator[Ref]:
    # core/v1 types.go PersistentVolumeClaimSpec: storageClassName ("" asks for no class, so no
    # object), volumeName binds to that PersistentVolume.
    spec = _dict(resource.body.get("spec"))
    name = _str(spec.get("storageClassName"))
    if name:
        path = ("spec", "storageClassName")
        yield Ref("StorageClass", name, path, "storageClassName", "storage.k8s.io")
    name = _str(spec.get("volumeName"))
    if name:
        yield Ref("PersistentVolume", name, ("spec", "volumeName"), "volumeName")


def _volume_refs(resource: Resource) -> Iterator[Ref]:
    name = _str(_dict(resource.body.get("spec")).get("storageClassName"))
    if name:
        path = ("spec", "storageClassName")
        yield Ref("StorageClass", name, path, "storageClassName", "storage.k8s.io")


def _service_account_refs(resource: Resource) -> Iterator[Ref]:
    # The ServiceAccount admission plugin copies the account's imagePullSecrets into every pod
    # (plugin/pkg/admission/serviceaccount/admission.go); the kubelet needs the Secret to pull.
    ns = _namespace(resource)
    for i, item in enumerate(_list(resource.body.get("imagePullSecrets"))):
        name = _str(_dict(item).get("name"))
        if name:
            yield Ref("Secret", name, ("imagePullSecrets", i, "name"), "imagePullSecrets", "", ns)


def _secret_refs(resource: Resource) -> Iterator[Ref]:
    # A service-account-token Secret names its account in an annotation; the token controller
    # deletes the Secret when that account does not exist
    # (pkg/controller/serviceaccount/tokens_controller.go syncSecret).
    if resource.body.get("type") != "kubernetes.io/service-account-token":
        return
    annotations = _dict(_dict(resource.body.get("metadata")).get("annotations"))
    key = "kubernetes.io/service-account.name"
    name = _str(annotations.get(key))
    if name:
        path = ("metadata", "annotations", key)
        yield Ref("ServiceAccount", name, path, "token for", "", _namespace(resource))


_BY_KIND = {
    ("rbac.authorization.k8s.io", "RoleBinding"): _binding_refs,
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): _binding_refs,
    ("networking.k8s.io", "Ingress"): _ingress_refs,
    ("extensions", "Ingress"): _ingress_refs,
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): _webhook_refs,
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): _webhook_refs,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): _crd_refs,
    ("apiregistration.k8s.io", "APIService"): _apiservice_refs,
    ("", "PersistentVolumeClaim"): _claim_refs,
    ("", "PersistentVolume"): _volume_refs,
    ("", "ServiceAccount"): _service_account_refs,
    ("", "Secret"): _secret_refs,
}


def references(resource: Resource) -> tuple[Ref, ...]:
    """Every by-name reference of `resource` to another object, in field order."""
    if workloads.is_workload(resource):
        return pod_refs(resource)
    group, kind = resource.group, resource.kind
    if group == GATEWAY and kind in (
        "Gateway",
        "HTTPRoute",
        "GRPCRoute",
        "TLSRoute",
        "TCPRoute",
        "UDPRoute",
    ):
        return tuple(_gateway_api_refs(resource))
    if kind == "HorizontalPodAutoscaler" and group == "autoscaling":
        return tuple(_target_ref(resource, "scaleTargetRef"))
    if kind == "VerticalPodAutoscaler" and group == "autoscaling.k8s.io":
        return tuple(_target_ref(resource, "targetRef"))
    extract = _BY_KIND.get((group, kind))
    return tuple(extract(resource)) if extract else ()


def secret_producers(resources: Iterable[Resource]) -> dict[tuple[str, str], Resource]:
    """(namespace, name) of Secrets that a well-known controller creates from an object."""
    out: dict[tuple[str, str], Resource] = {}
    for resource in resources:
        name = None
        if resource.kind == "Certificate" and resource.group == "cert-manager.io":
            # cert-manager: spec.secretName is created in the Certificate's namespace.
            name = _str(_dict(resource.body.get("spec")).get("secretName"))
        elif resource.kind == "ExternalSecret" and resource.group == "external-secrets.io":
            # external-secrets: spec.target.name, defaulting to the ExternalSecret's name.
            target = _dict(_dict(resource.body.get("spec")).get("target"))
            if target.get("creationPolicy") != "None":
                name = _str(target.get("name")) or resource.name
        elif resource.kind == "SealedSecret" and resource.group == "bitnami.com":
            # sealed-secrets: the unsealed Secret has the SealedSecret's name and namespace.
            name = resource.name
        if name:
            out[(_namespace(resource), name)] = resource
    return out
