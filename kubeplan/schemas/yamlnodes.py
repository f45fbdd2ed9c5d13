"""Parse YAML (and JSON) text into documents that remember the line of every node.

Why not a round-trip loader: libyaml's composer (PyYAML's `CSafeLoader`) builds the node graph
with a mark on every node about 30 times faster than ruamel.yaml's round-trip mode, and the node
graph is all that is needed to locate a field later. Values are then built from the nodes here,
with the rules Kubernetes' own YAML decoder (sigs.k8s.io/yaml over go-yaml v2) applies:

- duplicate keys in a mapping are an error (go-yaml: "mapping key ... already defined");
- non-string keys become strings, as sigs.k8s.io/yaml does when it converts YAML to JSON;
- timestamps stay strings (Kubernetes decodes into JSON, where a timestamp is a string);
- `<<` merge keys are honoured;
- aliases share one value, and a document whose aliases expand past a limit is refused
  (a "billion laughs" document would otherwise exhaust memory in validation).

The stream is split into documents on `---` lines before parsing, so one broken document
does not hide the others.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

import yaml

from kubeplan.position import BOOL_TAG, GO_YAML_BOOLS

try:
    from yaml.cyaml import CParser as _Parser
except ImportError:  # PyYAML built without libyaml: correct, only slower
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


class _Loader(_Parser, yaml.resolver.Resolver):  # type: ignore[misc, valid-type]
    """libyaml's composer with a memoised implicit-tag resolver.

    The composer asks the (pure-Python) resolver for the tag of every plain scalar; manifests
    repeat the same few thousand scalars (`name`, `TCP`, `true`), so a memo halves parse time.
    """

    _plain_tags: ClassVar[dict[str, str]] = {}

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        yaml.resolver.Resolver.__init__(self)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return _STR_TAG
            tag = self._plain_tags.get(value)
            if tag is None:
                if value in GO_YAML_BOOLS:
                    tag = BOOL_TAG
                else:
                    tag = _go_number_tag(
                        value, yaml.resolver.Resolver.resolve(self, kind, value, implicit)
                    )
                if len(self._plain_tags) < 100_000:
                    self._plain_tags[value] = tag
            return tag
        return yaml.resolver.Resolver.resolve(self, kind, value, implicit)


class _GoEscapesLoader(  # type: ignore[misc]
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    yaml.resolver.Resolver,
):
    """The pure-Python scanner with go-yaml's escapes in double-quoted scalars, for the few
    documents where libyaml and go-yaml disagree on them.

    go-yaml v2 (sigs.k8s.io/yaml goyaml.v2, scannerc.go `yaml_parser_scan_flow_scalar`), what
    kubectl decodes with, accepts `\\'` (a quote) and refuses `\\/`; libyaml does the
    opposite (YAML 1.2 added `\\/`). `"it\\'s"` is valid to kubectl; `"https:\\/\\/x"` is not.
    """

    ESCAPE_REPLACEMENTS: ClassVar[dict[str, str]] = {
        **{k: v for k, v in yaml.scanner.Scanner.ESCAPE_REPLACEMENTS.items() if k != "/"},
        "'": "'",
    }

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.resolver.Resolver.__init__(self)

    resolve = _Loader.resolve
    _plain_tags = _Loader._plain_tags


# A backslash before a quote or a slash: a document where go-yaml's escapes may differ.
_ESCAPES_DIFFER = re.compile(r"\\['/]")


def _loader_for(text: str) -> Any:
    """libyaml, unless the text has an escape on which it and go-yaml disagree."""
    if "\\" in text and _ESCAPES_DIFFER.search(text):
        return _GoEscapesLoader(text)
    return _Loader(text)


_TAG = "tag:yaml.org,2002:"
_STR_TAG = _TAG + "str"
_INT_TAG = _TAG + "int"
_FLOAT_TAG = _TAG + "float"
# `0o17`: go-yaml reads it with strconv.ParseInt(text, 0, 64), where 0o is an octal prefix
# (sigs.k8s.io/yaml goyaml.v2/resolve.go `resolve`); YAML 1.1 (PyYAML) knows only `017`.
_GO_OCTAL = re.compile(r"^[-+]?0o[0-7_]+$")


def _go_number_tag(value: str, tag: str) -> str:
    """The tag go-yaml v2 gives a plain number where YAML 1.1 (PyYAML) differs.

    Sexagesimal `1:30` (YAML 1.1 int 90) and `1:30.5` are strings: go-yaml "purposefully" does
    not support base 60, and strconv rejects the colon (goyaml.v2/resolve.go `resolve`)."""
    if tag in (_INT_TAG, _FLOAT_TAG) and ":" in value:
        return _STR_TAG
    if tag == _STR_TAG and _GO_OCTAL.match(value):
        return _INT_TAG
    return tag


_SEPARATOR = re.compile(r"^---(?:[ \t\r\n]|$)")
_END = re.compile(r"^\.\.\.[ \t\r]*$")
# The name runs to the end of the line and is stripped in Python: a lazy `(\S.*?)\s*$` retries
# the trailing `\s*` at every character, quadratic in a long run of spaces.
_HELM_SOURCE = re.compile(r"^#\s*Source:\s*(\S.*)$")

# An anchor (`&name`) is a node property, so it starts a node (YAML 1.1/1.2 spec, "Node
# Anchors"): at a line start, after white space or a flow indicator. A `&` inside a scalar
# (`a&b`, a URL's query) is none, and needs no alias-expansion check.
_ANCHOR = re.compile(r"(?:^|[\s\[{,:?-])&[^\s]", re.M)
# A document whose aliases expand to more nodes than this is refused.
MAX_EXPANDED_NODES = 2_000_000
# Kubernetes objects nest a few dozen levels deep; far deeper input is refused, not recursed.
MAX_DEPTH = 200
_TOO_DEEP_MESSAGE = f"the document nests deeper than {MAX_DEPTH} levels; refused"


class _TooDeep(Exception):
    pass


class _Refused(Exception):
    """A node Kubernetes' decoder refuses, which refuses the whole document."""

    def __init__(self, rule: str, message: str, node: Any) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.node = node


