"""ValidatingAdmissionPolicy: the cluster's CEL policies evaluated offline, as the API server does.

Reference: ../shared/reference/admission.md section 5. The interface the commands use:
`policies_from` (model.py), `evaluate` (decide.py), `Request` and `Outcome` (types.py).
"""

from kubeplan.admission.vap.decide import evaluate
from kubeplan.admission.vap.model import PolicySet, policies_from
from kubeplan.admission.vap.types import Outcome, Request

__all__ = ["Outcome", "PolicySet", "Request", "evaluate", "policies_from"]
