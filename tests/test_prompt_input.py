"""The prompt box: Enter sends, Ctrl+J adds a line, it grows to 8 lines, app keys still work."""

from __future__ import annotations

from textual.widgets import TextArea

from tui.screens.sessions_screen import SessionsScreen
from app_pilot import make_app, turns_done, wait_until


async def test_ctrl_j_adds_lines_the_box_grows_and_enter_sends_them_all(simulator, tmp_path):
    app = make_app(simulator, tmp_path, plan_thinking=False)
    async with app.run_test(size=(160, 48)) as pilot:
        box = app.pane("plan").prompt_input
        assert isinstance(box, TextArea) and app.focused is box
        one_line = box.outer_size.height
        await pilot.press(*"Plan a cache", "ctrl+j", *"with eviction", "ctrl+j", *"[[sim:fast]]")
        await pilot.pause()
        assert box.value == "Plan a cache\nwith eviction\n[[sim:fast]]"
        assert box.outer_size.height == one_line + 2, "one more row per added line"
        for _ in range(12):
            await pilot.press("ctrl+j", "x")
        await pilot.pause()
        assert box.outer_size.height == one_line + 7, "grows to 8 lines, then scrolls"
        await pilot.press("enter")
        await turns_done(app)
        sent = simulator.requests[-1]["body"]["messages"][-1]["content"]
        if isinstance(sent, list):  # content blocks (a cache breakpoint on the last one)
            sent = "".join(block.get("text", "") for block in sent)
        assert sent.startswith("Plan a cache\nwith eviction\n[[sim:fast]]\nx\nx") and box.value == ""
        assert box.outer_size.height == one_line


async def test_editing_keys_stay_the_text_areas_and_app_keys_stay_the_apps(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        box = app.pane("plan").prompt_input
        await pilot.press(*"hello world", "ctrl+a", "ctrl+k")
        assert box.value == ""  # Ctrl+A: line start, Ctrl+K: delete to line end
        await pilot.press(*"draft", "ctrl+w")
        assert box.value == ""
        await pilot.press("f6")
        await wait_until(pilot, lambda: isinstance(app.screen, SessionsScreen))


async def test_after_ctrl_o_the_whole_hand_off_prompt_is_visible_at_80x24(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    (tmp_path / "plans").mkdir()
    plan = tmp_path / "plans" / "payment_provider_integration_with_retries_and_idempotency.md"
    plan.write_text("# Payment provider integration with retries and idempotency keys\n\n1. Client\n")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.main.handoff.watching)
        await pilot.press("ctrl+o")
        box = app.pane("exec").prompt_input
        await wait_until(pilot, lambda: box.value.startswith("Implement"))
        await pilot.pause()
        assert plan.name in box.value and len(box.value) > box.content_region.width
        assert box.wrapped_document.height > 1
        assert box.content_region.height >= box.wrapped_document.height, "every wrapped line is on screen"
        assert box.scroll_offset.y == 0
