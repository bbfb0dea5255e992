"""A long reply is shown as Markdown sections: cut only where the rendering can't change, streamed
into the last one, and folded to an empty box of the same height when far out of view (#15)."""

from __future__ import annotations

import random

from textual.app import App
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from core.engines.client import demo_endpoint
from core.settings import Settings
from core.store.database import Store
from tests.app_pilot import make_app, send_and_wait, turns_done, wait_until
from tui.launch import build_app
from tui.markdown_cuts import SECTION_LINES, find_cut, split_sections
from tui.widgets.conversation import ReplyView

PLAN = """# Exporter plan

The exporter writes the orders table as CSV. It streams rows, so memory stays flat.

## Steps

1. Add `export_orders(path)` in `orders/export.py`.

2. Write the header from the column names.

- a bullet
- another bullet

    indented continuation of the bullet

```python
def export_orders(path):

    Not a paragraph: still inside the fence.

    return path
```

Plain paragraph after the fence.

**Bold opening** paragraph.

* a starred bullet

2024 was the year the table grew past a million rows.

> a quote

| column | type |
|---|---|
| id | int |

Closing paragraph.
"""


def long_text(repeats: int) -> str:
    return "\n".join(PLAN.replace("Exporter plan", f"Exporter plan {n}") for n in range(repeats))


def test_cuts_keep_every_character_and_fall_only_before_paragraphs():
    text = long_text(6)
    sections = split_sections(text, min_lines=3)
    assert "".join(sections) == text
    assert len(sections) > 6
    for section in sections[1:]:
        first = section.splitlines()[0]
        assert first[0].isalpha() or first.startswith(("**", "2024")), first
        assert not first.startswith(("Not a paragraph", "indented", "* ", "# ", "## ", "|", ">")), first
    # Never inside the fence, whatever the threshold.
    for min_lines in range(0, 12):
        for section in split_sections(text, min_lines=min_lines):
            assert section.count("```") % 2 == 0, section


def test_a_short_reply_stays_one_section():
    text = "Short answer.\n\nSecond paragraph.\n"
    assert split_sections(text) == [text]
    assert find_cut("", text) is None


def test_streaming_in_any_chunks_cuts_only_where_the_whole_text_may_be_cut():
    """The streamed cut happens at flush time, inside the pending text only; whatever the
    chunking, the sections join back to the text and each starts where a cut is allowed."""
    text = long_text(8)
    allowed = set()
    position = 0
    for section in split_sections(text, min_lines=0):
        position += len(section)
        allowed.add(position)
    rng = random.Random(15)
    for _ in range(20):
        sections, current, rest = [], "", text
        while rest:
            size = rng.randint(1, 400)
            pending, rest = rest[:size], rest[size:]
            while pending:
                cut = find_cut(current, pending)
                if cut is None:
                    current, pending = current + pending, ""
                else:
                    sections.append(current + pending[:cut])
                    current, pending = "", pending[cut:]
        sections.append(current)
        assert "".join(sections) == text
        offsets = [sum(len(s) for s in sections[: n + 1]) for n in range(len(sections) - 1)]
        assert set(offsets) <= allowed
        assert all(section.count("\n") >= SECTION_LINES for section in sections[:-1])


