"""Exit codes, and `--detailed-exitcode` of `diff` and `plan`.

Every command exits 0 (nothing at or above --fail-on), 1 (findings at or above it) or 2 (bad
usage, input that cannot be read, an internal error). `diff` and `plan` can also say whether
applying changes anything, as `terraform plan -detailed-exitcode` and `kubectl diff` do. Their
codes cannot be copied: terraform's 2 means "changes" (kubeplan's 2 is an error) and kubectl
diff's 1 means "changes" (kubeplan's 1 is failing findings). A script that reads the code must
never take an error for "changes" nor a failing plan for "apply it", so the new state takes a
code no command uses:

    0  no changes, nothing at or above --fail-on
    1  findings at or above --fail-on (with or without changes: a failing plan is never "3")
    2  bad usage, unreadable input, internal error (as without the option)
    3  changes, and nothing at or above --fail-on
"""

from __future__ import annotations

OK, FAILED, ERROR, CHANGES = 0, 1, 2, 3


def exit_code(failed: bool, changed: bool, detailed: bool) -> int:
    """The code of a `diff` or `plan` run; findings win over changes."""
    if failed:
        return FAILED
    return CHANGES if detailed and changed else OK
