"""The one way Segue writes a user's file: atomically, and never over an edit made since we read it."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from core.regular_files import NotRegularFile, open_regular, refuse_special


@dataclass(frozen=True)
class FileSnapshot:
    """A file's text as Segue read (or wrote) it, with what identifies that version on disk."""

    path: Path
    text: str
    mtime_ns: int
    size: int
    sha256: str


class ConflictError(Exception):
    """The file changed on disk since the snapshot the caller read; nothing was written."""

    def __init__(self, path: Path, current: FileSnapshot | None) -> None:
        self.path = Path(path)
        self.current = current
        if current is None:
            message = f"{self.path.name} was deleted or replaced since Segue read it; nothing was written."
        else:
            message = f"{self.path.name} changed on disk since Segue read it; nothing was written."
        super().__init__(message)


def sha256_of(data: bytes) -> str:
    import hashlib  # here, not at the top: the first frame doesn't hash anything

    return hashlib.sha256(data).hexdigest()


def snapshot_from_bytes(path: Path, data: bytes, st: os.stat_result) -> FileSnapshot:
    """A snapshot of `data` read from `path`; undecodable bytes are replaced, the hash is of the bytes."""
    return FileSnapshot(
        path=Path(path),
        text=data.decode("utf-8", errors="replace"),
        mtime_ns=st.st_mtime_ns,
        size=len(data),
        sha256=sha256_of(data),
    )


def _current(path: Path) -> FileSnapshot | None:
    """What is on disk now, or None if nothing (or not a regular file) is there."""
    try:
        with open_regular(path) as handle:
            st = os.fstat(handle.fileno())
            data = handle.read()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, NotRegularFile):
        return None
    return snapshot_from_bytes(path, data, st)


def read_snapshot(path: Path) -> FileSnapshot | None:
    """Whatever bytes are at `path` now (text or not), for a later `expected=`; None if no file is there."""
    return _current(Path(path))


def link_destination(path: Path) -> Path | None:
    """Where a symlink at `path` (or a symlinked folder on its way) leads, resolved; None if no link is involved.

    A dangling link resolves too: that is where a write would create the file.
    """
    path = Path(path)
    resolved = path.resolve()
    plain = Path(os.path.abspath(path))
    return None if resolved == plain else resolved


def outside(path: Path, root: Path) -> Path | None:
    """The real destination of `path` when following links leads out of `root`; None when it stays inside."""
    destination = Path(path).resolve()
    try:
        destination.relative_to(Path(root).resolve())
    except ValueError:
        return destination
    return None


def _target(path: Path) -> Path:
    # Write through a symlink to the file it names: os.replace on the link itself would
    # turn the user's symlink into a regular file.
    path = Path(path)
    if path.is_symlink():
        return path.resolve()
    return path


def _fsync_dir(directory: Path) -> None:
    # The rename is only durable once the directory entry is; some platforms and
    # file systems cannot open or fsync a directory, which is not worth failing a save for.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_temp(directory: Path, name: str, data: bytes, mode: int | None) -> Path:
    """A fully written, fsynced temporary file next to the target (same file system, so the rename is atomic)."""
    for _ in range(100):
        # No .md suffix, so watchers and plan-file globs never mistake it for a plan.
        temp = directory / f".{name}.{os.urandom(4).hex()}.segue-tmp"
        try:
            # 0o666 lets the umask decide a new file's permissions, as an editor would.
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        break
    else:  # pragma: no cover - 100 random collisions
        raise FileExistsError(errno.EEXIST, "could not create a temporary file", str(directory))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
    except BaseException:
        _remove_quietly(temp)
        raise
    return temp


def _remove_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _link_no_clobber(temp: Path, target: Path) -> None:
    """Move `temp` to `target` only if `target` does not exist, atomically where the file system allows."""
    try:
        os.link(temp, target)  # fails with FileExistsError if anything is there: no race window
    except FileExistsError:
        raise
    except OSError:
        # File systems without hard links (FAT, some network mounts): check, then rename.
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "File exists", str(target)) from None
        os.replace(temp, target)
        return
    _remove_quietly(temp)


def with_final_newline(text: str) -> str:
    """`text` ending in a line break, so `echo ... >> FILE` starts a new line instead of
    joining the last one; an empty text stays empty, a CRLF file gets CRLF."""
    if not text or text.endswith(("\n", "\r")):
        return text
    return text + ("\r\n" if "\r\n" in text else "\n")


def write_atomic(
    path: Path, text: str, *, expected: FileSnapshot | None, create_only: bool = False
) -> FileSnapshot:
    """Write `text` (UTF-8, line endings as given) to `path` atomically and return what was written.

    - `create_only=True` (with `expected=None`): refuse with FileExistsError if the file exists.
    - `expected` given: refuse with ConflictError if the file's bytes on disk are no longer
      the ones `expected` was read from (compared by SHA-256: an mtime can stay the same
      across a quick edit, or change without one).
    - `expected=None` and `create_only=False`: write whatever is there; only for callers that
      have just asked the user to confirm.
    The original file's permission bits are kept. On any error (disk full, permission
    denied) the temporary file is removed and the original is untouched.
    A FIFO, socket, device or directory at `path` is never replaced: NotRegularFile.
    """
    target = _target(path)
    refuse_special(target)
    directory = target.parent
    data = text.encode("utf-8")

    mode: int | None = None
    if expected is not None:
        current = _current(target)
        if current is None or current.sha256 != expected.sha256:
            raise ConflictError(Path(path), current)
    if create_only and expected is None:
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, f"{target.name} already exists", str(target))
    else:
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            mode = None

    temp = _write_temp(directory, target.name, data, mode)
    try:
        if create_only and expected is None:
            _link_no_clobber(temp, target)
        else:
            if expected is not None:
                # Check again right before the rename: the user may have saved while we wrote.
                current = _current(target)
                if current is None or current.sha256 != expected.sha256:
                    raise ConflictError(Path(path), current)
            refuse_special(target)  # a FIFO or device may have been put there while we wrote
            os.replace(temp, target)
    except BaseException:
        _remove_quietly(temp)
        raise
    _fsync_dir(directory)
    st = os.stat(target)
    return FileSnapshot(path=Path(path), text=text, mtime_ns=st.st_mtime_ns, size=len(data), sha256=sha256_of(data))


def conflict_name(path: Path, number: int) -> Path:
    """AUTH_PLAN.md -> AUTH_PLAN.segue-conflict-1.md (the suffix stays, so editors still know the type)."""
    path = Path(path)
    return path.with_name(f"{path.stem}.segue-conflict-{number}{path.suffix}")


def keep_both(path: Path, text: str) -> Path:
    """Write our `text` next to `path` under the first free conflict name; never overwrites anything."""
    for number in range(1, 10_000):
        candidate = conflict_name(path, number)
        if os.path.lexists(candidate):
            continue
        try:
            write_atomic(candidate, text, expected=None, create_only=True)
        except FileExistsError:
            continue  # someone took the name between our check and our write
        return candidate
    raise FileExistsError(errno.EEXIST, "no free conflict file name", str(path))
