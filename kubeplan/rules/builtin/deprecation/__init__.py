"""apiVersions deprecated in, or removed by, the target Kubernetes version."""
