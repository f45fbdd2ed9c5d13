"""ResourceQuota admission: what an object charges, which quotas apply to it, and whether the
API server admits it.

Sources (kubernetes/kubernetes):
- `pkg/quota/v1/evaluator/core/{pods,services,persistent_volume_claims,registry}.go`: the
  evaluators (usage, tracked resource names, scopes, constraints, operations handled);
- `staging/src/k8s.io/apiserver/pkg/quota/v1/resources.go` and `.../quota/v1/generic/
  evaluator.go`: resource-list arithmetic, `Matches`, the object-count evaluator;
- `staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/{admission,controller}.go`:
  `QuotaAdmission.Validate` and `CheckRequest` (the refusals and their messages).

Modules: `model` (Quota, quotas_from), `resources` (resource-list arithmetic with the formats
Kubernetes prints), `usage` (what one object charges; `handles`/`charges`: which requests are
evaluated), `scopes` (quota scopes, QoS), `calculate` (a quota's usage as the quota controller
sums it), `admit` (`check`/`admit`: the admission decision, `must_specify`, `headroom`).
"""
