"""Documents -> `Resource`s: List expansion, dump clean-up, namespaces and identity checks.

Every problem becomes a finding on its own document; nothing here raises on bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kubeplan.kube import kinds
from kubeplan.kube.goquote import go_quote
from kubeplan.model import Finding, Origin, Resource, Severity, finding_for, format_path
from kubeplan.position import locate
from kubeplan.schemas import crd as crds
from kubeplan.schemas import sources, yamlnodes

# Fields the API server writes. An object carrying any of the markers came from the server
# (a `kubectl get -o yaml` dump), and these fields are set aside so that later stages see only
# what a user wrote. Source: ObjectMeta in k8s.io/apimachinery/pkg/apis/meta/v1/types.go
# ("Populated by the system. Read-only.").
SERVER_MARKERS = ("uid", "resourceVersion", "managedFields", "selfLink")
SERVER_METADATA = (
    "managedFields",
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "generation",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
)
SERVER_ANNOTATIONS = (
    # written by client-side `kubectl apply`
    "kubectl.kubernetes.io/last-applied-configuration",
    # written by the Deployment controller (pkg/controller/deployment/util/deployment_util.go)
    "deployment.kubernetes.io/revision",
)
# Files that declare Kustomize configuration, not API objects (kustomize api/types/kustomization.go).
NOT_API_GROUPS = ("kustomize.config.k8s.io",)
# Kustomize records the source of a rendered object here when `buildMetadata: [originAnnotations]`.
ORIGIN_ANNOTATION = "config.kubernetes.io/origin"


@dataclass
class LoadResult:
    resources: list[Resource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0
    crds: crds.CrdIndex = field(default_factory=crds.CrdIndex)
    # Findings made before namespaces are known; their resource refs are refreshed after.
    linked: list[tuple[Finding, Resource]] = field(default_factory=list)

    def refresh_links(self) -> None:
        for finding, resource in self.linked:
            finding.resource = resource.ref()
        self.linked.clear()


def load(
    paths: list[str],
    stdin_text: str | None = None,
    extra_crd_paths: Iterable[str] = (),
    progress: Callable[[int, int, str], None] | None = None,
    git_cwd: str | None = None,
    namespace: str | None = None,
    refuse_other_namespaces: bool = True,
) -> LoadResult:
    """Read, parse and identify every resource of `paths` (raises sources.InputError).

    `namespace` is `kubectl apply -n`'s: the namespace of namespaced objects that name none;
    an object naming another is refused unless `refuse_other_namespaces` is False (a base
    revision read from the cluster)."""
    collected = sources.collect(paths, stdin_text, git_cwd)
    result = LoadResult(findings=list(collected.findings), notes=list(collected.notes))
    result.files = len(collected.texts) + len({f.file for f in collected.findings})
    total = len(collected.texts)
    for done, text in enumerate(collected.texts):
        if progress is not None:
            progress(done, total, text.name)
        _load_text(text, result)
    if extra_crd_paths:
        extra = sources.collect(list(extra_crd_paths))
        extra_result = LoadResult()
        for text in extra.texts:
            _load_text(text, extra_result)
        result.findings.extend(extra.findings)
        result.findings.extend(extra_result.findings)
        result.crds.add_all(r for r in extra_result.resources if crds.is_crd(r))
    return _finish(result, namespace, refuse_other_namespaces)


def load_text(name: str, text: str) -> LoadResult:
    """Load one in-memory text (tests, stdin)."""
    result = LoadResult(files=1)
    _load_text(sources.SourceText(name, text, is_json=name.endswith(".json")), result)
    return _finish(result)


def _finish(
    result: LoadResult, namespace: str | None = None, refuse_other_namespaces: bool = True
) -> LoadResult:
    """Once every document is read: CRDs known, then namespaces, then identities checked."""
    result.crds.add_all(r for r in result.resources if crds.is_crd(r))
    result.findings.extend(result.crds.findings)
    _assign_namespaces(result, namespace, refuse_other_namespaces)
    result.refresh_links()
    _check_duplicates(result)
    return result


def _load_text(source: sources.SourceText, result: LoadResult) -> None:
    for doc in yamlnodes.parse_stream(source.text, json_file=source.is_json):
        problems = [
            Finding(
                rule=problem.rule,
                severity=Severity.ERROR,
                message=problem.message,
                file=source.name,
                line=problem.line,
                column=problem.column,
                path=format_path(problem.path),
                template=doc.template,
            )
            for problem in doc.problems
        ]
        result.findings.extend(problems)
        if doc.broken or doc.node is None or doc.data is None:
            continue  # an empty document (only comments, or `---` alone) is no object
        origin = Origin(
            source.name, doc.index, doc.line, doc.node.start_mark.column + 1, doc.template
        )
        before = len(result.resources)
        _add_document(doc.data, doc.node, doc.offset, origin, result)
        if problems and len(result.resources) == before + 1:
            for finding in problems:  # a parse problem inside one object names that object
                result.linked.append((finding, result.resources[-1]))


def _add_document(data: Any, node: Any, offset: int, origin: Origin, result: LoadResult) -> None:
    if not isinstance(data, dict):
        what = "a list" if isinstance(data, list) else f"a {type(data).__name__} value"
        if isinstance(data, list) and any(_meant_as_object(item) for item in data):
            # objects written as a YAML list: kubectl cannot decode it (it wants a List kind)
            message = f"the document is {what} of objects; write them as documents separated by ---, or as a kind: List"
            result.findings.append(_finding(origin, "not-a-mapping", message))
        else:  # data (a JSON array, a number): no Kubernetes object was meant
            result.findings.append(
                _finding(
                    origin,
                    "not-a-manifest",
                    f"not a Kubernetes object: the document is {what}",
                    Severity.INFO,
                )
            )
        return
    kind = data.get("kind")
    items = data.get("items")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
        _expand_list(data, node, offset, origin, result)
        return
    resource = _resource(data, node, offset, origin, result)
    if resource is not None:
        result.resources.append(resource)


def _meant_as_object(item: Any) -> bool:
    return isinstance(item, dict) and ("apiVersion" in item or "kind" in item)


def _expand_list(data: dict, node: Any, offset: int, origin: Origin, result: LoadResult) -> None:
    """`kind: List` and typed lists (`PodList`): every item is an object of its own.

    An item without `kind` takes it from a typed list (`PodList` -> `Pod`) and without
    `apiVersion` takes the list's, as kubectl does when it decodes a typed list.
    """
    list_kind: str = data["kind"]
    item_kind = list_kind[: -len("List")] if list_kind != "List" else None
    items_node = _child(node, "items")
    for index, item in enumerate(data["items"]):
        item_node = items_node.value[index] if items_node is not None else node
        line, column = locate(item_node, (), offset)
        item_origin = Origin(origin.file, origin.doc_index, line, column, origin.template)
        if not isinstance(item, dict):
            result.findings.append(
                _finding(
                    item_origin,
                    "not-a-mapping",
                    f"items[{index}] of the {list_kind} is not an object",
                )
            )
            continue
        if item_kind and "kind" not in item:
            item = {"kind": item_kind, **item}
        if "apiVersion" not in item and "apiVersion" in data:
            item = {"apiVersion": data["apiVersion"], **item}
        resource = _resource(item, item_node, offset, item_origin, result)
        if resource is not None:
            result.resources.append(resource)


def _child(node: Any, key: str) -> Any:
    for key_node, value_node in getattr(node, "value", ()):
        if getattr(key_node, "value", None) == key:
            return value_node
    return None


def _resource(
    data: dict, node: Any, offset: int, origin: Origin, result: LoadResult
) -> Resource | None:
    api_version = data.get("apiVersion")
    kind = data.get("kind")
    if api_version is None and kind is None:
        result.findings.append(
            _finding(
                origin,
                "not-a-manifest",
                "not a Kubernetes object: the document has neither apiVersion nor kind",
                Severity.INFO,
            )
        )
        return None
    bad = False
    for key, value in (("apiVersion", api_version), ("kind", kind)):
        if value is None:
            line, column = locate(node, (), offset)
            result.findings.append(
                Finding(
                    f"missing-{'api-version' if key == 'apiVersion' else 'kind'}",
                    Severity.ERROR,
                    f"the object has no {key}",
                    origin.file,
                    line,
                    column,
                    key,
                    template=origin.template,
                )
            )
            bad = True
        elif not isinstance(value, str) or not value:
            line, column = locate(node, (key,), offset)
            result.findings.append(
                Finding(
                    "invalid-value",
                    Severity.ERROR,
                    f"{key} must be a non-empty string, not {value!r}",
                    origin.file,
                    line,
                    column,
                    key,
                    template=origin.template,
                )
            )
            bad = True
    if bad:
        return None
    if api_version.partition("/")[0] in NOT_API_GROUPS and "/" in api_version:
        result.notes.append(
            f"{origin.file}:{origin.line}: {kind} is Kustomize configuration, not read"
        )
        return None
    group = api_version.rpartition("/")[0]
    if group and "." not in group and group not in kinds.builtin_groups():
        # skaffold/v4beta6, a tool's own config: no API server serves a group without a dot
        # but its own built-in ones (a CRD's group must hold one: apiextensions validation
        # ValidateCustomResourceDefinitionSpec, "should be a domain with at least one dot")
        result.findings.append(
            _finding(
                origin,
                "not-a-manifest",
                f"not a Kubernetes object: {api_version} is no API group Kubernetes or a"
                " CustomResourceDefinition can serve (a group needs a dot), so this is another"
                f" tool's {kind}",
                Severity.INFO,
            )
        )
        return None
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    name = metadata.get("name")
    resource = Resource(
        api_version=api_version,
        kind=kind,
        name=name if isinstance(name, str) else None,
        namespace=metadata.get("namespace") if isinstance(metadata.get("namespace"), str) else None,
        body=data,
        origin=origin,
        node=node,
        line_offset=offset,
    )
    _set_aside_server_fields(resource)
    _origin_from_annotation(resource)
    if not name and not metadata.get("generateName"):
        line, column = resource.position(("metadata", "name"))
        finding = Finding(
            "missing-name",
            Severity.ERROR,
            "the object has no metadata.name",
            origin.file,
            line,
            column,
            "metadata.name",
            None,
            origin.template,
        )
        result.findings.append(finding)
        result.linked.append((finding, resource))
    return resource


def _set_aside_server_fields(resource: Resource) -> None:
    body = resource.body
    metadata = body.get("metadata")
    if not isinstance(metadata, dict) or not any(k in metadata for k in SERVER_MARKERS):
        return
    body = dict(body)
    metadata = dict(metadata)
    aside: dict[str, Any] = {}
    if "status" in body:
        aside["status"] = body.pop("status")
    for key in SERVER_METADATA:
        if key in metadata:
            aside[f"metadata.{key}"] = metadata.pop(key)
    annotations = metadata.get("annotations")
    if isinstance(annotations, dict) and any(k in annotations for k in SERVER_ANNOTATIONS):
        annotations = dict(annotations)
        for key in SERVER_ANNOTATIONS:
            if key in annotations:
                aside[f"metadata.annotations.{key}"] = annotations.pop(key)
        if annotations:
            metadata["annotations"] = annotations
        else:
            metadata.pop("annotations")
    body["metadata"] = metadata
    resource.body = body
    resource.server_fields = aside


def _origin_from_annotation(resource: Resource) -> None:
    """Kustomize output names each object's source file in an annotation: keep it."""
    metadata = resource.body.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if not isinstance(annotations, dict) or resource.origin.template:
        return
    origin = annotations.get(ORIGIN_ANNOTATION)
    if isinstance(origin, str):
        for line in origin.splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "path" and value.strip():
                resource.origin.template = value.strip()
                return


