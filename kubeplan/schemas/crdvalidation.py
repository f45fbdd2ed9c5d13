"""A CustomResourceDefinition object validated as the API server validates it.

Sources (k8s.io/apiextensions-apiserver, as of Kubernetes 1.35):
- pkg/apis/apiextensions/validation/validation.go: `ValidateCustomResourceDefinition` (the name
  is `<spec.names.plural>.<spec.group>`), `ValidateCustomResourceDefinitionSpec` (group, scope,
  versions: DNS-1035 names, unique, exactly one storage version), `ValidateCustomResourceDefinitionNames`
  and `ValidateCustomResourceDefinitionOpenAPISchema` (uniqueItems, properties together with
  additionalProperties, `x-kubernetes-preserve-unknown-fields`, `-map-type`, `-list-type`,
  `-list-map-keys`, the fields of each `x-kubernetes-validations` rule);
- pkg/apiserver/schema/validation.go: `validateStructuralInvariants` (every field and array item
  has a type, arrays have items, the root is an object without additionalProperties, metadata
  at the root constrains only name and generateName, embedded resources are objects) and
  `validateNestedValueValidation` (no type, default, description, nullable or x-kubernetes-*
  inside allOf/anyOf/oneOf/not).

Each error keeps the API server's wording (apivalidation.field). `type` values outside the six
OpenAPI types and `$ref` are reported by crdschema.py (`crd-invalid-schema`), not here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from kubeplan.model import Path
from kubeplan.schemas.apivalidation import field
from kubeplan.schemas.apivalidation.field import FieldError

_DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SUPPORTED_REASONS = (
    "FieldValueDuplicate",
    "FieldValueForbidden",
    "FieldValueInvalid",
    "FieldValueRequired",
)
# validateNestedValueValidation: what a schema inside allOf/anyOf/oneOf/not may not say.
_NESTED_FORBIDDEN = (
    ("type", "must be empty to be structural"),
    ("additionalProperties", "must be undefined to be structural"),
    ("default", "must be undefined to be structural"),
    ("title", "must be empty to be structural"),
    ("description", "must be empty to be structural"),
    ("nullable", "must be false to be structural"),
    ("externalDocs", "must be undefined to be structural"),
    ("x-kubernetes-preserve-unknown-fields", "must be false to be structural"),
    ("x-kubernetes-embedded-resource", "must be false to be structural"),
    ("x-kubernetes-int-or-string", "must be false to be structural"),
    ("x-kubernetes-list-map-keys", "must be empty to be structural"),
    ("x-kubernetes-list-type", "must be undefined to be structural"),
    ("x-kubernetes-map-type", "must be undefined to be structural"),
    ("x-kubernetes-validations", "must be empty to be structural"),
)
_ROOT, _ITEM, _FIELD = "root", "item", "field"


def dns1035_errors(value: str) -> list[str]:
    """validation.IsDNS1035Label (apimachinery pkg/util/validation/validation.go)."""
    errors = []
    if len(value) > 63:
        errors.append("must be no more than 63 characters")
    if not _DNS1035.match(value):
        errors.append(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start"
            " with an alphabetic character, and end with an alphanumeric character (e.g."
            " 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
        )
    return errors


def _dns1123_subdomain_errors(value: str) -> list[str]:
    """validation.IsDNS1123Subdomain."""
    errors = []
    if len(value) > 253:
        errors.append("must be no more than 253 characters")
    if not all(_DNS1123_LABEL.match(part) for part in value.split(".")):
        errors.append(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters,"
            " '-' or '.', and must start and end with an alphanumeric character (e.g."
            " 'example.com', regex used for validation is"
            " '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        )
    return errors


_MEMO: dict[int, tuple[dict[str, Any], list[FieldError]]] = {}


def field_errors(body: dict[str, Any]) -> list[FieldError]:
    """Every error `ValidateCustomResourceDefinition` finds in a CRD (create); computed once per
    body (the CRD index and the validation of the CRD object both ask)."""
    known = _MEMO.get(id(body))
    if known is None or known[0] is not body:
        known = (body, _field_errors(body))
        if len(_MEMO) > 4096:  # one process may run many commands (tests, the pre-commit hook)
            _MEMO.clear()
        _MEMO[id(body)] = known
    return known[1]


def _field_errors(body: dict[str, Any]) -> list[FieldError]:
    spec = body.get("spec")
    if not isinstance(spec, dict):
        return []
    errors = list(_name_errors(body, spec))
    errors.extend(_spec_errors(spec))
    for where, schema in _schemas(spec):
        errors.extend(_schema_errors(schema, where))
    return errors


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _name_errors(body: dict[str, Any], spec: dict[str, Any]) -> Iterator[FieldError]:
    """ValidateCustomResourceDefinition's name function."""
    metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    name = metadata.get("name")
    names = spec.get("names") if isinstance(spec.get("names"), dict) else {}
    if not isinstance(name, str) or not name:
        return
    required = f"{_str(names.get('plural'))}.{_str(spec.get('group'))}"
    if name != required:
        yield field.invalid(("metadata", "name"), name, 'must be spec.names.plural+"."+spec.group')


