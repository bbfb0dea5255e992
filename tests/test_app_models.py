"""Model switching in the whole app: Ctrl+T, the F2 picker, the palette, the advisor hint, guard rails.

Driven with Pilot against the simulator over loopback; each test checks what the user sees
(badge, cost line colour, hint, notices) and what the next request sends (simulator.requests).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from textual.color import Color

from tests.sent import plain_content
from app_pilot import (
    answerable,
    LONG_CLAUDE_MD,
    OPUS,
    SONNET,
    make_app,
    turns_done,
    record_notices,
    send,
    send_and_wait,
    wait_until,
)
from core.advisor.guard_rails import GUARD_NAMES
from tui.widgets.cost_meter import PaneCostLine

SIZE = (160, 48)


def badge(app, pane: str) -> str:
    """The model name on the badge (the effort level after " · " has its own tests)."""
    return str(app.pane(pane).badge.render()).split(" · ")[0]


def colour_of_cost_line(app, pane: str) -> str:
    """The theme variable the pane's cost line paints its dollars with."""
    markup = app.pane(pane).query_one(PaneCostLine)._compose_text()[1]
    return "$opus" if "[$opus]" in markup else "$sonnet" if "[$sonnet]" in markup else "other"


@pytest.mark.parametrize("pane, before, after", [("plan", OPUS, SONNET), ("exec", SONNET, OPUS)])
async def test_ctrl_t_in_each_pane_switches_badge_meter_and_next_request(simulator, tmp_path, pane, before, after):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        shown = record_notices(app)
        await send_and_wait(pilot, pane, "Implement a cache [[sim:tokens=40]]")
        assert colour_of_cost_line(app, pane) == f"${before.split('-')[1]}"
        app.pane(pane).focus_input()
        await pilot.press("ctrl+t")
        await pilot.pause()
        family = after.split("-")[1]
        assert app.session.panes[pane].model == after
        assert badge(app, pane) == f"{family.capitalize()} 5.5"
        # The focused pane's border takes the new model's colour.
        assert app.pane(pane).styles.border_top == ("round", Color.parse(app.theme_variables[family]))
        # The cost line takes the new model's colour at once, before any new usage arrives.
        assert colour_of_cost_line(app, pane) == f"${family}"
        other = "exec" if pane == "plan" else "plan"
        assert app.session.panes[other].model == (SONNET if other == "exec" else OPUS)
        assert any(f"now uses {family.capitalize()} 5.5" in notice for notice in shown)
        # The conversation is kept and goes to the new model.
        await send_and_wait(pilot, pane, "And the eviction policy? [[sim:tokens=20]]")
        body = simulator.requests[-1]["body"]
        assert body["model"] == after
        assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
        assert body["messages"][0]["content"] == "Implement a cache [[sim:tokens=40]]"


async def test_f2_picker_selects_a_model_with_the_keyboard(simulator, tmp_path):
    from tui.screens.model_picker import ModelPicker

    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.pane("exec").focus_input()
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        picker = app.screen
        option_list = picker.query_one("OptionList")
        assert option_list.highlighted_option.id == SONNET  # the pane's model is where you start
        # Every model shows its prices per MTok and its context size.
        first = str(option_list.get_option_at_index(0).prompt)
        assert "claude-opus-5-5" in first and "$4/$20 per MTok in/out" in first and first.endswith("· 1M")
        await pilot.press("down")  # Sonnet 5.5 -> Haiku 5.5
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModelPicker))
        assert app.session.panes["exec"].model == "claude-haiku-5-5"
        assert badge(app, "exec") == "Haiku 5.5"
        await send_and_wait(pilot, "exec", "Implement a slugify helper [[sim:tokens=20]]")
        assert simulator.requests[-1]["body"]["model"] == "claude-haiku-5-5"
        # Esc keeps the model.
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        await pilot.press("up", "escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModelPicker))
        assert app.session.panes["exec"].model == "claude-haiku-5-5"


async def test_palette_command_switches_the_planning_pane(simulator, tmp_path):
    from textual.command import CommandPalette

    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"switch planning pane to sonnet")
        palette = app.screen

        def top_hit():
            options = palette.query_one("CommandList")
            return str(options.get_option_at_index(0).prompt) if options.option_count else ""

        await wait_until(pilot, lambda: "claude-sonnet-5-5" in top_hit())
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.session.panes["plan"].model == SONNET)
        assert badge(app, "plan") == "Sonnet 5.5"
        assert app.session.panes["exec"].model == SONNET
        await send_and_wait(pilot, "plan", "Plan the eviction policy [[sim:tokens=20]]")
        assert simulator.requests[-1]["body"]["model"] == SONNET


