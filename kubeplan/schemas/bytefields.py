"""Fields of type `[]byte` (`format: byte` in the OpenAPI schema) whose value is not base64.

The API server decodes a request's JSON into Go types before it validates anything, and a
`[]byte` field is decoded with base64.StdEncoding (encoding/json, and its fork sigs.k8s.io/json
the API server uses: `literalStore`, reflect.Slice of Uint8). A value that is not base64 fails
the whole request with base64.CorruptInputError, which the handler wraps
(staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go transformDecodeError):

    Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3

The JSON Schema kubeplan validates with only knows the value is a string, so these fields are
checked here, each bad value at its own line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubeplan.kube.goquote import go_quote
from kubeplan.model import Finding, Path, Resource, Severity, finding_for

# (group, kind) -> paths of its []byte fields; "*" is every value of a map, "[]" every item of a
# list. k8s.io/api core/v1 Secret.Data, ConfigMap.BinaryData; admissionregistration/v1
# WebhookClientConfig.CABundle; apiregistration/v1 APIServiceSpec.CABundle; certificates/v1
# CertificateSigningRequestSpec.Request; apiextensions/v1 WebhookClientConfig.CABundle.
_FIELDS: dict[tuple[str, str], tuple[tuple[str, ...], ...]] = {
    ("", "Secret"): (("data", "*"),),
    ("", "ConfigMap"): (("binaryData", "*"),),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): (
        ("webhooks", "[]", "clientConfig", "caBundle"),
    ),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): (
        ("webhooks", "[]", "clientConfig", "caBundle"),
    ),
    ("apiregistration.k8s.io", "APIService"): (("spec", "caBundle"),),
    ("certificates.k8s.io", "CertificateSigningRequest"): (("spec", "request"),),
    ("apiextensions.k8s.io", "CustomResourceDefinition"): (
        ("spec", "conversion", "webhook", "clientConfig", "caBundle"),
    ),
}

_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
_NEWLINES = frozenset(b"\r\n")
_PAD = ord("=")


def base64_error(data: bytes) -> int | None:
    """The offset Go's base64.StdEncoding.Decode reports as CorruptInputError, or None when the
    input decodes. A port of encoding/base64 decodeQuantum (padding required, not strict;
    carriage returns and newlines are skipped wherever they are)."""
    si = 0
    while True:
        j = 0
        while j < 4:
            if si == len(data):
                if j == 0:
                    return None
                return si - j  # an incomplete quantum: StdEncoding requires padding
            char = data[si]
            si += 1
            if char in _ALPHABET:
                j += 1
                continue
            if char in _NEWLINES:
                continue
            if char != _PAD or j < 2:
                return si - 1
            if j == 2:  # "==" expected, the first "=" consumed
                while si < len(data) and data[si] in _NEWLINES:
                    si += 1
                if si == len(data):
                    return len(data)
                if data[si] != _PAD:
                    return si - 1
                si += 1
            while si < len(data) and data[si] in _NEWLINES:
                si += 1
            return si if si < len(data) else None  # trailing garbage after the padding
        if si == len(data):
            return None


def _values(node: Any, pattern: tuple[str, ...], at: Path) -> Iterator[tuple[Path, Any]]:
    if not pattern:
        yield at, node
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*" and isinstance(node, dict):
        for key, value in node.items():
            yield from _values(value, rest, (*at, str(key)))
    elif head == "[]" and isinstance(node, list):
        for index, value in enumerate(node):
            yield from _values(value, rest, (*at, index))
    elif isinstance(node, dict) and head in node:
        yield from _values(node[head], rest, (*at, head))


def findings(resource: Resource) -> list[Finding]:
    """A `schema-invalid` error at each `[]byte` value of a built-in object that is not base64."""
    patterns = _FIELDS.get((resource.group, resource.kind), ())
    out = []
    for pattern in patterns:
        for path, value in _values(resource.body, pattern, ()):
            if not isinstance(value, str):
                continue  # the schema reports a value that is not a string
            offset = base64_error(value.encode("utf-8", "surrogatepass"))
            if offset is None:
                continue
            message = (
                f"{resource.kind} in version {go_quote(resource.version)} cannot be handled as a"
                f" {resource.kind}: illegal base64 data at input byte {offset}"
            )
            out.append(finding_for(resource, "schema-invalid", Severity.ERROR, message, path))
    return out
