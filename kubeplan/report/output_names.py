"""Refuse an output file name that is really a format name.

kubectl spells the format `-o/--output json`; kubeplan keeps `-o/--format` for the format and
`--output FILE` for a file (the documented usage: README, docs/ci.md, action.yml). A kubectl
user's `--output json` would otherwise write the text report into a file named `json`, print
nothing and exit 0: a gate that goes green by a typo. So a bare word (no folder, no extension)
that is a format name of kubeplan or kubectl, or close to one, is refused; `./json` still writes a
file of that name.
"""

from __future__ import annotations

import difflib
import os

# kubeplan's formats (report/outputs.py FORMATS, reach's mermaid and dot) and kubectl's `-o`
# values (staging/src/k8s.io/cli-runtime/pkg/genericclioptions/print_flags.go
# AllowedFormats: json, yaml, name, go-template, jsonpath, custom-columns, wide, ...).
KUBEPLAN_FORMATS = ("text", "json", "sarif", "junit", "markdown", "github", "mermaid", "dot")
FORMAT_WORDS = (
    *KUBEPLAN_FORMATS,
    "yaml",
    "yml",
    "wide",
    "name",
    "jsonpath",
    "go-template",
    "custom-columns",
    "md",
    "txt",
    "xml",
)


def format_word(path: str) -> str | None:
    """The format name `path` looks like, or None when it is plainly a file name."""
    if not path or path == "-" or os.sep in path or "/" in path or "." in path:
        return None
    word = path.lower()
    if word in FORMAT_WORDS:
        return word
    close = difflib.get_close_matches(word, FORMAT_WORDS, n=1, cutoff=0.75)
    return close[0] if close else None


def refusal(path: str, given: str | None = None) -> str | None:
    """The one-line error for an output file named like a format, or None when it is fine;
    `given` is the argument as typed (default `--output PATH`)."""
    word = format_word(path)
    if word is None:
        return None
    same = "is a format name" if word == path.lower() else f"looks like the format {word!r}"
    if word in KUBEPLAN_FORMATS:
        choose = f"choose the format with --format {word} (or -o {word})"
    else:
        choose = f"kubeplan's formats are {', '.join(KUBEPLAN_FORMATS)} (--format or -o)"
    shown = given or f"--output {path}"
    return f"{shown}: {path!r} {same}, not a file; {choose}, or write ./{path} for a file"
