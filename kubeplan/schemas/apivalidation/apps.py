"""Hand-written validation of the apps API group's kinds (pkg/apis/apps/validation/validation.go)."""

from __future__ import annotations