def _assign_namespaces(
    result: LoadResult, namespace: str | None = None, refuse_other: bool = True
) -> None:
    """Namespaced kinds default to `default` (or `-n`'s namespace); cluster-scoped kinds have
    none. With `-n`, an object naming another namespace is refused as kubectl refuses it
    (k8s.io/cli-runtime pkg/resource/visitor.go `RequireNamespace`)."""
    for resource in result.resources:
        info = kinds.builtin_kind(resource.group, resource.kind)
        namespaced = (
            info.namespaced if info else result.crds.namespaced(resource.group, resource.kind)
        )
        if namespaced is None:  # no CRD in the input: a well-known custom kind's scope
            namespaced = kinds.known_crd_scope(resource.group, resource.kind)
        resource.namespaced = namespaced
        if namespaced is True and not resource.namespace:
            resource.namespace = namespace or "default"
        elif namespaced is True and refuse_other and namespace and resource.namespace != namespace:
            result.findings.append(
                finding_for(
                    resource,
                    "namespace-mismatch",
                    Severity.ERROR,
                    f"the namespace from the provided object {go_quote(resource.namespace)} does"
                    f" not match the namespace {go_quote(namespace)}. You must pass"
                    f" '--namespace={resource.namespace}' to perform this operation.",
                    ("metadata", "namespace"),
                )
            )
        elif namespaced is False:
            resource.namespace = None


