"""Resuming a session whose execution pane ran the tool loop: one reply made of several API
requests (one usage row each) and tool calls, shown after a restart as they were before it.

Each "run" is a fresh build_app on a fresh Store object over the same file, as a second
`segue` process would be; the simulator is a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from core.costs.cost_view import summarize
from core.engines.client import demo_endpoint
from core.settings import Settings
from core.store.database import Store
from tui.launch import build_app
from tui.widgets.conversation import ReplyView
from tui.widgets.cost_meter import PaneCostLine
from app_pilot import send, turns_done, wait_until

PLAN = "# Auth Plan\n\n## Implementation Steps\n\n1. Hash passwords\n2. Add tests\n"
PROMPT = "Implement step 1 of AUTH_PLAN.md [[sim:fast]]"
SETTINGS = Settings(plan_thinking=False, tools=True, silenced_guards=("opus_trivial", "sonnet_architecture"))


@pytest.fixture
def project(tmp_path) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "AUTH_PLAN.md").write_text(PLAN)
    return folder.resolve()


async def answer_dialogs(pilot, keys: list[list[str]]) -> None:
    """Answer the approval dialogs of the turn under way, one list of key presses each."""
    from tui.screens.edit_approval import EditApproval

    app = pilot.app
    for presses in keys:
        # A dialog opened within a second of the Enter holds its answers until the keys pause.
        await wait_until(pilot, lambda: isinstance(app.screen, EditApproval) and not app.screen.keys_held, limit=200_000)
        await pilot.press(*presses)


def cost_line(app, pane: str = "exec") -> PaneCostLine:
    return app.pane(pane).query_one(f"#cost-{pane}", PaneCostLine)


async def run_tool_turn(simulator, project, keys: list[list[str]]):
    """A new session with one execution turn through the tool loop; returns what was shown."""
    with Store() as store:
        app = build_app(project, demo_endpoint(simulator.base_url), SETTINGS, new_session=True, store=store)
        async with app.run_test(size=(160, 48)) as pilot:
            await send(pilot, "exec", PROMPT)
            await answer_dialogs(pilot, keys)
            await turns_done(app)
            await wait_until(pilot, lambda: app.main.costs.stored_pane["exec"].messages > 0)
            await pilot.pause()
            line = cost_line(app)
            shown = {
                "line": str(line.render()),
                "tooltip": line.long_text,
                "calls": tool_calls_shown(app),
            }
            session_id = app.session.id
    return session_id, shown


async def resume(simulator, project, check) -> None:
    with Store() as store:
        app = build_app(project, demo_endpoint(simulator.base_url), SETTINGS, store=store)
        assert app.main.resumed
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_until(pilot, lambda: app.pane("exec").query(ReplyView) and app.main.costs.loaded)
            await pilot.pause()
            check(app, store)


def tool_calls_shown(app, pane: str = "exec") -> list[dict]:
    """Each tool call row of the pane's replies as the user sees it: its heading (✓/✗/⋯, the
    tool, the target), whether it is open, its style, and the diff or the error inside."""
    from tui.widgets.tool_call import ToolCallView

    shown = []
    for view in app.pane(pane).query(ToolCallView):
        finished = view.finished
        shown.append({
            "title": str(view.title),
            "open": not view.collapsed,
            "classes": sorted(view.classes & {"running", "failed", "denied"}),
            "diff": finished.diff if finished is not None and not finished.is_error else "",
            "error": finished.output if finished is not None and finished.is_error else "",
        })
    return shown


async def test_a_resumed_tool_turn_costs_every_request_of_the_reply_at_its_stored_price(simulator, project):
    session_id, before = await run_tool_turn(simulator, project, [["a"]])

    def check(app, store):
        reply = store.messages(session_id, "exec")[-1]
        rows = [row for row in store.usage_rows(session_id) if row.message_id == reply.id]
        assert len(rows) > 2, "a tool loop stores one usage row per API request"
        stored = summarize(rows)
        shown = app.main.costs.last_reply["exec"]
        # Tokens and dollars of the whole reply, summed from the stored rows (not re-priced).
        assert shown.usage == stored.usage
        assert shown.cost_usd == sum(row.cost_usd for row in rows)
        assert shown.all_opus_cost_usd == sum(row.all_opus_cost_usd for row in rows)
        line = cost_line(app)
        assert str(line.render()) == before["line"]
        assert line.long_text == before["tooltip"]
        # Every edit applied, each diff open: taller than the pane, and shown from its end.
        assert tool_calls_shown(app) == before["calls"]
        log = app.pane("exec").log_view
        assert log.scroll_y == log.max_scroll_y > 0

    await resume(simulator, project, check)


async def test_a_finished_tool_turn_prices_each_request_on_its_own_tier(simulator, project):
    """Claude Sonnet 4.5 charges more for a request of over 200k input tokens. A tool loop of
    requests under that, whose sum is over it, costs the base rate: the line says what the
    store says, during the session and after a restart."""
    from core.costs import pricing

    (project / "CLAUDE.md").write_text("# Rules\n\n" + "- Keep every module small, typed and tested first.\n" * 3000)
    settings = Settings(plan_thinking=False, tools=True, exec_model="claude-sonnet-4-5",
                        silenced_guards=("opus_trivial", "sonnet_architecture"))
    with Store() as store:
        app = build_app(project, demo_endpoint(simulator.base_url), settings, new_session=True, store=store)
        async with app.run_test(size=(160, 48)) as pilot:
            await send(pilot, "exec", PROMPT)
            await answer_dialogs(pilot, [["a"]])
            await turns_done(app)
            await wait_until(pilot, lambda: app.main.costs.stored_pane["exec"].messages > 0)
            await pilot.pause()
            live = app.main.costs.last_reply["exec"]
            live_line = str(cost_line(app).render())
            session_id = app.session.id
        rows = store.usage_rows(session_id)
    assert all(row.usage.total_input < 200_000 for row in rows)
    summed = summarize(rows)
    assert summed.usage.total_input > 200_000
    assert pricing.cost("claude-sonnet-4-5", summed.usage) > summed.cost_usd, "the sum alone would be priced higher"
    assert live.usage == summed.usage
    assert abs(live.cost_usd - summed.cost_usd) < Decimal("0.000001")
    assert abs(live.all_opus_cost_usd - summed.all_opus_cost_usd) < Decimal("0.000001")

    def check(app, store):
        assert str(cost_line(app).render()) == live_line

    with Store() as store:
        app = build_app(project, demo_endpoint(simulator.base_url), settings, store=store)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_until(pilot, lambda: app.pane("exec").query(ReplyView) and app.main.costs.loaded)
            await pilot.pause()
            check(app, store)


async def test_a_resumed_tool_turn_shows_its_tool_calls_as_they_were_shown(simulator, project):
    """The tester's session: edits applied (✓ with the diff open), one rejected (✗ with why),
    the view and the step's tick; after a restart the same rows, and the log ends at the end."""
    session_id, before = await run_tool_turn(simulator, project, [["y"], ["n", *"not now", "enter"]])
    titles = [call["title"] for call in before["calls"]]
    assert titles[0] == "✓ view ." and any(title.startswith("✗ create") for title in titles), titles
    assert any(call["open"] and call["diff"] for call in before["calls"])
    assert any("not now" in call["error"] for call in before["calls"])

    def check(app, store):
        assert tool_calls_shown(app) == before["calls"]
        log = app.pane("exec").log_view
        assert log.scroll_y == log.max_scroll_y, "the resumed pane shows the end of the conversation"

    await resume(simulator, project, check)


