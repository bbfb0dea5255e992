"""A pane's scrolling log of messages, keeping only what is on screen or near it unfolded.

A finished reply section far out of view is folded to an empty box of its own height
(`tui/widgets/reply_sections.py`), so the layout that follows every streamed update and every
model switch walks what can be seen, not the whole conversation.
"""

from __future__ import annotations

import sys
import time

from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.errors import NoWidget
from textual.timer import Timer

from tui import keystrokes
from tui.widgets.reply_sections import TYPING_WINDOW

# Folding waits this long after a scroll or an update: a burst of either is one pass.
FIT_DELAY = 0.05
# While someone types (within reply_sections.TYPING_WINDOW), a pass (a layout of its own, 10-20 ms
# with two panes streaming) waits for a pause in the typing, but no longer than this since the
# last pass: sections that scrolled far out of view meanwhile only make each layout a little dearer.
FIT_AT_LEAST_EVERY = 2.0


class ConversationLog(VerticalScroll):
    """A pane's scrolling log of messages that keeps only what is on screen or near it unfolded."""

    # No border and nothing of its own to draw: its rows are its background, made without the
    # style pipeline. Every streamed draw scrolls the log, and Textual renders a scrolled
    # container's rows afresh, the whole height of the pane each time (reply sections too).
    BLANK = True

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._fit_timer: Timer | None = None
        self._fit_queued = False
        self._width = 0
        self._fitted_at = 0.0

    def fit_soon(self) -> None:
        """Fold and unfold sections a moment after scrolling stops (one pass for a burst)."""
        if self._fit_timer is None and not self._fit_queued and self.is_mounted:
            self._fit_timer = self.set_timer(FIT_DELAY, self._fit)

    def fit_after_frame(self) -> None:
        """Fold and unfold right after the frame being drawn: new text was just drawn (after a
        keystroke, or on the clock), so its folding follows in the same gap between keys."""
        if not self._fit_queued and self.is_mounted:
            if self._fit_timer is not None:
                self._fit_timer.stop()
                self._fit_timer = None
            self._fit_queued = True
            self.call_after_refresh(self._fit)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if round(old) != round(new):
            self.fit_soon()

    def watch_virtual_size(self, old, new) -> None:
        # The content grew or shrank (a page mounted, a reply streamed): an anchored log has
        # moved its view without a scroll event.
        if old.height != new.height:
            self.fit_after_frame()

    def on_resize(self) -> None:
        if self.size.width != self._width:
            # Folded heights were measured at the old width: measure them all again.
            self._width = self.size.width
            for section in self.sections():
                section.unfold()
        self.fit_soon()

    def sections(self):
        # Until the reply widgets are imported (the warm-up thread does it after the first frame,
        # or the first reply), there is no reply here: importing them for this (Markdown, 25 ms)
        # would put them before the first frame, which has no reply to show. The module may be
        # half-imported by that thread: then it has no ReplyView yet, and neither does the log.
        reply_view = getattr(sys.modules.get("tui.widgets.conversation"), "ReplyView", None)
        if reply_view is None:
            return
        for child in self.children:
            if isinstance(child, reply_view):
                yield from child.sections

    def _fit(self) -> None:
        self._fit_timer = None
        self._fit_queued = False
        if not self.is_mounted or not self.size.height:
            return
        now = time.monotonic()
        if keystrokes.typed_within(TYPING_WINDOW):
            if now - self._fitted_at < FIT_AT_LEAST_EVERY:
                self._fit_timer = self.set_timer(TYPING_WINDOW, self._fit)
                return
            if not keystrokes.in_gap():  # overdue: in the gap after the next key's frame
                self._fit_timer = self.set_timer(keystrokes.GAP_POLL, self._fit)
                return
        self._fitted_at = now
        try:
            view = self.region
        except NoWidget:
            return
        margin = view.height // 2  # half a screen above and below stays unfolded: scrolling finds it ready
        top, bottom = view.y - margin, view.bottom + margin
        for section in self.sections():
            try:
                region = section.region
            except (NoWidget, NoMatches):
                continue
            if not region.height:
                continue
            near = region.bottom > top and region.y < bottom
            if near:
                section.unfold()
            else:
                section.fold()
