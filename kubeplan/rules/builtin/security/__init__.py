"""Pod security: security contexts, host access, kernel profiles, service accounts, env,
images, ports and namespaces."""
