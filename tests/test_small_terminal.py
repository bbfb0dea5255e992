"""80x24: the footer keeps the key F-keys, and every screen's columns are on screen."""

from __future__ import annotations

from textual.widgets import DataTable, Footer, OptionList
from textual.widgets._footer import FooterKey

from tui.screens.cost_screen import CostScreen
from tui.screens.help_screen import HelpScreen
from tui.screens.model_picker import ModelPicker
from tui.screens.sessions_screen import SessionsScreen
from tui.widgets.conversation import ReplyView
from app_pilot import make_app, send, turns_done, wait_until

SMALL = (80, 24)


def footer_keys(screen) -> dict[str, FooterKey]:
    return {key.key: key for key in screen.query_one(Footer).query(FooterKey)}


def on_screen(app, widget) -> bool:
    region = widget.region
    return region.width > 0 and region.right <= app.size.width and region.bottom <= app.size.height


def table_fits(table: DataTable) -> bool:
    """Every column's full width lies inside the table's visible width, unscrolled."""
    return table.scroll_x == 0 and table.virtual_size.width <= table.scrollable_content_region.width


async def test_the_footer_shows_help_model_save_hand_off_files_and_costs(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        keys = footer_keys(app.screen)
        for key in ("f1", "ctrl+t", "ctrl+s", "ctrl+o", "f3", "f4"):
            assert key in keys and on_screen(app, keys[key]), key


async def test_f4_f1_f2_and_f6_fit_80x24(simulator, tmp_path):
    app = make_app(simulator, tmp_path, plan_thinking=False)
    async with app.run_test(size=SMALL) as pilot:
        await send(pilot, "plan", "Plan a cache [[sim:fast]] [[sim:tokens=2000]]")
        await turns_done(app)
        await send(pilot, "exec", "Implement the cache [[sim:fast]]")
        await turns_done(app)

        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, CostScreen))
        await pilot.pause()
        messages = app.screen.query_one("#costs-messages", DataTable)
        assert messages.row_count >= 2 and table_fits(messages)
        assert app.screen.query_one("#costs").scroll_y == 0, "opens at the top"
        # Exact token counts, not 2.0k.
        output = [str(messages.get_row_at(n)[6]) for n in range(messages.row_count)]
        usage_rows = sorted(app.store.usage_rows(app.session.id), key=lambda row: row.created_at)
        assert output == [f"{row.usage.output_tokens:,}" for row in usage_rows]
        await pilot.press("escape")

        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        help_table = app.screen.query_one(DataTable)
        id_column = help_table.ordered_columns[1]
        assert str(id_column.label) == "id"
        assert sum(c.get_render_width(help_table) for c in help_table.ordered_columns[:2]) < help_table.size.width
        await pilot.press("escape")

        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        width = options.scrollable_content_region.width
        # One row per model: no line wraps at 80 columns (only a switch-cost note adds a line).
        assert all(len(str(options.get_option_at_index(n).prompt).split("\n")[0]) <= width for n in range(options.option_count))
        await pilot.press("escape")

        await pilot.press("f6")
        await wait_until(pilot, lambda: isinstance(app.screen, SessionsScreen))
        await pilot.pause()
        assert table_fits(app.screen.query_one(DataTable))


async def test_f8_folds_and_unfolds_the_thinking_of_the_reply_in_view(simulator, tmp_path):
    app = make_app(simulator, tmp_path, plan_thinking=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "plan", "Plan a cache [[sim:fast]]")
        await turns_done(app)
        reply = app.pane("plan").query(ReplyView).last()
        fold = reply.query_one("Collapsible")
        assert reply.has_class("has-thinking") and fold.collapsed
        await pilot.press("f8")
        await pilot.pause()
        assert not fold.collapsed
        await pilot.press("f8")
        await pilot.pause()
        assert fold.collapsed


async def test_f3_shows_its_keys(simulator, tmp_path):
    from tui.screens.files_screen import FilesScreen

    (tmp_path / "CLAUDE.md").write_text("# Rules\n")
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, FilesScreen))
        await pilot.pause()
        keys = footer_keys(app.screen)
        for key in ("a", "e", "r", "escape"):
            assert key in keys and on_screen(app, keys[key]), key


async def test_the_top_bar_keeps_the_project_folder_in_view_at_80_columns(simulator, tmp_path):
    project = tmp_path / "shop"
    project.mkdir()
    app = make_app(simulator, project)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        shown = str(app.screen.query_one("#top-bar").render())
        assert len(shown) == 80 and shown.startswith(" Segue · ") and " DEMO " in shown
        assert "simulated replies" not in shown and shown.endswith(" today $0.000 ")
        assert shown.index(" DEMO ") - len(" Segue ") >= 80 - len(" Segue  DEMO  today $0.000 "), shown  # the rest
    wide = make_app(simulator, project)
    async with wide.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        shown = str(wide.screen.query_one("#top-bar").render())
        assert len(shown) == 160 and " DEMO · simulated replies, no API key " in shown
        assert shown.endswith(" " * (28 - len(" today $0.000 ")) + " today $0.000 ")


async def test_a_long_project_path_is_cut_with_an_ellipsis_not_the_demo_label(simulator, tmp_path):
    project = tmp_path / ("a-very-long-folder-name-" * 4) / "shop"
    project.mkdir(parents=True)
    app = make_app(simulator, project)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        shown = str(app.screen.query_one("#top-bar").render())
        assert len(shown) == 80 and "… DEMO " in shown and shown.endswith(" today $0.000 ")


async def test_resizing_the_terminal_lays_the_screen_out_again_each_time(simulator, tmp_path):
    """Narrow, wide, narrow again: the panes stack and unstack and every pane fills its width."""
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        plan, execute = app.pane("plan"), app.pane("exec")
        assert plan.region.y == execute.region.y and plan.region.right <= execute.region.x  # side by side
        for width, height in ((90, 30), (160, 48), (80, 24), (120, 40)):
            await pilot.resize_terminal(width, height)
            await wait_until(pilot, lambda: app.screen.size == (width, height))
            await pilot.pause()
            narrow = width < 100
            assert app.screen.has_class("narrow") == narrow
            if narrow:
                assert plan.region.x == execute.region.x and plan.region.bottom <= execute.region.y  # stacked
                assert plan.region.width == execute.region.width == width
            else:
                assert plan.region.y == execute.region.y and plan.region.right <= execute.region.x
                assert plan.region.width + execute.region.width == width
            footer = app.screen.query_one(Footer)
            assert footer.region.bottom == height and footer.region.width == width


async def test_a_resize_to_the_size_already_laid_out_does_not_lay_the_screen_out_again(simulator, tmp_path, monkeypatch):
    """Start-up sends the screen three resizes to the size its first layout used (5-7 ms of the
    first frame each time); a resize to a new size still lays it out."""
    from textual import events
    from textual.geometry import Size

    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        # The stored totals are read in a thread at start: their meters may change width (a
        # layout of their own) whenever that read ends. Measured after it, and after its frame.
        await wait_until(pilot, lambda: app.main.costs.loaded)
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        layouts = []
        lay_out = screen._refresh_layout
        monkeypatch.setattr(screen, "_refresh_layout", lambda *a, **k: (layouts.append(a or k), lay_out(*a, **k))[1])
        screen.post_message(events.Resize(Size(160, 48), Size(160, 48)))
        await pilot.pause()
        assert layouts == []
        await pilot.resize_terminal(150, 48)
        await wait_until(pilot, lambda: app.pane("exec").region.right == 150)
        assert layouts, "a new size is laid out"
