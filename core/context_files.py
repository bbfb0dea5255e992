"""A pane's system context read from the project: CLAUDE.md for both panes, the active plan for exec.

Read from disk at every send, so an edit made in any editor is used by the next message
whether or not the watcher has reported it yet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.exec_context import CACHE_CONTROL, ExecContext, build_exec_context
from core.session import PLAN_SYSTEM

def _read(path: Path | None):
    from core.project_files import FileProblem, read_text_file

    if path is None or not path.exists():
        return None
    try:
        return read_text_file(path)
    except FileProblem:
        return None


def _version(session: Any, snapshot) -> int:
    """Version number of a file as Segue has seen it (1 = the first text it saw)."""
    store = session.store
    if store is None:
        return 1
    store.record_file_version(str(snapshot.path), snapshot.text, "sent")
    return len(store.file_versions(str(snapshot.path)))


def active_plan_path(session: Any) -> Path | None:
    from core.project_files import active_plan

    return active_plan(session.project_dir, session.picked_plan, session.settings.plan_pattern)


def load_context(session: Any, pane: str) -> ExecContext:
    from core.project_files import claude_md_path

    claude = _read(claude_md_path(session.project_dir))
    if pane == "exec":
        plan = _read(active_plan_path(session))
        versions = {}
        for snapshot in (claude, plan):
            if snapshot is not None:
                versions[snapshot.path.name] = _version(session, snapshot)
        return build_exec_context(claude, plan, versions)
    blocks: list[dict[str, Any]] = [{"type": "text", "text": PLAN_SYSTEM}]
    files: tuple[tuple[str, int], ...] = ()
    if claude is not None:
        blocks.append({"type": "text", "text": f"# CLAUDE.md (project rules)\n\n{claude.text}"})
        files = ((claude.path.name, _version(session, claude)),)
    blocks[-1] = {**blocks[-1], "cache_control": dict(CACHE_CONTROL)}
    return ExecContext(blocks, files)
