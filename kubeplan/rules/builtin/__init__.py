"""The built-in rule pack, by topic: one folder per topic, small modules of checks, and beside
each module (`security/context.py`) the YAML file of its metadata rows (`security/context.yaml`).

MODULES is the table of rule modules, in the order `kubeplan rules --format json` lists their
rules (and the rows within each file). Adding a rule means adding a check to a module and a row
to the file beside it; adding a module means adding it here. `registry.load_rules` refuses a
module with rows that is not in the table, a row without a check in its module, and a check
without a row.
"""

MODULES = (
    "deprecation.apis",
    "security.context",
    "security.host",
    "security.kernel",
    "security.accounts",
    "security.env",
    "security.images",
    "security.ports",
    "security.namespace",
    "rbac.roles",
    "reference.services",
    "reference.backends",
    "reference.missing",
    "reference.targets",
    "reference.bindings",
    "reliability.resources",
    "reliability.probes",
    "reliability.disruption",
    "reliability.rollout",
    "reliability.identity",
    "reliability.autoscaling",
    "reliability.jobs",
)
