"""Hand-written validation of the core group (v1) kinds other than Pod (pkg/apis/core/validation/validation.go)."""

from __future__ import annotations
