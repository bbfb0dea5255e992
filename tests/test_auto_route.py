"""Auto mode's core: the pick (advisor model + effort the model has), when to ask, the settings,
the pre-flight's projection and the stored decision. Pure or over the simulator on loopback."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from core import capabilities
from core.advisor.auto_route import Route, RouteDecision, describe, needs_confirmation, pick
from core.advisor.matrix import advise
from core.engines.client import demo_endpoint
from core.session import Session
from core.settings import Settings, load_settings
from core.store.database import Store

OPUS = "claude-opus-5-5"
SONNET = "claude-sonnet-5-5"
TRIVIAL = "Fix the typo in README.md: 'recieve' should be 'receive'"
ARCHITECTURE = "Should we shard the orders database by tenant or by region? Weigh the trade-offs."


def test_a_trivial_prompt_goes_to_sonnet_at_low_effort():
    route = pick(TRIVIAL)
    assert (route.model, route.effort, route.task_type) == (SONNET, "low", "simple_bug_fix")
    assert route.label == "Sonnet 5.5 · low" and route.short == "Sonnet/low"
    assert route.reason == advise(TRIVIAL).reason


def test_an_architecture_prompt_goes_to_opus_at_the_advisors_effort():
    route = pick(ARCHITECTURE)
    assert route.model == OPUS and route.effort == advise(ARCHITECTURE).effort == "xhigh"
    assert route.task_type == "system_design"


def test_the_effort_moves_to_a_level_the_picked_model_has():
    no_xhigh = replace(capabilities.caps_for(OPUS), efforts=("low", "medium", "high", "max"))
    assert pick(ARCHITECTURE, caps_for=lambda model: no_xhigh).effort == "high"
    no_effort = replace(capabilities.caps_for(OPUS), efforts=())
    route = pick(ARCHITECTURE, caps_for=lambda model: no_effort)
    assert route.effort is None and route.label == "Opus 5.5"


def test_precomputed_advice_is_used():
    advice = advise(ARCHITECTURE)
    assert pick("anything at all", advice) == pick(ARCHITECTURE)


@pytest.mark.parametrize(
    ("pick_usd", "manual_usd", "factor", "asks"),
    [
        ("0.20", "0.05", 2.0, True),  # 4x over a factor of 2
        ("0.10", "0.05", 2.0, False),  # exactly the factor: not more than it
        ("0.11", "0.05", 2.0, True),
        ("0.20", "0.05", 10.0, False),
        ("0.01", "0.05", 1.0, False),  # cheaper than the pane's choice
        ("0.01", "0", 2.0, True),  # anything over a free choice
    ],
)
def test_asks_only_above_the_factor(pick_usd, manual_usd, factor, asks):
    assert needs_confirmation(Decimal(pick_usd), Decimal(manual_usd), factor) is asks


def test_an_unpriced_side_never_asks():
    assert needs_confirmation(None, Decimal("0.01"), 2.0) is False
    assert needs_confirmation(Decimal("9"), None, 2.0) is False


def test_a_declined_decision_is_not_applied():
    route = Route(OPUS, "xhigh", "system_design", "why")
    assert RouteDecision(route).applied and RouteDecision(route, True).applied
    assert not RouteDecision(route, False).applied


def test_the_f4_line():
    assert describe("simple_bug_fix", SONNET, "low", None) == "auto: simple_bug_fix → Sonnet/low"
    assert describe("system_design", OPUS, "xhigh", True) == "auto: system_design → Opus/xhigh (confirmed)"
    assert describe("system_design", OPUS, "xhigh", False).endswith("(declined)")


# -- settings ----------------------------------------------------------------------------


def test_settings_file_and_environment(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('auto_route = ["exec"]\nauto_confirm_factor = 3\n', encoding="utf-8")
    settings = load_settings(path, environ={})
    assert settings.auto_route == ("exec",) and settings.auto_confirm_factor == 3.0
    settings = load_settings(path, environ={"SEGUE_AUTO_ROUTE": "plan, execution"})
    assert settings.auto_route == ("plan", "exec")
    assert Settings().auto_route == () and Settings().auto_confirm_factor == 2.0


def test_bad_auto_settings_are_reported_not_fatal(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('auto_route = ["exec", "kitchen"]\nauto_confirm_factor = 0.5\n', encoding="utf-8")
    settings = load_settings(path, environ={})
    assert settings.auto_route == ("exec",)
    assert settings.auto_confirm_factor == 2.0
    assert any("unknown pane 'kitchen'" in problem for problem in settings.problems)
    assert any("auto_confirm_factor" in problem for problem in settings.problems)


# -- the pre-flight and the session --------------------------------------------------------


def _session(simulator, tmp_path, store=None, **settings) -> Session:
    settings.setdefault("plan_thinking", False)
    return Session(demo_endpoint(simulator.base_url), Settings(**settings), tmp_path, store=store)


async def test_preflight_projects_both_and_asks_above_the_factor(simulator, tmp_path):
    from core.preflight import auto_route

    session = _session(simulator, tmp_path, exec_model=SONNET)
    try:
        verdict = await auto_route(session, "exec", ARCHITECTURE, 2.0)
        assert verdict.route.model == OPUS
        assert verdict.pick_usd > verdict.manual_usd > 0
        assert verdict.ask and verdict.ratio > 2
        assert len(simulator.count_token_requests) == 1, "the input is counted once for both projections"
        relaxed = await auto_route(session, "exec", ARCHITECTURE, verdict.ratio + 1)
        assert not relaxed.ask
        # The pane's own choice: nothing to compare, nothing to ask.
        same = await auto_route(session, "exec", TRIVIAL, 1.0)
        assert same.route.model == SONNET
        session.set_effort("exec", "low")
        same = await auto_route(session, "exec", TRIVIAL, 1.0)
        assert not same.ask and same.pick_usd is None
        assert simulator.requests == [], "the pre-flight sends no message"
    finally:
        await session.aclose()


async def test_a_routed_turn_carries_the_pick_and_stores_the_decision(simulator, tmp_path):
    store = Store(tmp_path / "segue.sqlite3")
    session = _session(simulator, tmp_path, store=store, plan_model=OPUS)
    try:
        decision = RouteDecision(pick(TRIVIAL + " [[sim:fast]]"))
        events = [event async for event in session.send("plan", TRIVIAL + " [[sim:fast]]", routing=decision)]
        body = simulator.requests[-1]["body"]
        assert body["model"] == SONNET and body["output_config"]["effort"] == "low"
        assert events[-1].model == SONNET
        assert session.panes["plan"].model == OPUS, "the pane's own choice stays the baseline"
        reply = store.messages(session.id, "plan")[-1]
        assert reply.role == "assistant" and reply.model == SONNET
        route = store.routes(session.id)[reply.id]
        assert (route.model, route.effort, route.task_type, route.confirmed) == (SONNET, "low", "simple_bug_fix", None)
        assert route.reason == decision.route.reason
        # Declined: the pane's own model answers, the decision is kept as declined.
        declined = RouteDecision(pick(ARCHITECTURE), confirmed=False)
        session.set_model("plan", SONNET)
        [event async for event in session.send("plan", ARCHITECTURE + " [[sim:fast]]", routing=declined)]
        assert simulator.requests[-1]["body"]["model"] == SONNET
        reply = store.messages(session.id, "plan")[-1]
        stored = store.routes(session.id)[reply.id]
        assert stored.model == OPUS and stored.confirmed is False
    finally:
        await session.aclose()
        store.close()


def test_routes_survive_reopening_and_go_with_their_session(tmp_path):
    path = tmp_path / "segue.sqlite3"
    with Store(path) as store:
        session_id = store.create_session(str(tmp_path), "", OPUS, SONNET)
        reply = store.add_message(session_id, "exec", "assistant", OPUS, "…", "complete")
        store.add_route(session_id, reply, "exec", OPUS, "xhigh", "system_design", "weighs trade-offs", True)
    with Store(path) as store:
        assert store.routes(session_id)[reply].confirmed is True
        store.delete_session(session_id)
        assert store.routes(session_id) == {}
