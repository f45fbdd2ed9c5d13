"""Hand-written validation of the batch API group's kinds (pkg/apis/batch/validation/validation.go)."""

from __future__ import annotations
