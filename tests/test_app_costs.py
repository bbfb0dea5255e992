"""Costs in the whole app: live meters while a paced reply streams, figures equal to a hand
computation from the usage the simulator reported, the all-Opus comparison, budgets (warn,
confirm, hard stop) and the prompt cache across two turns.

Hand computations use genai-prices' per-MTok rates written out here:
Opus 5.5: input $4, output $20, cache write $5, cache read $0.2.
Sonnet 5.5: input $2, output $10, cache write $2.5, cache read $0.1.
"""

from __future__ import annotations

import threading
from decimal import Decimal


from app_pilot import (
    answerable,
    LONG_CLAUDE_MD,
    OPUS,
    SONNET,
    make_app,
    record_notices,
    send,
    send_and_wait,
    turns_done,
    wait_until,
)
from core.costs.money import format_usd
from core.simulator.tokens import input_total
from tui.widgets.conversation import ReplyView
from tui.widgets.cost_meter import CostMeter, PaneCostLine, tokens_text

SIZE = (160, 48)
MTOK = Decimal(1_000_000)
RATES = {
    OPUS: {"in": Decimal(4), "out": Decimal(20), "write": Decimal(5), "read": Decimal("0.2")},
    SONNET: {"in": Decimal(2), "out": Decimal(10), "write": Decimal("2.5"), "read": Decimal("0.1")},
}


def by_hand(model: str, usage) -> Decimal:
    rate = RATES[model]
    return (
        usage.input_tokens * rate["in"]
        + usage.output_tokens * rate["out"]
        + usage.cache_creation_input_tokens * rate["write"]
        + usage.cache_read_input_tokens * rate["read"]
    ) / MTOK


def stored_rows(app):
    return app.store.usage_rows(app.session.id)


def pane_line(app, pane: str) -> str:
    return app.pane(pane).query_one(PaneCostLine).text


async def test_live_meter_moves_while_a_paced_reply_streams_then_equals_the_hand_computation(paced_simulator, tmp_path):
    app = make_app(paced_simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "exec", "Implement a CSV exporter [[sim:tokens=300]]")
        meter = app.query_one(CostMeter)
        streaming = lambda: app.session.panes["exec"].streaming  # noqa: E731

        # message_start prices the input before any text; then the output estimate moves.
        # The meters show the live figures at most four times a second (LIVE_SHOW_SECONDS).
        shows_output = lambda n: "exec" in app.main.costs.live and f" · {n} out · " in pane_line(app, "exec")  # noqa: E731
        await wait_until(pilot, lambda: "exec" in app.main.costs.live and app.main.costs.live["exec"].usage.output_tokens > 20)
        first = app.main.costs.live["exec"]
        await wait_until(pilot, lambda: pane_line(app, "exec").startswith(tokens_text(app.main.costs.live["exec"].usage)))
        first_texts = (pane_line(app, "exec"), meter.text)
        assert streaming(), "the meter moved before the reply ended"
        await wait_until(pilot, lambda: "exec" in app.main.costs.live and app.main.costs.live["exec"].usage.output_tokens > first.usage.output_tokens + 40)
        second = app.main.costs.live["exec"]
        await wait_until(pilot, lambda: not streaming() or shows_output(second.usage.output_tokens) or (pane_line(app, "exec"), meter.text) != first_texts)
        assert streaming()
        assert second.cost_usd > first.cost_usd
        assert (pane_line(app, "exec"), meter.text) != first_texts
        await turns_done(app)
        await pilot.pause()

        [row] = stored_rows(app)
        usage = row.usage
        # What the simulator billed: the input it counted for the request it received.
        assert usage.total_input == input_total(paced_simulator.requests[-1]["body"])
        # Sonnet 5.5 thinks adaptively in the execution pane too: thinking is billed as output.
        from core.simulator.tokens import count

        thinking = app.store.messages(app.session.id, "exec")[-1].thinking
        assert thinking
        assert 250 <= usage.output_tokens - count(thinking) <= 350
        cost, opus = by_hand(SONNET, usage), by_hand(OPUS, usage)
        assert row.cost_usd == cost and row.all_opus_cost_usd == opus
        assert pane_line(app, "exec") == f"{tokens_text(usage)} · {format_usd(cost)} · pane {format_usd(cost)}"
        assert meter.text == (
            f"session {format_usd(cost)} · all-Opus {format_usd(opus)} · saved 50% · today {format_usd(cost)}"
        )
        assert meter.session.cost_usd == cost and meter.today.cost_usd == cost and meter.live is None
        assert str(app.query_one("#top-bar").render()).endswith(f" today {format_usd(cost)} ")


