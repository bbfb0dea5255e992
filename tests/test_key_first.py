"""A typed key is painted before a layout that streamed text asked for (tui/key_first.py)."""

from __future__ import annotations

from textual.widgets import Static

from tui import keystrokes
from tui.key_first import KeyFirstScreen
from tui.theming import ThemedApp
from tui.widgets.prompt_input import PromptInput


class StreamAndPrompt(KeyFirstScreen):
    def compose(self):
        yield Static("streamed", id="stream")
        yield PromptInput(id="prompt")


class Host(ThemedApp):
    def get_default_screen(self):
        return StreamAndPrompt()


async def _frame_order(monkeypatch, *, typed: bool) -> tuple[list[str], Host]:
    """What the next frame does first when streamed text (taller now: it needs a layout) and
    the prompt (one more character) both wait for it; `typed`: the character was a key."""
    app = Host()
    order: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        prompt = screen.query_one(PromptInput)
        prompt.focus()
        await pilot.pause()
        lay_out = screen._refresh_layout

        def layout_recorded(*args, **kwargs):
            order.append("layout")
            return lay_out(*args, **kwargs)

        drawn = keystrokes.drawn

        def drawn_recorded():
            order.append("prompt painted")
            drawn()

        monkeypatch.setattr(screen, "_refresh_layout", layout_recorded)
        monkeypatch.setattr(keystrokes, "_shown", True)  # no key of an earlier test waiting
        monkeypatch.setattr(keystrokes, "drawn", drawn_recorded)

        def stream_and_type():
            # One step of the loop, as when a key arrives while a streamed piece is drawn.
            screen.query_one("#stream", Static).update("\n".join(["streamed"] * 6))
            if typed:
                keystrokes.note()
            prompt.insert("x")

        app.call_later(stream_and_type)
        await pilot.pause()
        await pilot.pause()
        assert prompt.text == "x"
        assert screen.query_one("#stream").size.height == 6, "the layout still came, right after"
        monkeypatch.undo()
    return order, app


async def test_the_prompt_with_a_new_key_is_painted_before_the_pending_layout(monkeypatch):
    order, _ = await _frame_order(monkeypatch, typed=True)
    assert "layout" in order and "prompt painted" in order
    assert order.index("prompt painted") < order.index("layout"), order


async def test_without_a_key_the_layout_comes_first_as_textual_does_it(monkeypatch):
    order, _ = await _frame_order(monkeypatch, typed=False)
    assert order.index("layout") < order.index("prompt painted"), order
