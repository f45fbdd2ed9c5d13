"""Hand-written validation of the storage API group's kinds (pkg/apis/storage/validation/validation.go)."""

from __future__ import annotations
