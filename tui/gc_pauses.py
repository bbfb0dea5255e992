"""Keep Python's cyclic garbage collector from freezing the screen in a long conversation.

A full collection walks every live object; with a few thousand reply widgets that took 0.3-0.7 s
(measured: the worst keystroke delays while replies stream, and most of a slow Ctrl+T), and
streaming allocates fast enough to trigger one every few seconds. So the app collects young
objects less often, and whatever has settled (the widgets of a finished reply, a mounted
history page) is moved out of the collector's sight with gc.freeze(). The price: garbage
cycles that already exist when we freeze are kept until the process ends; Textual releases
its widgets by reference counting, so that is a small amount, and the app unfreezes on exit.
"""

from __future__ import annotations

import gc

# Young-generation threshold: 700 by default, so tens of collections a second while streaming,
# each promoting survivors towards the expensive full collection.
YOUNG_THRESHOLD = 50_000


def tune() -> None:
    """At start-up: collect young objects less often, and freeze what start-up built."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    settle()


def settle() -> None:
    """After a burst of objects that will live on (a finished reply, restored history)."""
    gc.collect(1)
    gc.freeze()


def release() -> None:
    """When the app exits: everything frozen is collectable again (tests run many apps)."""
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
