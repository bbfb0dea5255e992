"""When the user last typed: work that would make a key wait (drawing streamed text, a
garbage-collector pass) looks here and makes way."""

from __future__ import annotations

import time

_last = 0.0


def note() -> None:
    """A key was just typed into a prompt."""
    global _last
    _last = time.monotonic()


def typed_within(seconds: float) -> bool:
    return time.monotonic() - _last < seconds
