"""Effort in the TUI (issue #11): on the badge, F7 cycles it, the palette sets it, requests carry it."""

from __future__ import annotations

from tests.app_pilot import OPUS, make_app, record_notices, send_and_wait
from tui.widgets.conversation import ReplyView


async def test_f7_cycles_the_focused_panes_effort_onto_the_badge_and_the_request(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        badge = app.pane("plan").badge
        assert badge.effort == "high" and "· high" in str(badge.render())
        notices = record_notices(app)
        await pilot.press("f7")
        await pilot.pause()
        assert app.session.panes["plan"].effort == "xhigh"
        assert badge.effort == "xhigh" and "· xhigh" in str(badge.render())
        assert any("effort: xhigh" in notice and "output" in notice for notice in notices), notices
        assert app.store.get_session(app.session.id).plan_effort == "xhigh"
        await send_and_wait(pilot, "plan", "Plan a cache [[sim:fast]]")
        assert simulator.requests[-1]["body"]["output_config"] == {"effort": "xhigh"}
        # The other pane keeps its own level.
        assert app.pane("exec").badge.effort == "medium"


async def test_palette_effort_command_and_models_without_xhigh(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        app.main.switch_model("plan", "claude-haiku-5-5")
        await pilot.pause()
        assert app.pane("plan").badge.effort == "high"
        from tui.model_commands import ModelCommands

        provider = ModelCommands(app.screen)
        commands = {text: callback for text, callback, _help, _model in provider._commands()}
        assert "Set planning pane effort to low" in commands
        assert "Set planning pane effort to xhigh" not in commands  # Haiku 5.5 has no xhigh
        commands["Set planning pane effort to low"]()
        await pilot.pause()
        assert app.pane("plan").badge.effort == "low"
        await pilot.press("f7")  # low -> medium -> high -> low on Haiku 5.5
        await pilot.press("f7")
        await pilot.press("f7")
        await pilot.pause()
        assert app.pane("plan").badge.effort == "low"


async def test_the_planning_fold_shows_summarized_thinking_on_5_5_models(simulator, tmp_path):
    app = make_app(simulator, tmp_path, plan_thinking=True)
    async with app.run_test(size=(160, 48)) as pilot:
        assert app.session.panes["plan"].model == OPUS
        await send_and_wait(pilot, "plan", "Plan an authentication system [[sim:fast]]")
        body = simulator.requests[-1]["body"]
        assert body["thinking"] == {"type": "adaptive", "display": "summarized"}
        reply = app.pane("plan").query(ReplyView).first()
        assert len(reply.thinking_text) > 100