# The API server decodes a JSON number into an int64 or, failing that, a float64, and rejects the
# request when neither holds it (k8s.io/apimachinery/pkg/util/json json.go `convertNumber`:
# "An overflow will return an error"); kubectl's YAML decoder (sigs.k8s.io/yaml goyaml.v2
# resolve.go) reads such an integer as a big.Int and writes all its digits into the JSON. So an
# integer of 2**1024 or more cannot be applied. Python refuses to convert a decimal text of more
# than 4,300 digits (sys.get_int_max_str_digits), so a long decimal is refused on its length,
# before conversion: 310 significant digits are already past float64's range.
_FLOAT64_LIMIT = 2**1024
_MAX_DECIMAL_DIGITS = 310
_RECURSIVE_MESSAGE = (
    "an alias refers to the node that holds it (a recursive anchor); kubectl's YAML decoder"
    ' refuses the document (go-yaml: "anchor value contains itself")'
)


@dataclass(slots=True)
class Problem:
    """Something wrong with the text itself, found while reading it."""

    rule: str
    message: str
    line: int
    column: int
    path: tuple[str | int, ...] = ()


@dataclass(slots=True)
class Document:
    index: int
    line: int  # 1-based line where the document's content starts
    node: Any  # yaml.Node, or None for an empty document
    data: Any = None
    template: str | None = None  # Helm `# Source:` of this document
    offset: int = 0  # node marks are relative to the document's chunk; add this for file lines
    problems: list[Problem] = field(default_factory=list)
    broken: bool = False  # the text could not be parsed at all


@dataclass(slots=True)
class _Chunk:
    index: int
    first_line: int  # 0-based line of the chunk in the file
    text: str
    template: str | None


def _split(text: str) -> Iterator[_Chunk]:
    """Split a YAML stream into document chunks at `---` and `...` lines.

    A chunk keeps its `---` line so that `--- {inline: doc}` still parses, and each chunk
    knows the line it starts at so marks can be shifted back to file lines.
    """
    lines = physical_lines(text)
    start = 0
    index = 0
    for number, line in enumerate(lines):
        separator = _SEPARATOR.match(line)
        if separator or _END.match(line):
            if number > start:
                yield _chunk(index, start, lines[start:number])
                index += 1
            start = number if separator else number + 1
    if start < len(lines):
        yield _chunk(index, start, lines[start:])


_OTHER_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def physical_lines(text: str) -> list[str]:
    """The lines of `text` as editors, GitHub and kubectl count them: ended by \\n only.

    `str.splitlines` also breaks at \\r, \\x0b, \\x0c, \\x1c-\\x1e, U+0085, U+2028 and U+2029,
    which may stand inside a quoted value: a `---` after one would split a document in two.
    (kubectl's YAMLReader in k8s.io/apimachinery pkg/util/yaml/decoder.go reads \\n lines.)"""
    if not any(other in text for other in _OTHER_BREAKS):
        return text.splitlines(keepends=True)  # the same lines, faster
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


