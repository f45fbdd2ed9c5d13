"""Hand-written validation of the scheduling API group's kinds (pkg/apis/scheduling/validation/validation.go)."""

from __future__ import annotations
