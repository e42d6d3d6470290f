"""Every file secretslab reads by name or writes, through one door each.

Writing (``write_atomic``, ``atomic_writer``): the data goes to a temporary file in the
destination's directory, is flushed to disk (fsync) and renamed over the destination
(``os.replace``), so a destination is either its old self or the whole new file — never half
written; the temporary file is removed when anything fails. Refused before anything is written:
a destination that is one of the command's own inputs (the same file, by device and inode, so
hard links and other spellings count), a symbolic link (secretslab never makes one, so following
or replacing it would write somewhere the user did not name), a directory, and a path with a NUL
character. A character device or FIFO (``/dev/null``, a named pipe) has no contents to lose: it is
written to directly.

Reading (``read_input``): only a regular file is read. The file is opened without blocking and
checked before a byte is read, so a FIFO with no writer, a directory or a device is refused at
once instead of hanging or failing half-way.

Creating (``write_new``): a file is written only where nothing is, atomically, and never replaces
one, even one made meanwhile (``secretslab notebooks`` keeps the copies a user has worked on).

Failures are ``FileProblem`` (an ``OSError``, with the file named), which the CLI prints in one
line.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from typing import BinaryIO

__all__ = [
    "FileProblem",
    "Input",
    "atomic_writer",
    "check_destination",
    "open_input",
    "read_input",
    "same_file",
    "write_atomic",
    "write_new",
]

#: an input of a command: a path, or an open file descriptor (standard input)
Input = str | os.PathLike[str] | int


class FileProblem(OSError):
    """A file secretslab refuses to read or write, or cannot: ``filename`` names it and the
    message says why and what to do."""

    def __init__(self, message: str, filename: str, code: int = errno.EINVAL) -> None:
        super().__init__(code, message, filename)

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"


def _name(path: str | os.PathLike[str]) -> str:
    name = os.fspath(path)
    if "\0" in name:
        raise FileProblem("a file name cannot contain a NUL character", name.replace("\0", "\\0"))
    return name


def _stat(item: Input) -> os.stat_result | None:
    try:
        return os.fstat(item) if isinstance(item, int) else os.stat(_name(item))
    except (OSError, ValueError):
        return None


def same_file(path: str | os.PathLike[str], other: Input) -> bool:
    """Whether ``path`` and ``other`` (a path or a file descriptor) are one file: the same device
    and inode, so hard links, symbolic links and other spellings of one file all count."""
    mine, theirs = _stat(path), _stat(other)
    if mine is None or theirs is None:
        return os.path.abspath(os.fspath(path)) == (
            None if isinstance(other, int) else os.path.abspath(os.fspath(other))
        )
    return (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino)


def check_destination(path: str | os.PathLike[str], inputs: Iterable[Input] = ()) -> os.stat_result | None:
    """The destination's status (None when it does not exist yet), after refusing with
    ``FileProblem`` what may not be written: a NUL in the name, one of the command's ``inputs``, a
    symbolic link, a directory, a file in a directory that does not exist. A command calls it
    before long work, so a destination it cannot write is refused before the work is done."""
    name = _name(path)
    for item in inputs:
        if not isinstance(item, int):
            _name(item)
        if same_file(name, item):
            raise FileProblem(
                "refusing to write the output onto the command's own input; name another file", name
            )
    if os.path.islink(name):
        raise FileProblem(
            "refusing to write through a symbolic link (secretslab did not create it); "
            "name the file it points to instead",
            name,
        )
    try:
        status = os.stat(name)
    except FileNotFoundError:
        if not os.path.isdir(os.path.dirname(os.path.abspath(name))):
            raise FileProblem("its directory does not exist", name, errno.ENOENT) from None
        return None
    except OSError as exc:
        raise FileProblem(f"cannot write here: {exc.strerror}", name, exc.errno or errno.EINVAL) from None
    if stat.S_ISDIR(status.st_mode):
        raise FileProblem("is a directory; name a file to write", name, errno.EISDIR)
    return status


def _mode(existing: os.stat_result | None) -> int:
    """The new file's permissions: those of the file it replaces, else what ``open`` would give."""
    if existing is not None:
        return stat.S_IMODE(existing.st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str], *, inputs: Iterable[Input] = ()) -> Iterator[BinaryIO]:
    """A binary file to write; on leaving the block without an error it replaces ``path``
    atomically (fsync, then rename). On an error the temporary file is removed and ``path`` is
    untouched. Raises ``FileProblem`` before anything is written when ``path`` may not be written
    (see the module docstring); a FIFO or character device is written to directly."""
    name = _name(path)
    existing = check_destination(name, inputs)
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        if not (stat.S_ISFIFO(existing.st_mode) or stat.S_ISCHR(existing.st_mode)):
            raise FileProblem("is not a regular file, a FIFO or a device; name a file to write", name)
        with open(name, "wb") as stream:  # no contents to lose: a stream is written in place
            yield stream
        return
    folder = os.path.dirname(os.path.abspath(name))
    handle, temporary = _temporary(name, folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fchmod(stream.fileno(), _mode(existing))
            os.fsync(stream.fileno())
        if os.path.islink(name):  # made a link while we wrote: still refused
            raise FileProblem("refusing to write through a symbolic link made while writing", name)
        os.replace(temporary, name)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(folder)


def _temporary(name: str, folder: str) -> tuple[int, str]:
    """A new temporary file beside ``name`` in ``folder`` (its handle and path), to be renamed or
    linked into place; a ``FileProblem`` when the folder cannot be written."""
    try:
        return tempfile.mkstemp(prefix=f".{os.path.basename(name)}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise FileProblem(
            f"cannot write in its directory: {exc.strerror}", name, exc.errno or errno.EIO
        ) from None


def _sync_directory(folder: str) -> None:
    """Make the rename itself durable (where the platform allows opening a directory)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str | os.PathLike[str], data: bytes | str, *, inputs: Iterable[Input] = ()) -> None:
    """Write ``data`` (text is written as UTF-8) to ``path`` atomically; see ``atomic_writer``."""
    with atomic_writer(path, inputs=inputs) as stream:
        stream.write(data.encode("utf-8") if isinstance(data, str) else data)


def write_new(path: str | os.PathLike[str], data: bytes) -> bool:
    """Create ``path`` with ``data`` unless something by that name exists: True when written,
    False when it was kept. Never replaces a file, even one made meanwhile: the data is written
    to a temporary file (fsync) that is then hard-linked to ``path``, which fails if it exists;
    where the filesystem has no hard links, ``path`` is created exclusively and written."""
    name = _name(path)
    if os.path.lexists(name):
        return False
    folder = os.path.dirname(os.path.abspath(name))
    handle, temporary = _temporary(name, folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fchmod(stream.fileno(), _mode(None))
            os.fsync(stream.fileno())
        try:
            os.link(temporary, name)
        except FileExistsError:
            return False
        except OSError as exc:  # no hard links here (some network and FAT filesystems)
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            return _write_exclusive(name, data)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    _sync_directory(folder)
    return True


def _write_exclusive(name: str, data: bytes) -> bool:
    try:
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    except FileExistsError:
        return False
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return True


def _open_regular(path: str | os.PathLike[str]) -> int:
    """A descriptor of the regular file ``path``, opened without blocking (a FIFO with no writer
    would otherwise hang the open) and checked before a byte is read."""
    name = _name(path)
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FileProblem(exc.strerror or str(exc), name, exc.errno or errno.EIO) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise FileProblem("is a directory; give a file", name, errno.EISDIR)
        if stat.S_ISFIFO(mode):
            raise FileProblem("is a FIFO; give a regular file (or a stream on standard input)", name)
        raise FileProblem("is not a regular file; give a regular file", name)
    os.set_blocking(fd, True)
    return fd


def open_input(path: str | os.PathLike[str]) -> BinaryIO:
    """The regular file ``path`` opened for reading in binary (a batch is read as a stream).
    Raises ``FileProblem`` (naming the file) when it cannot be opened, or is a directory, FIFO,
    device or socket."""
    return os.fdopen(_open_regular(path), "rb")


def read_input(path: str | os.PathLike[str]) -> bytes:
    """The bytes of the regular file ``path``; ``FileProblem`` as for ``open_input``."""
    with open_input(path) as stream:
        try:
            return stream.read()
        except OSError as exc:
            raise FileProblem(exc.strerror or str(exc), os.fspath(path), exc.errno or errno.EIO) from None
