#!/usr/bin/env bash
# The kubeplan step of action.yml. The runner runs it as `bash -e {0}` would, with the inputs in
# KUBEPLAN_* variables and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY set; tests/e2e/test_formats_action.py
# runs it the same way. Exit status: kubeplan's (0 pass, 1 findings at or above fail-on, 2 bad
# usage or unreadable input).
set -euo pipefail

# Splits an input into words as a shell would, without evaluating anything: quotes keep a word
# with spaces together, and spaces and newlines (a YAML block scalar, one path per line) separate.
# Prints the words NUL-separated; an unbalanced quote is an error naming the input.
split_words() {
  python -c '
import shlex, sys
try:
    words = shlex.split(sys.argv[2])
except ValueError as error:
    sys.exit(f"::error title=kubeplan action::input {sys.argv[1]}: {error}: {sys.argv[2]!r}")
sys.stdout.write("".join(word + "\0" for word in words))
' "$1" "$2"
}

# Reads NUL-separated words from standard input onto the end of the array `args`.
append_words() {
  local word
  while IFS= read -r -d '' word; do args+=("$word"); done
}

if [ -n "${KUBEPLAN_WORKING_DIRECTORY:-}" ]; then cd "$KUBEPLAN_WORKING_DIRECTORY"; fi

words=$(mktemp)
trap 'rm -f "$words"' EXIT
args=("$KUBEPLAN_COMMAND")
split_words paths "${KUBEPLAN_PATHS:-}" > "$words" || exit 2
append_words < "$words"
if [ "${#args[@]}" -eq 1 ]; then
  echo "::error title=kubeplan action::input paths is empty: name the files or folders to check" >&2
  exit 2
fi

args+=(--format github)
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then args+=(--format "markdown=$GITHUB_STEP_SUMMARY"); fi
if [ -n "${KUBEPLAN_SARIF:-}" ]; then
  rm -f -- "$KUBEPLAN_SARIF"  # a file left from an earlier run must not pass for this run's report
  args+=(--format "sarif=$KUBEPLAN_SARIF")
fi
# Only options whose input is set: an empty fail-on or kubernetes-version leaves the
# repository's .kubeplan.yaml (or kubeplan's default) in charge.
if [ -n "${KUBEPLAN_FAIL_ON:-}" ]; then args+=(--fail-on "$KUBEPLAN_FAIL_ON"); fi
if [ -n "${KUBEPLAN_CONFIG:-}" ]; then args+=(--config "$KUBEPLAN_CONFIG"); fi
if [ -n "${KUBEPLAN_VERSION:-}" ]; then args+=(--kubernetes-version "$KUBEPLAN_VERSION"); fi
if [ -n "${KUBEPLAN_BASELINE:-}" ]; then args+=(--baseline "$KUBEPLAN_BASELINE"); fi
if [ -n "${KUBEPLAN_CHANGED_SINCE:-}" ]; then args+=(--changed-since "$KUBEPLAN_CHANGED_SINCE"); fi
if [ -n "${KUBEPLAN_BASE:-}" ]; then args+=(--base "$KUBEPLAN_BASE"); fi
split_words extra-args "${KUBEPLAN_EXTRA:-}" > "$words" || exit 2
append_words < "$words"

status=0
kubeplan "${args[@]}" || status=$?

# The output names the SARIF file only when kubeplan wrote it (not on exit 2), so that an upload
# step reading it fails on nothing but kubeplan's own message. Relative to the workspace, where
# the next steps run.
if [ -n "${KUBEPLAN_SARIF:-}" ] && [ -f "$KUBEPLAN_SARIF" ]; then
  sarif=$KUBEPLAN_SARIF
  if [ -n "${KUBEPLAN_WORKING_DIRECTORY:-}" ] && [ "${sarif:0:1}" != / ]; then
    sarif="${KUBEPLAN_WORKING_DIRECTORY%/}/$sarif"
  fi
  echo "sarif=$sarif" >> "$GITHUB_OUTPUT"
fi
exit "$status"