async def test_a_turn_cancelled_at_its_approval_resumes_with_the_call_it_stopped_at(simulator, project):
    session_id, before = await run_tool_turn(simulator, project, [["escape"]])
    stopped_at = before["calls"][-1]
    assert " create " in f" {stopped_at['title']} " and not stopped_at["title"].startswith("✓") and not stopped_at["diff"]

    def check(app, store):
        assert tool_calls_shown(app) == before["calls"]

    await resume(simulator, project, check)


async def test_older_replies_taken_off_screen_come_back_with_their_tool_calls(simulator, project, monkeypatch):
    """A long live conversation moves its oldest page behind the "older messages" line; shown
    again (Ctrl+L), a tool turn there still has its tool calls."""
    from tui.widgets import pane as pane_module

    monkeypatch.setattr(pane_module, "HISTORY_PAGE", 1)
    with Store() as store:
        app = build_app(project, demo_endpoint(simulator.base_url), SETTINGS, new_session=True, store=store)
        async with app.run_test(size=(160, 48)) as pilot:
            await send(pilot, "exec", PROMPT)
            await answer_dialogs(pilot, [["a"]])
            await turns_done(app)
            before = tool_calls_shown(app)
            for _ in range(2):  # replies that fail fast: they only push the first one out
                await send(pilot, "exec", "Add tests [[sim:401]] [[sim:fast]]")
                await turns_done(app)
            assert tool_calls_shown(app) == [], "the tool turn went behind the older-messages line"
            app.pane("exec").focus_input()
            await pilot.press("ctrl+l")
            await wait_until(pilot, lambda: tool_calls_shown(app))
            await pilot.pause()
            assert tool_calls_shown(app) == before