async def test_plan_and_exec_turns_add_up_with_the_all_opus_counterfactual(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "plan", "Plan an authentication system for our app [[sim:tokens=120]]")
        await send_and_wait(pilot, "exec", "Implement the login endpoint [[sim:tokens=80]]")
        plan_row, exec_row = stored_rows(app)
        assert (plan_row.pane, plan_row.model, exec_row.pane, exec_row.model) == ("plan", OPUS, "exec", SONNET)
        plan_cost, exec_cost = by_hand(OPUS, plan_row.usage), by_hand(SONNET, exec_row.usage)
        exec_opus = by_hand(OPUS, exec_row.usage)
        # The execution reply on Sonnet costs half what Opus rates would: saved 50 % on it.
        assert exec_opus == 2 * exec_cost
        assert app.main.costs.last_reply["exec"].savings_pct == 50.0
        tooltip = app.pane("exec").query_one(PaneCostLine).long_text
        assert f"Priced at Opus rates: {format_usd(exec_opus)} (saved 50%)" in tooltip
        # The session: both panes, the counterfactual prices the Sonnet reply at Opus rates.
        session, all_opus = plan_cost + exec_cost, plan_cost + exec_opus
        saved = (all_opus - session) / all_opus * 100
        meter = app.query_one(CostMeter)
        assert meter.text == (
            f"session {format_usd(session)} · all-Opus {format_usd(all_opus)} · saved {saved:.0f}% · today {format_usd(session)}"
        )
        assert meter.session.cost_usd == session and meter.session.all_opus_cost_usd == all_opus
        assert pane_line(app, "plan").endswith(f"{format_usd(plan_cost)} · pane {format_usd(plan_cost)}")
        assert "priced at Opus rates" in meter.long_text

        # F4: the same figures on the cost screen.
        from tui.screens.cost_screen import CostScreen

        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, CostScreen))
        summary = app.screen.summary_text(stored_rows(app))
        assert summary.startswith(
            f"Session: {format_usd(session)} for 2 API requests · priced at Opus rates (Opus 5.5): {format_usd(all_opus)}"
        )


async def test_cost_screen_counts_one_request_in_the_singular(simulator, tmp_path):
    from tui.screens.cost_screen import CostScreen

    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "exec", "Implement the login endpoint [[sim:tokens=40]]")
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, CostScreen))
        summary = app.screen.summary_text(stored_rows(app))
        cost = by_hand(SONNET, stored_rows(app)[0].usage)
        assert f"Session: {format_usd(cost)} for 1 API request ·" in summary
        assert f"Today (all sessions): {format_usd(cost)} for 1 API request\n" in summary


async def test_cache_write_then_read_across_two_exec_turns_shows_in_the_pane_line(simulator, tmp_path):
    (tmp_path / "CLAUDE.md").write_text(LONG_CLAUDE_MD)
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "exec", "Implement the login endpoint [[sim:tokens=40]]")
        first = app.main.costs.last_reply["exec"].usage
        assert first.cache_creation_input_tokens >= 1_024 and first.cache_read_input_tokens == 0
        written = first.cache_creation_input_tokens
        assert f"({written / 1000:.1f}k cache write)" in pane_line(app, "exec")
        assert "cached" not in pane_line(app, "exec")

        await send_and_wait(pilot, "exec", "Implement the logout endpoint [[sim:tokens=40]]")
        second = app.main.costs.last_reply["exec"].usage
        # The first turn's prefix is read back; only the conversation since is written (it is cached too).
        assert second.cache_read_input_tokens == written and second.cache_creation_input_tokens < 200
        assert f"({written / 1000:.1f}k cached, {second.cache_creation_input_tokens} cache write)" in pane_line(app, "exec")
        rows = stored_rows(app)
        total = sum(by_hand(SONNET, row.usage) for row in rows)
        assert pane_line(app, "exec").endswith(f"{format_usd(by_hand(SONNET, second))} · pane {format_usd(total)}")
        # Reading the prefix at $0.1 instead of $2 is where the second turn's saving comes from.
        assert by_hand(SONNET, second) < by_hand(SONNET, first)


# -- budgets ---------------------------------------------------------------------------------