def _spec_errors(spec: dict[str, Any]) -> Iterator[FieldError]:
    """ValidateCustomResourceDefinitionSpec and ValidateCustomResourceDefinitionNames."""
    group = _str(spec.get("group"))
    if not group:
        yield field.required(("spec", "group"))
    elif errs := _dns1123_subdomain_errors(group):
        yield field.invalid(("spec", "group"), group, ",".join(errs))
    elif len(group.split(".")) < 2:
        yield field.invalid(("spec", "group"), group, "should be a domain with at least one dot")
    scope = spec.get("scope")
    if not scope:
        yield field.required(("spec", "scope"))
    elif scope not in ("Cluster", "Namespaced"):
        yield field.not_supported(("spec", "scope"), scope, ("Cluster", "Namespaced"))
    yield from _version_errors(spec)
    yield from _names_errors(spec.get("names"))


def _version_errors(spec: dict[str, Any]) -> Iterator[FieldError]:
    versions = spec.get("versions")
    if not isinstance(versions, list):
        return  # apiextensions.k8s.io/v1beta1's spec.version: the schema check reports the rest
    seen: set[str] = set()
    unique, storage = True, 0
    for index, version in enumerate(versions):
        if not isinstance(version, dict):
            continue
        name = _str(version.get("name"))
        storage += version.get("storage") is True
        unique = unique and name not in seen
        seen.add(name)
        if errs := dns1035_errors(name):
            yield field.invalid(("spec", "versions", index, "name"), name, ",".join(errs))
    # Go prints the whole versions slice as the value; kubeplan leaves it out.
    if versions and not unique:
        yield FieldError(
            field.ErrorType.INVALID,
            ("spec", "versions"),
            detail="must contain unique version names",
        )
    if versions and storage != 1:
        yield FieldError(
            field.ErrorType.INVALID, ("spec", "versions"),
            detail="must have exactly one version marked as storage version",
        )  # fmt: skip


def _names_errors(names: Any) -> Iterator[FieldError]:
    if not isinstance(names, dict):
        return
    # Validation runs on the defaulted object (apiextensions v1 defaults.go
    # SetDefaults_CustomResourceDefinitionSpec): singular is the lowercased kind, listKind
    # the kind + "List".
    kind = _str(names.get("kind"))
    names = dict(names)
    if kind and not names.get("singular"):
        names["singular"] = kind.lower()
    if kind and not names.get("listKind"):
        names["listKind"] = kind + "List"
    at = ("spec", "names")
    for key in ("plural", "singular", "kind", "listKind"):
        if not _str(names.get(key)):
            yield field.required((*at, key))
    for key in ("plural", "singular"):
        value = _str(names.get(key))
        if value and (errs := dns1035_errors(value)):
            yield field.invalid((*at, key), value, ",".join(errs))
    for key in ("kind", "listKind"):
        value = _str(names.get(key))
        if value and (errs := dns1035_errors(value.lower())):
            yield field.invalid(
                (*at, key),
                value,
                "may have mixed case, but should otherwise match: " + ",".join(errs),
            )
    for key in ("shortNames", "categories"):
        listed = names.get(key)
        for index, value in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(value, str) and (errs := dns1035_errors(value)):
                yield field.invalid((*at, key, index), value, ",".join(errs))
    kind = _str(names.get("kind"))
    if kind and kind == names.get("listKind"):
        yield field.invalid((*at, "listKind"), kind, "kind and listKind may not be the same")


