"""Hand-written validation of the autoscaling API group's kinds (pkg/apis/autoscaling/validation/validation.go)."""

from __future__ import annotations
