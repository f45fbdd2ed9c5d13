"""Turn the PATH arguments of a command into texts to parse.

A PATH is a file, a folder (walked for .yaml, .yml and .json), `-` for standard input, or a git
revision `git:REV` / `git:REV:subdir` read from the object store with git itself. A folder given
as a PATH that holds a `kustomization.yaml` or a `Chart.yaml` is rendered with kustomize or
helm when they are installed (found by programs.py, outside the checked content), unless
rendering is off or the kustomization would reach the network (renderguard.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field

from kubeplan.errors import KubeplanError
from kubeplan.model import Finding, Severity
from kubeplan.schemas import inputfs, programs, renderguard
from kubeplan.schemas.kustomizeinputs import (
    KUSTOMIZATION_FILES,
    MANIFEST_SUFFIXES,
    kustomize_inputs,
)

RENDER_TIMEOUT_SECONDS = 120


class InputError(KubeplanError):
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
    # What was read already, so that overlapping PATHs (`dir dir/a.yaml`, `dir ./dir`) and
    # links read each real file once: (device, inode) of files, real paths of folders.
    seen: set[object] = field(default_factory=set)


def collect(paths: list[str], stdin_text: str | None = None, git_cwd: str | None = None) -> Sources:
    """Read every PATH; raises InputError for a PATH that does not exist or a bad revision.

    `git:` PATHs are read from the repository at `git_cwd` (default: the working directory's)."""
    sources = Sources()
    programs.note_inputs(paths)
    for path in paths:
        if path == "-":
            _read_stdin(stdin_text, sources)
        elif path.startswith("git:"):
            _read_git(path, sources, git_cwd)
        elif os.path.isdir(path):
            _read_folder(path, sources)
        elif os.path.isfile(path):
            _read_given_file(path, sources)
        elif os.path.lexists(path) and not os.path.exists(path):
            raise InputError(f"{path}: {inputfs.dangling(path)}")
        elif os.path.exists(path):
            raise InputError(f"{path}: not a regular file or folder")
        else:
            raise InputError(f"{path}: no such file or folder")
    sources.notes.extend(programs.take_notes())
    return sources


def _read_stdin(stdin_text: str | None, sources: Sources) -> None:
    """Standard input, bounded; empty input is an error (the command piping into kubeplan
    failed, as `helm template ... | kubeplan check -` does when helm fails)."""
    if stdin_text is not None:
        raw = stdin_text.encode("utf-8")
        if len(raw) > inputfs.MAX_STDIN_BYTES:
            sources.findings.append(
                inputfs.too_large(inputfs.MAX_STDIN_BYTES, "standard input").finding("<stdin>")
            )
            return
    else:
        stream = getattr(sys.stdin, "buffer", None)  # None: standard input is closed (<&-)
        if stream is None:
            raise InputError("-: standard input is closed")
        try:
            raw = inputfs.read_stream(stream)
        except inputfs.Refused as refused:
            sources.findings.append(refused.finding("<stdin>"))
            return
        except OSError as error:
            raise InputError(f"-: cannot read standard input: {error.strerror or error}") from None
    if not raw.strip():
        raise InputError("standard input is empty (did the command piping into kubeplan fail?)")
    _add_bytes("<stdin>", raw, sources)


def _read_folder(path: str, sources: Sources) -> None:
    real = os.path.realpath(path)
    if real in sources.seen:
        sources.notes.append(f"{os.path.normpath(path)}: folder already read")
        return
    sources.seen.add(real)
    if not _render(path, sources):
        _walk_folder(path, sources)


def _read_given_file(path: str, sources: Sources) -> None:
    """A file named as a PATH; when it is a symbolic link, it is followed only to a file in
    the folder holding the link or below (as in a walked folder)."""
    target = path
    if os.path.islink(path):
        folder = os.path.dirname(os.path.abspath(path))
        shown = os.path.dirname(os.path.normpath(path)) or "."
        try:
            target = inputfs.link_target(path, os.path.realpath(folder), shown)
        except inputfs.Refused as refused:
            sources.findings.append(refused.finding(os.path.normpath(path)))
            return
    _read_file(target, sources, os.path.normpath(path))


def _read_file(path: str, sources: Sources, name: str | None = None) -> None:
    name = name or os.path.normpath(path)
    try:
        raw, identity = inputfs.read_regular(path)
    except inputfs.Refused as refused:
        sources.findings.append(refused.finding(name))
        return
    if identity in sources.seen:
        sources.notes.append(f"{name}: already read (the same file under another path)")
        return
    sources.seen.add(identity)
    _add_bytes(name, raw, sources)


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
    name: str,
    rule: str,
    message: str,
    severity: Severity = Severity.ERROR,
    line: int = 1,
    hint: str | None = None,
    column: int = 1,
) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        message=message,
        file=name,
        line=line,
        column=column,
        hint=hint,
    )


