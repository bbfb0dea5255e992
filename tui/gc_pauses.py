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
# While the app starts: its imports and first screen make a few hundred thousand objects that
# all live on, and at the default threshold the collector ran about 170 times over them before
# the first frame (about 35 ms, a fifth of a bare Textual app's start). tune() ends this.
START_THRESHOLD = 1_000_000


def starting() -> None:
    """Before start-up's imports: no collections until the first frame (tune() follows it)."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(START_THRESHOLD, middle, old)


def tune() -> None:
    """After the first frame: collect young objects less often, and freeze what start-up built.

    Frozen without a collection first (about 10 ms over start-up's objects): nearly all of them
    live as long as the app, and the few cycles among them are kept, as settle() documents.
    """
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    gc.freeze()


def settle() -> None:
    """After a burst of objects that will live on (a finished reply, restored history)."""
    gc.collect(1)
    gc.freeze()


def release() -> None:
    """When the app exits: everything frozen is collectable again (tests run many apps)."""
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
