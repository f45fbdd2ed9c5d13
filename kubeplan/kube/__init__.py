"""Kubernetes facts, each written once and citing its source.

The layer below schemas/, rules/ and planner/: pod templates and container lists (workloads),
label selectors, int-or-percent (intstr), image references, versions, references between
objects (refs), the objects every cluster has (cluster), the HPA target index (autoscaling),
quantities, built-in kinds with their resources and scopes (kinds), object names (names),
RBAC rule matching (rbac_match), and the readers of untrusted bodies (values). It imports only
model.py, position.py and datafiles.py.
"""
