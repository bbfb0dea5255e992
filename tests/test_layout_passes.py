"""A layout that resizes a growing block is not followed by a second layout of the whole screen,
and the screen still ends where a fresh arrangement puts every widget (tui/key_first.py)."""

from __future__ import annotations

from textual._compositor import Compositor
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.key_first import KeyFirstScreen
from tui.theming import ThemedApp


class LogScreen(KeyFirstScreen):
    DEFAULT_CSS = "#log { height: 1fr; } #prompt { height: 3; }"

    def compose(self):
        with VerticalScroll(id="log"):
            yield Static("first line", id="block")
        yield Static("prompt", id="prompt")


class Host(ThemedApp):
    def get_default_screen(self):
        return LogScreen()


def _count_layouts(monkeypatch, screen) -> list[int]:
    layouts: list[int] = []
    reflow = screen._compositor.reflow

    def counted(parent, size):
        layouts.append(1)
        return reflow(parent, size)

    monkeypatch.setattr(screen._compositor, "reflow", counted)
    return layouts


def _settled_as_arranged_afresh(screen) -> None:
    fresh, _ = Compositor()._arrange_root(screen, screen.size, visible_only=False)
    placed = screen._compositor.full_map
    assert {widget: geometry.region for widget, geometry in placed.items()} == {
        widget: geometry.region for widget, geometry in fresh.items()
    }
    for widget, geometry in fresh.items():
        assert widget.size == geometry.region.size, widget
        assert widget.virtual_size == geometry.virtual_size, widget


async def test_a_growing_block_costs_one_layout(monkeypatch):
    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        screen = app.screen
        block = screen.query_one("#block", Static)
        layouts = _count_layouts(monkeypatch, screen)
        block.update("\n".join(["a line"] * 4))  # grows: its height, and the log's virtual size, change
        for _ in range(6):
            await pilot.pause()
        assert len(layouts) == 1, "the sizes the layout set asked for no layout of their own"
        assert block.size.height == 4
        _settled_as_arranged_afresh(screen)


async def test_a_scrollbar_that_appears_still_moves_what_it_narrows(monkeypatch):
    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        screen = app.screen
        block = screen.query_one("#block", Static)
        log = screen.query_one("#log", VerticalScroll)
        width = block.size.width
        block.update("a line that is long enough to wrap once the width shrinks by a bit\n" * 30)
        for _ in range(6):
            await pilot.pause()
        assert log.show_vertical_scrollbar
        assert block.size.width == width - log.styles.scrollbar_size_vertical
        _settled_as_arranged_afresh(screen)
