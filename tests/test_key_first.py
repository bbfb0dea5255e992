"""A typed key is painted before a layout that streamed text asked for (tui/key_first.py)."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from textual import events
from textual.widgets import Static, TextArea

from tui import keystrokes
from tui.key_first import KeyFirstScreen
from tui.theming import ThemedApp
from tui.widgets.prompt_input import PromptInput


class StreamAndPrompt(KeyFirstScreen):
    def __init__(self, box: type[TextArea]) -> None:
        super().__init__()
        self.box = box

    def compose(self):
        yield Static("streamed", id="stream")
        yield self.box(id="prompt")


class Host(ThemedApp):
    def __init__(self, box: type[TextArea] = PromptInput) -> None:
        super().__init__()
        self.box = box

    def get_default_screen(self):
        return StreamAndPrompt(self.box)


def _record_prompt_paints(monkeypatch, order: list[str], painted: asyncio.Event | None = None) -> None:
    """The prompt tells tui/keystrokes.py when it is painted: note it in `order` too (and set
    `painted`)."""
    drawn = keystrokes.drawn

    def drawn_recorded():
        order.append("prompt painted")
        if painted is not None:
            painted.set()
        drawn()

    monkeypatch.setattr(keystrokes, "drawn", drawn_recorded)


def _record_paints(monkeypatch, widget, label: str, order: list[str]) -> None:
    """Note `label` in `order` whenever `widget` renders lines for a paint."""
    render_lines = widget.render_lines

    def painted(crop):
        order.append(label)
        return render_lines(crop)

    monkeypatch.setattr(widget, "render_lines", painted)


@asynccontextmanager
async def _prompt_focused(box: type[TextArea] = PromptInput):
    """A Host running at 80x24 with its prompt focused and the first frames made."""
    app = Host(box)
    async with app.run_test(size=(80, 24)) as pilot:
        prompt = app.screen.query_one("#prompt", TextArea)
        prompt.focus()
        await pilot.pause()
        yield pilot, app.screen, prompt


async def _frame_order(monkeypatch, *, typed: bool, box: type[TextArea] = PromptInput) -> list[str]:
    """What the next frame does first when streamed text (taller now: it needs a layout) and
    the prompt (one more character) both wait for it; `typed`: the character was a key."""
    order: list[str] = []
    async with _prompt_focused(box) as (pilot, screen, prompt):
        lay_out = screen._refresh_layout

        def layout_recorded(*args, **kwargs):
            order.append("layout")
            return lay_out(*args, **kwargs)

        if box is not PromptInput:  # a box that doesn't report its paints: see when it is painted
            _record_paints(monkeypatch, prompt, "prompt painted", order)

        monkeypatch.setattr(screen, "_refresh_layout", layout_recorded)
        monkeypatch.setattr(keystrokes, "_shown", True)  # no key of an earlier test waiting
        monkeypatch.setattr(keystrokes, "_last", 0.0)
        _record_prompt_paints(monkeypatch, order)

        def stream_and_type():
            # One step of the loop, as when a key arrives while a streamed piece is drawn.
            screen.query_one("#stream", Static).update("\n".join(["streamed"] * 6))
            if typed:
                keystrokes.note()
            prompt.insert("x")

        screen.app.call_later(stream_and_type)
        await pilot.pause()
        await pilot.pause()
        assert prompt.text == "x"
        assert screen.query_one("#stream").size.height == 6, "the layout still came, right after"
        monkeypatch.undo()
    return order


async def test_the_prompt_with_a_new_key_is_painted_before_the_pending_layout(monkeypatch):
    order = await _frame_order(monkeypatch, typed=True)
    assert "layout" in order and "prompt painted" in order
    assert order.index("prompt painted") < order.index("layout"), order


async def test_without_a_key_the_layout_comes_first_as_textual_does_it(monkeypatch):
    order = await _frame_order(monkeypatch, typed=False)
    assert order.index("layout") < order.index("prompt painted"), order


async def test_a_focused_widget_that_does_not_report_its_paints_keeps_textuals_order(monkeypatch):
    """Only a widget that tells tui/keystrokes.py it was painted can end a key's wait; with any
    other, the layout would be put off frame after frame, so it is not put off at all."""
    order = await _frame_order(monkeypatch, typed=True, box=TextArea)
    assert order.index("layout") < order.index("prompt painted"), order


async def _streamed_then(monkeypatch, between_layout_and_paint, removed: bool = False) -> list[str]:
    """Streamed text that needs a layout; `between_layout_and_paint(screen, prompt, order)` runs
    right after the layout, before its paint (as the event loop would run a key that arrived
    meanwhile). Returns what was laid out and painted, in order."""
    order: list[str] = []
    async with _prompt_focused() as (pilot, screen, prompt):
        stream = screen.query_one("#stream", Static)
        lay_out = screen._refresh_layout

        def layout_then(*args, **kwargs):
            order.append("layout starts")
            result = lay_out(*args, **kwargs)
            order.append("layout")
            if order.count("layout") == 1:
                between_layout_and_paint(screen, prompt, order)
            return result

        monkeypatch.setattr(screen, "_refresh_layout", layout_then)
        _record_paints(monkeypatch, stream, "stream painted", order)
        monkeypatch.setattr(keystrokes, "_shown", True)
        _record_prompt_paints(monkeypatch, order)
        stream.update("\n".join(["streamed"] * 6))
        await pilot.pause()
        await pilot.pause()
        if removed:
            assert not screen.query("#stream")
        else:
            assert stream.size.height >= 6
        monkeypatch.undo()
    return order


async def test_a_layouts_paint_comes_on_the_next_tick_and_a_key_typed_meanwhile_goes_before_it(monkeypatch):
    """A frame is laid out in one tick and painted in the next, so a key typed while the layout
    ran waits for the layout only: its prompt is painted alone, then the streamed text."""

    def key_arrives(screen, prompt, order):
        assert screen._paint_pending, "the paint is left to the next tick"
        assert "stream painted" not in order
        keystrokes.note()
        prompt.insert("x")

    order = await _streamed_then(monkeypatch, key_arrives)
    assert order.index("layout") < order.index("prompt painted") < order.index("stream painted"), order


async def test_callbacks_after_the_refresh_wait_for_the_layouts_paint(monkeypatch):
    """call_after_refresh means after the frame is painted (reply_sections draws the next piece
    of a reply there): a layout whose paint is still due does not count as that frame, whether
    the callback was asked for before the layout's tick or while the screen waits for its paint."""
    seen: list[str] = []

    def ask_after_refresh(screen, prompt, order):
        def after_refresh():
            painted = "stream painted" in order[order.index("asked") :]
            seen.append("painted" if painted else "not painted")

        # Asked for during the layout's tick: Textual runs such callbacks when its tick ends.
        order.append("asked")
        screen.call_after_refresh(after_refresh)

    await _streamed_then(monkeypatch, ask_after_refresh)
    assert seen == ["painted"]


