"""apimachinery's field errors, with the API server's own wording.

Source: staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go (`Error.ErrorBody`,
`ErrorType.String`, the constructors `Required`, `Invalid`, `NotSupported`, `Duplicate`,
`Forbidden`, `TooLong`, `TooLongMaxLength`, `TooMany`, `NotFound`). A finding's path is shown
beside its message, so the message is `ErrorBody()`: what follows `<field>: ` in the API
server's error.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any

from kubeplan.model import Path


class ErrorType(enum.Enum):
    """field.ErrorType: (finding rule id, the API server's canonical text)."""

    NOT_FOUND = ("api-not-found", "Not found")
    REQUIRED = ("api-required", "Required value")
    DUPLICATE = ("api-duplicate", "Duplicate value")
    INVALID = ("api-invalid", "Invalid value")
    NOT_SUPPORTED = ("api-unsupported", "Unsupported value")
    FORBIDDEN = ("api-forbidden", "Forbidden")
    TOO_LONG = ("api-too-long", "Too long")
    TOO_MANY = ("api-too-many", "Too many")

    @property
    def rule(self) -> str:
        return self.value[0]

    @property
    def text(self) -> str:
        return self.value[1]


# ErrorBody prints no value for these types (errors.go, the first cases of the switch).
_VALUE_OMITTED = {ErrorType.REQUIRED, ErrorType.FORBIDDEN, ErrorType.TOO_LONG}
_OMIT = object()


@dataclass(frozen=True)
class FieldError:
    """One validation error at `path` (kubeplan's path tuple, so the finding gets its line).

    `warning` marks what the API server accepts with a warning instead of refusing
    (`kubectl` prints `Warning: ...`; the object is created)."""

    type: ErrorType
    path: Path
    value: Any = _OMIT
    detail: str = ""
    warning: bool = False

    def body(self) -> str:
        """`ErrorBody()`: `Invalid value: 70000: must be between 1 and 65535, inclusive`."""
        if self.warning:
            return self.detail
        text = self.type.text
        if self.type not in _VALUE_OMITTED and self.value is not _OMIT:
            text += f": {go_value(self.value)}"
        if self.detail:
            text += f": {self.detail}"
        return text


def go_value(value: Any) -> str:
    """A value as `fmt` prints it in ErrorBody: strings quoted (%q), numbers and booleans
    plain (%v), null as `null`; other values as JSON (Go prints its internal structs)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    # encoding/json.Marshal: compact, map keys sorted.
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))


def required(path: Path, detail: str = "") -> FieldError:
    return FieldError(ErrorType.REQUIRED, path, _OMIT, detail)


def invalid(path: Path, value: Any, detail: str) -> FieldError:
    return FieldError(ErrorType.INVALID, path, value, detail)


def not_supported(path: Path, value: Any, valid: list[str] | tuple[str, ...]) -> FieldError:
    """`Unsupported value: "udp": supported values: "SCTP", "TCP", "UDP"`."""
    detail = ""
    if valid:
        detail = "supported values: " + ", ".join(json.dumps(v) for v in valid)
    return FieldError(ErrorType.NOT_SUPPORTED, path, value, detail)


def duplicate(path: Path, value: Any) -> FieldError:
    return FieldError(ErrorType.DUPLICATE, path, value)


def forbidden(path: Path, detail: str) -> FieldError:
    return FieldError(ErrorType.FORBIDDEN, path, _OMIT, detail)


def too_long(path: Path, value: Any, max_length: int) -> FieldError:
    """field.TooLong: `Too long: must have at most N bytes`."""
    return FieldError(ErrorType.TOO_LONG, path, value, f"must have at most {max_length} bytes")


def too_long_max_length(path: Path, value: Any, max_length: int) -> FieldError:
    """field.TooLongMaxLength: `Too long: may not be longer than N`."""
    detail = f"may not be longer than {max_length}" if max_length >= 0 else "value is too long"
    return FieldError(ErrorType.TOO_LONG, path, value, detail)


def too_many(path: Path, actual: int, maximum: int) -> FieldError:
    detail = f"must have at most {maximum} items" if maximum >= 0 else "has too many items"
    return FieldError(ErrorType.TOO_MANY, path, actual if actual >= 0 else _OMIT, detail)


def not_found(path: Path, value: Any) -> FieldError:
    return FieldError(ErrorType.NOT_FOUND, path, value)


def warning(path: Path, text: str) -> FieldError:
    """A warning the API server returns with a successful create (`Warning: <path>: <text>`)."""
    return FieldError(ErrorType.INVALID, path, _OMIT, text, warning=True)


WARNING_RULE = "api-warning"
