"""Effect classification: what applying each changed field does to running pods.

From the entry point down:
- `classify.py`: `classify(pair, ...)`, one `ClassifiedChange` per field change of an update;
- `table.py`: the effects tables (`kubeplan/planner/diff/data/effects/*.yaml`), their format,
  loading and validation, and the rows of each kind;
- `context.py`: one classified object, and a row's `when` conditions evaluated on it;
- `checks.py`, `facts.py`: the named predicates and the reason placeholders the rows use;
- `consumers.py`, `references.py`: who reads a ConfigMap or Secret, and a template change that
  swaps the one it refers to;
- `indexes.py`, `bodies.py`: views of a whole revision built once, and reading bodies.
"""