async def test_the_screen_going_idle_between_a_layout_and_its_paint_runs_no_callback(monkeypatch):
    ran: list[str] = []

    def idle_meanwhile(screen, prompt, order):
        screen._callbacks.append((lambda: ran.append("stream painted" in order), screen))

        async def go_idle():
            await screen._on_idle(events.Idle())

        screen.app.call_later(go_idle)

    await _streamed_then(monkeypatch, idle_meanwhile)
    assert ran == [True], "the callback ran once, after the paint"


async def test_a_layout_whose_widget_is_being_removed_is_laid_out_again_not_painted(monkeypatch):
    """Between a layout and its paint a widget it placed may start going away (a new session
    replaces the panes); its styles may be gone by then, and painting it failed. The screen is
    laid out again instead, and painted with that layout."""

    def removed_meanwhile(screen, prompt, order):
        assert screen._paint_pending
        screen.query_one("#stream", Static).remove()
        order.append("removed")

    order = await _streamed_then(monkeypatch, removed_meanwhile, removed=True)
    after = order[order.index("removed") :]
    assert "stream painted" not in after, order
    assert after.count("layout") >= 1, "laid out again"


async def test_a_paint_that_is_due_goes_before_the_next_layout(monkeypatch):
    """Layouts come in pairs (Textual asks for a second as the first resizes things) and one after
    another while text streams: the paint of the last one is never put behind the next, which
    would join the two halves again."""

    def more_text(screen, prompt, order):
        screen.query_one("#stream", Static).update("\n".join(["streamed"] * 7))
        screen.query_one("#stream", Static).refresh(layout=True)

    order = await _streamed_then(monkeypatch, more_text)
    first_done = order.index("layout")
    second_starts = order.index("layout starts", first_done)
    assert "stream painted" in order[first_done:second_starts], order


async def _typed_with(monkeypatch, change, *, timer_stalled: bool) -> list[str]:
    """A key reaches the prompt together with `change(screen)`; `timer_stalled`: the screen's
    update timer does not tick meanwhile (as when it waits out its period after a long tick).
    Returns what was painted by the time the prompt was (or 5 s passed), in order; the frames
    after it are made before this returns."""
    order: list[str] = []
    async with _prompt_focused() as (pilot, screen, prompt):
        monkeypatch.setattr(keystrokes, "_shown", True)
        prompt_painted = asyncio.Event()
        _record_prompt_paints(monkeypatch, order, prompt_painted)
        _record_paints(monkeypatch, screen.query_one("#stream", Static), "stream painted", order)
        if timer_stalled:
            timer = screen._update_timer
            timer.pause()
            monkeypatch.setattr(timer, "resume", lambda: None)

        def type_and_change():
            change(screen)
            keystrokes.note()
            prompt.insert("x")

        screen.app.call_later(type_and_change)
        # Not pilot.pause(): it makes a frame itself, which a stalled timer would not.
        try:
            await asyncio.wait_for(prompt_painted.wait(), timeout=5)
        except TimeoutError:
            pass  # the callers' assertions say what was painted
        painted_first = list(order)
        assert prompt.text == "x"
        monkeypatch.undo()
        screen._update_timer.resume()
        await pilot.pause()
    return painted_first


async def test_a_keys_prompt_is_painted_as_its_change_arrives_not_on_the_timers_next_tick(monkeypatch):
    painted = await _typed_with(monkeypatch, lambda screen: None, timer_stalled=True)
    assert "prompt painted" in painted, "painted with the timer stalled"


async def test_a_change_made_with_the_key_is_painted_after_it(monkeypatch):
    """Painting the prompt alone leaves the other changed widgets due: a reply's new text of the
    same size (no layout moves it) still reaches the screen."""
    rows_sent: list[set[int]] = []

    def new_text_same_size(screen):
        screen.query_one("#stream", Static).update("streaMed")
        compositor = screen._compositor
        render_update = compositor.render_update

        def sent(*args, **kwargs):
            full = kwargs.get("full") or compositor.size.region in compositor._dirty_regions
            rows_sent.append({y for region in compositor._dirty_regions for y in region.line_range} | ({0} if full else set()))
            return render_update(*args, **kwargs)

        compositor.render_update = sent  # kept after the monkeypatch is undone: the frames after the key

    await _typed_with(monkeypatch, new_text_same_size, timer_stalled=False)
    stream_row = 0
    assert rows_sent and stream_row not in rows_sent[0], "the first frame: the prompt alone"
    assert any(stream_row in rows for rows in rows_sent[1:]), rows_sent
