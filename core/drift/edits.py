"""Drift in a proposed file edit: the lines the edit adds, checked against the decisions in effect."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from core.drift.check import Finding, check_edit
from core.drift.decisions import session_decisions

# The execution's proposed edits per session, as (shown path, file path, added lines), so the
# decisions view (F9) judges the same lines the approval dialog judged. Kept in memory only: a
# resumed session's F9 has its replies, not the edits of an earlier run.
_CHECKED: WeakKeyDictionary[Any, list[tuple[str, Path, list[str]]]] = WeakKeyDictionary()


def added_text(edit: Any) -> str:
    """The lines a core.tools.text_editor.ProposedEdit adds: what it brings in, not what the file already had."""
    return "\n".join(line.text for hunk in edit.diff.hunks for line in hunk.lines if line.kind == "added")


def edit_findings(session: Any, edit: Any) -> list[Finding]:
    """Findings for one proposed edit under the session's CLAUDE.md and active plan."""
    if edit is None:  # an allow-listed command, not a file edit
        return []
    added = added_text(edit)
    try:
        _CHECKED.setdefault(session, []).append((edit.display_path, Path(edit.path), added.splitlines()))
    except TypeError:  # a session object that cannot be weakly referenced: nothing for F9 to list
        pass
    return check_edit(edit.display_path, added, session_decisions(session))


def edits_in_place(session: Any) -> list[tuple[str, str]]:
    """(path, text) for each edit checked this session: the lines it added that the file still has.

    A rejected edit never reached the file and a line a later edit took out no longer counts, so
    F9 judges the execution's work as it stands, line by line as the dialog judged it.
    """
    out: list[tuple[str, str]] = []
    for shown, path, lines in _CHECKED.get(session, ()):
        try:
            present = set(path.read_text(encoding="utf-8", errors="replace").splitlines())
        except OSError:
            continue
        kept = [line for line in lines if line in present]
        if kept:
            out.append((shown, "\n".join(kept)))
    return out


async def check_proposed_edit(session: Any, edit: Any) -> list[Finding]:
    """edit_findings off the event loop: reading the plan and checking a large file takes a while."""
    if edit is None:
        return []
    return await asyncio.to_thread(edit_findings, session, edit)
