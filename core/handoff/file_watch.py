"""Live changes to CLAUDE.md and plan files, from any editor, as batches of FileChange."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import threading
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from core.atomic_write import FileSnapshot
from core.handoff.project_files import (
    CLAUDE_MD,
    PLANS_DIR,
    FileProblem,
    claude_md_path,
    find_plan_files,
    is_plan_file,
    read_text_file,
)

ChangeKind = Literal["added", "modified", "deleted"]


@dataclass(frozen=True)
class FileChange:
    """One file's new state: its text (snapshot), or why it cannot be used (problem), or gone (deleted)."""

    path: Path
    kind: ChangeKind
    snapshot: FileSnapshot | None
    problem: str | None


# What Segue last saw of a file: ("text", sha256) or ("problem", reason).
_State = tuple[str, str]


class ProjectFileTracker:
    """The last seen state of each handoff file, turned into changes when the disk differs.

    Working from what is on disk rather than from event kinds is what makes editors' atomic
    saves (temp file + rename), renames, and events lost while re-arming the watcher come out right.
    """

    def __init__(self, project_dir: Path, pattern: str = "*_PLAN.md") -> None:
        self.project_dir = Path(project_dir)
        self.pattern = pattern
        self.seen: dict[Path, _State] = {}

    def is_tracked(self, path: Path) -> bool:
        path = Path(path)
        if path == claude_md_path(self.project_dir):
            return True
        return is_plan_file(path, self.project_dir, self.pattern)

    def current_files(self) -> list[Path]:
        files = find_plan_files(self.project_dir, self.pattern)
        claude = claude_md_path(self.project_dir)
        if claude.exists():
            files.insert(0, claude)
        return files

    def _check(self, path: Path) -> FileChange | None:
        before = self.seen.get(path)
        if not os.path.isfile(path):
            if before is None:
                return None
            del self.seen[path]
            return FileChange(path, "deleted", None, None)
        snapshot: FileSnapshot | None = None
        problem: str | None = None
        try:
            snapshot = read_text_file(path)
            state: _State = ("text", snapshot.sha256)
        except FileProblem as error:
            if not os.path.exists(path):  # deleted between the two looks
                return self._check(path)
            problem = str(error)
            state = ("problem", error.reason)
        if state == before:
            return None  # same bytes rewritten (or same problem): nothing to tell
        self.seen[path] = state
        return FileChange(path, "added" if before is None else "modified", snapshot, problem)

    def reconcile(self, paths: Iterable[Path]) -> list[FileChange]:
        """Changes for `paths` (tracked ones only), in a stable order."""
        changes = []
        for path in sorted({Path(p) for p in paths if self.is_tracked(Path(p))}):
            change = self._check(path)
            if change is not None:
                changes.append(change)
        return changes

    def rescan(self) -> list[FileChange]:
        """Changes for every handoff file on disk and every one seen before."""
        return self.reconcile([*self.current_files(), *self.seen])


def watched_dirs(project_dir: Path) -> list[Path]:
    """The project root and plans/ with its subdirectories, each watched non-recursively.

    Not the whole tree: a project with node_modules or a big .git would cost thousands of
    inotify watches for two kinds of files.
    """
    root = Path(project_dir)
    dirs = [root]
    plans = root / PLANS_DIR
    if plans.is_dir() and not plans.is_symlink():
        dirs.append(plans)
        for current, subdirs, _files in os.walk(plans):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            dirs.extend(Path(current) / d for d in subdirs)
    return dirs


class _StopSignal:
    """What the Rust watcher polls every step: our own stop, or the caller's asyncio.Event."""

    def __init__(self, stop_event: asyncio.Event | None) -> None:
        self.stop_event = stop_event
        self.closed = threading.Event()

    def is_set(self) -> bool:
        return self.closed.is_set() or (self.stop_event is not None and self.stop_event.is_set())


def _force_polling() -> bool:
    # Same switch as watchfiles' own helpers, for file systems without notifications (WSL /mnt, NFS).
    return os.environ.get("WATCHFILES_FORCE_POLLING", "").lower() not in ("", "0", "false", "no")


def _under_plans(path: Path, root: Path) -> bool:
    try:
        relative = path.relative_to(root)
    except ValueError:
        return False
    return bool(relative.parts) and relative.parts[0] == PLANS_DIR


async def watch_project(
    project_dir: Path,
    pattern: str = "*_PLAN.md",
    debounce_ms: int = 30,
    stop_event: asyncio.Event | None = None,
    *,
    initial: bool = False,
) -> AsyncIterator[list[FileChange]]:
    """Yield batches of changes to CLAUDE.md and the plan files until `stop_event` is set.

    With `initial=True` the first batch is every handoff file present ("added"), yielded once
    the watcher is in place, so nothing written after it is missed. Content-identical rewrites
    are dropped. Uses watchfiles' Rust watcher directly, so we know when it is armed and can
    re-arm it when plans/ appears or goes away.
    """
    from watchfiles._rust_notify import RustNotify  # imported here: start-up time

    root = Path(project_dir)
    tracker = ProjectFileTracker(root, pattern)
    if not initial:
        tracker.rescan()  # the state to compare against, silently
    stop = _StopSignal(stop_event)
    step_ms = max(5, min(debounce_ms, 50) // 3)
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="segue-watch")
    pending: concurrent.futures.Future | None = None

    def arm(dirs: list[Path]) -> RustNotify:
        return RustNotify([os.path.abspath(d) for d in dirs], False, _force_polling(), 100, False, True)

    dirs = watched_dirs(root)
    notify = arm(dirs)
    try:
        batch = tracker.rescan()
        if initial or batch:
            yield batch
        while not stop.is_set():
            pending = executor.submit(notify.watch, debounce_ms, step_ms, 0, stop)
            raw = await asyncio.wrap_future(pending)
            pending = None
            if raw in ("stop", "signal"):
                return
            if raw == "timeout":
                continue
            paths = [_from_event(root, event_path) for _kind, event_path in raw]
            touched = [path for path in paths if path is not None]
            changes = tracker.reconcile(touched)
            if any(_under_plans(path, root) or path == root / PLANS_DIR for path in touched):
                new_dirs = watched_dirs(root)
                if new_dirs != dirs:
                    notify.close()
                    dirs = new_dirs
                    notify = arm(dirs)
                    # Anything written while the watcher was re-armed shows up here.
                    changes += tracker.rescan()
            if changes:
                yield changes
    finally:
        stop.closed.set()
        executor.shutdown(wait=False)
        if pending is not None and not pending.done():
            # The Rust thread sees the stop within one step; close once it has returned.
            watcher = notify
            pending.add_done_callback(lambda _future: watcher.close())
        else:
            notify.close()


def _from_event(root: Path, event_path: str) -> Path | None:
    """The event's path spelled under `root` as the caller gave it (notify may resolve symlinks)."""
    path = Path(event_path)
    for base in (Path(os.path.abspath(root)), root.resolve()):
        try:
            return root / path.relative_to(base)
        except ValueError:
            continue
    return None


__all__ = ["CLAUDE_MD", "FileChange", "ProjectFileTracker", "watch_project", "watched_dirs"]
