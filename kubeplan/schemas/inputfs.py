"""Reading input from the file system without hanging, exhausting memory or leaving the input.

A pull request controls the files kubeplan reads, and git stores symbolic links and (in a
checkout) file modes, so every read here is bounded:

- only regular files are opened: opening a FIFO blocks until a writer comes, and opening a
  device can act on it (`/dev/zero` never ends, a tape rewinds, a watchdog starts);
- a file is read to at most MAX_FILE_BYTES, standard input to at most MAX_STDIN_BYTES;
- a symbolic link is followed only when its target stays inside the input path given.

The limit: the largest manifest of the corpus (kube-prometheus' grafana dashboards) is 1.5 MB,
and a 64 MiB stream of CRDs takes about 19 s and 0.9 GB to validate (docs/security.md), so
64 MiB is 40 times the largest real file and still bounded in time and memory.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

from kubeplan.model import Finding, Severity

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_STDIN_BYTES = MAX_FILE_BYTES
_READ_CHUNK = 1024 * 1024


class Refused(Exception):
    """A file that is not read, and the finding that says why."""

    def __init__(self, rule: str, message: str, severity: Severity = Severity.ERROR) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.severity = severity

    def finding(self, name: str) -> Finding:
        return Finding(self.rule, self.severity, self.message, name, 1, 1)


def mebibytes(size: int) -> str:
    return f"{size // (1024 * 1024)} MiB"


def too_large(limit: int | None = None, what: str = "the file") -> Refused:
    limit = MAX_FILE_BYTES if limit is None else limit
    return Refused(
        "file-too-large", f"{what} is larger than kubeplan's limit of {mebibytes(limit)}; not read"
    )


def kind_of(mode: int) -> str:
    """What a non-regular file is, as a person names it."""
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def not_regular(mode: int) -> Refused:
    return Refused("not-a-regular-file", f"{kind_of(mode)}, not a regular file; not read")


def read_regular(path: str, limit: int = MAX_FILE_BYTES) -> tuple[bytes, tuple[int, int]]:
    """The bytes of the regular file at `path` and its (device, inode); raises Refused.

    The file is checked before it is opened (so a FIFO or a device is never opened) and again
    on the open descriptor (so a file swapped in between is caught), and read to at most
    `limit` bytes whatever its size claims (a file may grow while it is read).
    """
    try:
        before = os.stat(path)
    except OSError as error:
        raise Refused("unreadable-file", f"cannot read: {error.strerror or error}") from None
    if not stat.S_ISREG(before.st_mode):
        raise not_regular(before.st_mode)
    if before.st_size > limit:
        raise too_large(limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise Refused("unreadable-file", f"cannot read: {error.strerror or error}") from None
    try:
        opened = os.fstat(descriptor)
        if not stat.S_ISREG(opened.st_mode):
            raise not_regular(opened.st_mode)
        data = _read_bounded(descriptor, limit)
    except OSError as error:
        raise Refused("unreadable-file", f"cannot read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
    return data, (opened.st_dev, opened.st_ino)


def _read_bounded(descriptor: int, limit: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    while total <= limit:
        part = os.read(descriptor, min(_READ_CHUNK, limit + 1 - total))
        if not part:
            break
        parts.append(part)
        total += len(part)
    if total > limit:
        raise too_large(limit)
    return b"".join(parts)


def read_stream(stream: BinaryIO, limit: int = MAX_STDIN_BYTES) -> bytes:
    """At most `limit` bytes of a stream (standard input); raises Refused when it has more."""
    parts: list[bytes] = []
    total = 0
    while total <= limit:
        part = stream.read(min(_READ_CHUNK, limit + 1 - total))
        if not part:
            break
        parts.append(part)
        total += len(part)
    if total > limit:
        raise too_large(limit, "standard input")
    return b"".join(parts)


def inside(path: str, folder: str) -> bool:
    """Whether the real path `path` is `folder` or below it (both already resolved)."""
    folder = folder.rstrip(os.sep) or os.sep
    return path == folder or path.startswith(folder if folder == os.sep else folder + os.sep)


def link_target(link: str, boundary: str, shown: str) -> str:
    """The real path a symbolic link leads to, when it stays inside `boundary` (a real path);
    raises Refused (a warning) when it leaves it. `shown` names the boundary in the message."""
    target = os.path.realpath(link)
    if inside(target, boundary):
        return target
    try:
        written = os.readlink(link)
    except OSError:
        written = target
    raise Refused(
        "symlink-not-followed",
        f"a symbolic link to {written!r}, outside {shown}; not followed",
        Severity.WARNING,
    )


def dangling(link: str) -> Refused | None:
    """Why a symbolic link leads nowhere (a missing target, a loop), or None when it leads on."""
    try:
        os.stat(link)
    except OSError as error:
        if error.errno == errno.ENOENT:
            return Refused(
                "unreadable-file", f"a symbolic link to {os.readlink(link)!r}, which does not exist"
            )
        return Refused("unreadable-file", f"cannot read: {error.strerror or error}")
    return None


def same_file(path: str, inputs: list[str]) -> bool:
    """Whether writing `path` would overwrite one of the files read from `inputs`."""
    try:
        real = os.path.realpath(path)
        if not os.path.isfile(real):
            return False
    except OSError:
        return False
    for given in inputs:
        if given == "-" or given.startswith("git:") or not os.path.exists(given):
            continue
        root = os.path.realpath(given)
        if real == root:
            return True
        manifest = real.lower().endswith((".yaml", ".yml", ".json"))
        if manifest and os.path.isdir(root) and inside(real, root):
            return True
    return False


def overwritten_input(outputs: list[str | None], inputs: list[str]) -> str | None:
    """The refusal message when an --output file is one of the inputs, else None."""
    for output in outputs:
        if output and same_file(output, inputs):
            return (
                f"cannot write the report to {output}: that file is one of the inputs and would"
                " be overwritten; choose another file"
            )
    return None
