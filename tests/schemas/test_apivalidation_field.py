"""The API server's wording of a field error (apimachinery pkg/util/validation/field/errors.go
`ErrorBody`), which kubeplan's `api-*` findings print after the field path."""

from __future__ import annotations

import pytest

from kubeplan.schemas.apivalidation import field


@pytest.mark.parametrize(
    ("error", "body"),
    [
        # Invalid with an int: `%v`.
        (
            field.invalid(
                ("spec", "ports", 0, "port"), 70000, "must be between 1 and 65535, inclusive"
            ),
            "Invalid value: 70000: must be between 1 and 65535, inclusive",
        ),
        # Invalid with a string: `%q`.
        (
            field.invalid(("metadata", "name"), "Web_App", "a lowercase RFC 1123 subdomain"),
            'Invalid value: "Web_App": a lowercase RFC 1123 subdomain',
        ),
        # NotSupported lists the valid values quoted, in the order given.
        (
            field.not_supported(("protocol",), "udp", ["SCTP", "TCP", "UDP"]),
            'Unsupported value: "udp": supported values: "SCTP", "TCP", "UDP"',
        ),
        # Required, Forbidden and TooLong never print the value.
        (field.required(("image",)), "Required value"),
        (field.required(("image",), "must be specified"), "Required value: must be specified"),
        (field.forbidden(("hostPort",), "may not be set"), "Forbidden: may not be set"),
        (
            field.too_long(("metadata", "annotations"), "x" * 10, 262144),
            "Too long: must have at most 262144 bytes",
        ),
        (field.too_long_max_length(("name",), "x", 63), "Too long: may not be longer than 63"),
        (field.duplicate(("containers", 1, "name"), "web"), 'Duplicate value: "web"'),
        (field.too_many(("items",), 5, 3), "Too many: 5: must have at most 3 items"),
        (field.not_found(("volumeMounts", 0, "name"), "data"), 'Not found: "data"'),
        # A boolean prints as Go prints it; null as null.
        (field.invalid(("x",), True, "d"), "Invalid value: true: d"),
        (field.invalid(("x",), None, "d"), "Invalid value: null: d"),
    ],
)
def test_error_body_is_the_api_servers_wording(error: field.FieldError, body: str) -> None:
    assert error.body() == body


def test_each_error_type_has_its_rule_id() -> None:
    assert field.invalid(("a",), 1, "d").type.rule == "api-invalid"
    assert field.not_supported(("a",), "x", []).type.rule == "api-unsupported"
    assert field.warning(("a",), "text").warning
