"""The handoff files in a project: reading CLAUDE.md and plan files safely, finding plans, the active plan."""

from __future__ import annotations

import fnmatch
import os
import stat
from pathlib import Path

from core.atomic_write import FileSnapshot, snapshot_from_bytes
from core.regular_files import NotRegularFile, open_regular

MAX_BYTES = 1_000_000
CLAUDE_MD = "CLAUDE.md"
PLANS_DIR = "plans"
CONFLICT_MARK = ".segue-conflict-"


class FileProblem(Exception):
    """A file Segue cannot use as text; `reason` is a phrase for the user ("not UTF-8", "binary", ...)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name} is {reason}.")


def read_text_file(path: Path) -> FileSnapshot:
    """Read a UTF-8 text file of at most MAX_BYTES; anything else raises FileProblem with a reason."""
    path = Path(path)
    try:
        # Never a plain open(): a FIFO would block the caller (start-up, `segue ask`) forever.
        with open_regular(path) as handle:
            st = os.fstat(handle.fileno())
            if st.st_size > MAX_BYTES:
                raise FileProblem(path, "larger than 1 MB")
            # Read one byte past the limit: the file may have grown since the stat.
            data = handle.read(MAX_BYTES + 1)
    except FileProblem:
        raise
    except NotRegularFile as error:
        raise FileProblem(path, f"{error.kind}, not a regular file") from None
    except IsADirectoryError:
        raise FileProblem(path, "a directory, not a file") from None
    except OSError as error:
        raise FileProblem(path, f"unreadable: {error.strerror or error}") from None
    if len(data) > MAX_BYTES:
        raise FileProblem(path, "larger than 1 MB")
    if b"\x00" in data:
        raise FileProblem(path, "binary")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise FileProblem(path, "not UTF-8") from None
    return snapshot_from_bytes(path, data, st)


def _relative(path: Path, project_dir: Path) -> Path | None:
    path = Path(path)
    project_dir = Path(project_dir)
    if not path.is_absolute():
        path = project_dir / path
    for base, candidate in ((project_dir, path), (project_dir.resolve(), path.resolve())):
        try:
            return candidate.relative_to(base)
        except ValueError:
            continue
    return None


def project_relative(path: Path, project_dir: Path) -> str:
    """AUTH_PLAN.md or plans/auth.md: how the user names a project file, and how a prompt should.

    A path outside the project is named by its file name.
    """
    relative = _relative(path, project_dir)
    return relative.as_posix() if relative is not None else Path(path).name


def is_plan_file(path: Path, project_dir: Path, pattern: str = "*_PLAN.md") -> bool:
    """A plan file is `pattern` in the project root or any .md under plans/ (DESIGN.md "Plan files").

    Hidden files and Segue's own conflict copies are not plans: an editor's swap file or a
    kept-both copy must never become the active plan.
    """
    relative = _relative(path, project_dir)
    if relative is None or not relative.parts:
        return False
    name = relative.name
    if name.startswith(".") or CONFLICT_MARK in name:
        return False
    if len(relative.parts) == 1:
        return fnmatch.fnmatchcase(name, pattern)
    if relative.parts[0] == PLANS_DIR and not any(part.startswith(".") for part in relative.parts[1:]):
        return name.lower().endswith(".md")
    return False


def find_plan_files(project_dir: Path, pattern: str = "*_PLAN.md") -> list[Path]:
    """Plan files in the project, root ones first, each group sorted by name."""
    project_dir = Path(project_dir)
    found: list[Path] = []
    try:
        root_entries = sorted(project_dir.iterdir())
    except OSError:
        return []
    for entry in root_entries:
        if is_plan_file(entry, project_dir, pattern) and entry.is_file():
            found.append(entry)
    plans = project_dir / PLANS_DIR
    if plans.is_dir():
        nested = [entry for entry in plans.rglob("*") if is_plan_file(entry, project_dir, pattern) and entry.is_file()]
        found.extend(sorted(nested))
    return found


def unusable_plan_files(project_dir: Path, pattern: str = "*_PLAN.md") -> list[tuple[Path, str]]:
    """Paths named like a plan that are no regular file (a FIFO, a socket, a device, a directory),
    with what they are: never read as a plan, but named, so a plan the user meant is not dropped
    without a word."""
    from core.regular_files import kind_of

    project_dir = Path(project_dir)
    candidates: list[Path] = []
    try:
        candidates += sorted(project_dir.iterdir())
    except OSError:
        return []
    plans = project_dir / PLANS_DIR
    if plans.is_dir():
        try:
            candidates += sorted(plans.rglob("*"))
        except OSError:
            pass
    found: list[tuple[Path, str]] = []
    for entry in candidates:
        if not is_plan_file(entry, project_dir, pattern):
            continue
        try:
            mode = entry.stat().st_mode
        except OSError:
            continue
        if not stat.S_ISREG(mode):
            found.append((entry, f"{kind_of(mode)}, not a regular file"))
    return found


def claude_md_path(project_dir: Path) -> Path:
    return Path(project_dir) / CLAUDE_MD


def active_plan(project_dir: Path, picked: Path | None, pattern: str = "*_PLAN.md") -> Path | None:
    """The plan the user picked if it still exists, else the most recently saved or modified plan."""
    project_dir = Path(project_dir)
    if picked is not None:
        picked = Path(picked)
        if not picked.is_absolute():
            picked = project_dir / picked
        if picked.is_file():
            return picked
    newest: tuple[int, str] | None = None
    newest_path: Path | None = None
    for plan in find_plan_files(project_dir, pattern):
        try:
            key = (plan.stat().st_mtime_ns, str(plan))
        except OSError:
            continue
        if newest is None or key > newest:
            newest, newest_path = key, plan
    return newest_path