class SideBySide(App):
    """The same reply as one Markdown and as ReplyView sections, at the same width."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {"opus": "orange", "sonnet": "teal"}  # the model label's colours, as Segue's themes set

    def compose(self):
        with VerticalScroll(id="whole"):
            yield Markdown(self.text, id="one")
        with VerticalScroll(id="cut"):
            yield from ReplyView("claude-sonnet-4-5", self.text).widgets()

    CSS = """
    Screen { layout: horizontal; }
    VerticalScroll { width: 1fr; }
    #one { margin: 0; padding: 0 1; }
    """


async def test_sections_render_as_tall_as_one_markdown_of_the_same_text():
    text = long_text(4)
    app = SideBySide(text)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        reply = app.query_one(ReplyView)
        assert len(reply.sections) > 3
        whole = app.query_one("#one", Markdown).outer_size.height
        cut = sum(section.outer_size.height for section in reply.sections)
        assert whole > 100 and cut == whole


async def test_a_long_streamed_reply_is_sectioned_and_folds_out_of_view(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await send_and_wait(pilot, "exec", "Implement the exporter [[sim:tokens=6000]]")
        pane = app.pane("exec")
        reply = pane.log_view.query(ReplyView).last()
        stored = app.store.messages(app.session.id)[-1]
        assert "".join(section.text for section in reply.sections) == reply.text == stored.text
        assert len(reply.sections) > 4
        log = pane.log_view
        # Following the stream, the log shows the end; the first sections are far above it.
        await wait_until(pilot, lambda: reply.sections[0].folded)
        first = reply.sections[0]
        assert not first.query_one(Markdown).display and first.size.height > 0
        assert not reply.sections[-1].folded
        folded_height = first.size.height
        # Scrolling back to the top brings it back, at the same height.
        log.scroll_home(animate=False)
        await wait_until(pilot, lambda: not first.folded)
        await pilot.pause()
        assert first.query_one(Markdown).display and first.size.height == folded_height
        await wait_until(pilot, lambda: reply.sections[-1].folded)


async def test_a_resumed_long_reply_comes_back_in_sections_and_folds(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await send_and_wait(pilot, "plan", "Plan the exporter [[sim:tokens=5000]]")
        text = app.pane("plan").log_view.query(ReplyView).last().text
    settings = Settings(plan_thinking=False, tools=False, silenced_guards=("opus_trivial", "sonnet_architecture"))
    resumed = build_app(tmp_path, demo_endpoint(simulator.base_url), settings, store=Store())
    async with resumed.run_test(size=(120, 40)) as pilot:
        pane = resumed.pane("plan")
        await wait_until(pilot, lambda: bool(pane.log_view.query(ReplyView)))
        reply = pane.log_view.query(ReplyView).last()
        assert [section.text for section in reply.sections] == split_sections(text)
        assert len(reply.sections) > 1
        await wait_until(pilot, lambda: reply.sections[0].folded)
        assert not reply.sections[-1].folded  # the end of the reply is what shows


async def test_typing_draws_a_streaming_reply_in_the_gap_after_the_key(paced_simulator, tmp_path, monkeypatch):
    """With the flush clock stopped (an hour), only keystrokes bring the streamed text to the screen:
    each key's frame is followed by a flush, so text and keys never queue behind each other."""
    from tui.widgets import reply_sections

    monkeypatch.setattr(reply_sections, "FLUSH_SECONDS", 3600.0)
    # Nor does a draw give up waiting for the key's frame: it goes because that frame is out (the
    # prompt is painted as soon as the key reaches it, before the pane hears of the change).
    monkeypatch.setattr(reply_sections, "KEY_FRAME_WAIT_MAX", 3600.0)
    app = make_app(paced_simulator, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        exec_pane, plan_pane = app.pane("exec"), app.pane("plan")
        exec_pane.prompt_input.value = "Implement the exporter [[sim:tokens=20000]]"  # minutes at the real pace
        exec_pane.focus_input()
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(exec_pane.log_view.query(ReplyView)))
        reply = exec_pane.log_view.query(ReplyView).last()
        await wait_until(pilot, lambda: reply._reply_stream is not None and bool(reply._reply_stream.pending))
        assert reply.sections[0].text == ""  # the clock has not drawn anything yet
        plan_pane.focus_input()
        plan_pane.prompt_input.cursor_blink = False  # no blink repaints the prompt meanwhile
        from tui import keystrokes

        # Each draw after a key starts only once the frame showing that key has gone out.
        key_out_when_drawn = []
        flush = reply._reply_stream.flush

        async def recording_flush():
            key_out_when_drawn.append(keystrokes.key_shown_for(reply_sections.KEY_FRAME_WRITE))
            await flush()

        reply._reply_stream.flush = recording_flush
        await pilot.press("x")
        await wait_until(pilot, lambda: reply.sections[0].text != "")
        assert plan_pane.prompt_input.value == "x"
        assert key_out_when_drawn and all(key_out_when_drawn)
        drawn = "".join(section.text for section in reply.sections)
        assert drawn and reply.text.startswith(drawn)
        exec_pane.action_cancel_reply()
        await turns_done(app)


