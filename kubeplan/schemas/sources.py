"""Turn the PATH arguments of a command into texts to parse.

A PATH is a file, a folder (walked for .yaml, .yml and .json), `-` for standard input, or a git
revision `git:REV` / `git:REV:subdir` read from the object store with git itself. A folder given
as a PATH that holds a `kustomization.yaml` or a `Chart.yaml` is rendered with kustomize or
helm when they are installed.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

from kubeplan.model import Finding, Severity

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
RENDER_TIMEOUT_SECONDS = 120


class InputError(Exception):
    """A PATH that cannot be read at all: exit 2 with this one line."""


@dataclass(slots=True)
class SourceText:
    name: str  # what findings call the file: a path, `<stdin>` or `git:REV:path`
    text: str
    is_json: bool = False


@dataclass
class Sources:
    texts: list[SourceText] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # shown under --verbose


def collect(paths: list[str], stdin_text: str | None = None, git_cwd: str | None = None) -> Sources:
    """Read every PATH; raises InputError for a PATH that does not exist or a bad revision.

    `git:` PATHs are read from the repository at `git_cwd` (default: the working directory's)."""
    sources = Sources()
    for path in paths:
        if path == "-":
            _read_stdin(stdin_text, sources)
        elif path.startswith("git:"):
            _read_git(path, sources, git_cwd)
        elif os.path.isdir(path):
            if not _render(path, sources):
                _walk_folder(path, sources)
        elif os.path.isfile(path):
            _read_file(path, sources)
        elif os.path.exists(path):
            raise InputError(f"{path}: not a regular file or folder")
        else:
            raise InputError(f"{path}: no such file or folder")
    return sources


def _read_file(path: str, sources: Sources, name: str | None = None) -> None:
    name = name or os.path.normpath(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        sources.findings.append(_file_finding(name, "unreadable-file", f"cannot read: {error}"))
        return
    _add_bytes(name, raw, sources)


def _read_stdin(given: str | None, sources: Sources) -> None:
    """`-`: standard input, decoded as a file is (its bytes, not the locale's codec)."""
    if given is None:
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise InputError("-: standard input is closed")
        try:
            raw = stream.read()
        except OSError as error:
            raise InputError(f"-: cannot read standard input: {error.strerror or error}") from None
        given = decode(raw)
        if given is None:
            sources.findings.append(
                _file_finding(
                    "<stdin>",
                    "unreadable-file",
                    "not a text file (binary content or unknown encoding)",
                )
            )
            return
    sources.texts.append(SourceText("<stdin>", given))


def _add_bytes(name: str, raw: bytes, sources: Sources) -> None:
    text = decode(raw)
    if text is None:
        sources.findings.append(
            _file_finding(
                name, "unreadable-file", "not a text file (binary content or unknown encoding)"
            )
        )
        return
    if not text.strip():
        sources.findings.append(
            _file_finding(name, "empty-file", "the file is empty", Severity.INFO)
        )
        return
    sources.texts.append(SourceText(name, text, is_json=name.lower().endswith(".json")))


def decode(raw: bytes) -> str | None:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; None for binary content."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in raw:
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _file_finding(
    name: str, rule: str, message: str, severity: Severity = Severity.ERROR
) -> Finding:
    return Finding(rule=rule, severity=severity, message=message, file=name, line=1, column=1)


# kubeplan's own config (kubeplan/rules/config.py CONFIG_NAMES), found while walking a folder.
KUBEPLAN_FILES = (".kubeplan.yaml", ".kubeplan.yml")


def _walk_folder(root: str, sources: Sources) -> None:
    """Every manifest file below `root`, in a stable order."""
    for folder, subfolders, files in os.walk(root):
        subfolders.sort()
        for sub in list(subfolders):
            full = os.path.join(folder, sub)
            if sub.startswith("."):
                subfolders.remove(sub)
                sources.notes.append(f"{os.path.normpath(full)}: hidden folder not read")
            elif os.path.isfile(os.path.join(full, "Chart.yaml")):
                subfolders.remove(sub)
                sources.findings.append(
                    _file_finding(
                        os.path.normpath(os.path.join(full, "Chart.yaml")),
                        "helm-chart-not-rendered",
                        "a Helm chart is not read as plain YAML; name the chart folder as a PATH "
                        "to render it, or pipe it in: helm template CHART | kubeplan validate -",
                        Severity.INFO,
                    )
                )
        for name in sorted(files):
            full = os.path.join(folder, name)
            if name in KUSTOMIZATION_FILES:
                sources.notes.append(f"{os.path.normpath(full)}: Kustomize file, not a manifest")
            elif name in KUBEPLAN_FILES:
                sources.notes.append(f"{os.path.normpath(full)}: kubeplan's config, not a manifest")
            elif name.lower().endswith(MANIFEST_SUFFIXES):
                _read_file(full, sources)
            else:
                sources.notes.append(f"{os.path.normpath(full)}: not .yaml, .yml or .json; ignored")


def _render(folder: str, sources: Sources) -> bool:
    """Render a Kustomize or Helm folder named as a PATH; False when it is a plain folder."""
    kustomization = next(
        (
            os.path.join(folder, n)
            for n in KUSTOMIZATION_FILES
            if os.path.isfile(os.path.join(folder, n))
        ),
        None,
    )
    chart = os.path.join(folder, "Chart.yaml")
    if kustomization:
        # The standalone kustomize is preferred: kubectl embeds an older release of it.
        commands = []
        if shutil.which("kustomize"):
            commands.append(["kustomize", "build", folder])
        if shutil.which("kubectl"):
            commands.append(["kubectl", "kustomize", folder])
        return _run_renderer(
            folder, kustomization, commands, "kustomize", f"kubectl kustomize {folder}", sources
        )
    if os.path.isfile(chart):
        commands = [["helm", "template", folder]] if shutil.which("helm") else []
        return _run_renderer(folder, chart, commands, "helm", f"helm template {folder}", sources)
    return False


def _run_renderer(
    folder: str,
    marker: str,
    commands: list[list[str]],
    tool: str,
    example: str,
    sources: Sources,
) -> bool:
    marker = os.path.normpath(marker)
    if not commands:
        sources.findings.append(
            _file_finding(
                marker,
                "render-unavailable",
                f"{tool} is not installed, so this folder is read as plain YAML files instead of"
                f" being rendered; render it and pipe it in: {example} | kubeplan validate -",
                Severity.WARNING,
            )
        )
        return False
    command = commands[0]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=RENDER_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        sources.findings.append(
            _file_finding(marker, "render-failed", f"{' '.join(command)} failed: {error}")
        )
        return True
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        reason = reason if len(reason) <= 300 else reason[:297] + "..."
        sources.findings.append(
            _file_finding(
                marker, "render-failed", f"{' '.join(command)} exited {done.returncode}: {reason}"
            )
        )
        return True
    sources.texts.append(SourceText(f"{os.path.normpath(folder)} ({tool})", done.stdout))
    return True


def _read_git(spec: str, sources: Sources, cwd: str | None = None) -> None:
    """`git:REV` or `git:REV:subdir`: manifests of a revision, read without a checkout."""
    rev, _, subdir = spec[len("git:") :].partition(":")
    if not rev:
        raise InputError(f"{spec}: expected git:REV or git:REV:subdir")
    for path, raw in read_git_tree(rev, subdir, cwd, sources.notes):
        _add_bytes(f"git:{rev}:{path}", raw, sources)


def read_git_tree(
    rev: str,
    subdir: str = "",
    cwd: str | None = None,
    notes: list[str] | None = None,
    depth: int = 0,
) -> Iterator[tuple[str, bytes]]:
    """(path, content) of every manifest file of `rev` under `subdir` (repository-relative).

    Blobs are read by object id, so a path holding a newline cannot shift the batch's answers.
    A submodule (a `commit` entry) is read at the commit `rev` records for it, from its checkout,
    as a walk of the working tree reads its files; one that is not checked out is named in
    `notes`."""
    subdir = _repository_subdir(rev, subdir)
    if not shutil.which("git"):
        raise InputError("git is not installed, so git:REV cannot be read")
    verify = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    if verify.returncode != 0:
        inside = subprocess.run(
            ["git", "rev-parse", "--git-dir"], capture_output=True, cwd=cwd, check=False
        )
        if inside.returncode != 0:
            raise InputError(f"git:{rev}: not inside a git repository")
        raise InputError(f"git:{rev}: no such revision in this repository")
    listing = _git(["ls-tree", "-r", "-z", "--full-tree", rev, "--", subdir or "."], cwd, rev)
    entries = []
    submodules = []
    for entry in listing.split(b"\0"):
        meta, _, raw_path = entry.partition(b"\t")
        fields = meta.split()
        if len(fields) != 3:
            continue
        path = raw_path.decode("utf-8", "surrogateescape")
        if not path.lower().endswith(MANIFEST_SUFFIXES) and fields[1] != b"commit":
            continue
        if fields[1] == b"commit":
            submodules.append((path, fields[2].decode("ascii", "replace")))
            continue
        if fields[1] == b"blob":
            entries.append((path, fields[2]))
    read_sub = [*_read_submodules(rev, submodules, cwd, notes, depth)]
    if subdir and not entries and not read_sub:
        raise InputError(f"git:{rev}:{subdir}: no manifest files at that path in {rev}")
    yield from read_sub
    if not entries:
        return
    request = b"".join(oid + b"\n" for _, oid in entries)
    data = _git(["cat-file", "--batch"], cwd, rev, request)
    position = 0
    for path, _ in entries:
        header_end = data.index(b"\n", position)
        header = data[position:header_end].split()
        if len(header) != 3:
            raise InputError(f"git:{rev}:{path}: git could not read the file ({header!r})")
        size = int(header[2])
        start = header_end + 1
        yield path, data[start : start + size]
        position = start + size + 1


_MAX_SUBMODULE_DEPTH = 8


def _read_submodules(
    rev: str,
    submodules: list[tuple[str, str]],
    cwd: str | None,
    notes: list[str] | None,
    depth: int,
) -> Iterator[tuple[str, bytes]]:
    """The manifests of each submodule at its recorded commit, paths prefixed with its own."""
    if not submodules:
        return
    top = _git(["rev-parse", "--show-toplevel"], cwd, rev).decode("utf-8", "surrogateescape")
    for path, commit in submodules:
        checkout = os.path.join(top.strip(), path)
        if depth >= _MAX_SUBMODULE_DEPTH or not os.path.exists(os.path.join(checkout, ".git")):
            if notes is not None:
                notes.append(f"git:{rev}:{path}: a submodule that is not checked out; not read")
            continue
        try:
            found = list(read_git_tree(commit, "", checkout, notes, depth + 1))
        except InputError as error:
            if notes is not None:
                notes.append(f"git:{rev}:{path}: a submodule not read: {error}")
            continue
        for inner, raw in found:
            yield f"{path}/{inner}", raw


def _repository_subdir(rev: str, subdir: str) -> str:
    """`git:REV:subdir`'s subdir, refused when it leaves the repository (`../x`, `/etc`)."""
    if not subdir:
        return ""
    if "\0" in subdir:
        raise InputError(f"git:{rev}:{subdir!r}: not a path")
    normal = posixpath.normpath(subdir.replace("\\", "/"))
    if posixpath.isabs(normal) or normal == ".." or normal.startswith("../"):
        raise InputError(f"git:{rev}:{subdir}: a path outside the repository; refused")
    return "" if normal == "." else normal


def _git(args: list[str], cwd: str | None, rev: str, stdin: bytes | None = None) -> bytes:
    """The stdout of a git command reading `rev`; its failure is an InputError."""
    done = subprocess.run(["git", *args], input=stdin, capture_output=True, cwd=cwd, check=False)
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(
            f"git:{rev}: git {args[0]} failed: {reason[-1] if reason else done.returncode}"
        )
    return done.stdout
