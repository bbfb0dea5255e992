"""Auto mode in the whole app: turned on from the palette or the settings, the AUTO badge, the
request carrying the pick, the question only above auto_confirm_factor, and F4's route column.

Driven with Pilot against the simulator over loopback; each test checks what the user sees and
what the request sent (simulator.requests)."""

from __future__ import annotations

from app_pilot import OPUS, answerable, SONNET, make_app, send_and_wait, turns_done, wait_until

SIZE = (160, 48)
TRIVIAL = "Fix the typo in README.md: 'recieve' should be 'receive' [[sim:fast]]"
ARCHITECTURE = "Should we shard the orders database by tenant or by region? Weigh the trade-offs. [[sim:fast]] [[sim:tokens=40]]"


def badge(app, pane: str) -> str:
    return str(app.pane(pane).badge.render())


async def run_palette_command(pilot, text: str) -> None:
    from textual.command import CommandPalette

    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*text)
    palette = app.screen

    def top_hit() -> str:
        options = palette.query_one("CommandList")
        return str(options.get_option_at_index(0).prompt) if options.option_count else ""

    await wait_until(pilot, lambda: top_hit().startswith(text))
    await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, CommandPalette))


async def type_and_enter(pilot, pane: str, prompt: str) -> None:
    app = pilot.app
    app.pane(pane).focus_input()
    await pilot.pause()
    app.pane(pane).prompt_input.value = prompt
    await pilot.press("enter")


async def auto_dialog(pilot, pane: str, prompt: str):
    from tui.screens.auto_route_dialog import AutoRouteDialog

    await type_and_enter(pilot, pane, prompt)
    await answerable(pilot, AutoRouteDialog)
    return pilot.app.screen


async def test_palette_turns_auto_on_and_a_trivial_prompt_goes_to_sonnet_low(simulator, tmp_path):
    app = make_app(simulator, tmp_path)  # planning pane: Opus, effort high
    async with app.run_test(size=SIZE) as pilot:
        assert badge(app, "plan") == "Opus 5.5 · high"
        await run_palette_command(pilot, "Auto-route the planning pane")
        assert "plan" in app.session.auto_route
        assert badge(app, "plan") == "AUTO"
        app.pane("plan").prompt_input.value = TRIVIAL
        await pilot.pause()
        assert str(app.pane("plan").query_one("#advisor-plan").render()) == "auto → Sonnet"
        await send_and_wait(pilot, "plan", TRIVIAL)
        body = simulator.requests[-1]["body"]
        assert body["model"] == SONNET and body["output_config"]["effort"] == "low"
        assert badge(app, "plan") == "AUTO · Sonnet 5.5 · low"
        assert app.pane("plan").badge.has_class("sonnet")
        assert app.session.panes["plan"].model == OPUS, "the pane's own choice is kept as the baseline"
        # And off again: the pane's own model answers.
        await run_palette_command(pilot, "Stop auto-routing the planning pane")
        assert "plan" not in app.session.auto_route and badge(app, "plan") == "Opus 5.5 · high"
        await send_and_wait(pilot, "plan", TRIVIAL + " again")
        assert simulator.requests[-1]["body"]["model"] == OPUS


async def test_an_expensive_pick_asks_first_and_the_answer_is_stored_and_shown_in_f4(simulator, tmp_path):
    from textual.widgets import DataTable

    from tui.screens.cost_screen import CostScreen

    app = make_app(simulator, tmp_path, exec_model=SONNET, auto_route=("exec",))
    async with app.run_test(size=SIZE) as pilot:
        assert badge(app, "exec") == "AUTO", "the setting turns it on at start"
        dialog = await auto_dialog(pilot, "exec", ARCHITECTURE)
        message = str(dialog.query_one("#auto-message").render())
        assert "Auto-route picks Opus 5.5 · xhigh for this prompt (system design)" in message
        assert "Sonnet 5.5 · medium" in message and "above 2×" in message
        assert simulator.requests == [], "nothing is sent before the user answers"
        # Cancel: nothing sent, the prompt stays.
        await pilot.press("c")
        await turns_done(app)
        assert simulator.requests == [] and app.pane("exec").prompt_input.value == ARCHITECTURE
        # Confirm: the prompt goes to the pick.
        await auto_dialog(pilot, "exec", ARCHITECTURE)
        await pilot.press("y")
        await turns_done(app)
        body = simulator.requests[-1]["body"]
        assert body["model"] == OPUS and body["output_config"]["effort"] == "xhigh"
        assert badge(app, "exec") == "AUTO · Opus 5.5 · xhigh"
        # Decline: the pane's own Sonnet at medium answers.
        await auto_dialog(pilot, "exec", ARCHITECTURE.replace("region", "country"))
        await pilot.press("m")
        await turns_done(app)
        body = simulator.requests[-1]["body"]
        assert body["model"] == SONNET and body["output_config"]["effort"] == "medium"
        assert badge(app, "exec") == "AUTO · Sonnet 5.5 · medium"

        stored = app.store.routes(app.session.id)
        assert [(r.model, r.effort, r.task_type, r.confirmed) for r in stored.values()] == [
            (OPUS, "xhigh", "system_design", True),
            (OPUS, "xhigh", "system_design", False),
        ]
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, CostScreen))
        table = app.screen.query_one("#costs-messages", DataTable)
        routes = [table.get_row_at(index)[-1] for index in range(table.row_count)]
        assert routes == [
            "auto: system_design → Opus/xhigh (confirmed)",
            "auto: system_design → Opus/xhigh (declined)",
        ]


async def test_below_the_factor_no_question(simulator, tmp_path):
    from tui.screens.auto_route_dialog import AutoRouteDialog

    app = make_app(simulator, tmp_path, exec_model=SONNET, auto_route=("exec",), auto_confirm_factor=50.0)
    async with app.run_test(size=SIZE) as pilot:
        shown = []
        original = app.push_screen_wait

        async def watch(screen):
            shown.append(type(screen))
            return await original(screen)

        app.push_screen_wait = watch
        await send_and_wait(pilot, "exec", ARCHITECTURE)
        assert AutoRouteDialog not in shown
        assert simulator.requests[-1]["body"]["model"] == OPUS
        await send_and_wait(pilot, "exec", TRIVIAL)
        assert simulator.requests[-1]["body"]["model"] == SONNET
        stored = list(app.store.routes(app.session.id).values())
        assert [(r.model, r.task_type, r.confirmed) for r in stored] == [
            (OPUS, "system_design", None),
            (SONNET, "simple_bug_fix", None),
        ]


async def test_a_manual_model_choice_ends_auto_mode(simulator, tmp_path):
    app = make_app(simulator, tmp_path, auto_route=("plan",))
    async with app.run_test(size=SIZE) as pilot:
        assert badge(app, "plan") == "AUTO"
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert "plan" not in app.session.auto_route
        assert badge(app, "plan") == "Sonnet 5.5 · high"
        await send_and_wait(pilot, "plan", "Plan the cache eviction policy and weigh LRU against LFU [[sim:fast]]")
        assert simulator.requests[-1]["body"]["model"] == SONNET
        assert app.store.routes(app.session.id) == {}
