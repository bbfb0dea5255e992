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


def tool_calls_shown(app, pane: str = "exec") -> list[tuple[str, str]]:
    """Each tool call row of the pane's replies: its heading, and the diff or result inside."""
    from textual.widgets import Static

    from tui.widgets.tool_call import ToolCallView

    shown = []
    for view in app.pane(pane).query(ToolCallView):
        body = view.query_one(".tool-result", Static)
        shown.append((str(view.title), str(body.renderable if hasattr(body, "renderable") else body.render())))
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
