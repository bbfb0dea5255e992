"""Where a tool may look and write: inside the project root only, never through `..` or a symlink out."""

from __future__ import annotations

import os
from pathlib import Path


class PathRefused(Exception):
    """A path the tools will not touch; the message says why, in one sentence for the model."""


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def resolve_in_project(root: Path, raw: object, *, for_write: bool = False) -> Path:
    """The real path `raw` names inside `root`, or PathRefused saying why not.

    Relative paths and absolute paths inside the project are taken against the project root;
    `..` anywhere, absolute paths outside, and symlinks that lead outside are refused.
    `.git/` may be viewed but is never written: a bad write there corrupts the repository.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise PathRefused("Error: a path is required.")
    text = raw.strip()
    if "\x00" in text:
        raise PathRefused(f"Error: the path {text!r} contains a NUL byte.")
    given = Path(text)
    if ".." in given.parts:
        raise PathRefused(f"Error: the path {text} uses '..'; paths must stay inside the project.")
    lexical_root = os.path.abspath(root)
    real_root = os.path.realpath(root)
    if given.is_absolute():
        absolute = os.path.abspath(given)
        if not (_inside(absolute, lexical_root) or _inside(absolute, real_root)):
            raise PathRefused(f"Error: the path {text} is outside the project ({lexical_root}).")
    else:
        absolute = os.path.join(lexical_root, os.path.normpath(given))
    real = os.path.realpath(absolute)
    if not _inside(real, real_root):
        raise PathRefused(f"Error: the path {text} leads outside the project through a symlink.")
    relative = Path(os.path.relpath(real, real_root))
    if for_write and relative.parts and relative.parts[0] == ".git":
        raise PathRefused(f"Error: {text} is inside .git/, which the tools never write.")
    return Path(real)


def shown(root: Path, path: Path) -> str:
    """`path` as the user reads it: relative to the project root."""
    try:
        return str(path.relative_to(os.path.realpath(root)))
    except ValueError:
        return str(path)
