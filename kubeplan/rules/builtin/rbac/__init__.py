"""Risky grants in Roles and ClusterRoles, and bindings to cluster-admin."""