async def projected_cost(simulator, tmp_path, pane: str, prompt: str) -> Decimal:
    """What the app will project for this send (count_tokens plus the output estimate)."""
    from core.costs.budget import estimate_output_tokens, project_cost

    app = make_app(simulator, tmp_path)
    request, _, _ = app.session.request_for(pane, prompt)
    estimate = estimate_output_tokens(prompt, request.model, request.max_tokens, thinking_budget=request.thinking_estimate)
    try:
        return await project_cost(app.session.client, request.model, request.params(), estimate)
    finally:
        await app.session.aclose()


async def test_budget_warns_at_eighty_percent_and_still_sends(simulator, tmp_path):
    prompt = "Implement the login endpoint [[sim:tokens=40]]"
    projected = await projected_cost(simulator, tmp_path, "exec", prompt)
    budget = float(projected / Decimal("0.9"))  # this send takes the session to 90 %
    app = make_app(simulator, tmp_path, session_budget_usd=budget)
    async with app.run_test(size=SIZE) as pilot:
        shown = record_notices(app)
        await send_and_wait(pilot, "exec", prompt)
        warnings = [n for n in shown if n.startswith("Budget:")]
        assert warnings == [f"Budget: Session budget at 90%: {format_usd(projected)} of {format_usd(Decimal(str(budget)))}."]
        assert len(simulator.requests) == 1, "a warning does not hold the message"
        assert app.query_one(CostMeter).budget is not None


async def test_budget_asks_before_crossing_the_limit_n_keeps_the_prompt_y_sends(simulator, tmp_path):
    from tui.screens.budget_dialog import BudgetDialog

    prompt = "Implement the login endpoint [[sim:tokens=200]]"  # about $0.002 on Sonnet
    app = make_app(simulator, tmp_path, session_budget_usd=0.001)
    async with app.run_test(size=SIZE) as pilot:
        shown = record_notices(app)
        await send(pilot, "exec", prompt)
        await answerable(pilot, BudgetDialog)
        question = str(app.screen.query_one("#budget-question").render())
        assert question.startswith("This message would take the session to $") and "of $0.001" in question
        await pilot.press("n")
        await turns_done(app)
        await pilot.pause()
        assert not simulator.requests, "not sent"
        assert app.pane("exec").prompt_input.value == prompt
        assert not app.pane("exec").query(ReplyView)
        assert "Not sent: the prompt is still in the box." in shown

        await pilot.press("enter")
        await answerable(pilot, BudgetDialog)
        await pilot.press("y")
        await turns_done(app)
        await pilot.pause()
        assert len(simulator.requests) == 1
        assert app.pane("exec").prompt_input.value == ""
        assert app.store.messages(app.session.id, "exec")[-1].status == "complete"
        # Confirmed past the limit: the reply was not stopped and no second notice nags about it.
        assert not [n for n in shown if "Stopped the reply" in n or "already used up" in n]
        assert app.query_one(CostMeter).has_class("-over")


def fast_pacing():
    """A paced simulator whose pauses are a tenth of real-model pacing (the stream still trickles)."""
    from core.simulator import Simulator

    stop = threading.Event()
    return Simulator(pacing=True, sleep=lambda seconds: stop.wait(seconds / 10)), stop


async def test_budget_stops_a_streaming_reply_that_crosses_the_limit(tmp_path):
    sim, stop = fast_pacing()
    with sim:
        # "Briefly" makes the projection short (~400 tokens); the reply runs to ~3,000.
        prompt = "Briefly: rename the helper to slugify [[sim:tokens=3000]]"
        projected = await projected_cost(sim, tmp_path, "exec", prompt)
        limit = Decimal("0.006")
        assert projected < limit * Decimal("0.8"), "the send itself is not held"
        app = make_app(sim, tmp_path, session_budget_usd=float(limit))
        async with app.run_test(size=SIZE) as pilot:
            shown = record_notices(app)
            await send_and_wait(pilot, "exec", prompt)
            stop.set()
            reply = app.pane("exec").query(ReplyView).first()
            stored = app.store.messages(app.session.id, "exec")[-1]
            assert stored.status == "cancelled"
            assert stored.text == reply.text and len(reply.text) > 100, "the partial text is kept"
            assert len(reply.text) < 3000 * 3, "stopped early"
            stops = [n for n in shown if "Stopped the reply" in n]
            assert len(stops) == 1, shown
            assert stops[0].endswith("over the session budget. The partial text is kept.")
            assert "of $0.006" in stops[0]
            assert app.pane("exec").prompt_input.value == ""




