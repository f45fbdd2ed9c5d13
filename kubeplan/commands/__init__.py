"""One module per command, each running it top to bottom between the command line (cli.py,
declarations only) and the layers below: read the settings (kubeplan/config/), load, validate,
admit, lint, plan, and write the report (kubeplan/report/outputs.py emit). Each `main` returns
the exit code; a user error is raised as a kubeplan.errors.KubeplanError.

- check.py: validate, lint, check (and check --hook)
- pipeline.py: the one pass of load, validate and lint that check and baseline share
- changed.py: --changed-since REV
- baseline.py: baseline write
- diff.py, plan.py, reach.py: diff, plan, reach
- rbac.py: can-i and who-can
- rules.py: rules [ID]
- common.py: settings, report targets, refusals, the progress line
"""
