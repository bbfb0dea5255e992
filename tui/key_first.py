"""A frame carrying a typed key goes out at once, before a layout or a paint that streamed text asked for.

Textual makes each frame in one step: if anything asked for a layout since the last frame, the
whole screen is laid out, and then everything that moved is painted. With two panes streaming
that step takes 15-45 ms, and a key typed meanwhile waits for all of it. Here a frame that needs
a layout is made in two ticks of the screen's update timer: the layout in one, the paint in the
next (a few milliseconds later), so a key typed during either waits for that half only. And when
the focused widget (the prompt taking the key) is waiting to be painted while a layout or a paint
is pending, the tick paints that widget alone first and leaves the rest to the next tick. Painting
the prompt first is safe: it paints into the region it has in the current layout, and the paint
that follows repaints whatever the layout moved or resized.

A key's prompt does not wait for a tick at all: it is painted alone as soon as its change reaches
the screen. The update timer ticks on a fixed grid, and after a tick that ran long its next tick
comes one to two periods later (4-8 ms at TEXTUAL_FPS=240) whatever is waiting; while replies
stream, the timer is nearly always in that wait, and traces showed keys spending 8-25 ms there
with the event loop idle.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from textual.screen import Screen
from textual.widget import Widget

from tui import keystrokes
from tui.screen_compositor import ScreenCompositor

# Only for a key this recent whose frame is not made yet: never more than one frame early.
KEY_FIRST_WITHIN = 0.1

# A streamed piece reaches its Markdown over several awaits (the text parsed, blocks updated, new
# blocks mounted), and each step asked for a layout of its own: laid out as they came, one piece
# cost two or three layouts and their paints. While a piece is being written (`layouts_held`)
# the screen's layouts wait and then make one; a key's prompt is still painted at once. With the
# new blocks' early requests dropped (reply_sections), the same replies fed in-process took a
# quarter fewer layouts (78 against 102-106) and a fifth less layout time. A hold that outlasts
# this is ignored.
LAYOUT_HOLD_LONGEST = 0.1
_layout_holds = 0
_layouts_held_since = 0.0


@contextmanager
def layouts_held():
    """Changes made inside are laid out together once it ends (see LAYOUT_HOLD_LONGEST)."""
    global _layout_holds, _layouts_held_since
    if not _layout_holds:
        _layouts_held_since = time.monotonic()
    _layout_holds += 1
    try:
        yield
    finally:
        _layout_holds -= 1


def _layouts_are_held() -> bool:
    return bool(_layout_holds) and time.monotonic() - _layouts_held_since < LAYOUT_HOLD_LONGEST


class KeyFirstScreen(Screen):
    """A Screen that lays out and paints in separate ticks, and paints a just-typed key first.

    The focused widget must say (REPORTS_DRAWN) that it calls keystrokes.drawn() when painted,
    as the prompt does: that call is what ends a key's wait, so with any other widget focused a
    layout could be put off for a whole KEY_FIRST_WITHIN."""

    _paint_pending = False  # a layout was made and its paint is due on the next tick
    _deferring_paint = False  # while laying out: paints are left to the next tick

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._compositor = ScreenCompositor()  # rows painted alone, and no layout made twice

    def _on_timer_update(self) -> None:
        try:
            ready = self.is_current and not self.app._batch_count
        except AttributeError:  # a Textual whose screen lacks these: its own order, as before
            ready = False
        if not ready:
            super()._on_timer_update()
            return
        if self._paint_pending and not self._layout_still_current():
            # A widget the last layout placed is being removed (its styles may be gone): lay out
            # again, and paint with it, as Textual does.
            self._paint_pending = False
            self._layout_required = True
        if self._key_goes_first():
            self._update_timer.pause()
            self._paint_key_alone()
            self.check_idle()  # the pending layout or paint and the rest: the next tick
            return
        if self._paint_pending:
            # The last layout's paint before anything else, so the screen never waits for it
            # while layouts keep coming (Textual's own second pass asks for one at once).
            self._paint()
            return
        if (self._layout_required or self._scroll_required) and _layouts_are_held():
            return  # the timer keeps ticking: the layout comes on the first tick after the hold
        if self._layout_required or self._scroll_required:
            # Textual's step, with its paints put off: they happen on the next tick.
            self._deferring_paint = True
            try:
                super()._on_timer_update()
            finally:
                self._deferring_paint = False
            if self._paint_pending:
                self._update_timer.resume()
            return
        super()._on_timer_update()

    async def _invoke_and_clear_callbacks(self) -> None:
        if self._paint_pending:
            # After-refresh callbacks wait for the frame: Textual runs them when its tick ends and
            # when the screen goes idle with nothing dirty, and a paint due on the next tick is
            # neither. `_paint` runs them once it is made.
            return
        await super()._invoke_and_clear_callbacks()

    async def _on_update(self, message) -> None:
        await super()._on_update(message)  # Textual's: the widget is dirty, the timer will tick
        if message.widget is self.focused and self._key_paints_now():
            self._paint_key_alone()
            self.check_idle()  # whatever else waits: the timer's next tick

    def _key_paints_now(self) -> bool:
        try:
            return bool(
                self.is_current
                and not self.app._batch_count
                and self._prompt_has_a_key()
                and self.focused in self._compositor.visible_widgets  # not placed yet: the layout paints it
                and self._layout_still_current()
            )
        except AttributeError:  # a Textual whose screen lacks these: its own order, as before
            return False

    def _refresh_layout(self, size=None, scroll: bool = False) -> None:
        # A layout tells each widget its new size, and Textual's `virtual_size` reactive asks for
        # a layout whenever it changes: every layout that resized anything (a streamed block
        # growing, the log under it) was followed by a second one that found nothing to move,
        # 40 % of the layouts while both panes streamed (traced). The size comes from the layout,
        # so it needs none of its own (Textual's scroll path sets it the same way). A change that
        # does move things asks for its layout itself: scrollbars appearing, a resize handler.
        virtual_size = Widget.__dict__.get("virtual_size")
        if getattr(virtual_size, "_layout", None) is not True:  # a Textual without this reactive
            super()._refresh_layout(size, scroll)
            return
        virtual_size._layout = False
        try:
            super()._refresh_layout(size, scroll)
        finally:
            virtual_size._layout = True

    def _compositor_refresh(self) -> None:
        if self._deferring_paint:
            self._paint_pending = True
            return
        self._paint_pending = False
        super()._compositor_refresh()

    def _layout_still_current(self) -> bool:
        return not any(widget._pruning for widget in self._compositor.widgets)

    def _paint(self) -> None:
        """The paint of the last layout, with whatever else waits to be painted."""
        self._update_timer.pause()
        if self._dirty_widgets:
            self._compositor.update_widgets(self._dirty_widgets)
            self._dirty_widgets.clear()
        self._compositor_refresh()
        if self._layout_required or self._scroll_required or self._repaint_required:
            self.check_idle()
        if self._callbacks:  # the frame they waited for is made
            self.call_next(self._invoke_and_clear_callbacks)

    def _paint_key_alone(self) -> None:
        """Paint only the focused widget; what the layout or others left to paint stays due."""
        prompt = self.focused
        compositor = self._compositor
        left = set(compositor._dirty_regions)  # the last layout's paint, if it is pending
        others = self._dirty_widgets - {prompt}  # changed widgets waiting for the next paint
        compositor._dirty_regions.clear()
        compositor.update_widgets({prompt})
        super()._compositor_refresh()  # Textual's (it forgets every dirty widget): the rest stays due
        compositor._dirty_regions.update(left)
        self._dirty_widgets.clear()
        self._dirty_widgets.update(others)
        if self._paint_pending:
            self._update_timer.resume()

    def _key_goes_first(self) -> bool:
        try:
            return bool((self._layout_required or self._paint_pending) and self._prompt_has_a_key())
        except AttributeError:  # a Textual whose screen lacks these: its own order, as before
            return False

    def _prompt_has_a_key(self) -> bool:
        """The focused widget waits to paint a key that is not on screen yet."""
        prompt = self.focused
        return bool(
            getattr(prompt, "REPORTS_DRAWN", False)  # only such a widget ends the wait
            and prompt in self._dirty_widgets
            and keystrokes.key_waiting(KEY_FIRST_WITHIN)
        )
