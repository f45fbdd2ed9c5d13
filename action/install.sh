#!/usr/bin/env bash
# The install step of action.yml: kubeplan and its dependencies at the versions pinned in the
# Action's own constraints/ci.txt (the set CI tests), so that pinning the Action by commit pins
# everything it runs.
#
# KUBEPLAN_INSTALL (the `version` input) installs another kubeplan than the Action's checkout: a
# tag or commit of the Action's repository (`v0.2.0`), or any pip requirement
# (`git+https://github.com/OWNER/kubeplan@v0.2.0`). Its dependencies are held to the same pins.
set -euo pipefail
version=${KUBEPLAN_INSTALL:-}
if [ -z "$version" ]; then
  target=$GITHUB_ACTION_PATH
elif [[ "$version" =~ ^[A-Za-z0-9._-]+$ ]]; then
  if [ -z "${KUBEPLAN_ACTION_REPOSITORY:-}" ]; then
    echo "::error title=kubeplan action::input version: the Action's repository is unknown here; give a pip requirement (git+https://…@$version)" >&2
    exit 2
  fi
  target="git+${GITHUB_SERVER_URL:-https://github.com}/$KUBEPLAN_ACTION_REPOSITORY@$version"
else
  target=$version
fi
python -m pip install --quiet --disable-pip-version-check \
  --constraint "$GITHUB_ACTION_PATH/constraints/ci.txt" "$target"
