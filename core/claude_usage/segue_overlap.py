"""Counting Segue's spend and Claude Code's transcripts together without counting a message twice.

A pane run by Claude Code is recorded twice: in Segue's store (the usage Claude Code reported)
and in Claude Code's own transcript. A total over both takes Segue's store as is and only the
transcript messages of Claude Code conversations Segue did not run (by Claude Code session id).
"""

from __future__ import annotations

from collections.abc import Iterable

from core.claude_usage.transcript_lines import UsageRecord


def outside_segue(records: Iterable[UsageRecord], segue_claude_sessions: Iterable[str]) -> list[UsageRecord]:
    """The transcript records that are not part of a Claude Code conversation Segue ran."""
    ours = set(segue_claude_sessions)
    return [record for record in records if record.session_id not in ours]
