"""First run: a demo session suggests three prompts, one of which trips a guard rail; themes."""

from __future__ import annotations

from textual.color import Color

from core.advisor.guard_rails import OPUS_TRIVIAL, check_send
from core.models import resolve_model
from tui.widgets.first_run import DEMO_PROMPTS, TryPrompts
from app_pilot import make_app, send, turns_done


async def test_an_empty_demo_session_suggests_three_prompts_until_the_first_is_sent(simulator, tmp_path):
    app = make_app(simulator, tmp_path, plan_thinking=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        [tips] = app.query(TryPrompts)
        shown = str(tips.render())
        assert all(prompt in shown for _pane, prompt, _why in DEMO_PROMPTS)
        assert [pane for pane, _prompt, _why in DEMO_PROMPTS] == ["plan", "exec", "plan"]
        await send(pilot, "plan", DEMO_PROMPTS[0][1] + " [[sim:fast]]")
        await turns_done(app)
        assert not app.query(TryPrompts)


def test_the_third_prompt_trips_the_opus_for_a_trivial_task_guard_rail():
    pane, prompt, _why = DEMO_PROMPTS[2]
    notices = check_send(pane, resolve_model("opus"), prompt)
    assert any(notice.name == OPUS_TRIVIAL for notice in notices)


async def test_the_high_contrast_theme_is_registered_and_contrasts(simulator, tmp_path):
    app = make_app(simulator, tmp_path, theme="segue-high-contrast")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "segue-high-contrast"
        variables = app.theme_variables
        background = Color.parse(variables["background"])
        for name in ("foreground", "opus", "sonnet", "warning", "error", "text-muted"):
            foreground = Color.parse(variables[name])
            lighter, darker = sorted((foreground.brightness, background.brightness), reverse=True)
            assert (lighter + 0.05) / (darker + 0.05) >= 7, name


async def test_the_start_theme_paints_once_and_a_theme_switch_repaints(simulator, tmp_path, monkeypatch):
    """The theme set at start is in the stylesheet before anything is parsed (no second parse
    of every source before the first frame); switching later restyles the screen as before."""
    from textual.css.stylesheet import Stylesheet

    reparses = []
    reparse = Stylesheet.reparse
    monkeypatch.setattr(Stylesheet, "reparse", lambda self: (reparses.append(1), reparse(self))[1])
    app = make_app(simulator, tmp_path, theme="segue-high-contrast")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pane = app.pane("plan")
        contrast = app.get_theme("segue-high-contrast")
        assert reparses == [] and app.screen.styles.background == Color.parse(contrast.background)
        assert pane.styles.border_top[1] == Color.parse(app.theme_variables["opus"])
        app.theme = "segue-dark"
        await pilot.pause()
        dark = app.get_theme("segue-dark")
        assert reparses and app.screen.styles.background == Color.parse(dark.background)
        assert pane.styles.border_top[1] == Color.parse(app.theme_variables["opus"])
        assert app.theme_variables["opus"] != contrast.variables.get("opus", "")


async def test_the_first_resume_keeps_the_styles_of_the_mount(simulator, tmp_path, monkeypatch):
    """The main screen's first resume follows its mount, which styled every widget: it is not
    styled all over again. A theme picked while a dialog is up still shows once it closes."""
    from tui.screens.help_screen import HelpScreen
    from tui.screens.main_screen import MainScreen

    restyled = []
    update = MainScreen.update_node_styles
    monkeypatch.setattr(MainScreen, "update_node_styles", lambda self, animate=True: (restyled.append(1), update(self, animate))[1])
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:  # wide: no 'narrow' class to restyle for
        await pilot.pause()
        assert restyled == []
        await app.push_screen(HelpScreen())
        app.theme = "segue-light"
        app.pop_screen()
        await pilot.pause()
        assert app.screen.styles.background == Color.parse(app.get_theme("segue-light").background)


async def test_the_first_frame_shows_the_planning_prompt_focused(simulator, tmp_path, monkeypatch):
    """Focus is on the planning prompt when the screen is first painted, and it never passes
    through the planning log first: that focus and blur arrived after the first frame and
    repainted both panes."""
    from tui.screens.main_screen import MainScreen

    focused_at_paint, focus_moves = [], []
    paint, set_focus = MainScreen._compositor_refresh, MainScreen.set_focus
    monkeypatch.setattr(MainScreen, "_compositor_refresh", lambda self: (focused_at_paint.append(self.focused), paint(self))[1])
    monkeypatch.setattr(MainScreen, "set_focus", lambda self, widget, *a, **k: (focus_moves.append(widget), set_focus(self, widget, *a, **k))[1])
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        prompt = app.query_one("#input-plan")
        assert focused_at_paint and focused_at_paint[0] is prompt
        assert focus_moves and all(widget is prompt for widget in focus_moves)


async def test_painting_an_unchanged_pane_frame_does_not_repaint_the_pane(simulator, tmp_path, monkeypatch):
    from tui.widgets.pane_frame import paint_frame

    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        pane = app.pane("exec")
        border = pane.styles.border
        repaints = []
        monkeypatch.setattr(pane, "refresh", lambda *args, **kwargs: repaints.append(kwargs))
        paint_frame(pane, pane.badge.model)
        assert repaints == [] and pane.styles.border == border
        pane.query_one("PromptInput").focus()  # focus within: the brighter border
        await pilot.pause()
        assert pane.styles.border != border
