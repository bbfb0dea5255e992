"""At 100x30 and 160x48 nothing that matters is cut off: the dollars on a pane's cost line, the
prompt's width beside the advisor's hint, the end of an edit's diff, the help's descriptions."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from core.costs.cost_view import cost_text
from core.costs.money import format_usd
from core.events import ToolCallFinished, ToolCallStarted
from tui.theming import ThemedApp
from tui.widgets.tool_call import PREVIEW_ROWS, ToolCallView
from app_pilot import LONG_CLAUDE_MD, make_app, send, send_and_wait, turns_done, wait_until

PLAN = "# Auth Plan\n\n## Implementation Steps\n\n1. Hash passwords\n2. Add tests\n"


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "shop"
    root.mkdir()
    # A plan file opens the steps panel beside the panes, as in the tester's project; the long
    # CLAUDE.md makes the execution pane's replies write and then read the cache.
    (root / "AUTH_PLAN.md").write_text(PLAN)
    (root / "CLAUDE.md").write_text(LONG_CLAUDE_MD)
    return root


def painted(widget) -> list[str]:
    """The rows the widget draws, as the compositor gets them."""
    return [strip.text.rstrip() for strip in widget.render_lines(widget.outer_size.region)]


@pytest.mark.parametrize("size", [(100, 30), (160, 48)])
async def test_the_cost_line_always_shows_the_reply_and_pane_dollars(simulator, project, size):
    app = make_app(simulator, project)
    async with app.run_test(size=size) as pilot:
        await send_and_wait(pilot, "plan", "Plan an authentication system for our shop [[sim:tokens=200]]")
        await send_and_wait(pilot, "exec", "Implement the password hashing [[sim:tokens=200]]")
        await send_and_wait(pilot, "exec", "Now the login endpoint [[sim:tokens=200]]")
        for pane in ("plan", "exec"):
            rows = [row for row in app.store.usage_rows(app.session.id) if row.pane == pane]
            reply, total = format_usd(rows[-1].cost_usd), format_usd(sum(row.cost_usd for row in rows))
            line = app.pane(pane).query_one(f"#cost-{pane}")
            [shown] = painted(line)
            assert shown.strip() == line.text, "what the line says is what it draws"
            assert reply in shown and f"pane {total}" in shown, (size, shown)
            assert len(shown.strip()) <= line.content_size.width
        if size == (160, 48):  # room for the token counts too, and for the cached part of the input
            assert " out · " in line.text and "cached" in line.text


async def test_a_narrow_cost_line_drops_token_detail_before_any_dollar(simulator, project):
    app = make_app(simulator, project)
    async with app.run_test(size=(160, 48)) as pilot:
        await send_and_wait(pilot, "exec", "Implement the password hashing [[sim:tokens=200]]")
        line = app.pane("exec").query_one("#cost-exec")
        full = line.text
        reply = cost_text(app.main.costs.last_reply["exec"])
        widths = [len(full), len(full) - 1, 30, len(f"{reply} · pane {reply}"), 12]
        shown = []
        for width in widths:
            app.pane("exec").styles.width = width + 4  # the pane's border and the line's padding
            await wait_until(pilot, lambda: line.content_size.width == width)
            [text] = painted(line)
            shown.append(text.strip())
            assert reply in text and len(text.strip()) <= width, (width, text)
        assert shown[0] == full and "pane" in shown[-2] and shown[-1] == reply
        assert all(len(a) >= len(b) for a, b in zip(shown, shown[1:])), shown


@pytest.mark.parametrize("size", [(100, 30), (160, 48)])
async def test_the_prompt_keeps_its_width_while_the_advisor_hint_shows(simulator, project, size):
    app = make_app(simulator, project)
    async with app.run_test(size=size) as pilot:
        app.pane("plan").focus_input()
        await pilot.pause()
        await pilot.press(*"Fix the typo 'recieve' in README.md")
        prompt, hint = app.pane("plan").prompt_input, app.query_one("#advisor-plan")
        await wait_until(pilot, lambda: "advisor" in str(hint.render()))
        await pilot.pause()
        pane = app.pane("plan").content_region
        assert prompt.outer_size.width >= max(30, pane.width // 2), (prompt.outer_size, pane)
        assert hint.region.width >= len(str(hint.render()).strip()) and pane.contains_region(hint.region)
        assert prompt.wrapped_document.height <= 2  # the prompt reads as a sentence, not a column


async def test_the_advisor_hint_takes_no_row_under_the_prompt_until_it_has_something_to_say(simulator, project):
    app = make_app(simulator, project)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        prompt, hint = app.pane("plan").prompt_input, app.query_one("#advisor-plan")
        bottom = prompt.region.bottom
        assert not hint.display or hint.region.height == 0
        prompt.value = "Fix the typo 'recieve' in README.md"
        await wait_until(pilot, lambda: hint.region.height == 1)
        assert hint.region.y >= prompt.region.bottom and prompt.region.bottom <= bottom


class ToolHost(ThemedApp):
    """One finished tool call, alone in the width a narrow pane gives it."""

    def __init__(self, diff: str) -> None:
        super().__init__()
        self.diff = diff

    def compose(self):
        yield ToolCallView(ToolCallStarted("t1", "str_replace", "auth/passwords.py"))

    def on_mount(self) -> None:
        self.query_one(ToolCallView).finish(
            ToolCallFinished("t1", "str_replace", "auth/passwords.py", output="ok", diff=self.diff)
        )


def _diff(lines: int) -> str:
    body = "".join(f"+line {n}: hash the password with Argon2id, then store the hash\n" for n in range(1, lines + 1))
    return f"--- a/auth/passwords.py\n+++ b/auth/passwords.py\n@@ -0,0 +1,{lines} @@\n{body}"


async def test_a_long_diff_ends_on_a_whole_line_and_says_how_many_are_hidden_until_clicked():
    diff = _diff(19)
    app = ToolHost(diff)
    async with app.run_test(size=(34, 60)) as pilot:
        await pilot.pause()
        result = app.query_one(".tool-result")
        rows = painted(result)
        assert len(rows) <= PREVIEW_ROWS
        notice = rows[-1].strip()
        assert notice.startswith("… ") and notice.endswith("more lines (click)"), rows
        hidden = int(notice.split()[1])
        shown = diff.splitlines()[: len(diff.splitlines()) - hidden]
        # The rows before the notice are exactly the shown lines, wrapped: none stops mid-line.
        assert " ".join(" ".join(rows[:-1]).split()) == " ".join(" ".join(shown).split())
        assert "+line 1:" in " ".join(rows) and not any("+line 19:" in row for row in rows)

        await pilot.click(result)
        await wait_until(pilot, lambda: len(painted(result)) > PREVIEW_ROWS)
        rows = painted(result)
        assert "+line 19:" in " ".join(rows) and not any("more line" in row for row in rows)


async def test_a_diff_that_fits_shows_whole_without_a_notice():
    app = ToolHost(_diff(3))
    async with app.run_test(size=(34, 60)) as pilot:
        await pilot.pause()
        rows = painted(app.query_one(".tool-result"))
        assert "+line 3:" in " ".join(rows) and not any("more line" in row for row in rows)


async def test_edit_diffs_in_a_narrow_execution_pane_say_what_they_hide(simulator, project):
    from tui.screens.edit_approval import EditApproval

    (project / "CLAUDE.md").unlink()
    app = make_app(simulator, project, tools=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "exec", "Implement step 1 of AUTH_PLAN.md [[sim:fast]]")
        await wait_until(pilot, lambda: isinstance(app.screen, EditApproval) and not app.screen.keys_held, limit=200_000)
        await pilot.press("a")
        await turns_done(app)
        await pilot.pause()
        previews = [view.query_one(".tool-result") for view in app.pane("exec").query(ToolCallView) if view.finished.diff]
        assert previews
        notices = 0
        for preview in previews:
            rows = painted(preview)
            assert len(rows) <= PREVIEW_ROWS
            notices += rows[-1].strip().startswith("… ") and rows[-1].strip().endswith("more lines (click)")
        assert notices, "the demo's new module is longer than a narrow pane's preview"


@pytest.mark.parametrize("size", [(100, 30), (160, 48)])
async def test_help_descriptions_wrap_inside_the_table(simulator, project, size):
    from tui.screens.help_screen import HelpScreen

    app = make_app(simulator, project)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count and table.virtual_size.height >= table.row_count)
        await pilot.pause()
        # Nothing runs past the right edge (a description was cut there, unscrollable by eye).
        assert table.virtual_size.width <= table.scrollable_content_region.width
        action = table.ordered_columns[2]
        for row_key, row in table.rows.items():
            description = str(table.get_row(row_key)[2])
            if len(description) > action.width:
                assert row.height > 1, description
        assert "all-Opus comparison" in " ".join(str(table.get_row(key)[2]) for key in table.rows)
