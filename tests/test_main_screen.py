"""The app shell: a main screen owning the panes, the user's keymap, previews without side effects."""

from __future__ import annotations

from app_pilot import make_app, send_and_wait, wait_until
from core.handoff.context_files import context_report
from core.panes import PANES, Pane
from tui.screens.help_screen import HelpScreen
from tui.screens.main_screen import MainScreen

SIZE = (160, 48)


def test_pane_type_names_each_pane_once():
    assert PANES == (Pane.PLAN, Pane.EXEC) and Pane.PLAN == "plan"
    assert [pane.title for pane in PANES] == ["PLAN", "EXECUTE"]
    assert [pane.label for pane in PANES] == ["Planning", "Execution"]
    assert Pane.from_label("Execution") is Pane.EXEC and Pane.from_label("plan") is Pane.PLAN


async def test_the_default_screen_is_the_main_screen(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.screen is app.main
        assert type(app).__mro__[1].__name__ == "ThemedApp", "the app has one base class"


async def test_keys_table_in_settings_remaps_a_binding_by_id(simulator, tmp_path):
    app = make_app(simulator, tmp_path, keys={"show_help": "f10", "show_files": "f11"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen), "F1 no longer opens help once remapped"
        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = {row[3]: row[1] for row in app.screen.key_rows()}
        assert keys["show_help"].lower() == "f10"
        # Keys that belong to a widget are listed too: the checklist's Space, and how to reach it.
        assert [row for row in app.screen.key_rows() if row[1] == "Space" and "Tab reaches it" in row[2]]


async def test_previewing_the_context_records_nothing(simulator, tmp_path):
    (tmp_path / "CLAUDE.md").write_text("# Rules\n\n- Keep it small.\n")
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        store, path = app.store, str(tmp_path / "CLAUDE.md")
        before = store.file_version_count(path)
        for _ in range(3):
            report = context_report(app.session, "exec")
            app.main.handoff.refresh_context_line()
        assert store.file_version_count(path) == before
        assert report.context.files == (("CLAUDE.md", max(before, 1)),)
        await send_and_wait(pilot, "exec", "Implement the login endpoint [[sim:tokens=20]]")
        assert [v.source for v in store.file_versions(path)][-1] in ("sent", "watched")
        assert store.file_version_count(path) >= 1


async def test_a_failed_turn_does_not_show_the_previous_replys_figures(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "exec", "Implement the login endpoint [[sim:tokens=30]]")
        assert app.main.costs.last_reply["exec"] is not None
        await send_and_wait(pilot, "exec", "Implement it again [[sim:401]]")
        assert app.main.costs.last_reply["exec"] is None
        line = str(app.pane("exec").query_one("#cost-exec").render())
        assert " out" not in line, line


async def test_a_reply_outgrowing_its_pane_leaves_the_width_of_the_log(simulator, tmp_path):
    # The log keeps its scrollbar's column from the start (scrollbar-gutter: stable). Without it,
    # the first reply to outgrow the pane made the scrollbar appear, and everything in the log was
    # wrapped and laid out again one column narrower: a 40-60 ms frame in the middle of a stream.
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        log = app.pane("exec").log_view
        width = log.scrollable_content_region.width
        await send_and_wait(pilot, "exec", "Implement the CSV exporter [[sim:tokens=3000]]")
        await wait_until(pilot, lambda: log.max_scroll_y > 0)
        assert log.vertical_scrollbar.display
        assert log.scrollable_content_region.width == width
