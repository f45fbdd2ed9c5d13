"""Validation as the API server does it after decoding: the hand-written `validation.go` rules.

The JSON schema says which fields exist and their types; the API server then runs the
hand-written validation of `pkg/apis/<group>/validation/validation.go` (and apimachinery's
`pkg/api/validation`, `pkg/util/validation`) on the decoded, defaulted object. This package
ports those rules: `field` is apimachinery's `field.Error` with its wording, `registry` runs the
validator of each kind, and one module per API group holds the rules, each citing its Go
function.
"""