async def test_a_keys_frame_still_counts_after_the_pane_hears_of_the_change(simulator, tmp_path):
    """The prompt is painted as soon as a key's change reaches the screen (tui/key_first.py),
    which may be before the pane handles the Changed message: that handler must not mark the key
    as waiting again, or the draw after it would wait for a frame that has already gone out."""
    from textual.widgets import TextArea

    from tui import keystrokes

    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.pane("plan")
        pane.focus_input()
        await pilot.pause()
        keystrokes.note()  # a key arrives (the app notes it)
        keystrokes.drawn()  # a paint of the prompt before the key changed it
        pane.prompt_input.insert("x")  # the key's change
        assert keystrokes.key_waiting(60), "the prompt notes its new text as it changes"
        keystrokes.drawn()  # its frame is made
        pane._prompt_changed(TextArea.Changed(pane.prompt_input))
        assert keystrokes.key_shown_for(0)


async def test_folded_thinking_is_kept_as_text_and_streams_on_once_opened(paced_simulator, tmp_path):
    """Streamed thinking is parsed only when its fold is opened (a hidden Markdown still cost a
    screen layout per update); opened mid-stream, it shows the thinking so far and the rest follows."""
    from tests.app_pilot import send

    app = make_app(paced_simulator, tmp_path, plan_thinking=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "plan", "Plan a cache layer for the orders service [[sim:tokens=300]]")
        log = app.pane("plan").log_view
        await wait_until(pilot, lambda: bool(log.query(ReplyView)) and len(log.query(ReplyView).last().thinking_text) > 20)
        reply = log.query(ReplyView).last()
        assert reply.has_class("has-thinking") and not reply.query("#thinking")
        assert reply.text == ""  # still thinking
        reply.toggle_thinking()
        await wait_until(pilot, lambda: bool(reply.query("#thinking")))
        await turns_done(app)
        await pilot.pause()
        assert reply.text  # the reply came after the thinking
        assert reply.query_one("#thinking", Markdown).source == reply.thinking_text


async def test_a_prompt_sent_while_a_burst_is_still_drawn_loses_nothing(simulator, tmp_path, monkeypatch):
    """The API has finished but the screen is still drawing a burst (FLUSH_CHARS a flush;
    here the pauses between flushes last an hour): a new prompt in the same pane cancels that
    wait; the first reply is drawn whole at once and its turn still ends (costs, drift check)."""
    from tests.app_pilot import send
    from tui.messages import TurnFinished
    from tui.widgets import reply_sections

    monkeypatch.setattr(reply_sections, "FLUSH_SECONDS", 3600.0)
    monkeypatch.setattr(reply_sections, "BACKLOG_PAUSE", 3600.0)
    app = make_app(simulator, tmp_path)
    finished = []
    async with app.run_test(size=(120, 40)) as pilot:
        original = app.main.post_message

        def recording(message):
            if isinstance(message, TurnFinished):
                finished.append(message.status)
            return original(message)

        app.main.post_message = recording
        pane = app.pane("exec")
        await send(pilot, "exec", "Implement the exporter [[sim:tokens=6000]]")
        await wait_until(pilot, lambda: bool(pane.log_view.query(ReplyView)))
        first = pane.log_view.query(ReplyView).last()
        stream = lambda: first._reply_stream  # noqa: E731
        await wait_until(pilot, lambda: not app.session.panes["exec"].streaming and stream() is not None and bool(stream().pending))
        await send(pilot, "exec", "Now the tests [[sim:tokens=40]]")
        await turns_done(app)
        await wait_until(pilot, lambda: "".join(section.text for section in first.sections) == first.text)
        assert len(first.text) > 10_000
        assert finished == ["complete", "complete"]


