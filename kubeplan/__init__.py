"""kubeplan: what a change to Kubernetes manifests will do, before it is applied."""

__version__ = "0.1.0"
