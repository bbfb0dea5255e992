"""When the user last typed, and whether the screen has shown it yet: work that would make a key
wait (drawing streamed text, a garbage-collector pass) looks here and makes way."""

from __future__ import annotations

import time

_last = 0.0
_shown = True  # the prompt was drawn since the last key
_shown_at = 0.0


def note() -> None:
    """A key was just typed (or just reached a prompt)."""
    global _last, _shown
    _last = time.monotonic()
    _shown = False


def drawn() -> None:
    """A prompt was just drawn: the frame carrying the last key has been made."""
    global _shown, _shown_at
    if not _shown:
        _shown, _shown_at = True, time.monotonic()


def typed_within(seconds: float) -> bool:
    return time.monotonic() - _last < seconds


def key_shown_for(seconds: float) -> bool:
    """The frame with the last key was made at least `seconds` ago."""
    return _shown and time.monotonic() - _shown_at >= seconds
