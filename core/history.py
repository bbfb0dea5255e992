"""The conversation replayed to the model: rebuilt from stored messages and trimmed to fit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

CHARS_PER_TOKEN = 4  # a deliberate over-estimate of tokens for English and code


def history_from_messages(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """User/assistant pairs from stored rows; a prompt whose reply never came is left out."""
    history: list[dict[str, Any]] = []
    pending_user: str | None = None
    for row in rows:
        if row.role == "user":
            pending_user = row.text
        elif row.role == "assistant" and pending_user is not None:
            if row.text.strip():
                history.append({"role": "user", "content": pending_user})
                history.append({"role": "assistant", "content": row.text.rstrip()})
            pending_user = None
    return history


def estimate_tokens(history: list[dict[str, Any]]) -> int:
    return sum(len(str(message["content"])) for message in history) // CHARS_PER_TOKEN + 4 * len(history)


def trim_history(history: list[dict[str, Any]], max_tokens: int) -> tuple[list[dict[str, Any]], int]:
    """Drop the oldest exchanges until the rest fits; returns (kept, exchanges dropped)."""
    kept = list(history)
    dropped = 0
    while len(kept) > 2 and estimate_tokens(kept) > max_tokens:
        del kept[:2]
        dropped += 1
    return kept, dropped
