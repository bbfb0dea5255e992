"""A pane's system context read from the project: CLAUDE.md for both panes, the active plan for exec.

Previewing (`context_report`, for the context line or a budget projection) has no side
effects; only a send (`load_context`) records the versions as "sent".
Read from disk at every send, so an edit made in any editor is used by the next message
whether or not the watcher has reported it yet. A file Segue cannot use as text (binary,
not UTF-8, over 1 MB, unreadable) is left out and named, never sent half-decoded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.handoff.exec_context import CACHE_CONTROL, ExecContext, build_exec_context
from core.handoff.system_prompts import PLAN_SYSTEM


@dataclass(frozen=True)
class LeftOut:
    """A context file that exists but could not be used, and why ("binary", "larger than 1 MB")."""

    path: Path
    reason: str


@dataclass(frozen=True)
class ContextReport:
    """What a pane's next message carries (`context`), which paths that is, and what was left out."""

    context: ExecContext
    paths: tuple[Path, ...]
    left_out: tuple[LeftOut, ...]

    def label(self) -> str:
        """E.g. "CLAUDE.md (v2) · AUTH_PLAN.md (v1)", or "AUTH_PLAN.md (v1) · CLAUDE.md left out (binary)"."""
        parts = [f"{name} (v{version})" for name, version in self.context.files]
        parts += [f"{item.path.name} left out ({item.reason})" for item in self.left_out]
        return " · ".join(parts) if parts else self.context.label()

    @property
    def plan(self) -> Path | None:
        """The plan file the context holds, if any (CLAUDE.md is never one)."""
        from core.handoff.project_files import CLAUDE_MD

        return next((path for path in self.paths if path.name != CLAUDE_MD), None)


def _read(path: Path | None, left_out: list[LeftOut]):
    from core.handoff.project_files import FileProblem, read_text_file

    if path is None or not path.exists():
        return None
    try:
        return read_text_file(path)
    except FileProblem as error:
        left_out.append(LeftOut(Path(path), error.reason))
        return None


def _version(session: Any, snapshot, record: bool) -> int:
    """Version number of a file as Segue has seen it (1 = the first text it saw).

    Without `record`, the number the text would get: a text Segue has not kept yet counts
    as the next version, but nothing is written.
    """
    from core.store.database import StoreError

    store = session.store
    if store is None:
        return 1
    try:
        if record:
            store.record_file_version(str(snapshot.path), snapshot.text, "sent")
            return max(store.file_version_count(str(snapshot.path)), 1)
        count = store.file_version_count(str(snapshot.path))
        return count if count and store.is_newest_file_version(str(snapshot.path), snapshot.text) else count + 1
    except StoreError:
        # A full or read-only store must not stop the turn; the number is only a label.
        return 1


def active_plan_path(session: Any) -> Path | None:
    from core.handoff.project_files import active_plan

    return active_plan(session.project_dir, session.picked_plan, session.settings.plan_pattern)


def context_report(session: Any, pane: str, *, record: bool = False) -> ContextReport:
    """The context `pane`'s next message would carry, read from disk now.

    A preview unless `record` (only a send records the versions it carried).
    """
    from core.handoff.project_files import claude_md_path

    left_out: list[LeftOut] = []
    claude = _read(claude_md_path(session.project_dir), left_out)
    if pane == "exec":
        from core.handoff.project_files import unusable_plan_files

        plan = _read(active_plan_path(session), left_out)
        left_out += [LeftOut(path, reason) for path, reason in
                     unusable_plan_files(session.project_dir, session.settings.plan_pattern)]
        snapshots = [snapshot for snapshot in (claude, plan) if snapshot is not None]
        versions = {snapshot.path.name: _version(session, snapshot, record) for snapshot in snapshots}
        context = build_exec_context(claude, plan, versions)
        return ContextReport(context, tuple(snapshot.path for snapshot in snapshots), tuple(left_out))
    blocks: list[dict[str, Any]] = [{"type": "text", "text": PLAN_SYSTEM}]
    files: tuple[tuple[str, int], ...] = ()
    if claude is not None:
        blocks.append({"type": "text", "text": f"# CLAUDE.md (project rules)\n\n{claude.text}"})
        files = ((claude.path.name, _version(session, claude, record)),)
    blocks[-1] = {**blocks[-1], "cache_control": dict(CACHE_CONTROL)}
    paths = (claude.path,) if claude is not None else ()
    return ContextReport(ExecContext(blocks, files), paths, tuple(left_out))


def load_context(session: Any, pane: str) -> ExecContext:
    """The system blocks (with cache_control on the last) and file versions for `pane`'s next message."""
    return context_report(session, pane, record=True).context
