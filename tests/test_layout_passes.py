"""A layout that resizes a growing block is not followed by a second layout of the whole screen,
a streamed piece is laid out once, and the screen still ends where a fresh arrangement puts every
widget (tui/key_first.py, tui/widgets/reply_sections.py)."""

from __future__ import annotations

from textual._compositor import Compositor
from textual.containers import VerticalScroll
from textual.scroll_view import ScrollView
from textual.widgets import Static

from tui import key_first
from tui.key_first import KeyFirstScreen, layouts_held
from tui.theming import ThemedApp
from tui.widgets.prompt_input import PromptInput
from tui.widgets.reply_sections import ReplySection, SectionedStream


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
        assert widget.outer_size == geometry.region.size, widget
        if not isinstance(widget, ScrollView):  # a scroll view keeps its own virtual size
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


class StreamScreen(KeyFirstScreen):
    DEFAULT_CSS = "#log { height: 1fr; } #status { height: 1; } #prompt { height: 3; }"

    def compose(self):
        with VerticalScroll(id="log"):
            yield ReplySection("")
            yield Static("streaming", id="status")
        yield PromptInput(id="prompt")


class StreamHost(ThemedApp):
    def get_default_screen(self):
        return StreamScreen()


PIECE = "## Steps\n\nStream the rows, never load them all.\n\n```python\nrows = query()\n```\n\nThen test it.\n"


async def test_a_streamed_piece_that_mounts_blocks_costs_one_layout(monkeypatch):
    app = StreamHost()
    async with app.run_test(size=(60, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        log = screen.query_one("#log", VerticalScroll)
        stream = SectionedStream(log, list(log.query(ReplySection)), screen.query_one("#status"))
        layouts = _count_layouts(monkeypatch, screen)
        stream.write(PIECE)
        await stream.flush()
        for _ in range(8):
            await pilot.pause()
        assert len(layouts) == 1, "the new blocks' own early requests asked for a second one"
        assert "".join(section.text for section in stream.sections) == PIECE
        _settled_as_arranged_afresh(screen)
        await stream.stop()


async def test_while_a_piece_is_written_layouts_wait_and_the_prompt_is_painted(monkeypatch):
    monkeypatch.setattr(key_first, "LAYOUT_HOLD_LONGEST", 60.0)  # Pilot's key presses take a while
    app = StreamHost()
    async with app.run_test(size=(60, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        status = screen.query_one("#status", Static)
        prompt = screen.query_one("#prompt", PromptInput)
        prompt.focus()
        await pilot.pause()
        layouts = _count_layouts(monkeypatch, screen)
        with layouts_held():
            status.styles.height = 2  # asks for a layout
            await pilot.press("x")
            for _ in range(4):
                await pilot.pause()
            assert layouts == [], "held"
            assert "x" in "".join(strip.text for strip in screen._compositor.render_strips()), "the key is on screen"
        for _ in range(4):
            await pilot.pause()
        assert layouts == [1] and status.size.height == 2


async def test_a_hold_longer_than_its_limit_holds_nothing(monkeypatch):
    monkeypatch.setattr(key_first, "LAYOUT_HOLD_LONGEST", 0.0)
    app = StreamHost()
    async with app.run_test(size=(60, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        status = screen.query_one("#status", Static)
        layouts = _count_layouts(monkeypatch, screen)
        with layouts_held():
            status.styles.height = 2
            for _ in range(4):
                await pilot.pause()
            assert layouts == [1] and status.size.height == 2
