"""SVG snapshots of the main screen at fixed sizes (pytest-textual-snapshot).

Deterministic: the project sits under a temporary HOME (shown as ~/shop), the store is
fresh, the simulator has no pacing and a fixed seed.
"""

from __future__ import annotations

import pytest

from core.engines.client import demo_endpoint
from core.settings import Settings
from tui.launch import build_app


@pytest.fixture
def shop(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    project = tmp_path / "shop"
    project.mkdir()
    (project / "CLAUDE.md").write_text("# Shop\n\n- Python 3.12, FastAPI.\n")
    return project


async def _steady_cursor(pilot) -> None:
    """A blinking cursor, or totals still being read from the store, would make the snapshot depend on timing."""
    for _ in range(2000):
        # The auto-pilot starts before the screen has composed: the inputs must exist first, or
        # turning their blink off below reaches nothing and the cursor blinks into the snapshot.
        if pilot.app.query("PromptInput") and pilot.app.main.costs.loaded and pilot.app.main.handoff.watching:
            break
        await pilot.pause()
    for input_widget in pilot.app.query("PromptInput"):
        input_widget.cursor_blink = False
        # Blinking off keeps whatever phase the cursor was in: show it, as a focused input does.
        input_widget._cursor_visible = True
    await pilot.pause()


async def _finish_turns(pilot) -> None:
    app = pilot.app
    while busy := [w for w in app.workers if w.group in ("plan", "exec") and not w.is_finished]:
        await app.workers.wait_for_complete(busy)
    await pilot.pause()
    app.clear_notifications()
    for input_widget in app.query("PromptInput"):
        input_widget._cursor_visible = True  # whatever phase the blink was in when the turn ended
    await pilot.pause()


def test_main_screen_empty(snap_compare, simulator, shop):
    app = build_app(shop, demo_endpoint(simulator.base_url), Settings(), new_session=True)
    assert snap_compare(app, terminal_size=(160, 48), run_before=_steady_cursor)


def test_main_screen_after_a_plan_and_an_exec_turn(snap_compare, simulator, shop):
    # A prose execution reply (tools off): the edit approval flow has its own Pilot tests.
    app = build_app(shop, demo_endpoint(simulator.base_url), Settings(tools=False), new_session=True)

    async def run_before(pilot) -> None:
        await _steady_cursor(pilot)
        pilot.app.pane("plan").prompt_input.value = "Plan a rate limiter for the public API"
        await pilot.press("enter")
        await _finish_turns(pilot)
        pilot.app.pane("exec").focus_input()
        pilot.app.pane("exec").prompt_input.value = "Implement the token bucket"
        await pilot.press("enter")
        await _finish_turns(pilot)
        pilot.app.pane("exec").focus_input()
        await pilot.pause()
        await _steady_cursor(pilot)

    assert snap_compare(app, terminal_size=(160, 48), run_before=run_before)


def test_narrow_terminal_stacks_panes(snap_compare, simulator, shop):
    app = build_app(shop, demo_endpoint(simulator.base_url), Settings(), new_session=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_steady_cursor)