def _check_duplicates(result: LoadResult) -> None:
    first: dict[Any, Resource] = {}
    for resource in result.resources:
        if not resource.name:
            continue
        identity = resource.identity
        earlier = first.get(identity)
        if earlier is None:
            first[identity] = resource
            continue
        line, column = resource.position(("metadata", "name"))
        where = f"{earlier.origin.file}:{earlier.kind_position()[0]}"
        result.findings.append(
            Finding(
                "duplicate-resource",
                # kubectl apply -f sends both and the later one wins: no request is refused
                # (staging/src/k8s.io/kubectl/pkg/cmd/apply/apply.go applies each object the
                # resource builder visits, in file order; kustomize build refuses the pair,
                # api/resmap reswrangler.go "may not add resource with an already registered
                # id", so it never reaches kubeplan)
                Severity.WARNING,
                f"{identity} is defined twice (first at {where}); kubectl apply sends both and"
                " the later one wins",
                resource.origin.file,
                line,
                column,
                "metadata.name",
                resource.ref(),
                resource.origin.template,
            )
        )


def _finding(
    origin: Origin, rule: str, message: str, severity: Severity = Severity.ERROR
) -> Finding:
    return Finding(
        rule, severity, message, origin.file, origin.line, origin.column, template=origin.template
    )