async def test_advisor_hint_disagrees_then_ctrl_g_applies_it(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.pane("plan")
        await pilot.press(*"Fix the typo in README.md")  # the planning input has focus at start
        hint = pane.query_one("#advisor-plan")
        assert str(hint.render()) == "advisor: Sonnet · ^G"
        assert hint.has_class("disagrees")
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert app.session.panes["plan"].model == SONNET
        assert badge(app, "plan") == "Sonnet 5.5"
        assert str(hint.render()) == "advisor: Sonnet ✓" and hint.has_class("agrees")
        assert pane.prompt_input.value == "Fix the typo in README.md"  # the prompt is untouched


# -- guard rails --------------------------------------------------------------------------

TRIVIAL = "Fix the typo in README.md"
ARCHITECTURE = "Should we shard the orders database by tenant or by region? Weigh the trade-offs."
OPUS_NOTICE = "Opus is about to answer a task with a clear path"
SONNET_NOTICE = "Sonnet is about to answer a question that weighs trade-offs"
PLAN_NOTICE = "The planning pane has a plan that is not saved"


async def guard_dialog_for(pilot, pane: str, prompt: str):
    """Type `prompt` and press Enter; returns the guard dialog that asks before anything is sent."""
    from tui.screens.guard_dialog import GuardDialog

    app = pilot.app
    app.pane(pane).focus_input()
    await pilot.pause()
    app.pane(pane).prompt_input.value = prompt
    await pilot.press("enter")
    await answerable(pilot, GuardDialog)
    return app.screen


async def test_guard_rail_asks_before_opus_answers_a_trivial_task(simulator, tmp_path):
    app = make_app(simulator, tmp_path, silenced_guards=())
    async with app.run_test(size=SIZE) as pilot:
        dialog = await guard_dialog_for(pilot, "plan", TRIVIAL)
        message = str(dialog.query_one("#guard-message").render())
        assert f"{OPUS_NOTICE} (simple bug fix); Sonnet does this as well" in message
        assert "Sonnet 5.5" in str(dialog.query_one("#guard-switch").label), "the dialog names the cheaper model"
        assert simulator.requests == [], "nothing is sent before the user answers"
        # Cancel: nothing sent, the prompt stays in the box.
        await pilot.press("c")
        await turns_done(app)
        assert simulator.requests == []
        assert app.pane("plan").prompt_input.value == TRIVIAL
        # Send anyway: to Opus.
        await guard_dialog_for(pilot, "plan", TRIVIAL)
        await pilot.press("y")
        await turns_done(app)
        assert simulator.requests[-1]["body"]["model"] == OPUS
        # Switch and send: the pane moves to Sonnet and the prompt goes there.
        await guard_dialog_for(pilot, "plan", TRIVIAL + " again")
        await pilot.press("s")
        await turns_done(app)
        assert app.session.panes["plan"].model == SONNET
        assert simulator.requests[-1]["body"]["model"] == SONNET


async def test_keys_typed_as_the_guard_rail_opens_go_on_into_the_prompts_and_answer_nothing(simulator, tmp_path, monkeypatch):
    """Enter, then at once Tab and "hey there exec": the guard rail opened in between, and the
    `y` of "hey" sent the prompt to the model the user had been warned about, the rest of the
    sentence lost. Now the dialog holds its answers while the typing goes on, Tab moves to the
    other pane's prompt as it would have, the letters land there, and nothing is sent."""
    from tui.screens import held_keys
    from tui.screens.guard_dialog import GuardDialog

    monkeypatch.setattr(held_keys, "TYPING_WITHIN", 3600.0)  # however long the pre-flight takes
    app = make_app(simulator, tmp_path, plan_model=SONNET, silenced_guards=())
    async with app.run_test(size=SIZE) as pilot:
        app.pane("plan").focus_input()
        await pilot.pause()
        app.pane("plan").prompt_input.value = ARCHITECTURE
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, GuardDialog) and app.screen.keys_held)
        dialog = app.screen
        await pilot.press("tab", *"hey", "space", *"there")
        assert app.screen is dialog and simulator.requests == []
        assert app.pane("exec").prompt_input.value == "hey there"
        assert "Your prompt: hey there" in str(dialog.query_one("#held-typed").render())
        await pilot.press("escape")  # never held: the safe answer
        await turns_done(app)
        assert simulator.requests == []
        assert app.pane("plan").prompt_input.value == ARCHITECTURE  # still in the box
        assert app.focused is app.pane("exec").prompt_input  # where the Tab went
        # Typed on into the same prompt, then sent: the prompt as it was sent goes, the letters
        # typed after the Enter stay in the box.
        await guard_dialog_for(pilot, "plan", ARCHITECTURE)
        await pilot.press("space", *"and", "space", *"yes")
        assert app.pane("plan").prompt_input.value == ARCHITECTURE + " and yes" and simulator.requests == []
        monkeypatch.setattr(held_keys, "HOLD_UNTIL_QUIET", 0.02)  # the pause, shortened
        await pilot.press("space")  # a key after the change: its hold waits the shorter pause
        await answerable(pilot, GuardDialog)
        await pilot.press("y")
        await turns_done(app)
        assert plain_content(simulator.requests[-1]["body"]["messages"][-1]["content"]) == ARCHITECTURE  # as sent
        assert app.pane("plan").prompt_input.value == "and yes "  # typed after it: kept for the next


