"""Pod Security admission, as k8s.io/pod-security-admission evaluates it.

- `api.py`: levels, versions, namespace labels and the policy they resolve to (PSA `api/`);
- `checks/`: one module per check or family, each beside the `policy/check_*.go` it follows;
- `evaluate.py`: the registry (which checks run for a level and version) and the messages;
- `config.py`: the PodSecurityConfiguration given to kube-apiserver
  (`--admission-control-config-file`), validated as `admission/api/validation` does.

Sources: kubernetes/pod-security-admission (= kubernetes/kubernetes
staging/src/k8s.io/pod-security-admission), up to the 1.37 development line; the map is
../shared/reference/admission.md §1.
"""