def _chunk(index: int, first_line: int, lines: list[str]) -> _Chunk:
    """A chunk, with the Helm template its leading `# Source:` comment names, if any."""
    template = None
    for line in lines:
        if _SEPARATOR.match(line) or not line.strip():
            continue
        if not line.startswith("#"):
            break
        match = _HELM_SOURCE.match(line)
        if match:
            template = match.group(1).rstrip()
            break
    return _Chunk(index, first_line, "".join(lines), template)


# Parses kept for reuse while `shared_parses()` is active: document text without its `---`
# line -> (node, data, whether the parsed chunk had that line).
_shared: dict[str, tuple[Any, Any, bool]] | None = None


@contextmanager
def shared_parses() -> Iterator[None]:
    """Parse each distinct document text once while the block runs.

    `kubeplan diff` reads two revisions in which most documents are byte for byte the same;
    the second read then costs only the documents that changed. Safe because nothing after the
    parser mutates a document's data or nodes (the loader and the normaliser copy before they
    change anything), and marks are relative to the document: each reuse gets its own offset.
    Only clean documents are kept, so every problem is still reported at its own line.
    """
    global _shared
    previous, _shared = _shared, {}
    try:
        yield
    finally:
        _shared = previous


def parse_stream(text: str, json_file: bool = False) -> list[Document]:
    """Parse every document of a YAML (or JSON) text; never raises on bad input."""
    if json_file:
        # JSON allows tabs as white space where YAML does not; outside strings (the only place
        # a raw tab may stand in JSON) a space is equivalent and keeps every column.
        text = text.replace("\t", " ")
        chunks: Iterator[_Chunk] = iter([_Chunk(0, 0, text, None)])
    else:
        chunks = _split(text)
    return [_parse_chunk(chunk) for chunk in chunks]


def _parse_chunk(chunk: _Chunk) -> Document:
    shared = _shared
    if shared is None:
        return _parse_chunk_text(chunk)
    # The same document is often first in one file and after a `---` in another.
    separated = chunk.text.startswith("---\n")
    key = chunk.text[4:] if separated else chunk.text
    kept = shared.get(key)
    if kept is not None:
        node, data, kept_separated = kept
        offset = chunk.first_line + separated - kept_separated
        line = node.start_mark.line + 1 + offset
        return Document(chunk.index, line, node, data, chunk.template, offset)
    doc = _parse_chunk_text(chunk)
    if not doc.problems and not doc.broken and doc.data is not None:
        shared[key] = (doc.node, doc.data, separated)
    return doc


# Line breaks to libyaml and go-yaml (YAML 1.1 "b-break": a lone \r, U+0085, U+2028, U+2029)
# that editors, GitHub and kubectl's document splitter do not count: marks after one are mapped
# back to physical lines (go-yaml in kubectl 1.32 shifts its own line numbers the same way).
def _odd_breaks(text: str) -> bool:
    """Whether libyaml counts a line break that is no \\n (substring tests: a regex alternation
    over every character of every document cost more than parsing some of them)."""
    if "\x85" in text or "\u2028" in text or "\u2029" in text:
        return True
    return "\r" in text and text.count("\r") != text.count("\r\n")


class _Lines:
    """Maps a libyaml mark to the physical (\\n-counted) line and column of a chunk."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(match.end() for match in re.finditer("\n", text))]
        self.skip = 1 if text.startswith("\ufeff") else 0  # libyaml does not count a BOM

    def mark(self, mark: Any) -> Any:
        index = mark.index + self.skip
        line = bisect.bisect_right(self.starts, index) - 1
        return yaml.Mark(mark.name, mark.index, line, index - self.starts[line], None, None)

    def renumber(self, root: Any) -> None:
        """Every node's marks, physical (each node once: aliases share nodes)."""
        seen: set[int] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            node.start_mark = self.mark(node.start_mark)
            node.end_mark = self.mark(node.end_mark)
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    stack.extend((key_node, value_node))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)


