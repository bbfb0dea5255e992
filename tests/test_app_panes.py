"""The two panes, driven with Pilot against the simulator over loopback."""

from __future__ import annotations

from core.engines.api import CONTINUE_PROMPT

from pathlib import Path

import pytest

from core.engines.client import demo_endpoint
from core.settings import Settings
from tui.launch import build_app
from tui.widgets.conversation import ReplyView, UserMessage
from app_pilot import make_app as _make_app, send, turns_done, wait_until


def make_app(sim, project: Path, **settings):
    settings.setdefault("plan_thinking", True)  # the planning pane thinks by default, as in use
    return _make_app(sim, project, **settings)










async def test_badges_and_initial_focus(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert str(app.pane("plan").badge.render()) == "Opus 5.5 · high"
        assert str(app.pane("exec").badge.render()) == "Sonnet 5.5 · medium"
        assert app.focused is app.pane("plan").prompt_input
        assert app.query_one("TopBar").demo and " DEMO · simulated replies" in str(app.query_one("TopBar").render())


async def test_a_prompt_streams_into_its_own_pane_only(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "plan", "Plan an authentication system for our app")
        await turns_done(app)
        await pilot.pause()
        plan_replies = app.pane("plan").query(ReplyView)
        assert len(plan_replies) == 1
        reply = plan_replies.first()
        assert "Plan" in reply.text and reply.text.count("#") >= 3
        assert reply.thinking_text, "planning turns think first"
        assert not app.pane("exec").query(ReplyView)
        assert app.pane("plan").prompt_input.value == ""

        await send(pilot, "exec", "Implement the login endpoint")
        await turns_done(app)
        await pilot.pause()
        exec_reply = app.pane("exec").query(ReplyView).first()
        assert "```" in exec_reply.text
        assert exec_reply.thinking_text, "Sonnet 5.5 thinks adaptively in the execution pane too"
        assert len(app.pane("plan").query(ReplyView)) == 1
        cost_line = str(app.pane("exec").query_one("#cost-exec").render())
        assert "$" in cost_line and "out" in cost_line


async def test_escape_cancels_mid_reply_and_keeps_the_text(paced_simulator, tmp_path):
    app = make_app(paced_simulator, tmp_path, plan_thinking=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "exec", "Implement a CSV exporter [[sim:tokens=2000]]")
        pane = app.pane("exec")
        await wait_until(pilot, lambda: pane.query(ReplyView) and len(pane.query(ReplyView).first().text) > 40)
        await pilot.press("escape")
        await turns_done(app)
        await pilot.pause()
        reply = pane.query(ReplyView).first()
        assert len(reply.text) > 40
        assert len(reply.text) < 2000 * 3, "the reply stopped early"
        assert "cancelled" in str(reply.status_line.render())
        stored = app.store.messages(app.session.id, "exec")
        assert stored[-1].status == "cancelled"
        assert stored[-1].text == reply.text
        # The cancelled exchange goes back to the model as context on the next turn.
        assert app.session.panes["exec"].history[-1]["content"] == reply.text.rstrip()


async def test_tab_moves_focus_between_panes(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert app.focused is app.pane("plan").prompt_input
        await pilot.press("tab")
        assert app.focused is app.pane("exec").prompt_input
        await pilot.press("tab")
        assert app.focused is app.pane("plan").prompt_input
        await pilot.press("shift+tab")
        assert app.focused is app.pane("exec").prompt_input


async def test_keys_typed_in_one_burst_after_tab_land_in_the_pane_it_moved_to(simulator, tmp_path):
    """As a terminal delivers a fast typist's keys (or tmux's send-keys): all queued before the
    first is handled."""
    from textual import events

    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        for key, character in (("tab", "\t"), ("o", "o"), ("k", "k")):
            app.post_message(events.Key(key, character))
        await pilot.pause()
        assert app.pane("exec").prompt_input.value == "ok" and app.pane("plan").prompt_input.value == ""
        assert app.focused is app.pane("exec").prompt_input


async def test_narrow_terminal_stacks_the_panes(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.has_class("narrow")
        plan, exec_ = app.pane("plan").region, app.pane("exec").region
        assert exec_.y >= plan.y + plan.height
        assert plan.width == exec_.width


async def test_f1_lists_the_keys(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        from tui.screens.help_screen import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("DataTable")
        ids = {str(table.get_row_at(index)[1]) for index in range(table.row_count)}
        assert {"show_help", "toggle_model", "cancel_reply", "next_pane", "quit", "toggle_thinking"} <= ids
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_ctrl_t_toggles_the_focused_pane_and_keeps_history(simulator, tmp_path):
    app = make_app(simulator, tmp_path, plan_thinking=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "plan", "Plan a cache [[sim:tokens=50]]")
        await turns_done(app)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.session.panes["plan"].model == "claude-sonnet-5-5"
        assert str(app.pane("plan").badge.render()) == "Sonnet 5.5 · high"
        assert app.session.panes["exec"].model == "claude-sonnet-5-5"
        assert len(app.session.panes["plan"].history) == 2
        await send(pilot, "plan", "And the eviction policy?")
        await turns_done(app)
        body = simulator.requests[-1]["body"]
        assert body["model"] == "claude-sonnet-5-5"
        assert len(body["messages"]) == 3


FAULTS = [
    ("[[sim:401]]", "demo simulator refused the request (401) because the prompt contains the `[[sim:401]]`", False),
    ("[[sim:429]]", None, True),
    ("[[sim:529]]", None, True),
    ("[[sim:overloaded-midstream]]", None, True),
    ("[[sim:drop]]", None, True),
]


@pytest.mark.parametrize("marker, says, completes", FAULTS)
async def test_fault_markers_have_the_right_outcome(simulator, tmp_path, marker, says, completes):
    app = make_app(simulator, tmp_path, plan_thinking=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "exec", f"Implement the importer {marker}")
        await turns_done(app)
        await pilot.pause()
        reply = app.pane("exec").query(ReplyView).first()
        stored = app.store.messages(app.session.id, "exec")[-1]
        if completes:
            assert stored.status == "complete"
            assert "```" in reply.text
            assert stored.text == reply.text
            # One retry happened, and it went to the simulator as a second request.
            assert len(simulator.requests) == 2
        else:
            assert stored.status == "failed"
            assert says in str(reply.status_line.render())
            assert app.query_one(UserMessage).prompt.endswith(marker)


async def test_midstream_retry_continues_from_the_kept_text(simulator, tmp_path):
    app = make_app(simulator, tmp_path, plan_thinking=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "exec", "Implement the importer [[sim:overloaded-midstream]]")
        await turns_done(app)
        # Sonnet 5.5 refuses prefill: the partial goes back as a finished turn, then "continue".
        retry = simulator.requests[-1]["body"]["messages"]
        assert retry[-2]["role"] == "assistant" and retry[-2]["content"]
        assert retry[-1]["role"] == "user" and CONTINUE_PROMPT in str(retry[-1]["content"])
        reply = app.pane("exec").query(ReplyView).first()
        assert reply.text.startswith(retry[-2]["content"])


async def test_a_long_session_resumes_with_its_newest_messages_and_loads_older_on_demand(simulator, tmp_path):
    from core.store.database import Store
    from core.costs.usage import TokenUsage
    from tui.widgets.conversation import OlderMessages
    from tui.widgets.pane import HISTORY_PAGE

    with Store() as store:
        session_id = store.create_session(str(tmp_path), "long")
        for index in range(150):
            store.add_message(session_id, "plan", "user", "claude-opus-5-5", f"question {index}")
            reply = store.add_message(session_id, "plan", "assistant", "claude-opus-5-5", f"answer {index}", thinking="hmm")
            store.add_usage(session_id, reply, "plan", "claude-opus-5-5", TokenUsage(10, 10), None, None)
    app = build_app(tmp_path, demo_endpoint(simulator.base_url), Settings(), new_session=False)
    async with app.run_test(size=(160, 48)) as pilot:
        pane = app.pane("plan")
        await wait_until(pilot, lambda: pane.query(OlderMessages))
        assert len(pane.query(UserMessage)) + len(pane.query(ReplyView)) == HISTORY_PAGE
        assert pane.query(UserMessage).first().prompt == f"question {150 - HISTORY_PAGE // 2}"
        assert pane.query(ReplyView).last().text == "answer 149"
        marker = pane.query_one(OlderMessages)
        assert marker.count == 300 - HISTORY_PAGE
        pane.focus_input()
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: len(pane.query(UserMessage)) == HISTORY_PAGE)
        assert pane.query(UserMessage).first().prompt == f"question {150 - HISTORY_PAGE}"
        assert pane.query_one(OlderMessages).count == 300 - 2 * HISTORY_PAGE
        # The whole conversation still goes back to the model, trimmed only by its window.
        assert len(app.session.panes["plan"].history) == 300