def _schemas(spec: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    versions = spec.get("versions")
    for index, version in enumerate(versions if isinstance(versions, list) else []):
        if not isinstance(version, dict):
            continue
        holder = version.get("schema")
        schema = holder.get("openAPIV3Schema") if isinstance(holder, dict) else None
        if isinstance(schema, dict):
            yield ("spec", "versions", index, "schema", "openAPIV3Schema"), schema
    validation = spec.get("validation")
    schema = validation.get("openAPIV3Schema") if isinstance(validation, dict) else None
    if isinstance(schema, dict):
        yield ("spec", "validation", "openAPIV3Schema"), schema


def _schema_errors(root: dict[str, Any], at: Path) -> list[FieldError]:
    """The structural and extension rules, walked without recursion."""
    errors: list[FieldError] = []
    stack: list[tuple[Any, Path, str, bool]] = [(root, at, _ROOT, False)]
    while stack:
        node, path, level, embedded_meta = stack.pop()
        if not isinstance(node, dict):
            continue  # crdschema.py reports a subschema that is not a mapping
        if level == _ROOT or not _plain(node):
            errors.extend(_structural(node, path, level))
            errors.extend(_extensions(node, path))
            errors.extend(_nested(node, path))
        properties = node.get("properties")
        if isinstance(properties, dict):
            for name, sub in properties.items():
                stack.append((sub, (*path, "properties", name), _FIELD, embedded_meta))
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            stack.append((extra, (*path, "additionalProperties"), _FIELD, embedded_meta))
        items = node.get("items")
        if isinstance(items, dict):
            stack.append((items, (*path, "items"), _ITEM, embedded_meta))
    return errors


# Keys that none of the checks below looks at: a node with only these, a known type and (for an
# array) items, has nothing to report itself (most nodes of a real CRD: ~5x faster walks).
_PLAIN_KEYS = frozenset(
    {
        "description", "type", "properties", "required", "format", "enum", "default",
        "maxLength", "minLength", "pattern", "maximum", "minimum", "maxItems", "minItems",
        "maxProperties", "minProperties", "exclusiveMaximum", "exclusiveMinimum", "multipleOf",
        "title", "example", "nullable", "items", "externalDocs",
    }
)  # fmt: skip
_PLAIN_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array"})


def _plain(node: dict[str, Any]) -> bool:
    kind = node.get("type")
    if not isinstance(kind, str) or kind not in _PLAIN_TYPES or not _PLAIN_KEYS.issuperset(node):
        return False
    properties = node.get("properties")
    if isinstance(properties, dict) and "metadata" in properties and kind == "object":
        return False  # metadata's own checks (root and embedded resources only, but cheap)
    return kind != "array" or "items" in node


def _structural(node: dict[str, Any], path: Path, level: str) -> Iterator[FieldError]:
    """validateStructuralInvariants (pkg/apiserver/schema/validation.go)."""
    kind = node.get("type")
    embedded = node.get("x-kubernetes-embedded-resource") is True
    int_or_string = node.get("x-kubernetes-int-or-string") is True
    preserve = node.get("x-kubernetes-preserve-unknown-fields") is True
    if kind == "array" and "items" not in node:
        yield field.required((*path, "items"), "must be specified")
    if "additionalProperties" in node and level == _ROOT:
        yield field.forbidden((*path, "additionalProperties"), "must not be used at the root")
    if embedded and kind != "object":
        detail = "must be object if x-kubernetes-embedded-resource is true"
        yield (
            field.invalid((*path, "type"), kind, detail)
            if kind
            else field.required((*path, "type"), detail)
        )
    elif not kind and not int_or_string and not preserve:
        detail = {
            _ROOT: "must not be empty at the root",
            _ITEM: "must not be empty for specified array items",
            _FIELD: "must not be empty for specified object fields",
        }[level]
        yield field.required((*path, "type"), detail)
    if embedded and "additionalProperties" in node:
        yield field.forbidden(
            (*path, "additionalProperties"),
            "must not be used if x-kubernetes-embedded-resource is set",
        )
    if level == _ROOT and kind and kind != "object":
        yield field.invalid((*path, "type"), kind, "must be object at the root")
    properties = node.get("properties") if isinstance(node.get("properties"), dict) else {}
    if level == _ROOT or embedded:
        for name in ("kind", "apiVersion"):
            sub = properties.get(name)
            if isinstance(sub, dict) and sub.get("type") != "string":
                yield field.invalid(
                    (*path, "properties", name, "type"), sub.get("type"), "must be string"
                )
        metadata = properties.get("metadata")
        if isinstance(metadata, dict):
            yield from _metadata(metadata, (*path, "properties", "metadata"), level == _ROOT)
    if embedded and not preserve and not properties:
        yield field.required(
            (*path, "properties"),
            "must not be empty if x-kubernetes-embedded-resource is true without"
            " x-kubernetes-preserve-unknown-fields",
        )
    if int_or_string and preserve:
        yield field.invalid(
            (*path, "x-kubernetes-preserve-unknown-fields"), True,
            "must be false if x-kubernetes-int-or-string is true",
        )  # fmt: skip


def _metadata(metadata: dict[str, Any], path: Path, root: bool) -> Iterator[FieldError]:
    """validateStructuralMetadataInvariants: metadata is an object; at the root it may only
    constrain name and generateName."""
    if metadata.get("type") != "object":
        yield field.invalid((*path, "type"), metadata.get("type"), "must be object")
    if not root:
        return
    # Lenient where the Go comparison is not certain to refuse: a description is not counted.
    ignored = {"type", "description", "properties"}
    properties = metadata.get("properties")
    extra = [key for key in metadata if key not in ignored]
    names = set(properties) if isinstance(properties, dict) else set()
    if extra or names - {"name", "generateName"}:
        yield field.forbidden(
            path,
            "must not specify anything other than name and generateName, but metadata is implicitly specified",
        )


def _nested(node: dict[str, Any], path: Path) -> Iterator[FieldError]:
    """validateNestedValueValidation, for each schema under allOf/anyOf/oneOf/not. The
    int-or-string pattern `anyOf: [{type: integer}, {type: string}]` (also as the first allOf
    entry) is allowed."""
    nested: list[tuple[Any, Path]] = []
    for key in ("allOf", "anyOf", "oneOf"):
        listed = node.get(key)
        if isinstance(listed, list):
            nested.extend((sub, (*path, key, i)) for i, sub in enumerate(listed))
    if isinstance(node.get("not"), dict):
        nested.append((node["not"], (*path, "not")))
    while nested:
        sub, where = nested.pop()
        if not isinstance(sub, dict) or _int_or_string_branch(node, where):
            continue
        for key, detail in _NESTED_FORBIDDEN:
            value = sub.get(key)
            if value not in (None, False, "", [], {}):
                yield field.forbidden((*where, key), detail)
        properties = sub.get("properties")
        if isinstance(properties, dict):
            if "metadata" in properties:
                yield field.forbidden(
                    (*where, "properties", "metadata"), "must not be specified in a nested context"
                )
            nested.extend((v, (*where, "properties", k)) for k, v in properties.items())
        if isinstance(sub.get("items"), dict):
            nested.append((sub["items"], (*where, "items")))
        for key in ("allOf", "anyOf", "oneOf"):
            listed = sub.get(key)
            if isinstance(listed, list):
                nested.extend((s, (*where, key, i)) for i, s in enumerate(listed))


_INT_OR_STRING = [{"type": "integer"}, {"type": "string"}]


def _int_or_string_branch(node: dict[str, Any], where: Path) -> bool:
    """isIntOrStringAnyOfPattern / isIntOrStringAllOfPattern."""
    if where[-2] == "anyOf" and node.get("anyOf") == _INT_OR_STRING:
        return True
    all_of = node.get("allOf")
    if where[-2] == "allOf" and where[-1] == 0 and isinstance(all_of, list) and all_of:
        first = all_of[0]
        return isinstance(first, dict) and first.get("anyOf") == _INT_OR_STRING
    return False


def _extensions(node: dict[str, Any], path: Path) -> Iterator[FieldError]:
    """ValidateCustomResourceDefinitionOpenAPISchema's own checks of one schema node."""
    kind = node.get("type")
    if node.get("uniqueItems") is True:
        yield field.forbidden(
            (*path, "uniqueItems"),
            "uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
        )
    extra = node.get("additionalProperties")
    if node.get("properties") and (extra is False or isinstance(extra, dict)):
        yield field.forbidden(
            (*path, "additionalProperties"),
            "additionalProperties and properties are mutual exclusive",
        )
    if node.get("x-kubernetes-preserve-unknown-fields") is False:
        yield field.invalid(
            (*path, "x-kubernetes-preserve-unknown-fields"), False, "must be true or undefined"
        )
    map_type = node.get("x-kubernetes-map-type")
    if map_type is not None:
        if kind != "object":
            yield _type_must_be(path, kind, "must be object if x-kubernetes-map-type is specified")
        if map_type not in ("atomic", "granular"):
            yield field.not_supported(
                (*path, "x-kubernetes-map-type"), map_type, ("atomic", "granular")
            )
    yield from _list_type(node, path, kind)
    yield from _rules(node, path)


def _type_must_be(path: Path, kind: Any, detail: str) -> FieldError:
    if not kind:
        return field.required((*path, "type"), detail)
    return field.invalid((*path, "type"), kind, detail)


def _list_type(node: dict[str, Any], path: Path, kind: Any) -> Iterator[FieldError]:
    list_type = node.get("x-kubernetes-list-type")
    keys = node.get("x-kubernetes-list-map-keys")
    items = node.get("items") if isinstance(node.get("items"), dict) else None
    if list_type is not None and kind != "array":
        yield _type_must_be(path, kind, "must be array if x-kubernetes-list-type is specified")
    elif list_type == "set" and items is not None:
        if (
            items.get("type") == "array"
            and items.get("x-kubernetes-list-type", "atomic") != "atomic"
        ):
            yield field.invalid(
                (*path, "items", "x-kubernetes-list-type"), items.get("x-kubernetes-list-type"),
                "must be atomic as item of a list with x-kubernetes-list-type=set",
            )  # fmt: skip
        if items.get("type") == "object" and items.get("x-kubernetes-map-type") != "atomic":
            yield field.invalid(
                (*path, "items", "x-kubernetes-map-type"), list_type,
                "must be atomic as item of a list with x-kubernetes-list-type=set",
            )  # fmt: skip
    if list_type is not None and list_type not in ("atomic", "set", "map"):
        yield field.not_supported(
            (*path, "x-kubernetes-list-type"), list_type, ("atomic", "set", "map")
        )
    if keys:
        if list_type is None:
            yield field.required(
                (*path, "x-kubernetes-list-type"),
                "must be map if x-kubernetes-list-map-keys is non-empty",
            )
        elif list_type != "map":
            yield field.invalid(
                (*path, "x-kubernetes-list-type"),
                list_type,
                "must be map if x-kubernetes-list-map-keys is non-empty",
            )
    if list_type != "map":
        return
    if not keys:
        yield field.required(
            (*path, "x-kubernetes-list-map-keys"),
            "must not be empty if x-kubernetes-list-type is map",
        )
    if "items" not in node:
        yield field.required(
            (*path, "items"), "must have a schema if x-kubernetes-list-type is map"
        )
        return
    if items is None:
        return
    if items.get("type") != "object":
        yield field.invalid(
            (*path, "items", "type"),
            items.get("type"),
            "must be object if parent array's x-kubernetes-list-type is map",
        )
        return
    properties = items.get("properties") if isinstance(items.get("properties"), dict) else {}
    seen: set[str] = set()
    for key in keys if isinstance(keys, list) else []:
        if not isinstance(key, str):
            continue  # the CRD's own schema check reports a key that is not a string
        sub = properties.get(key)
        if isinstance(sub, dict):
            if sub.get("type") in ("array", "object"):
                yield field.invalid(
                    (*path, "items", "properties", key, "type"), "object",
                    "must be a scalar type if parent array's x-kubernetes-list-type is map",
                )  # fmt: skip
        else:
            yield field.invalid(
                (*path, "x-kubernetes-list-map-keys"),
                keys,
                "entries must all be names of item properties",
            )
        if key in seen:
            yield field.invalid(
                (*path, "x-kubernetes-list-map-keys"), keys, "must not contain duplicate entries"
            )
        seen.add(key)


def _rules(node: dict[str, Any], path: Path) -> Iterator[FieldError]:
    """The fields of each x-kubernetes-validations rule (the rule texts compile in cel/)."""
    rules = node.get("x-kubernetes-validations")
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        if not isinstance(rule, dict):
            continue
        at = (*path, "x-kubernetes-validations", index)
        text = _str(rule.get("rule")).strip()
        message = rule.get("message")
        trimmed = _str(message).strip()
        if not text:
            yield field.required((*at, "rule"), "rule is not specified")
        elif message and not trimmed:
            yield field.invalid((*at, "message"), message, "message must be non-empty if specified")
        elif "\n" in trimmed:
            yield field.invalid((*at, "message"), message, "message must not contain line breaks")
        elif "\n" in text and not trimmed:
            yield field.required(
                (*at, "message"), "message must be specified if rule contains line breaks"
            )
        expression = rule.get("messageExpression")
        if expression and not _str(expression).strip():
            yield field.required(
                (*at, "messageExpression"), "messageExpression must be non-empty if specified"
            )
        reason = rule.get("reason")
        if reason is not None and (not isinstance(reason, str) or reason not in _SUPPORTED_REASONS):
            yield field.not_supported((*at, "reason"), reason, _SUPPORTED_REASONS)
        if text and (error := _compile_error(text)):
            yield field.invalid((*at, "rule"), text, f"compilation failed: {error}")
        field_path = rule.get("fieldPath")
        if field_path and not _str(field_path).strip():
            yield field.invalid(
                (*at, "fieldPath"), field_path, "fieldPath must be non-empty if specified"
            )
        elif isinstance(field_path, str) and "\n" in field_path:
            yield field.invalid(
                (*at, "fieldPath"), field_path, "fieldPath must not contain line breaks"
            )
        elif isinstance(field_path, str) and field_path and not _path_valid(node, field_path):
            yield field.invalid((*at, "fieldPath"), field_path, "fieldPath must be a valid path")


def _compile_error(text: str) -> str:
    """A syntax or type error in a rule (cel.Compile at CRD create). A function kubeplan does
    not implement, or no engine at all, is not an error here (the rule is reported as not
    evaluated on each custom resource)."""
    from kubeplan.schemas.cel import engine  # the engine loads only for CRDs with rules

    try:
        return engine.compile_rule(text).error
    except engine.Unavailable:
        return ""


def _path_valid(node: dict[str, Any], text: str) -> bool:
    """pathValid / cel.ValidFieldPath (pkg/apiserver/schema/cel/validation.go): `.name` and
    `['key']` steps, each naming a declared property, or any key of additionalProperties."""
    from kubeplan.schemas.cel.rules import field_path

    parts = field_path(text)
    if not parts:
        return False
    schema: Any = node
    for part in parts:
        properties = schema.get("properties") if isinstance(schema, dict) else None
        extra = schema.get("additionalProperties") if isinstance(schema, dict) else None
        if isinstance(properties, dict) and properties:
            if part not in properties:
                return False
            schema = properties[part]
        elif isinstance(extra, dict):
            schema = extra
        else:
            return False
    return True
