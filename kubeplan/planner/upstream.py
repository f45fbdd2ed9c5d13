"""`--base @{upstream}` on a branch that has no upstream yet: the first push of a new branch.

git resolves `@{upstream}` (`@{u}`, `BRANCH@{upstream}`) only once the branch tracks a remote
branch, which `git push -u` sets up after the push: so a pre-push hook comparing with
`@{upstream}` would fail the first push of every new branch. kubeplan then compares with, in
this order:

1. `PRE_COMMIT_FROM_REF`, set by pre-commit at pre-push: the commit the pushed commits start
   from, which the remote already has (pre_commit/commands/hook_impl.py `_pre_push_ns`);
2. the merge-base of HEAD with the remote's default branch: `refs/remotes/REMOTE/HEAD` (set by
   `git clone` or `git remote set-head REMOTE --auto`), else `REMOTE/main`, else
   `REMOTE/master`; REMOTE is the remote being pushed to (`PRE_COMMIT_REMOTE_NAME`), else the
   branch's configured remote, else `origin`;
3. nothing at all when the remote has none of these (the first push to an empty repository):
   every object is new, as in a plan without `--base`.

The base used is named in the report's header, so the fallback is never silent.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

UPSTREAM_FORMS = re.compile(r"^[^@\s]*@\{(upstream|u)\}$", re.IGNORECASE)

Git = Callable[[list[str], str | None], str | None]


def is_upstream(revision: str) -> bool:
    return bool(UPSTREAM_FORMS.match(revision))


def fallback(revision: str, cwd: str | None, git: Git) -> tuple[str | None, str]:
    """(the revision to compare with, or None for an empty base; the label that says why)."""
    branch = git(["rev-parse", "--abbrev-ref", "HEAD"], cwd) or "HEAD"
    why = f"{branch} has no upstream branch yet"
    start = os.environ.get("PRE_COMMIT_FROM_REF", "")
    if start and _commit(start, cwd, git):
        return start, f"git:{_short(start, cwd, git)} (where the pushed commits start; {why})"
    remote = _remote(branch, cwd, git)
    for candidate in (f"{remote}/HEAD", f"{remote}/main", f"{remote}/master"):
        if not _commit(f"refs/remotes/{candidate}", cwd, git):
            continue
        name = git(["rev-parse", "--abbrev-ref", f"refs/remotes/{candidate}"], cwd) or candidate
        base = git(["merge-base", "HEAD", f"refs/remotes/{candidate}"], cwd)
        if base is None:
            return candidate, f"git:{name} ({why}; no common history with it)"
        return base, f"git:{_short(base, cwd, git)} (merge-base with {name}; {why})"
    return None, f"nothing ({why}, and {remote} has no default branch: every object is new)"


def _remote(branch: str, cwd: str | None, git: Git) -> str:
    pushed_to = os.environ.get("PRE_COMMIT_REMOTE_NAME", "")
    if pushed_to:
        return pushed_to
    return git(["config", "--get", f"branch.{branch}.remote"], cwd) or "origin"


def _commit(revision: str, cwd: str | None, git: Git) -> bool:
    return git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], cwd) is not None


def _short(revision: str, cwd: str | None, git: Git) -> str:
    return git(["rev-parse", "--short", revision], cwd) or revision
