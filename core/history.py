"""The conversation replayed to the model: rebuilt from stored messages and trimmed to fit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

# Characters per token when estimating: real tokenizers give about 4 for English prose and
# fewer for code. One estimate everywhere; the error goes into an explicit margin instead.
CHARS_PER_TOKEN = 4
# The share of the model's context window (max_input_tokens) a request may fill by our
# estimate: code tokenizes at ~3 chars a token, so 4/3 under-counting needs 25% headroom.
WINDOW_SAFETY = 0.75


def usable_window(max_input_tokens: int) -> int:
    """Tokens of a model's window we let an estimated request use (the rest is the margin)."""
    return int(max_input_tokens * WINDOW_SAFETY)

# A reply still marked "streaming" whose row has not changed for this long was cut off (the
# process was killed): a live stream rewrites its row at least every 0.5 s while text arrives.
STALE_STREAM_AFTER = timedelta(minutes=1)


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
    """Drop the oldest exchanges until the rest fits; returns (kept, exchanges dropped).

    An exchange too big for the window on its own is dropped too: sending it would only
    get the turn refused, while the new prompt alone can still be answered.
    """
    kept = list(history)
    dropped = 0
    while kept and estimate_tokens(kept) > max_tokens:
        del kept[:2]
        dropped += 1
    return kept, dropped


def settle_interrupted_replies(store: Any, session_id: str) -> int:
    """Mark the session's replies left "streaming" by a killed process as partial (failed if empty).

    Returns how many were settled. Rows written in the last STALE_STREAM_AFTER are left alone:
    another process (a `segue ask` next to the TUI) may still be streaming them.
    """
    cutoff = store.now() - STALE_STREAM_AFTER
    settled = 0
    for row in store.messages(session_id):
        if row.role == "assistant" and row.status == "streaming" and row.updated_at < cutoff:
            store.update_message(row.id, status="partial" if row.text.strip() else "failed")
            settled += 1
    return settled
