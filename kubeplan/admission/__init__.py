"""What admission decides after validation, for the namespace each object lands in.

The API server runs the admission plugins after decoding and defaulting an object
(pkg/kubeapiserver/options/plugins.go `AllOrderedPlugins`): LimitRanger mutates (defaults) and
validates, PodSecurity validates, ResourceQuota validates last, every validator seeing the object
after all mutation. A workload (Deployment, StatefulSet, ...) is admitted on its own terms: Pod
Security only warns about its template and quota charges its object count. Its pods are refused
later, when the controller creates them, so the rollout stalls rather than the apply failing.

- `podsecurity/`: k8s.io/pod-security-admission (levels, versions, checks, the configuration);
- `limitrange.py`: plugin/pkg/admission/limitranger;
- `quota/`: the ResourceQuota evaluators and admission (pkg/quota/v1/evaluator/core,
  apiserver pkg/admission/plugin/resourcequota);
- `namespaces.py`: what kubeplan knows of each namespace (labels, LimitRanges, quotas);
- `run.py`: the verdicts for a set of objects, read by `check` and `plan` alike.
"""
