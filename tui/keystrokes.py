"""When the user last typed, and whether the screen has shown it yet: work that would make a key
wait (drawing streamed text, a garbage-collector pass) looks here and makes way."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

_last = 0.0
_shown = True  # the prompt was drawn since the last key
_shown_at = 0.0


def note() -> None:
    """A key was just typed (or just reached a prompt)."""
    global _last, _shown
    _last = time.monotonic()
    _shown = False


def changed_by_key(within: float = 0.1) -> None:
    """A prompt's text just changed: if a key arrived `within` seconds ago this is that key's
    change, and the next paint of the prompt is the frame that shows it (a paint between the
    key's arrival and its change showed the old text). A change no key made is not a key."""
    if time.monotonic() - _last < within:
        note()


def drawn() -> None:
    """A prompt was just drawn: the frame carrying the last key has been made."""
    global _shown, _shown_at
    if not _shown:
        _shown, _shown_at = True, time.monotonic()


def typed_within(seconds: float) -> bool:
    return time.monotonic() - _last < seconds


def key_waiting(seconds: float) -> bool:
    """A key typed in the last `seconds` is not on screen yet (its frame is not made)."""
    return not _shown and time.monotonic() - _last < seconds


def key_shown_for(seconds: float) -> bool:
    """The frame with the last key was made at least `seconds` ago."""
    return _shown and time.monotonic() - _shown_at >= seconds


# Work that has to happen while someone types (a meter's new figures, folding the log) is done
# just after a key's frame is out, when the next key is furthest away, instead of whenever it
# falls due: at a random moment it lands on a key sooner or later, and the key waits for it.
# From this long after the frame (the terminal writer's turn) until this long after it.
GAP_AFTER = 0.01
GAP_WITHIN = 0.05
GAP_POLL = 1 / 240
GAP_LONGEST = 0.5  # a key whose frame never comes (a dialog covers the prompt) holds nothing longer
TYPING_WINDOW = 0.4  # someone typed this recently: they are typing


def in_gap() -> bool:
    """The frame with the last key went out GAP_AFTER to GAP_WITHIN seconds ago."""
    return _shown and GAP_AFTER <= time.monotonic() - _shown_at < GAP_WITHIN


def between_keys(node: Any, callback: Callable[[], None], longest: float | None = None) -> Any:
    """Call `callback` now if nobody is typing, else in the gap after a key's frame (`in_gap`),
    but no later than `longest` (GAP_LONGEST) from now. `node` (a mounted widget or screen)
    owns the timer. Returns a handle whose `pending` says it has not run."""

    class Wait:
        pending = True

    wait = Wait()
    due = time.monotonic() + (GAP_LONGEST if longest is None else longest)

    def check() -> None:
        if typed_within(TYPING_WINDOW) and not in_gap() and time.monotonic() < due:
            node.set_timer(GAP_POLL, check)
        else:
            wait.pending = False
            callback()

    check()
    return wait


def when_quiet(node: Any, seconds: float, callback: Callable[[], None], busy: Callable[[], bool] = lambda: False) -> Any:
    """Call `callback` once nobody has typed for `seconds` and `busy()` is false: first looked at
    after `seconds`, then every half of it. `node` (a mounted widget or screen) owns the timer:
    if it goes away, so does the wait. Returns a handle whose `pending` says it has not run."""

    class Wait:
        pending = True

    wait = Wait()

    def check() -> None:
        if typed_within(seconds) or busy():
            node.set_timer(seconds / 2, check)
        else:
            wait.pending = False
            callback()

    node.set_timer(seconds, check)
    return wait
