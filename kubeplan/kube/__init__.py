"""Kubernetes facts, each written once and citing its source."""
