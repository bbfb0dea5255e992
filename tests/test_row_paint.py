"""A frame renders only the screen rows that changed, and sends what Textual's own paint would
(tui/row_paint.py)."""

from __future__ import annotations

import io

from rich.console import Console
from textual._compositor import Compositor
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from tui.key_first import KeyFirstScreen
from tui.row_paint import RowPaintCompositor, _runs
from tui.theming import ThemedApp

ROWS = 20


class Rows(KeyFirstScreen):
    DEFAULT_CSS = """
    #top, #bottom { height: 1; background: $panel; }
    #middle { height: 1fr; background: $surface; }
    .line { height: 1; color: $accent; }
    .line.odd { background: $boost; text-style: bold; }
    """

    def compose(self):
        yield Static("top", id="top")
        with VerticalScroll(id="middle"):
            for n in range(40):
                yield Static(f"line {n} " + "word " * (n % 7), id=f"line-{n}", classes="line odd" if n % 2 else "line")
        yield Static("bottom", id="bottom")


class Host(ThemedApp):
    def get_default_screen(self):
        return Rows()


def _sent(update) -> str:
    """An update as the escape codes the terminal would get."""
    out = io.StringIO()
    Console(file=out, force_terminal=True, color_system="truecolor", width=60, legacy_windows=False).print(update, end="")
    return out.getvalue()


def _both_paints(screen, widgets: set[Widget]) -> tuple[str, str]:
    """What our compositor sends for `widgets` changed, and what Textual's own would."""
    compositor = screen._compositor
    for widget in widgets:
        widget._set_dirty()
    compositor.update_widgets(widgets)
    changed = set(compositor._dirty_regions)
    ours = _sent(compositor.render_partial_update())
    for widget in widgets:
        widget._set_dirty()
    compositor._dirty_regions.update(changed)
    stock = _sent(Compositor.render_partial_update(compositor))  # its _get_renders falls back to Textual's
    return ours, stock


async def test_a_change_at_the_top_and_one_at_the_bottom_render_those_two_rows_only(monkeypatch):
    app = Host()
    async with app.run_test(size=(60, ROWS)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen._compositor, RowPaintCompositor)
        rendered: list[tuple[str, int]] = []  # (widget, screen row) for every row rendered
        render_lines = Widget.render_lines

        def recorded(widget, crop):
            rendered.extend((widget.id or type(widget).__name__, widget.region.y + y) for y in crop.line_range)
            return render_lines(widget, crop)

        monkeypatch.setattr(Widget, "render_lines", recorded)
        app.query_one("#top", Static).update("top, changed")
        app.query_one("#bottom", Static).update("bottom, changed")
        await pilot.pause()
        await pilot.pause()

    assert {row for _, row in rendered} == {0, ROWS - 1}
    # Textual's own paint rendered every widget between them, whole: the screen, the scroll and
    # all its visible lines.
    assert not any(name.startswith("line-") for name, _ in rendered)


async def test_the_rows_sent_are_what_textuals_own_paint_sends():
    app = Host()
    async with app.run_test(size=(60, ROWS)) as pilot:
        await pilot.pause()
        screen = app.screen
        top, bottom = app.query_one("#top"), app.query_one("#bottom")
        ours, stock = _both_paints(screen, {top, bottom})
        assert ours == stock and "top" in ours and "bottom" in ours

        # Widgets cut by the scroll's edges (the top line half out of view is not: lines are one
        # row high, so scroll by a part of the view) and rows far apart inside it.
        middle = app.query_one("#middle", VerticalScroll)
        middle.scroll_to(y=5, animate=False)
        await pilot.pause()
        lines = {app.query_one("#line-6"), app.query_one("#line-15"), app.query_one("#line-16")}
        ours, stock = _both_paints(screen, lines | {middle.vertical_scrollbar})
        assert ours == stock and "line 15" in ours

        # The whole screen: the full update, unchanged.
        ours, stock = _both_paints(screen, {screen})
        assert ours == stock and "line 5" in ours


def test_rows_make_runs_of_adjacent_rows():
    assert _runs({5, 0, 1, 2, 9, 8}) == [(0, 3), (5, 6), (8, 10)]
    assert _runs(set()) == []