@pytest.mark.parametrize("pane", ["plan", "exec"])
async def test_guard_rail_asks_before_sonnet_answers_an_architecture_question(simulator, tmp_path, pane):
    app = make_app(simulator, tmp_path, plan_model=SONNET, silenced_guards=())
    async with app.run_test(size=SIZE) as pilot:
        dialog = await guard_dialog_for(pilot, pane, ARCHITECTURE)
        assert SONNET_NOTICE in str(dialog.query_one("#guard-message").render())
        await pilot.press("s")
        await turns_done(app)
        assert simulator.requests[-1]["body"]["model"] == OPUS
        # The right model hears nothing: the next send goes straight out.
        await send_and_wait(pilot, pane, ARCHITECTURE + " Think about hot tenants too.")
        assert plain_content(simulator.requests[-1]["body"]["messages"][-1]["content"]).endswith("hot tenants too.")


async def test_guard_rail_exec_pane_started_while_the_plan_is_unsaved(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        shown = record_notices(app)
        await send_and_wait(pilot, "plan", "Plan an authentication system for our app [[sim:tokens=60]]")
        assert not [n for n in shown if PLAN_NOTICE in n]
        await send_and_wait(pilot, "exec", "Implement the login endpoint")
        assert [n for n in shown if PLAN_NOTICE in n], shown
        # Once the plan is saved, the execution pane starts without a notice.
        shown.clear()
        app.main.handoff.saved_plan_reply = app.main.handoff.last_plan_reply()
        await send_and_wait(pilot, "exec", "Implement the logout endpoint")
        assert not [n for n in shown if PLAN_NOTICE in n]


async def test_a_planning_reply_that_was_cancelled_is_no_unsaved_plan(paced_simulator, tmp_path):
    """A plan saved (and handed off), then a question in the planning pane stopped halfway: the
    execution pane warned of "a plan that is not saved" on every send."""
    from tui.widgets.conversation import ReplyView

    app = make_app(paced_simulator, tmp_path, silenced_guards=(), plan_thinking=False)
    async with app.run_test(size=SIZE) as pilot:
        shown = record_notices(app)
        await send_and_wait(pilot, "plan", "Plan an authentication system for our app [[sim:tokens=60]] [[sim:fast]]")
        app.main.handoff.saved_plan_reply = app.main.handoff.last_plan_reply()
        await send(pilot, "plan", "Plan a caching layer for the orders API [[sim:tokens=2000]]")
        pane = app.pane("plan")
        await wait_until(pilot, lambda: len(pane.query(ReplyView)) == 2 and len(pane.query(ReplyView).last().text) > 40)
        await pilot.press("escape")
        await turns_done(app)
        assert pane.query(ReplyView).last().status_shown  # "cancelled — partial reply kept"
        await send_and_wait(pilot, "exec", "Implement the login endpoint [[sim:fast]]")
        assert not [n for n in shown if PLAN_NOTICE in n], shown


async def test_silenced_guard_rails_say_nothing(simulator, tmp_path):
    app = make_app(simulator, tmp_path, silenced_guards=GUARD_NAMES)
    async with app.run_test(size=SIZE) as pilot:
        shown = record_notices(app)
        await send_and_wait(pilot, "plan", TRIVIAL)
        await send_and_wait(pilot, "exec", ARCHITECTURE)
        await send_and_wait(pilot, "exec", "Implement the login endpoint")
        assert not [n for n in shown if n.startswith("Guard rail:")], shown
        assert len(simulator.requests) == 3


# -- what a switch costs ----------------------------------------------------------------------


async def cached_exec_turn(pilot, simulator) -> int:
    """One execution turn that writes the system prompt to the cache; the tokens written."""
    await send_and_wait(pilot, "exec", "Implement the login endpoint [[sim:tokens=30]]")
    written = pilot.app.main.costs.last_reply["exec"].usage.cache_creation_input_tokens
    assert written >= 1_024
    return written


def rewrite_penalty(tokens: int) -> Decimal:
    """Sonnet 5.5 -> Opus 5.5: the prefix written at Opus's $5/MTok instead of read at Sonnet's $0.1."""
    return Decimal(tokens) * (Decimal(5) - Decimal("0.1")) / 1_000_000


async def test_picker_shows_the_switch_penalty_for_each_model_before_switching(simulator, tmp_path):
    from core.costs.money import format_usd
    from tui.screens.model_picker import ModelPicker

    (tmp_path / "CLAUDE.md").write_text(LONG_CLAUDE_MD)
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        tokens = await cached_exec_turn(pilot, simulator)
        app.pane("exec").focus_input()
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        option_list = app.screen.query_one("OptionList")
        prompts = {option_list.get_option_at_index(i).id: str(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count)}
        expected = format_usd(rewrite_penalty(tokens))
        # The one cache-loss sentence (core.costs.cache_accounting), as everywhere else.
        assert f"the next message costs about {expected} more to rebuild it" in prompts[OPUS]
        assert "prompt cache" not in prompts[SONNET]  # the current model keeps its cache
        # Haiku writes at $0.125/MTok against Sonnet's $0.1 read: a fraction of a cent, said so.
        assert "costs under $0.001 more" in prompts["claude-haiku-5-5"]
        assert "prompt cache" in str(app.screen.query_one("#picker-note").render())
        await pilot.press("escape")
        assert app.session.panes["exec"].model == SONNET


async def test_ctrl_t_and_the_palette_state_the_switch_penalty(simulator, tmp_path):
    from core.costs.money import format_usd
    from core.costs.pricing import format_tokens

    (tmp_path / "CLAUDE.md").write_text(LONG_CLAUDE_MD)
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        shown = record_notices(app)
        tokens = await cached_exec_turn(pilot, simulator)
        # The palette's help says it before anyone switches.
        commands = [c async for c in _palette_hits(app, "switch execution pane to opus")]
        help_text = next(hit.help for hit in commands if "claude-opus-5-5" in hit.text)
        assert f"costs about {format_usd(rewrite_penalty(tokens))} more" in help_text
        # Ctrl+T switches at once and says what the switch costs.
        app.pane("exec").focus_input()
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: any("prompt cache" in n for n in shown))
        assert app.session.panes["exec"].model == OPUS
        assert (
            f"Prompt cache: Switching drops the {format_tokens(tokens)}-token prompt cache: "
            f"the next message costs about {format_usd(rewrite_penalty(tokens))} more to rebuild it. "
            "Switching back before it expires keeps it."
        ) in shown
        # And it was right: the next message writes the prefix again, on Opus.
        await send_and_wait(pilot, "exec", "Implement the logout endpoint [[sim:tokens=30]]")
        # (the conversation since, now cached too, is written with it)
        assert app.main.costs.last_reply["exec"].usage.cache_creation_input_tokens >= tokens
        assert app.main.costs.last_reply["exec"].usage.cache_read_input_tokens == 0


