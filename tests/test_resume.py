"""Resume in Pilot: panes, models, cost meters and the replayed conversation come back from the store.

Each "run" is a fresh build_app on a fresh Store object over the same file, as a second
`segue` process would be; the simulator is a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

from dataclasses import replace

from core import capabilities
from core.session import Session
from tests.sent import plain, plain_content

from decimal import Decimal
from pathlib import Path

import pytest

from core.engines.client import demo_endpoint
from core.settings import Settings
from core.store.database import Store
from core.costs.usage import TokenUsage
from tui.launch import build_app
from tui.widgets.conversation import ReplyView, UserMessage
from tui.widgets.cost_meter import CostMeter, PaneCostLine
from app_pilot import send, turns_done, wait_until

OPUS, SONNET = "claude-opus-5-5", "claude-sonnet-5-5"
SETTINGS = Settings(plan_thinking=False, tools=False)  # no approval dialogs in resume tests


@pytest.fixture
def project(tmp_path) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    return folder.resolve()








def conversation(app, pane: str) -> list[tuple[str, str]]:
    shown = []
    for widget in app.pane(pane).log_view.children:
        if isinstance(widget, UserMessage):
            shown.append(("user", widget.prompt))
        elif isinstance(widget, ReplyView):
            shown.append((widget.model, widget.text))
    return shown


def screen_state(app) -> dict:
    """What the user sees of both panes and the meters, plus the app's stored cost figures."""
    return {
        "conversation": {pane: conversation(app, pane) for pane in ("plan", "exec")},
        "badges": {pane: str(app.pane(pane).badge.render()) for pane in ("plan", "exec")},
        "pane_costs": {pane: str(app.pane(pane).query_one(PaneCostLine).render()) for pane in ("plan", "exec")},
        "meter": str(app.query_one(CostMeter).render()),
        "stored_session": app.main.costs.stored_session,
        "stored_pane": dict(app.main.costs.stored_pane),
        "last_reply": dict(app.main.costs.last_reply),
    }


def restored(app) -> bool:
    return all(app.pane(pane).log_view.children for pane in ("plan", "exec"))


async def test_two_turns_then_resume_restores_panes_models_meters_and_history(simulator, project):
    endpoint = demo_endpoint(simulator.base_url)
    first_store = Store()
    app = build_app(project, endpoint, SETTINGS, new_session=True, store=first_store)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "plan", "Plan a cache for the catalogue [[sim:tokens=120]]")
        await turns_done(app)
        await send(pilot, "exec", "Implement the cache [[sim:tokens=120]]")
        await turns_done(app)
        app.pane("plan").focus_input()
        await pilot.press("ctrl+t")  # the planning pane now uses Sonnet
        await pilot.pause()
        before = screen_state(app)
        session_id = app.session.id
    first_store.close()
    assert before["badges"] == {"plan": "Sonnet 5.5 · high", "exec": "Sonnet 5.5 · medium"}
    assert [model for model, _ in before["conversation"]["plan"]] == ["user", OPUS]
    assert before["stored_session"].messages == 2 and before["stored_session"].cost_usd > 0

    second_store = Store()
    app = build_app(project, endpoint, SETTINGS, store=second_store)
    assert app.main.resumed and app.session.id == session_id
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: restored(app))
        await pilot.pause()
        after = screen_state(app)
        assert after == before
        assert app.session.panes["plan"].model == SONNET

        # The next turn goes to the stored model with the stored conversation replayed.
        await send(pilot, "plan", "Now the eviction policy [[sim:fast]]")
        await turns_done(app)
        body = simulator.requests[-1]["body"]
        assert body["model"] == SONNET
        plan_prompt, plan_reply = before["conversation"]["plan"]
        assert plain(body["messages"]) == [
            {"role": "user", "content": plan_prompt[1]},
            {"role": "assistant", "content": plan_reply[1].rstrip()},
            {"role": "user", "content": "Now the eviction policy [[sim:fast]]"},
        ]
        await send(pilot, "exec", "Add tests [[sim:fast]]")
        await turns_done(app)
        sent = simulator.requests[-1]["body"]["messages"]
        assert [m["content"] for m in sent[:1]] == [before["conversation"]["exec"][0][1]]
        assert len(sent) == 3
    second_store.close()


def seed_session(store: Store, project: Path, title: str, exchanges: list[tuple[str, str, str]], **models) -> str:
    """A stored session with (pane, prompt, reply) exchanges, each reply with a usage row."""
    session_id = store.create_session(str(project), title, models.get("plan", OPUS), models.get("exec", SONNET))
    for pane, prompt, reply in exchanges:
        model = OPUS if pane == "plan" else SONNET
        store.add_message(session_id, pane, "user", model, prompt)
        reply_id = store.add_message(session_id, pane, "assistant", model, reply)
        store.add_usage(session_id, reply_id, pane, model, TokenUsage(1000, 500), Decimal("0.0125"), Decimal("0.0275"))
    return session_id


