"""Text from manifests made safe to print in a human format (text, markdown, github, junit).

A manifest in a pull request is written by whoever opened it, and its names and values reach
the job log and the reviewer's terminal. Printed raw, a line break followed by
`::error file=x::` becomes a GitHub Actions workflow command (the runner reads commands from
every line a step prints), an ESC starts a terminal escape sequence (clear the screen, rewrite
a line, set the window title), and a Unicode bidi override makes text display in an order other
than the one it has (the "Trojan Source" characters, CVE-2021-42574).

GitHub's runner reads two forms of command (actions/runner src/Runner.Common/ActionCommand.cs,
tried in turn by src/Runner.Worker/ActionCommandManager.cs TryProcessCommand): `::name ...::data`
at the start of a line after `TrimStart()` (TryParseV2), and the legacy `##[name ...]data`
anywhere in a line (TryParse: `message.IndexOf("##[")`). `printable` also breaks every `##[` of
the text (`#\x23[`); `no_workflow_commands` escapes the first colon of any line of a rendered
report that would start with `::`, wherever the text that starts it came from.

`printable` writes each such character as a visible escape (`\\n`, `\\x1b`, `\\u202e`) and leaves
everything else as it is: C0 controls but tab (harmless in every human format), DEL, C1
controls, the Unicode line and paragraph separators, and the bidi embedding, override and
isolate characters U+202A-U+202E and U+2066-U+2069, lone surrogates and U+FFFE/U+FFFF. JSON and SARIF keep the exact text (JSON
escapes it already).
"""

from __future__ import annotations

import re

# Also lone surrogates (a YAML "\ud800" escape makes one; UTF-8 cannot encode it) and the
# noncharacters U+FFFE and U+FFFF, which XML 1.0 forbids.
_OTHERS = "\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff"
_UNSAFE = re.compile(f"[\x00-\x08\x0a-\x1f{_OTHERS}]")
_UNSAFE_OR_TAB = re.compile(f"[\x00-\x1f{_OTHERS}]")
_LEGACY = "##["  # the runner's legacy command prefix, read anywhere in a line
# `::name` then, after optional properties, the `::` that starts the data (TryParseV2).
_COMMAND = re.compile(r"::[A-Za-z][A-Za-z-]*(?:[ ,][^\n]*?)?::")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object, *, tab: bool = True) -> str:
    """`text` as a string with control and bidi characters written as escapes; `tab=False`
    escapes tabs too (where a tab would break alignment or a one-line value)."""
    text = text if isinstance(text, str) else str(text)
    pattern = _UNSAFE if tab else _UNSAFE_OR_TAB
    if pattern.search(text) is not None:
        text = pattern.sub(_escape, text)
    if _LEGACY in text:
        text = text.replace(_LEGACY, "#\\x23[")
    return text


def no_workflow_commands(rendered: str) -> str:
    """`rendered` with the first colon of every line the runner would read as a `::command`
    written as `\\x3a`. kubeplan's own lines never are; a line that is begins with text of the
    input (a file name, a namespace, a subject's kind). An IPv6 block such as `::/0` is not a
    command (no second `::`, no command name) and is left as it is."""
    if "::" not in rendered:
        return rendered
    lines = rendered.split("\n")
    for index, line in enumerate(lines):
        stripped = line.lstrip()  # the runner's TrimStart(): any Unicode white space
        if _COMMAND.match(stripped):
            lines[index] = line[: len(line) - len(stripped)] + "\\x3a" + stripped[1:]
    return "\n".join(lines)