async def test_no_penalty_without_a_cache(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        shown = record_notices(app)
        await send_and_wait(pilot, "exec", "Implement the login endpoint [[sim:tokens=30]]")
        assert app.main.costs.cached_prefix_tokens("exec") == 0  # the system prompt is under the cache minimum
        app.pane("exec").focus_input()
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.session.panes["exec"].model == OPUS
        assert not [n for n in shown if "cache" in n]


async def _palette_hits(app, query):
    from tui.model_commands import ModelCommands

    provider = ModelCommands(app.screen)
    async for hit in provider.search(query):
        yield hit


async def test_a_resumed_session_remembers_the_pane_cache_until_it_expires(simulator, tmp_path):
    from datetime import timedelta

    from core.engines.client import demo_endpoint
    from core.settings import Settings
    from tui.cost_tracker import CACHE_LIFETIME, PaneCache
    from tui.launch import build_app

    (tmp_path / "CLAUDE.md").write_text(LONG_CLAUDE_MD)
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        tokens = await cached_exec_turn(pilot, simulator)
    resumed = build_app(tmp_path, demo_endpoint(simulator.base_url), Settings(plan_thinking=False))
    async with resumed.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert resumed.session.id == app.session.id
        assert resumed.main.costs.cached_prefix_tokens("exec") == tokens
        assert resumed.main.costs.cached_prefix_tokens("exec", OPUS) == 0  # the cache belongs to Sonnet
        assert "costs about" in resumed.main.costs.switch_penalty_text("exec", OPUS)
        cache = resumed.main.costs.pane_cache["exec"]
        resumed.main.costs.pane_cache["exec"] = PaneCache(cache.model, cache.tokens, cache.at - CACHE_LIFETIME - timedelta(seconds=1))
        assert resumed.main.costs.cached_prefix_tokens("exec") == 0, "an expired cache costs nothing to lose"
        assert resumed.main.costs.switch_penalty_text("exec", OPUS) is None
