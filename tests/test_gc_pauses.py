"""Garbage-collection passes wait while a key is on its way to the screen (tui/gc_pauses.py)."""

from __future__ import annotations

import asyncio
import gc

import pytest

from tests.app_pilot import make_app, wait_until
from tui import gc_pauses, keystrokes
from tui.widgets.prompt_input import PromptInput


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    for module in (keystrokes, gc_pauses):
        monkeypatch.setattr(module, "time", clock)
    monkeypatch.setattr(keystrokes, "_last", 0.0)
    monkeypatch.setattr(keystrokes, "_shown", True)
    monkeypatch.setattr(keystrokes, "_shown_at", 0.0)
    yield clock
    gc_pauses.end_hold()
    gc.enable()


class Loop:
    """Stands for the event loop: the hold's checks are run by the test."""

    def __init__(self) -> None:
        self.calls: list = []

    def call_later(self, delay, callback, *args):
        self.calls.append((callback, args))

    def tick(self) -> None:
        calls, self.calls = self.calls, []
        for callback, args in calls:
            callback(*args)


@pytest.fixture
def loop(monkeypatch):
    loop = Loop()
    monkeypatch.setattr(gc_pauses.asyncio, "get_running_loop", lambda: loop)
    return loop


def test_a_key_holds_collections_until_its_frame_has_gone_out(clock, loop):
    keystrokes.note()
    gc_pauses.hold_for_key()
    assert not gc.isenabled()
    loop.tick()
    assert not gc.isenabled(), "the key's frame is not made"
    keystrokes.drawn()
    loop.tick()
    assert not gc.isenabled(), "the terminal writer's turn first"
    clock.now += gc_pauses.HOLD_AFTER_FRAME * 1.5
    loop.tick()
    assert gc.isenabled() and not loop.calls


def test_a_key_whose_frame_never_comes_holds_nothing_long(clock, loop):
    keystrokes.note()  # a dialog has the key: the prompt is never painted
    gc_pauses.hold_for_key()
    clock.now += gc_pauses.HOLD_LONGEST / 2
    loop.tick()
    assert not gc.isenabled()
    clock.now += gc_pauses.HOLD_LONGEST
    loop.tick()
    assert gc.isenabled() and not loop.calls


def test_keys_in_a_row_are_one_hold_no_longer_than_the_limit(clock, loop):
    keystrokes.note()
    gc_pauses.hold_for_key()
    for _ in range(3):  # keys faster than frames
        clock.now += gc_pauses.HOLD_LONGEST / 4
        keystrokes.note()
        gc_pauses.hold_for_key()
        loop.tick()
        assert not gc.isenabled()
    clock.now += gc_pauses.HOLD_LONGEST / 2
    keystrokes.note()
    gc_pauses.hold_for_key()
    loop.tick()
    assert gc.isenabled() and not loop.calls, "held from the first key, not the last"


def test_a_pause_someone_else_made_is_left_to_them(clock, loop):
    gc.disable()  # Textual pauses collections for a smooth scroll (App.PAUSE_GC_ON_SCROLL)
    keystrokes.note()
    gc_pauses.hold_for_key()
    keystrokes.drawn()
    clock.now += gc_pauses.HOLD_LONGEST
    loop.tick()
    gc_pauses.end_hold()
    assert not gc.isenabled() and not loop.calls, "their pause ends when they say"


async def test_the_collection_a_key_made_due_runs_after_its_frame(simulator, tmp_path, monkeypatch):
    """In the app: the prompt's edit allocates enough to make a collection due; none runs before
    the key is on screen, and one runs soon after."""
    collections: list[str] = []
    on_screen = []

    def note_collection(phase, info):
        if phase == "start":
            collections.append("on screen" if on_screen else "before the frame")

    drawn = keystrokes.drawn

    def drawn_noted():
        if not keystrokes._shown:
            on_screen.append(True)
        drawn()

    edit = PromptInput.edit
    kept = []

    def edit_allocating(self, change):
        kept.append([[] for _ in range(5 * gc.get_threshold()[0])])  # container objects: counted
        return edit(self, change)

    monkeypatch.setattr(keystrokes, "drawn", drawn_noted)
    monkeypatch.setattr(PromptInput, "edit", edit_allocating)
    # The order, not the 0.1 s cap (tested above with a fake clock): on a loaded machine the
    # frame can take longer than the cap, and the collection then rightly runs before it.
    monkeypatch.setattr(gc_pauses, "HOLD_LONGEST", 60.0)
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        app.pane("exec").focus_input()
        await pilot.pause()
        gc.callbacks.append(note_collection)
        try:
            await pilot.press("x")
            await wait_until(pilot, lambda: gc.isenabled() and collections)
        finally:
            gc.callbacks.remove(note_collection)
        assert app.pane("exec").prompt_input.text == "x"
    assert on_screen, "the key's frame was made"
    assert collections and "before the frame" not in collections
