"""After a scroll and then a layout, a widget's place comes from the map the layout made: the
screen is not arranged a second time (tui/screen_compositor.py)."""

from __future__ import annotations

from textual._compositor import Compositor
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.key_first import KeyFirstScreen
from tui.screen_compositor import ScreenCompositor
from tui.theming import ThemedApp


class LogScreen(KeyFirstScreen):
    DEFAULT_CSS = "#log { height: 1fr; } #log Static { height: 3; }"

    def compose(self):
        with VerticalScroll(id="log"):
            for n in range(40):
                yield Static(f"line {n}", id=f"line-{n}")
        yield Static("prompt", id="prompt")


class Host(ThemedApp):
    def get_default_screen(self):
        return LogScreen()


def _count_full_arrangements(monkeypatch, compositor) -> list[str]:
    """Note each arrangement of every widget (not only the visible ones) and who asked for it."""
    asked: list[str] = []
    arrange = compositor._arrange_root

    def counted(root, size, visible_only=True):
        if not visible_only:
            import sys

            asked.append(sys._getframe(1).f_code.co_name)
        return arrange(root, size, visible_only)

    monkeypatch.setattr(compositor, "_arrange_root", counted)
    return asked


async def test_a_layout_after_a_scroll_leaves_a_fresh_map(monkeypatch):
    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        screen = app.screen
        compositor = screen._compositor
        assert isinstance(compositor, ScreenCompositor)
        log = screen.query_one("#log", VerticalScroll)
        log.scroll_to(y=30, animate=False)  # the visible widgets remade; the full map now stale
        await pilot.pause()
        asked = _count_full_arrangements(monkeypatch, compositor)
        await log.mount(Static("appended", id="appended"))  # a layout: every widget arranged
        await pilot.pause()
        assert "reflow" in asked and "full_map" not in asked, "the new line, off screen, is placed by the layout"
        asked.clear()

        off_screen = screen.query_one("#line-0")  # the visible map can't answer for it
        region = off_screen.region
        prompt_region = screen.query_one("#prompt").region
        assert asked == [], "the layout's full map answered"

        fresh, _ = Compositor()._arrange_root(screen, screen.size, visible_only=False)
        assert region == fresh[off_screen].region and region.y < 0, "where it is now: scrolled above"
        assert prompt_region == fresh[screen.query_one("#prompt")].region


async def test_a_scroll_still_makes_the_map_stale(monkeypatch):
    """Between a scroll and the next layout, a widget's place is worked out afresh, as Textual does."""
    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        screen = app.screen
        log = screen.query_one("#log", VerticalScroll)
        log.scroll_to(y=30, animate=False)
        await pilot.pause()
        asked = _count_full_arrangements(monkeypatch, screen._compositor)
        region = screen.query_one("#line-0").region
        assert asked == ["full_map"]
        assert region.y == screen.query_one("#log").region.y - 30
