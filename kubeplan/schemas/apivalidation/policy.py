"""Hand-written validation of the policy API group's kinds (pkg/apis/policy/validation/validation.go)."""

from __future__ import annotations
