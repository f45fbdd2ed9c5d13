"""Hand-written validation of the admissionregistration API group's kinds (pkg/apis/admissionregistration/validation/validation.go)."""

from __future__ import annotations
