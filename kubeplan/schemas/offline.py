"""Every JSON Schema kubeplan compiles is compiled here, unable to retrieve anything.

jsonschema_rs resolves a `$ref` (or `$dynamicRef`, `$schema`) it does not hold by fetching it:
over HTTP(S) with DNS look-ups, or from the local disk for `file://`. The schemas kubeplan
compiles come partly from the input (a CustomResourceDefinition's `openAPIV3Schema`, a
`custom-rules` schema in `.kubeplan.yaml`), so a pull request could make kubeplan send requests
anywhere or read any JSON file the runner can read and print part of it in an error.

Here every compilation gets one retriever that refuses every URI, and every Registry the same
retriever. A `$ref` inside the schema (`#/$defs/...`) and to the bundled Kubernetes definitions
(a Registry resource) still resolves: those are never retrieved.

`retriever=` exists in jsonschema_rs since 0.27.0 (validators) and `Registry` since 0.29.0,
the lowest version pyproject.toml allows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

import jsonschema_rs


class RetrievalRefused(Exception):
    """Raised inside jsonschema_rs for every URI it asks for; it becomes its compile error."""


class SchemaError(ValueError):
    """A schema that cannot be compiled: invalid, or referring outside itself. `path` is where
    in the schema, when jsonschema_rs says (its meta-schema check does)."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


def refuse_retrieval(uri: str) -> NoReturn:
    """The retriever of every compilation: nothing outside the schema is ever read."""
    raise RetrievalRefused(f"kubeplan never retrieves schemas ({uri})")


def registry(resources: Iterable[tuple[str, Any]]) -> Any:
    """A Registry of in-memory schemas that cannot retrieve anything else."""
    return jsonschema_rs.Registry(list(resources), retriever=refuse_retrieval)


def compile_schema(schema: Any, registry: Any = None) -> Any:
    """A validator for `schema`; raises SchemaError when the schema is invalid (not JSON Schema,
    values YAML has but JSON has not) or refers to anything outside itself and `registry`."""
    try:
        if registry is None:
            return jsonschema_rs.validator_for(schema, retriever=refuse_retrieval)
        return jsonschema_rs.validator_for(schema, registry=registry, retriever=refuse_retrieval)
    except (ValueError, TypeError, OverflowError, jsonschema_rs.ReferencingError) as error:
        path = tuple(getattr(error, "instance_path", None) or ())
        raise SchemaError(compile_error_text(error), path) from error


def compile_error_text(error: BaseException) -> str:
    """The first line of a compile error, at most 200 characters: jsonschema_rs appends the
    schema fragment and the instance, which say nothing more to a user."""
    text = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return text if len(text) <= 200 else text[:197] + "..."


def external_refs(schema: Any, at: tuple[str | int, ...] = ()) -> list[tuple[tuple, str]]:
    """(path, value) of every `$ref`, `$dynamicRef`, `$recursiveRef` and `$schema` that does
    not stay inside the schema: anything not starting with `#`."""
    found: list[tuple[tuple, str]] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(schema, at)]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _REF_KEYS and isinstance(value, str) and not value.startswith("#"):
                    if key != "$schema" or value.rstrip("#") not in _KNOWN_DRAFTS:
                        found.append(((*path, key), value))
                else:
                    stack.append((value, (*path, key)))
        elif isinstance(node, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(node))
    found.sort(key=lambda item: [str(p) for p in item[0]])
    return found


_REF_KEYS = ("$ref", "$dynamicRef", "$recursiveRef", "$schema")
# Meta-schemas jsonschema_rs holds itself: naming one retrieves nothing.
_KNOWN_DRAFTS = {
    "http://json-schema.org/draft-04/schema",
    "http://json-schema.org/draft-06/schema",
    "http://json-schema.org/draft-07/schema",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema",
}