async def test_a_stopped_reply_still_counts_what_it_streamed(tmp_path):
    """After the hard stop the spend stays past the limit, so the next send asks first.

    No message_delta arrives for a stopped reply; the API still bills the output it generated,
    so the stored row must count what streamed, not message_start's 1 output token.
    """
    sim, stop = fast_pacing()
    with sim:
        app = make_app(sim, tmp_path, session_budget_usd=0.006)
        async with app.run_test(size=SIZE) as pilot:
            await send_and_wait(pilot, "exec", "Briefly: rename the helper to slugify [[sim:tokens=3000]]")
            stop.set()
            [row] = stored_rows(app)
            assert row.usage.output_tokens > 100
            assert row.cost_usd > Decimal("0.006")
            assert app.query_one(CostMeter).has_class("-over")
            from tui.screens.budget_dialog import BudgetDialog

            await send(pilot, "exec", "Briefly: and the other helper?")
            await answerable(pilot, BudgetDialog)
            assert "already used up" in str(app.screen.query_one("#budget-question").render())
            await pilot.press("n")
            await turns_done(app)
            assert len(sim.requests) == 1


async def test_live_meters_are_shown_at_most_four_times_a_second(simulator, tmp_path, monkeypatch):
    """Usage changes with nearly every streamed chunk; each showing of it is a frame of its own,
    and at every chunk those frames kept the screen busy while the user typed (#15). The
    figures are shown at most every LIVE_SHOW_SECONDS, the newest ones each time."""
    import time

    from tui import cost_tracker, keystrokes

    # Nobody types while this short reply streams: the keys that sent it would otherwise hold
    # the meters for a gap between keys (the next test) until the reply is over.
    monkeypatch.setattr(keystrokes, "TYPING_WINDOW", 0.0)

    app = make_app(simulator, tmp_path)  # full speed: usage changes hundreds of times a second
    async with app.run_test(size=SIZE) as pilot:
        costs = app.main.costs
        usage_at, shown_at = [], []
        live_usage, show_costs = costs.live_usage, costs.show_costs

        def recording_usage(*args):
            usage_at.append(time.monotonic())
            live_usage(*args)

        def recording_show():
            if costs.live:
                shown_at.append((time.monotonic(), costs.live.get("exec")))
            show_costs()

        costs.live_usage, costs.show_costs = recording_usage, recording_show
        await send(pilot, "exec", "Implement a CSV exporter [[sim:tokens=4000]]")
        await turns_done(app)
        assert len(shown_at) >= 2, "the meters moved while the reply streamed"
        assert len(usage_at) > 2 * len(shown_at)
        gaps = [later - earlier for (earlier, _), (later, _) in zip(shown_at, shown_at[1:])]
        assert min(gaps) >= cost_tracker.LIVE_SHOW_SECONDS * 0.95


async def test_while_someone_types_live_figures_wait_for_the_gap_after_a_keys_frame(simulator, tmp_path, monkeypatch):
    """The meters' frame lands between keys, not on one: while someone types, new live figures
    are shown just after a key's frame is out (tui/keystrokes.between_keys)."""
    import time

    from core.costs.cost_view import EMPTY
    from tui import keystrokes

    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        costs = app.main.costs
        await wait_until(pilot, lambda: costs.loaded)
        shown = []
        show_live = costs._show_live
        monkeypatch.setattr(costs, "_show_live", lambda: (shown.append(time.monotonic()), show_live()))
        monkeypatch.setattr(costs, "_live_shown_at", 0.0)
        monkeypatch.setattr(keystrokes, "drawn", lambda: None)  # the prompt's paints (its cursor blinks) say nothing
        monkeypatch.setattr(keystrokes, "TYPING_WINDOW", 3600.0)  # however slow this test runs
        monkeypatch.setattr(keystrokes, "GAP_LONGEST", 3600.0)
        keystrokes.note()  # a key is typed; its frame is not out
        costs.live["exec"] = EMPTY
        costs._show_live_soon()
        await pilot.pause()
        assert not shown and costs._live_timer is not None, "not while the key waits for its frame"
        keystrokes.note()  # still typing
        monkeypatch.setattr(keystrokes, "_shown", True)
        monkeypatch.setattr(keystrokes, "_shown_at", time.monotonic() - (keystrokes.GAP_AFTER + keystrokes.GAP_WITHIN) / 2)
        await wait_until(pilot, lambda: bool(shown))
        assert costs._live_timer is None
