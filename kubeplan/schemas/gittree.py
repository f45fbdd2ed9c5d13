"""The manifest files of a git revision, read from the object store (no checkout).

Git stores a symbolic link as a blob (mode 120000) holding the target path. Such a link is read
as what it points to, with the rules a walked folder applies in the working tree
(kubeplan/schemas/sources.py), so that `kubeplan diff --base REV` compares like with like:
followed when the target stays inside the input path given (`git:REV:subdir`, or the folder of
`git:REV:path/file.yaml`), refused with a `symlink-not-followed` warning otherwise; a link to a
folder is not walked (the folder is read at its own path); each blob is read once.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from kubeplan.model import Severity
from kubeplan.schemas import inputfs, programs
from kubeplan.schemas.sources import MANIFEST_SUFFIXES, InputError

LINK_MODE = "120000"
MAX_LINK_HOPS = 40  # Linux's MAXSYMLINKS: more is a loop
MAX_SUBMODULE_DEPTH = 8  # submodules of submodules: deeper is refused, not recursed


@dataclass(frozen=True, slots=True)
class Entry:
    mode: str
    kind: str  # blob, tree or commit (a submodule)
    sha: str
    size: int | None
    path: str


@dataclass(frozen=True, slots=True)
class Read:
    """One manifest path of the revision: its content (or why it is not read), and the path of
    the blob actually read, which is what `path` is when it is no link."""

    path: str
    real: str | None
    content: bytes | inputfs.Refused | None  # None: a link to a folder, read at its own path


def read_tree(
    rev: str,
    subdir: str = "",
    cwd: str | None = None,
    notes: list[str] | None = None,
    depth: int = 0,
) -> Iterator[Read]:
    """Every manifest file of `rev` under `subdir` (repository-relative); raises InputError.

    A submodule (a `commit` entry) is read at the commit `rev` records for it, from its
    checkout, as a walk of the working tree reads its files; one that is not checked out is
    named in `notes`."""
    git = programs.resolve("git")
    if git.path is None:
        raise InputError(f"{git.why_missing()}, so git:REV cannot be read")
    subdir = repository_subdir(rev, subdir)
    _verify(rev, cwd)
    entries = _listing(rev, subdir, cwd)
    given = entries.get(subdir) if subdir else None
    if given is not None and given.kind != "tree":  # git:REV:path/file.yaml
        boundary = posixpath.dirname(subdir)
        if given.mode == LINK_MODE:
            entries = _listing(rev, boundary, cwd)
        wanted = [given]
    else:
        boundary = subdir
        wanted = [e for e in entries.values() if _wanted(e)]
    if subdir and not wanted:
        raise InputError(f"git:{rev}:{subdir}: no manifest files at that path in {rev}")
    links = {
        path: raw.decode("utf-8", "surrogateescape")
        for path, raw in _blobs(
            [(e.path, e.sha) for e in entries.values() if e.mode == LINK_MODE], cwd
        ).items()
    }
    shown = f"git:{rev}:{boundary}" if boundary else f"git:{rev}"
    plan = [(entry.path, _target(entry, entries, links, boundary, shown)) for entry in wanted]
    contents = _blobs([(t.path, t.sha) for _, t in plan if isinstance(t, Entry)], cwd)
    for path, target in plan:
        if isinstance(target, Entry):
            yield Read(path, target.path, contents[target.path])
        elif target is None:
            yield Read(path, None, None)
        else:
            yield Read(path, None, target)
    if given is None or given.kind == "tree":
        submodules = [e for e in entries.values() if e.kind == "commit"]
        yield from _submodules(rev, submodules, cwd, notes, depth)


def repository_subdir(rev: str, subdir: str) -> str:
    """`git:REV:subdir`'s subdir, normalised; refused when it leaves the repository (`../x`,
    `/etc`): git:REV reads the repository's own object store and nothing beside it."""
    if not subdir:
        return ""
    if "\0" in subdir:
        raise InputError(f"git:{rev}:{subdir!r}: not a path")
    normal = posixpath.normpath(subdir.replace("\\", "/"))
    if posixpath.isabs(normal) or normal == ".." or normal.startswith("../"):
        raise InputError(f"git:{rev}:{subdir}: a path outside the repository; refused")
    return "" if normal == "." else normal


def _submodules(
    rev: str, submodules: list[Entry], cwd: str | None, notes: list[str] | None, depth: int
) -> Iterator[Read]:
    """The manifests of each submodule at its recorded commit, paths prefixed with its own."""
    if not submodules:
        return
    top = _git_text(["rev-parse", "--show-toplevel"], cwd, rev)
    for module in submodules:
        checkout = posixpath.join(top, module.path)
        if depth >= MAX_SUBMODULE_DEPTH or not os.path.exists(os.path.join(checkout, ".git")):
            if notes is not None:
                notes.append(f"git:{rev}:{module.path}: a submodule that is not checked out")
            continue
        try:
            found = list(read_tree(module.sha, "", checkout, notes, depth + 1))
        except InputError as error:
            if notes is not None:
                notes.append(f"git:{rev}:{module.path}: a submodule not read: {error}")
            continue
        for read in found:
            real = f"{module.path}/{read.real}" if read.real is not None else None
            yield Read(f"{module.path}/{read.path}", real, read.content)


