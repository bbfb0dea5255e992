"""Opening a user's file only when it is a regular file, so a FIFO or a device never blocks or gets replaced.

`open()` on a FIFO waits for a writer forever (a CLAUDE.md that is a FIFO used to hang
start-up), and an atomic replace of a device node or socket swaps it for a plain file.
Every read of a project file goes through `open_regular`, every replace checks
`refuse_special` first.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

# O_NONBLOCK: if the path is swapped for a FIFO between our stat and our open, the open
# still returns at once (and the fstat below refuses it) instead of waiting for a writer.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def kind_of(mode: int) -> str:
    """'a FIFO', 'a socket', ... in the user's words, for one-sentence errors."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


class NotRegularFile(OSError):
    """The path exists but is a FIFO, socket, device or directory: Segue neither reads nor replaces it."""

    def __init__(self, path: Path, mode: int) -> None:
        self.kind = kind_of(mode)
        super().__init__(errno.EINVAL, f"{self.kind}, not a regular file", str(path))

    def __str__(self) -> str:
        return f"{Path(self.filename).name} is {self.kind}, not a regular file"


def open_regular(path: Path) -> BinaryIO:
    """Open `path` for reading (binary) if it is a regular file; NotRegularFile otherwise, never blocking."""
    st = os.stat(path)  # follows symlinks: a link to a FIFO is a FIFO
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(Path(path), st.st_mode)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(Path(path), st.st_mode)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def refuse_special(path: Path) -> None:
    """Raise NotRegularFile if something other than a regular file (or nothing) is at `path`."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(Path(path), st.st_mode)
