"""Test and demo markers (`[[sim:...]]` in the last user message) and the faults they trigger."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from typing import Any

from core.simulator.tokens import block_text

MARKER = re.compile(r"\[\[sim:([^\]\s]*)\]\]")
MAX_TOKENS_MARKER = 200_000
# Claude Code wraps its own context (date, CLAUDE.md) in these; the user's prompt is what's outside.
SYSTEM_REMINDER = re.compile(r"<system-reminder>.*?</system-reminder>", re.DOTALL)


@dataclass(frozen=True)
class Markers:
    """What the last user message asked the simulator to do."""

    auth: bool = False  # [[sim:401]]
    rate_limit: bool = False  # [[sim:429]]
    overloaded: bool = False  # [[sim:529]]
    overloaded_midstream: bool = False  # [[sim:overloaded-midstream]]
    drop: bool = False  # [[sim:drop]]
    fast: bool = False  # [[sim:fast]]
    tokens: int | None = None  # [[sim:tokens=N]]
    drift: bool = False  # [[sim:drift]]: an execution reply contradicts one decision of its context


def parse(text: str) -> Markers:
    names = [match.group(1).lower() for match in MARKER.finditer(text)]
    tokens = None
    for name in names:
        if name.startswith("tokens="):
            try:
                tokens = max(1, min(int(name.removeprefix("tokens=")), MAX_TOKENS_MARKER))
            except ValueError:
                pass
    return Markers(
        auth="401" in names,
        rate_limit="429" in names,
        overloaded="529" in names,
        overloaded_midstream="overloaded-midstream" in names,
        drop="drop" in names,
        fast="fast" in names,
        tokens=tokens,
        drift="drift" in names,
    )


def strip(text: str) -> str:
    """`text` without markers or Claude Code's reminders, so they never reach a reply or its topic."""
    return re.sub(r"[ \t]{2,}", " ", MARKER.sub("", SYSTEM_REMINDER.sub("", text))).strip()


def message_text(message: Any) -> str:
    if not isinstance(message, dict):
        return ""
    content = message.get("content", "")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(block_text(block) for block in content if isinstance(block, dict) and block.get("type") == "text")
    return ""


def _only_tool_results(message: dict[str, Any]) -> bool:
    content = message.get("content")
    return isinstance(content, list) and bool(content) and all(
        isinstance(block, dict) and block.get("type") == "tool_result" for block in content
    )


def answers_tools(messages: list[Any]) -> bool:
    """The request carries tool results back (a tool loop's follow-up), not a new prompt."""
    last = messages[-1] if messages else None
    return isinstance(last, dict) and last.get("role") == "user" and _only_tool_results(last)


def last_user_text(messages: list[Any]) -> str:
    """The user's last prompt; tool results sent back in a tool loop are not a prompt."""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user" and not _only_tool_results(message):
            return message_text(message)
    return ""


def body_hash(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


class FaultLedger:
    """Remembers which (fault, request body) pairs already fired: a retry of the same request succeeds."""

    def __init__(self) -> None:
        self._fired: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def first_time(self, fault: str, digest: str) -> bool:
        with self._lock:
            if (fault, digest) in self._fired:
                return False
            self._fired.add((fault, digest))
            return True