def _parse_chunk_text(chunk: _Chunk) -> Document:
    offset = chunk.first_line
    lines = _Lines(chunk.text) if _odd_breaks(chunk.text) else None
    try:
        loader = _loader_for(chunk.text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        if lines is not None and node is not None:
            lines.renumber(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if lines is not None and mark is not None:
            mark = lines.mark(mark)
        directive = _directive_line(chunk.text)
        if directive is not None:
            line = directive + 1 + offset
            doc = Document(chunk.index, line, None, template=chunk.template, broken=True)
            doc.problems.append(Problem("yaml-syntax", _DIRECTIVE_MESSAGE, line, 1))
            return doc
        line = (mark.line + 1 + offset) if mark else offset + 1
        column = (mark.column + 1) if mark else 1
        problem = error.problem or error.context or "invalid YAML"
        if problem.startswith("exceeded maximum nesting depth"):
            # libyaml 0.2.5+ (PyYAML 6.0.2+ wheels) stops deep flow nesting in its scanner,
            # before kubeplan's own depth bound is reached: the same refusal, said the same way.
            doc = Document(chunk.index, line, None, template=chunk.template, broken=True)
            doc.problems.append(Problem("yaml-too-deep", _TOO_DEEP_MESSAGE, line, column))
            return doc
        if problem == "found unknown escape character '/'":
            problem += " (kubectl's YAML parser, go-yaml, has no \\/ escape: write / alone)"
        if mark and _char_at(chunk.text, mark.line, mark.column) == "\t":
            problem += " (a tab: YAML indentation must use spaces)"
        doc = Document(chunk.index, line, None, template=chunk.template, broken=True)
        doc.problems.append(Problem("yaml-syntax", f"YAML syntax error: {problem}", line, column))
        return doc
    except yaml.YAMLError as error:  # reader errors: control characters, bad encoding
        doc = Document(chunk.index, offset + 1, None, template=chunk.template, broken=True)
        doc.problems.append(Problem("yaml-syntax", f"YAML error: {error}", offset + 1, 1))
        return doc
    if node is None:
        return Document(chunk.index, offset + 1, None, template=chunk.template)
    doc = Document(
        chunk.index, node.start_mark.line + 1 + offset, node, template=chunk.template, offset=offset
    )
    builder = _Builder(doc.problems, offset)
    # Only a document with an anchor can have aliases to expand.
    if _ANCHOR.search(chunk.text) and builder.expanded_size(node) > MAX_EXPANDED_NODES:
        doc.problems.append(
            Problem(
                "yaml-alias-bomb",
                f"aliases expand this document to more than {MAX_EXPANDED_NODES:,} nodes; refused",
                doc.line,
                node.start_mark.column + 1,
            )
        )
        doc.broken = True
        return doc
    try:
        doc.data = builder.build(node, ())
    except _Refused as refused:
        mark = refused.node.start_mark
        line = mark.line + 1 + offset
        doc.problems.append(Problem(refused.rule, refused.message, line, mark.column + 1))
        doc.broken = True
    except _TooDeep:
        doc.problems.append(
            Problem(
                "yaml-too-deep",
                _TOO_DEEP_MESSAGE,
                doc.line,
                node.start_mark.column + 1,
            )
        )
        doc.broken = True
    return doc


# kubectl apply -f splits a file at `---` lines first (k8s.io/apimachinery pkg/util/yaml
# decoder.go, YAMLReader), so directive lines before a `---` reach go-yaml as a document of
# their own, which it refuses (parserc.go, yaml_parser_parse_document_start): kubectl 1.32 says
# "error converting YAML to JSON: yaml: line 1: did not find expected <document start>".
_DIRECTIVE_MESSAGE = (
    "YAML syntax error: a %YAML or %TAG directive; kubectl apply -f splits the file at"
    ' "---" lines and fails on it (did not find expected <document start>): remove the'
    " directive lines"
)


def _directive_line(text: str) -> int | None:
    """The line (0-based) of a directive that opens `text`, past blank and comment lines."""
    for number, line in enumerate(physical_lines(text)):
        if line.startswith("%"):
            return number
        if line.strip() and not line.startswith("#"):
            return None
    return None


def _char_at(text: str, line: int, column: int) -> str:
    lines = [line.rstrip("\r\n") for line in physical_lines(text)]
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


@dataclass(slots=True, frozen=True)
class Position:
    """Where a node starts (0-based line and column, as yaml's Mark): all that a kept node needs."""

    line: int
    column: int


def _compact(node: Any) -> None:
    """Keep only the start line and column of a node: the nodes are kept for positions as long as
    their Resource lives, and libyaml's start and end marks were two thirds of their memory."""
    mark = node.start_mark
    if type(mark) is not Position:
        node.start_mark = Position(mark.line, mark.column)
        node.end_mark = None


class _Builder:
    """Builds plain Python values from a node graph, recording problems on the way."""

    _constructor = yaml.SafeLoader("")  # only its scalar constructors are used

    def __init__(self, problems: list[Problem], offset: int) -> None:
        self.problems = problems
        self.offset = offset
        self.values: dict[int, Any] = {}
        self.building: set[int] = set()  # the nodes being built: an alias to one is recursive

    def expanded_size(self, root: Any) -> int:
        sizes: dict[int, int] = {}

        def size(node: Any) -> int:
            key = id(node)
            if key in sizes:
                return sizes[key]
            sizes[key] = 1  # a recursive alias counts once
            if isinstance(node, yaml.MappingNode):
                total = 1 + sum(size(k) + size(v) for k, v in node.value)
            elif isinstance(node, yaml.SequenceNode):
                total = 1 + sum(size(v) for v in node.value)
            else:
                total = 1
            sizes[key] = total
            return total

        try:
            return size(root)
        except RecursionError:
            return MAX_EXPANDED_NODES + 1

    def build(self, node: Any, path: tuple[str | int, ...]) -> Any:
        key = id(node)
        if key in self.building:
            # gopkg.in/yaml.v2 decode.go `alias`: "anchor '%s' value contains itself".
            raise _Refused("yaml-syntax", _RECURSIVE_MESSAGE, node)
        if key in self.values:
            return self.values[key]
        _compact(node)
        if isinstance(node, yaml.ScalarNode):
            value = self._scalar(node)
        elif len(path) > MAX_DEPTH:
            raise _TooDeep
        else:
            self.building.add(key)
            if isinstance(node, yaml.SequenceNode):
                value = [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
            else:
                value = {}
                self._mapping(node, path, value)
            self.building.discard(key)
        self.values[key] = value
        return value

    def _mapping(self, node: Any, path: tuple[str | int, ...], out: dict[str, Any]) -> None:
        seen: dict[str, int] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                merged.update(self._merge_source(value_node, path))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(
                    Problem(
                        "yaml-complex-key",
                        "a mapping or list is used as a key (an unrendered template placeholder"
                        " such as {{ value }}?)",
                        key_node.start_mark.line + 1 + self.offset,
                        key_node.start_mark.column + 1,
                        path,
                    )
                )
                continue
            _compact(key_node)
            name = _key_string(self._scalar(key_node))
            if name in seen:
                self.problems.append(
                    Problem(
                        "yaml-duplicate-key",
                        f'duplicate key "{name}" (first at line {seen[name]}); the API server'
                        " rejects the document",
                        key_node.start_mark.line + 1 + self.offset,
                        key_node.start_mark.column + 1,
                        (*path, name),
                    )
                )
            seen[name] = key_node.start_mark.line + 1 + self.offset
            out[name] = self.build(value_node, (*path, name))
        for name, value in merged.items():
            out.setdefault(name, value)
        # A scalar value's own position is never asked for (`locate` answers with its key's line),
        # so the mapping drops it: about a third of the nodes a manifest keeps.
        if any(isinstance(v, yaml.ScalarNode) for _, v in node.value):
            node.value = [(k, None if isinstance(v, yaml.ScalarNode) else v) for k, v in node.value]

    def _merge_source(self, node: Any, path: tuple[str | int, ...]) -> dict[str, Any]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        merged: dict[str, Any] = {}
        for source in reversed(sources):
            value = self.build(source, path)
            if isinstance(value, dict):
                merged.update(value)
        return merged

    def _scalar(self, node: Any) -> Any:
        tag = node.tag
        if tag.startswith(_TAG):
            kind = tag[len(_TAG) :]
            if kind == "str":
                return node.value
            if kind == "int":
                return _integer(node)
            if kind == "float":
                return self._constructor.construct_yaml_float(node)
            if kind == "bool":
                return GO_YAML_BOOLS.get(node.value, node.value.lower() in ("true", "yes", "on"))
            if kind == "null":
                return None
        # timestamps, binary, `=` (the YAML 1.1 value tag), local tags: keep the text
        return node.value


def _integer(node: Any) -> int:
    """An integer scalar, as PyYAML builds it; one past float64's range is refused."""
    text = node.value.replace("_", "")
    digits = text.lstrip("+-")
    decimal = digits[:1] in "123456789" and ":" not in digits
    if not decimal or len(digits) <= _MAX_DECIMAL_DIGITS:
        value = _Builder._constructor.construct_yaml_int(node)
        if -_FLOAT64_LIMIT < value < _FLOAT64_LIMIT:
            return value
    raise _Refused(
        "yaml-number-too-large",
        f"an integer of {len(digits):,} characters is beyond what the API server decodes (an"
        " int64, or a float64 up to about 1.8e308); it rejects the document",
        node,
    )


def _key_string(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)
