"""The one characters-per-token estimate, for counting text before the API has counted it."""

from __future__ import annotations

# About what real tokenizers give for English prose and code.
CHARS_PER_TOKEN = 4


def estimate_tokens(text: str) -> int:
    """Tokens in `text`, estimated (rounded up, so any text counts)."""
    return -(-len(text) // CHARS_PER_TOKEN)
