"""Drift in a proposed file edit: the lines the edit adds, checked against the decisions in effect."""

from __future__ import annotations

import asyncio
from typing import Any

from core.drift.check import Finding, check_edit
from core.drift.decisions import session_decisions


def added_text(edit: Any) -> str:
    """The lines a core.tools.text_editor.ProposedEdit adds: what it brings in, not what the file already had."""
    return "\n".join(line.text for hunk in edit.diff.hunks for line in hunk.lines if line.kind == "added")


def edit_findings(session: Any, edit: Any) -> list[Finding]:
    """Findings for one proposed edit under the session's CLAUDE.md and active plan."""
    if edit is None:  # an allow-listed command, not a file edit
        return []
    return check_edit(edit.display_path, added_text(edit), session_decisions(session))


async def check_proposed_edit(session: Any, edit: Any) -> list[Finding]:
    """edit_findings off the event loop: reading the plan and checking a large file takes a while."""
    if edit is None:
        return []
    return await asyncio.to_thread(edit_findings, session, edit)
