"""A frame carrying a typed key goes out before a layout that streamed text asked for.

Textual makes each frame in one step: if anything asked for a layout since the last frame, the
whole screen is laid out first (10-25 ms with two panes streaming) and only then painted. A
key typed while a reply streams nearly always finds such a layout pending (the streamed piece
just drawn, or its new blocks settling), so the key waited for it. Here, when the focused
widget (the prompt taking the key) is waiting to be painted, the frame paints that widget alone
with the current layout and leaves the layout (and the streamed text waiting to be painted) to
the next tick, a few milliseconds later. Painting before the layout is safe: the prompt paints
into the region it has now, and the layout that follows repaints whatever it moves or resizes.
"""

from __future__ import annotations

from textual.screen import Screen

from tui import keystrokes

# Only for a key this recent whose frame is not made yet: never more than one frame early.
KEY_FIRST_WITHIN = 0.1


class KeyFirstScreen(Screen):
    """A Screen whose frame for a just-typed key does not wait for a pending layout.

    The focused widget must say (REPORTS_DRAWN) that it calls keystrokes.drawn() when painted,
    as the prompt does: that call is what ends a key's wait, so with any other widget focused a
    layout could be put off for a whole KEY_FIRST_WITHIN."""

    def _on_timer_update(self) -> None:
        # Textual's Screen._on_timer_update, with the layout step put after the key's paint.
        if self._key_goes_first():
            # Only the key's widget: the streamed text waiting to be painted goes with the layout.
            prompt = self.focused
            self._update_timer.pause()
            self._dirty_widgets.discard(prompt)
            self._compositor.update_widgets({prompt})
            self._compositor_refresh()
            self.check_idle()  # the pending layout and the rest: the next tick
            return
        super()._on_timer_update()

    def _key_goes_first(self) -> bool:
        try:
            return bool(
                self._layout_required
                and self.is_current
                and not self.app._batch_count
                and getattr(self.focused, "REPORTS_DRAWN", False)  # only such a widget ends the wait
                and self.focused in self._dirty_widgets
                and keystrokes.key_waiting(KEY_FIRST_WITHIN)
            )
        except AttributeError:  # a Textual whose screen lacks these: its own order, as before
            return False
