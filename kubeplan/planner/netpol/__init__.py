"""NetworkPolicy reachability: who can reach whom, and what a change does to it."""

from kubeplan.planner.netpol.engine import Connection, Reachability, analyse

__all__ = ["Connection", "Reachability", "analyse"]