def test_each_key_draws_one_reply_the_one_drawn_longest_ago():
    """Two replies' pieces after one key made a layout too long for the gap before the next key:
    a key draws one reply, and the other gets the next key."""
    from tui.widgets import reply_sections

    class Stream:
        def __init__(self, flushed_at):
            self.flushed_at, self.drawn = flushed_at, 0
            self.owner = type("Owner", (), {"is_mounted": True})()

        def can_draw_after_keystroke(self):
            return True

        def after_keystroke(self):
            self.drawn += 1
            self.flushed_at += 10

    older, newer = Stream(1.0), Stream(2.0)
    reply_sections._streaming.add(older)
    reply_sections._streaming.add(newer)
    try:
        reply_sections.flush_after_keystroke()
        assert (older.drawn, newer.drawn) == (1, 0)
        reply_sections.flush_after_keystroke()
        assert (older.drawn, newer.drawn) == (1, 1)
    finally:
        reply_sections._streaming.discard(older)
        reply_sections._streaming.discard(newer)


async def test_folding_waits_for_a_pause_in_the_typing(simulator, tmp_path, monkeypatch):
    """A folding pass is a layout of its own: while someone types it waits for a pause (or at
    most FIT_AT_LEAST_EVERY since the last pass, and then for the gap after a key's frame)."""
    import time

    from tui import keystrokes
    from tui.widgets import conversation_log

    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await send_and_wait(pilot, "exec", "Implement the exporter [[sim:tokens=4000]]")
        log = app.pane("exec").log_view
        reply = log.query(ReplyView).last()
        await wait_until(pilot, lambda: reply.sections[0].folded)
        log._fitted_at = time.monotonic()  # a pass just ran
        keystrokes.note()  # and someone is typing
        log.scroll_home(animate=False)  # after the next frame is painted
        await wait_until(pilot, lambda: log.scroll_y == 0)
        await pilot.pause()
        log._fit()
        assert reply.sections[0].folded, "no pass while typing"
        assert log._fit_timer is not None, "it looks again after the pause"
        log._fitted_at -= conversation_log.FIT_AT_LEAST_EVERY
        log._fit_timer.stop()
        keystrokes.note()  # a key whose frame is not out yet
        log._fit()
        assert reply.sections[0].folded, "an overdue pass waits for the gap after the key's frame"
        assert log._fit_timer is not None
        monkeypatch.setattr(keystrokes, "_shown", True)  # the frame went out, the writer had its turn
        monkeypatch.setattr(keystrokes, "_shown_at", time.monotonic() - (keystrokes.GAP_AFTER + keystrokes.GAP_WITHIN) / 2)
        log._fit_timer.stop()
        log._fit()
        assert not reply.sections[0].folded, "a pass is due however fast the typing"


async def test_a_draw_waits_for_the_keys_frame_only_so_long(paced_simulator, tmp_path, monkeypatch):
    """A draw after a key waits for the frame showing the key, but a prompt that is not drawn
    (a dialog covers the screen) does not hold the reply back past KEY_FRAME_WAIT_MAX."""
    from textual.screen import Screen

    from tui import keystrokes
    from tui.widgets import reply_sections

    monkeypatch.setattr(reply_sections, "FLUSH_SECONDS", 3600.0)
    app = make_app(paced_simulator, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        exec_pane = app.pane("exec")
        exec_pane.prompt_input.value = "Implement the exporter [[sim:tokens=20000]]"
        exec_pane.focus_input()
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(exec_pane.log_view.query(ReplyView)))
        reply = exec_pane.log_view.query(ReplyView).last()
        await wait_until(pilot, lambda: reply._reply_stream is not None and bool(reply._reply_stream.pending))
        await app.push_screen(Screen())  # covers the main screen: its prompts are not drawn
        keystrokes.note()  # a key whose prompt is never drawn while the dialog is up
        reply_sections.flush_after_keystroke()
        await wait_until(pilot, lambda: reply.sections[0].text != "", limit=200_000)
        assert not keystrokes.key_shown_for(0)
        exec_pane.action_cancel_reply()
        await turns_done(app)
