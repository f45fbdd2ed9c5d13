"""CEL rules of CustomResourceDefinitions (`x-kubernetes-validations`), run as the API server runs them."""
