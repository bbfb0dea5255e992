"""The compositor behind Segue's screens: changed rows painted alone (`tui/row_paint.py`), and
the map of every widget that a layout has just made is used, not made again.

Textual's compositor keeps two maps: the visible widgets (remade by a scroll) and every widget
(made by a layout). A scroll marks the full map stale. The next layout makes a new full map but
leaves the mark, so the next question about a widget's place that the visible map cannot answer
arranges the whole screen again, for nothing. While replies stream the log scrolls and is laid
out many times a second, and the question came with a key: the prompt asks where it is to keep
its cursor in view, and the key waited for a second arrangement of every widget (2-4 ms with two
replies in the panes; traced). Textual also marks the full map stale when a widget off screen
asks to be painted (a reply's section scrolled out of view, a block just mounted below it), as
if no layout had placed it yet. In a traced minute of typing while both panes streamed the
screen was arranged 62 times besides its layouts, and 8 times with this module.
"""

from __future__ import annotations

from textual.geometry import Size

from tui.row_paint import RowPaintCompositor


class ScreenCompositor(RowPaintCompositor):
    def reflow(self, parent, size: Size):
        result = super().reflow(parent, size)
        # reflow arranged every widget (visible_only=False): that is the full map, fresh.
        self._full_map_invalidated = False
        return result

    def update_widgets(self, widgets) -> None:
        # Textual marks the full map stale when a widget off screen asks to be painted, taking it
        # for a widget no layout has placed yet. One the fresh map holds is placed already.
        placed = not self._full_map_invalidated and widgets <= self._full_map.keys()
        super().update_widgets(widgets)
        if placed:
            self._full_map_invalidated = False