def test_a_reply_keeps_its_tool_calls_small_a_heading_an_error_or_a_diff_never_a_result():
    from types import SimpleNamespace

    from core.events import ToolCallFinished, ToolCallStarted
    from core.session import TOOL_ERROR_CHARS, _Recorder
    from core.store.database import ToolCallRow

    recorder = _Recorder(SimpleNamespace(store=None, id=None), "exec", "claude-sonnet-5-5", "Implement it")
    diff = "--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-a\n+b\n"
    events = [
        ToolCallStarted("1", "view", "."),
        ToolCallFinished("1", "view", ".", "app.py\n" * 5000),  # a result: the file is the record
        ToolCallStarted("2", "str_replace", "app.py"),
        ToolCallFinished("2", "str_replace", "app.py", "The file app.py has been edited.", diff=diff, applied=True),
        ToolCallStarted("3", "bash", "pytest -q"),
        ToolCallFinished("3", "bash", "pytest -q", "F" * 5000, is_error=True),
        ToolCallStarted("4", "Write", "/p/b.py"),
        ToolCallFinished("4", "Write", "/p/b.py", "not granted", is_error=True, denied=True),
        ToolCallStarted("5", "create", "c.py"),  # the turn was cancelled at its approval
        ToolCallFinished("6", "str_replace_based_edit_tool", "", "Error: the tool failed", is_error=True),
    ]
    for event in events:
        recorder.tool_call(event)
    rows = recorder.tool_call_rows()
    assert rows == [
        ToolCallRow("view", ".", "ok"),
        ToolCallRow("str_replace", "app.py", "ok", diff=diff),
        ToolCallRow("bash", "pytest -q", "error", "F" * (TOOL_ERROR_CHARS - 1) + "…"),
        ToolCallRow("Write", "/p/b.py", "denied", "not granted"),
        ToolCallRow("create", "c.py", "unfinished"),
        ToolCallRow("str_replace_based_edit_tool", "", "error", "Error: the tool failed"),
    ]


async def test_the_live_meter_prices_a_tool_turns_requests_on_their_own_tiers(simulator, project):
    """While the turn streams, the meter (and the budget it checks) priced the running sum of
    the requests as one: over 200k input tokens together, Sonnet 4.5's long-context rate, which
    no request paid. The last live figure now equals what the store records."""
    (project / "CLAUDE.md").write_text("# Rules\n\n" + "- Keep every module small, typed and tested first.\n" * 3000)
    settings = Settings(plan_thinking=False, tools=True, exec_model="claude-sonnet-4-5",
                        silenced_guards=("opus_trivial", "sonnet_architecture"))
    last_live = {}
    with Store() as store:
        app = build_app(project, demo_endpoint(simulator.base_url), settings, new_session=True, store=store)
        async with app.run_test(size=(160, 48)) as pilot:
            costs = app.main.costs
            finished = costs.reply_finished

            async def keep_last_live(pane, *args, **kwargs):
                last_live[pane] = costs.live.get(pane)
                await finished(pane, *args, **kwargs)

            costs.reply_finished = keep_last_live
            await send(pilot, "exec", PROMPT)
            await answer_dialogs(pilot, [["a"]])
            await turns_done(app)
            await pilot.pause()
            session_id = app.session.id
        rows = store.usage_rows(session_id)
    summed = summarize(rows)
    assert len(rows) > 1 and summed.usage.total_input > 200_000
    live = last_live["exec"]
    assert live is not None and live.usage == summed.usage
    assert abs(live.cost_usd - summed.cost_usd) < Decimal("0.000001")