async def test_a_session_too_long_for_the_window_is_trimmed_with_a_notice(simulator, project, monkeypatch):
    # A model with a small window (as the Models API could report it): 24k of max_input_tokens,
    # our estimate counts a third more than the text, 8k reserved for the reply, leaves about 13k tokens,
    # which eight ~1.7k-token exchanges overflow.
    opus = capabilities.caps_for(OPUS)
    small = capabilities.Catalog({**capabilities.current().models, OPUS: replace(opus, max_input_tokens=24_000)})
    capabilities.use(small)

    async def keep_the_small_window(self, **_):  # the app would load the simulator's own table
        return small

    monkeypatch.setattr(Session, "load_models", keep_the_small_window)
    settings = Settings(plan_thinking=False, max_tokens=8_000, silenced_guards=("opus_trivial",), tools=False)
    paragraph = "The cache keeps hot catalogue pages in memory and evicts them by age. " * 12 + "\n\n"
    exchanges = [("plan", f"Question {index}", paragraph * 8) for index in range(8)]
    with Store() as store:
        seed_session(store, project, "Long", exchanges)
    with Store() as store:
        app = build_app(project, demo_endpoint(simulator.base_url), settings, store=store)
        notices: list[str] = []
        notify = app.notify

        def recording_notify(message, *args, **kwargs):
            notices.append(str(message))
            return notify(message, *args, **kwargs)

        app.notify = recording_notify
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_until(pilot, lambda: len(app.pane("plan").query(ReplyView)) == 8)
            await send(pilot, "plan", "Summarise the plan [[sim:fast]]")
            await turns_done(app)
            sent = simulator.requests[-1]["body"]["messages"]
            kept = (len(sent) - 1) // 2
            dropped = 8 - kept
            assert 0 < dropped < 8
            assert sent[0]["content"] == f"Question {dropped}", "the oldest exchanges go first"
            assert plain_content(sent[-1]["content"]) == "Summarise the plan [[sim:fast]]"
            assert any(f"{dropped} oldest exchange" in message and "context window" in message for message in notices), notices
            # Every message is still shown and stored: trimming is only what goes to the model.
            assert len(app.pane("plan").query(UserMessage)) == 9


async def test_f6_new_session_then_back_to_the_old_one(simulator, project):
    from tui.screens.sessions_screen import SessionsScreen
    from textual.widgets import DataTable

    with Store() as store:
        old_id = seed_session(
            store, project, "Auth work",
            [("plan", "Plan auth", "# Auth Plan\n\nUse Argon2id."), ("exec", "Implement it", "def login(): ...")],
            plan=SONNET,
        )
    with Store() as store:
        app = build_app(project, demo_endpoint(simulator.base_url), SETTINGS, store=store)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_until(pilot, lambda: restored(app))
            assert conversation(app, "plan") == [("user", "Plan auth"), (OPUS, "# Auth Plan\n\nUse Argon2id.")]

            # Esc on the list goes back to the session it was opened from.
            await pilot.press("f6")
            await wait_until(pilot, lambda: isinstance(app.screen, SessionsScreen))
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, SessionsScreen), limit=300)
            assert app.session.id == old_id and conversation(app, "exec")

            await pilot.press("f6")
            await wait_until(pilot, lambda: isinstance(app.screen, SessionsScreen))
            table = app.screen.query_one(DataTable)
            await wait_until(pilot, lambda: table.row_count == 1)
            await pilot.press("ctrl+n")
            await wait_until(pilot, lambda: not isinstance(app.screen, SessionsScreen) and app.session.id != old_id, limit=300)
            await pilot.pause()
            assert conversation(app, "plan") == [] and conversation(app, "exec") == []
            assert str(app.pane("plan").badge.render()) == "Opus 5.5 · high", "a new session starts from the settings"
            assert app.main.costs.stored_session.messages == 0

            await pilot.press("f6")
            await wait_until(pilot, lambda: isinstance(app.screen, SessionsScreen))
            table = app.screen.query_one(DataTable)
            await wait_until(pilot, lambda: table.row_count == 1)  # the new session is empty: not listed
            table.move_cursor(row=table.get_row_index(old_id))
            await pilot.press("enter")
            await wait_until(pilot, lambda: app.session.id == old_id and restored(app))
            await pilot.pause()
            assert conversation(app, "plan") == [("user", "Plan auth"), (OPUS, "# Auth Plan\n\nUse Argon2id.")]
            assert conversation(app, "exec") == [("user", "Implement it"), (SONNET, "def login(): ...")]
            assert str(app.pane("plan").badge.render()) == "Sonnet 5.5 · high"
            assert app.main.costs.stored_session.messages == 2
            assert app.main.costs.stored_session.cost_usd == Decimal("0.025")


