"""Paint only the screen rows that changed.

Textual paints a frame by rendering every widget that overlaps the box around everything that
changed, each one whole (all its visible rows), and then keeps the rows that changed. One
changed line at the bottom of the screen (a pane's cost line) and one at the top (the session
meter) make that box the whole screen: 64 widgets rendered whole for two rows, 8-10 ms while
replies stream, the key typed meanwhile waiting for all of it. And the frame carrying a key
rendered the screen, both panes and their rows for the prompt's three rows.

Here each widget renders only the rows of it that changed, in runs of adjacent rows. Columns
are left as Textual has them: a line's pieces are cut where widgets meet, and cutting a render
elsewhere would misplace them.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip


class RowPaintCompositor(Compositor):
    """A Compositor whose partial updates render the changed rows only."""

    _changed_rows: list[tuple[int, int]] | None = None  # runs [start, end) while painting an update

    def render_partial_update(self):
        self._changed_rows = _runs({y for region in self._dirty_regions for y in region.line_range})
        try:
            return super().render_partial_update()
        finally:
            self._changed_rows = None

    def _get_renders(self, crop: Region | None = None) -> Iterable[tuple[Region, Region, list[Strip]]]:
        runs = self._changed_rows
        if crop is None or runs is None:
            yield from super()._get_renders(crop)
            return
        overlaps = crop.overlaps
        for widget, (region, clip) in list(self.visible_widgets.items()):
            if not overlaps(clip):
                continue
            shown = region.intersection(clip)
            if not shown.width:
                continue
            for start, end in runs:
                top, bottom = max(start, shown.y), min(end, shown.bottom)
                if top >= bottom:
                    continue
                rows = Region(clip.x, top, clip.width, bottom - top)  # the clip, cut to these rows
                lines = Region(shown.x - region.x, top - region.y, shown.width, bottom - top)
                yield region, rows, widget.render_lines(lines)


def _runs(rows: set[int]) -> list[tuple[int, int]]:
    """Sorted rows as runs of adjacent rows, [start, end)."""
    runs: list[tuple[int, int]] = []
    for y in sorted(rows):
        if runs and runs[-1][1] == y:
            runs[-1] = (runs[-1][0], y + 1)
        else:
            runs.append((y, y + 1))
    return runs
