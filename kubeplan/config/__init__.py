"""`.kubeplan.yaml` and the command line over it, read once per command the same way by every
command: `find` (where the file is), `load` (reading and checking it), `settings` (the file
and the options together: the release, --fail-on, ignore-paths, the lint settings)."""