async def test_a_reply_cut_off_by_a_crash_resumes_as_partial(simulator, project):
    from datetime import timedelta

    from core.history import STALE_STREAM_AFTER

    with Store() as store:
        session_id = store.create_session(str(project), "Crashed", OPUS, SONNET)
        store.add_message(session_id, "exec", "user", SONNET, "Implement the exporter")
        store.add_message(session_id, "exec", "assistant", SONNET, "I'll start with the", "streaming")
    later = store.now() + STALE_STREAM_AFTER + timedelta(seconds=5)
    with Store(clock=lambda: later) as store:
        app = build_app(project, demo_endpoint(simulator.base_url), SETTINGS, store=store)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_until(pilot, lambda: app.pane("exec").query(ReplyView))
            await pilot.pause()
            reply = app.pane("exec").query_one(ReplyView)
            assert reply.status_shown
            assert "partial" in str(reply.status_line.render())
            assert store.messages(session_id, "exec")[-1].status == "partial"


async def test_an_empty_newer_session_does_not_hide_the_last_conversation(simulator, project):
    with Store() as store:
        old_id = seed_session(store, project, "Auth work", [("plan", "Plan auth", "Use Argon2id.")])
    endpoint = demo_endpoint(simulator.base_url)
    with Store() as store:
        # `segue --new`, then quit without sending anything.
        app = build_app(project, endpoint, SETTINGS, new_session=True, store=store)
        assert app.session.id != old_id and not app.main.resumed
        app = build_app(project, endpoint, SETTINGS, store=store)
        assert app.main.resumed and app.session.id == old_id
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_until(pilot, lambda: app.pane("plan").log_view.children)
            assert conversation(app, "plan") == [("user", "Plan auth"), (OPUS, "Use Argon2id.")]


async def test_quitting_mid_reply_keeps_the_partial_text_for_the_next_start(paced_simulator, project):
    endpoint = demo_endpoint(paced_simulator.base_url)
    with Store() as store:
        app = build_app(project, endpoint, SETTINGS, new_session=True, store=store)
        async with app.run_test(size=(160, 48)) as pilot:
            await send(pilot, "exec", "Implement a CSV exporter [[sim:tokens=3000]]")
            pane = app.pane("exec")
            await wait_until(pilot, lambda: pane.query(ReplyView) and len(pane.query(ReplyView).first().text) > 200)
            view = pane.query(ReplyView).first()
            await pilot.press("ctrl+q")
        session_id = app.session.id
        reply = store.messages(session_id, "exec")[-1]
    assert reply.text.strip(), "text flushed while streaming"
    assert reply.status == "cancelled", "quitting stops the reply like Esc: kept and marked"
    assert reply.text.startswith(view.text), "everything shown is kept, not just the last flush"


async def test_a_plain_segue_resumes_the_last_tui_conversation_not_ask_failed_or_empty(simulator, project):
    """After a real conversation: a headless `segue ask`, a `--new` session whose only turn
    failed, and an empty `--new` session; `segue` still brings back the conversation."""
    endpoint = demo_endpoint(simulator.base_url)
    with Store() as store:
        old_id = seed_session(store, project, "Auth work", [("plan", "Plan auth", "Use Argon2id.")])
        asked = store.create_session(str(project), "", OPUS, SONNET, origin="cli")
        store.add_message(asked, "plan", "user", OPUS, "Headless question")
        store.add_message(asked, "plan", "assistant", OPUS, "Headless answer")
        app = build_app(project, endpoint, SETTINGS, new_session=True, store=store)
        failed_id = app.session.id
        async with app.run_test(size=(160, 48)) as pilot:
            await send(pilot, "plan", "Plan a cache [[sim:401]] [[sim:fast]]")
            await wait_until(pilot, lambda: any(m.status == "failed" for m in store.messages(failed_id)))
        build_app(project, endpoint, SETTINGS, new_session=True, store=store)
        app = build_app(project, endpoint, SETTINGS, store=store)
        assert app.main.resumed and app.session.id == old_id


def test_with_no_conversation_an_empty_tui_session_is_reused_but_never_a_headless_one(project):
    with Store() as store:
        asked = store.create_session(str(project), origin="cli")
        store.add_message(asked, "plan", "user", OPUS, "Headless question")
        store.add_message(asked, "plan", "assistant", OPUS, "Headless answer")
        assert store.session_to_resume(str(project)) is None
        blank = store.create_session(str(project))
        assert store.session_to_resume(str(project)).id == blank
        with pytest.raises(ValueError):
            store.create_session(str(project), origin="web")