def _git_text(args: list[str], cwd: str | None, rev: str) -> str:
    done = programs.run(["git", *args], capture_output=True, cwd=cwd, check=False)
    if done.returncode != 0:
        raise InputError(f"git:{rev}: git {args[0]} failed: {_reason(done.stderr)}")
    return done.stdout.decode("utf-8", "surrogateescape").strip()


def _reason(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else "no reason given"


def _wanted(entry: Entry) -> bool:
    """A manifest file, or a link with a manifest's name."""
    return entry.kind == "blob" and entry.path.lower().endswith(MANIFEST_SUFFIXES)


def _target(
    entry: Entry, entries: dict[str, Entry], links: dict[str, str], boundary: str, shown: str
) -> Entry | inputfs.Refused | None:
    """The blob to read for `entry`: itself, or what its link leads to; None for a folder."""
    final = entry
    if entry.mode == LINK_MODE:
        written = links.get(entry.path, "")
        try:
            resolved = _resolve(entry.path, links)
        except inputfs.Refused as refused:
            return refused
        if resolved is None or not inputfs.inside("/" + resolved, "/" + boundary):
            return inputfs.Refused(
                "symlink-not-followed",
                f"a symbolic link to {written!r}, outside {shown}; not followed",
                Severity.WARNING,
            )
        if resolved == "":
            return None
        found = entries.get(resolved)
        if found is None:
            return inputfs.Refused(
                "unreadable-file", f"a symbolic link to {written!r}, which does not exist"
            )
        if found.kind != "blob":
            return None
        final = found
    if final.size is not None and final.size > inputfs.MAX_FILE_BYTES:
        return inputfs.too_large()
    return final


def _resolve(path: str, links: dict[str, str]) -> str | None:
    """The repository path `path` leads to, resolving links component by component as the
    kernel does; None when it leaves the repository (an absolute target, `..` above the top);
    raises Refused on a loop."""
    done: list[str] = []
    todo = path.split("/")
    hops = 0
    while todo:
        part = todo.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if not done:
                return None
            done.pop()
            continue
        done.append(part)
        target = links.get("/".join(done))
        if target is None:
            continue
        hops += 1
        if hops > MAX_LINK_HOPS:  # what the kernel says of the same loop in a checkout
            raise inputfs.Refused(
                "unreadable-file", "cannot read: Too many levels of symbolic links"
            )
        if target.startswith("/"):
            return None
        done.pop()
        todo = target.split("/") + todo
    return "/".join(done)


def _verify(rev: str, cwd: str | None) -> None:
    verify = programs.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    if verify.returncode == 0:
        return
    inside = programs.run(
        ["git", "rev-parse", "--git-dir"], capture_output=True, cwd=cwd, check=False
    )
    if inside.returncode != 0:
        raise InputError(f"git:{rev}: not inside a git repository")
    raise InputError(f"git:{rev}: no such revision in this repository")


def _listing(rev: str, under: str, cwd: str | None) -> dict[str, Entry]:
    """Every entry (files, links, folders) of `rev` under `under`, by repository path."""
    listing = programs.run(
        ["git", "ls-tree", "-r", "-t", "-l", "-z", "--full-tree", rev, "--", under or "."],
        capture_output=True,
        cwd=cwd,
        check=False,
    )
    if listing.returncode != 0:
        raise InputError(f"git:{rev}: git ls-tree failed: {_reason(listing.stderr)}")
    entries: dict[str, Entry] = {}
    for record in listing.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, sha, size = meta.decode("ascii").split()
        path = raw_path.decode("utf-8", "surrogateescape")
        entries[path] = Entry(mode, kind, sha, None if size == "-" else int(size), path)
    return entries


def _blobs(wanted: list[tuple[str, str]], cwd: str | None) -> dict[str, bytes]:
    """The content of each (path, blob sha), by path, in one `git cat-file --batch`."""
    if not wanted:
        return {}
    request = "".join(f"{sha}\n" for _, sha in wanted).encode("ascii")
    batch = programs.run(
        ["git", "cat-file", "--batch"], input=request, capture_output=True, cwd=cwd, check=False
    )
    if batch.returncode != 0:
        raise InputError(f"git cat-file failed: {_reason(batch.stderr)}")
    data = batch.stdout
    position = 0
    contents: dict[str, bytes] = {}
    for path, _ in wanted:
        header_end = data.index(b"\n", position)
        size = int(data[position:header_end].split()[2])
        start = header_end + 1
        contents[path] = data[start : start + size]
        position = start + size + 1
    return contents
