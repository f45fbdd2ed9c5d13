"""Hand-written validation of the networking API group's kinds (pkg/apis/networking/validation/validation.go)."""

from __future__ import annotations
