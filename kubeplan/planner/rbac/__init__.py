"""RBAC: may an identity do each step of a plan, who can do what, and what a change grants.

The authorizer matches requests exactly as the API server's RBAC authorizer does; see
docs/rbac.md for what is checked and what is assumed.
"""

from kubeplan.planner.rbac.authorizer import Decision, authorize, list_grants, who_can
from kubeplan.planner.rbac.model import Identity, Request, Rule, Subject
from kubeplan.planner.rbac.policy import PlanPolicies, Policy, plan_policies, rbac_objects
from kubeplan.planner.rbac.requests import requests_for
from kubeplan.planner.rbac.risks import granted_risks
from kubeplan.planner.rbac.steps import StepVerdict, authorize_step

__all__ = [
    "Decision",
    "Identity",
    "PlanPolicies",
    "Policy",
    "Request",
    "Rule",
    "StepVerdict",
    "Subject",
    "authorize",
    "authorize_step",
    "granted_risks",
    "list_grants",
    "plan_policies",
    "rbac_objects",
    "requests_for",
    "who_can",
]
