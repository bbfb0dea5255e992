"""Keep Python's cyclic garbage collector from freezing the screen in a long conversation.

A full collection walks every live object; with a few thousand reply widgets that took 0.3-0.7 s
(measured: the worst keystroke delays while replies stream, and most of a slow Ctrl+T), and
streaming allocates fast enough to trigger one every few seconds. So the app leaves full
collections to a pause in the work (`settle_when_idle`), and whatever has settled (the widgets
of a finished reply, a mounted history page) is moved out of the collector's sight with
gc.freeze(). The price: garbage cycles that already exist when we freeze are kept until the
process ends; Textual releases its widgets by reference counting, so that is a small amount,
and the app unfreezes on exit.

Young collections keep Python's default pace: each walks only the objects made since the last
one, well under a millisecond. (A young threshold of 50,000 tried here made each one walk that
many: 20-40 ms, and a middle-generation pass 0.2 s, landing on keys while replies streamed.)

While replies stream, a middle-generation pass still takes 2.5-3.5 ms and comes several times a
second, so now and then one fell on a key on its way to the screen (traced: three of the five
slowest keys of a hundred, typed while both panes streamed). From a key's arrival until its frame
has gone out, collections wait (`hold_for_key`): they run in the gap after it, as Textual pauses
them for a smooth scroll (App.PAUSE_GC_ON_SCROLL). Nothing is skipped: the next allocation after
the hold makes the collection that fell due meanwhile.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from typing import Any

from tui import keystrokes

# Python's defaults for the young generations (700 new objects; every 10th young pass also
# walks the middle generation, a few milliseconds at most).
YOUNG_THRESHOLD, MIDDLE_THRESHOLD = 700, 10
# Full collections: only after this many middle-generation passes (Python's default is 10,
# which while a reply streams fast comes every second or so), in practice never before
# `settle()` has frozen what they would walk.
OLD_THRESHOLD = 1000
# While the app starts: its imports and first screen make a few hundred thousand objects that
# all live on, and at the default threshold the collector ran about 170 times over them before
# the first frame (about 35 ms, a fifth of a bare Textual app's start). tune() ends this.
START_THRESHOLD = 1_000_000


def starting() -> None:
    """Before start-up's imports: no collections until the first frame (tune() follows it)."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(START_THRESHOLD, middle, old)

# A settle after a long reply walks everything the reply allocated (0.1-0.8 s measured after a
# 20k-token reply). At the end of a turn it waits for a pause in typing this long, with no
# reply streaming anywhere, so the pause lands where nobody waits on a key.
IDLE_SECONDS = 1.0


def tune() -> None:
    """After the first frame: young collections at Python's pace, full ones left to `settle()`;
    and freeze what start-up built.

    Frozen without a collection first (about 10 ms over start-up's objects): nearly all of them
    live as long as the app, and the few cycles among them are kept, as settle() documents.
    """
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, OLD_THRESHOLD)
    gc.freeze()


def settle() -> None:
    """After a burst of objects that will live on (a finished reply, restored history)."""
    gc.collect(1)
    gc.freeze()


def settle_when_idle(node: Any, busy: Callable[[], bool]) -> None:
    """Settle once nobody has typed for IDLE_SECONDS and `busy()` (a reply streaming) is false.

    `node` (a mounted widget or screen) owns the timer: if it goes away, so does the wait.
    """
    waiting = getattr(node, "_settle_wait", None)
    if waiting is None or not waiting.pending:
        node._settle_wait = keystrokes.when_quiet(node, IDLE_SECONDS, settle, busy)


# A key's hold ends this long after its frame is made (the terminal writer's turn), or this long
# after it began if no frame comes (a dialog has the key, or keys keep coming faster than frames).
HOLD_AFTER_FRAME = keystrokes.GAP_AFTER
HOLD_LONGEST = 0.1

_held_since: float | None = None  # collections are held for a key since then


def hold_for_key() -> None:
    """A key has arrived: no collection until its frame has gone out. Call from the event loop."""
    global _held_since
    if _held_since is not None or not gc.isenabled():  # already held, or paused by someone else
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no loop to end the hold: none is started
        return
    gc.disable()
    _held_since = time.monotonic()
    loop.call_later(keystrokes.GAP_POLL, _end_hold_when_shown, loop, _held_since)


def _end_hold_when_shown(loop: asyncio.AbstractEventLoop, since: float) -> None:
    if _held_since != since:  # ended already (the app exited) and perhaps held again since
        return
    if keystrokes.key_shown_for(HOLD_AFTER_FRAME) or time.monotonic() - since >= HOLD_LONGEST:
        end_hold()
    else:
        loop.call_later(keystrokes.GAP_POLL, _end_hold_when_shown, loop, since)


def end_hold() -> None:
    """Collections may run again (the next allocation makes any that fell due)."""
    global _held_since
    if _held_since is not None:
        _held_since = None
        gc.enable()


def release() -> None:
    """When the app exits: everything frozen is collectable again (tests run many apps)."""
    end_hold()
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