# kubeplan's own config (kubeplan/config/load.py CONFIG_NAMES), found while walking a folder.
KUBEPLAN_FILES = (".kubeplan.yaml", ".kubeplan.yml")


def _walk_folder(root: str, sources: Sources) -> None:
    """Every manifest file below `root`, in a stable order: a folder's files, then its
    subfolders, each sorted. Symbolic links are followed only to files inside `root`."""
    boundary = os.path.realpath(root)
    pending = [root]
    found: list[str] = []
    while pending:
        folder = pending.pop()
        files, subfolders = _list_folder(folder, root, boundary, sources)
        found.extend(files)
        pending.extend(reversed(subfolders))
    kustomizations = [f for f in found if os.path.basename(f) in KUSTOMIZATION_FILES]
    not_objects = kustomize_inputs(kustomizations) if kustomizations else {}
    for full in found:
        why = not_objects.get(os.path.realpath(full))
        if why is not None:
            sources.notes.append(f"{os.path.normpath(full)}: {why}, not an object; not read")
            continue
        _walk_file(full, root, boundary, sources)


def _list_folder(
    folder: str, root: str, boundary: str, sources: Sources
) -> tuple[list[str], list[str]]:
    """The entries of one folder to read: (files, subfolders to walk), both sorted."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        sources.findings.append(
            _file_finding(
                os.path.normpath(folder),
                "unreadable-folder",
                f"cannot read the folder: {error.strerror or error}; its files are not checked",
            )
        )
        return [], []
    files: list[str] = []
    subfolders: list[str] = []
    for entry in entries:
        full = os.path.join(folder, entry.name)
        if entry.is_dir(follow_symlinks=False):
            if _walk_into(full, entry.name, sources):
                subfolders.append(full)
        elif entry.is_symlink() and os.path.isdir(full):
            _folder_link(full, root, boundary, sources)
        else:
            files.append(full)
    return files, subfolders


def _walk_into(full: str, name: str, sources: Sources) -> bool:
    """Whether a subfolder is walked: hidden folders are not, and a Helm chart is rendered
    (a chart's templates are not manifests until helm renders them), never walked."""
    if name.startswith("."):
        sources.notes.append(f"{os.path.normpath(full)}: hidden folder not read")
        return False
    if os.path.isfile(os.path.join(full, "Chart.yaml")):
        if renderguard.render_enabled():
            _render(full, sources)
        else:
            sources.findings.append(
                _file_finding(
                    os.path.normpath(os.path.join(full, "Chart.yaml")),
                    "helm-chart-not-rendered",
                    "rendering is switched off, so this Helm chart is not read (its templates"
                    " are not manifests until rendered); pipe it in instead:"
                    " helm template CHART | kubeplan validate -",
                    Severity.INFO,
                )
            )
        return False
    return True


def _folder_link(full: str, root: str, boundary: str, sources: Sources) -> None:
    """A symbolic link to a folder is not walked: inside `root` its folder is walked at its
    own path (following it would read those files twice, or loop); outside, it is refused."""
    name = os.path.normpath(full)
    try:
        inputfs.link_target(full, boundary, os.path.normpath(root))
    except inputfs.Refused as refused:
        sources.findings.append(refused.finding(name))
        return
    sources.notes.append(
        f"{name}: symbolic link to a folder inside {os.path.normpath(root)}, read at its own path"
    )


def _walk_file(full: str, root: str, boundary: str, sources: Sources) -> None:
    name = os.path.basename(full)
    shown = os.path.normpath(full)
    if name in KUSTOMIZATION_FILES:
        sources.notes.append(f"{shown}: Kustomize file, not a manifest")
    elif name in KUBEPLAN_FILES:
        sources.notes.append(f"{shown}: kubeplan's config, not a manifest")
    elif not name.lower().endswith(MANIFEST_SUFFIXES):
        sources.notes.append(f"{shown}: not .yaml, .yml or .json; ignored")
    elif os.path.islink(full):
        broken = inputfs.dangling(full)
        if broken is not None:
            sources.findings.append(broken.finding(shown))
            return
        try:
            target = inputfs.link_target(full, boundary, os.path.normpath(root))
        except inputfs.Refused as refused:
            sources.findings.append(refused.finding(shown))
            return
        _read_file(target, sources, shown)
    else:
        _read_file(full, sources, shown)


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
    marker = kustomization or (chart if os.path.isfile(chart) else None)
    if marker and not renderguard.render_enabled():
        sources.findings.append(_render_disabled(marker))
        return False
    if kustomization:
        if not renderguard.remote_allowed():
            refused = renderguard.remote_references(kustomization)
            if refused:
                sources.findings.extend(_remote_refused(ref) for ref in refused)
                return False
        # The standalone kustomize is preferred: kubectl embeds an older release of it.
        found = [programs.resolve("kustomize"), programs.resolve("kubectl")]
        commands = [
            [r.name, "build" if r.name == "kustomize" else "kustomize", folder]
            for r in found
            if r.path
        ]
        missing = next((r for r in found if r.skipped), found[0])
        return _run_renderer(
            folder, kustomization, commands, missing, f"kubectl kustomize {folder}", sources
        )
    if os.path.isfile(chart):
        helm = programs.resolve("helm")
        commands = [["helm", "template", folder]] if helm.path else []
        return _run_renderer(folder, chart, commands, helm, f"helm template {folder}", sources)
    return False


REMOTE_HINT = (
    "--allow-remote (config: allow-remote: true) lets kustomize fetch it; --no-render"
    " (config: render: false) reads it as plain YAML on purpose"
)


def _remote_refused(ref: renderguard.RemoteRef) -> Finding:
    """Rendering that would reach the network is refused: an error, since what the folder
    renders to is then not checked at all (as render-failed)."""
    if ref.value:
        what = f"{ref.field}: {ref.value!r} would make kustomize reach the network"
    else:
        what = f"this kustomization {ref.reason}"
    return _file_finding(
        ref.file,
        "render-remote-refused",
        f"{what}, so the folder is not rendered (kubeplan works offline) and is read as plain"
        " YAML files instead",
        line=ref.line,
        hint=REMOTE_HINT,
        column=ref.column,
    )


def _render_disabled(marker: str) -> Finding:
    return _file_finding(
        os.path.normpath(marker),
        "render-disabled",
        "rendering is switched off (--no-render or render: false), so this folder is read as"
        " plain YAML files instead of being rendered",
        Severity.INFO,
    )


def _run_renderer(
    folder: str,
    marker: str,
    commands: list[list[str]],
    missing: programs.Resolution,
    example: str,
    sources: Sources,
) -> bool:
    marker = os.path.normpath(marker)
    tool = "helm" if missing.name == "helm" else "kustomize"
    if not commands:
        reason = missing.why_missing()
        if tool == "helm":  # a chart's templates are not manifests: none of its files is read
            what = "this chart is not rendered and none of its files is read"
        else:
            what = "this folder is read as plain YAML files instead of being rendered"
        sources.findings.append(
            _file_finding(
                marker,
                "render-unavailable",
                f"{reason}, so {what}; render it and pipe it in: {example} | kubeplan validate -",
                Severity.WARNING,
            )
        )
        return tool == "helm"
    command = commands[0]
    try:
        done = programs.run(
            command,
            network=renderguard.remote_allowed(),
            capture_output=True,
            text=True,
            timeout=RENDER_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired, programs.ProgramMissing) as error:
        sources.findings.append(
            _file_finding(marker, "render-failed", f"{' '.join(command)} failed: {error}")
        )
        return True
    if done.returncode != 0:
        reason = _last_words(done.stderr)
        sources.findings.append(
            _file_finding(
                marker, "render-failed", f"{' '.join(command)} exited {done.returncode}: {reason}"
            )
        )
        return True
    sources.texts.append(SourceText(f"{os.path.normpath(folder)} ({tool})", done.stdout))
    return True


def _last_words(stderr: str) -> str:
    """The end of a renderer's error on one line: kubectl wraps it over several, and ends with
    a line of punctuation."""
    lines = [line.strip() for line in stderr.splitlines() if len(line.strip()) > 3]
    text = " ".join(lines) or "no message"
    return text if len(text) <= 300 else "..." + text[-297:]


def _read_git(spec: str, sources: Sources, cwd: str | None = None) -> None:
    """`git:REV` or `git:REV:subdir`: manifests of a revision, read without a checkout."""
    from kubeplan.schemas import gittree

    rev, _, subdir = spec[len("git:") :].partition(":")
    if not rev:
        raise InputError(f"{spec}: expected git:REV or git:REV:subdir")
    for read in gittree.read_tree(rev, subdir, cwd, sources.notes):
        name = f"git:{rev}:{read.path}"
        if isinstance(read.content, inputfs.Refused):
            sources.findings.append(read.content.finding(name))
        elif read.content is None:
            sources.notes.append(f"{name}: symbolic link to a folder, read at its own path")
        elif ("git", rev, read.real) in sources.seen:
            sources.notes.append(f"{name}: already read (the same file under another path)")
        else:
            sources.seen.add(("git", rev, read.real))
            _add_bytes(name, read.content, sources)
