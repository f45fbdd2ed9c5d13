"""Hand-written validation of the rbac API group's kinds (pkg/apis/rbac/validation/validation.go)."""

from __future__ import annotations
