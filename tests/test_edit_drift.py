"""Drift in proposed file edits (issue #16): the approval dialog quotes the decision an edit breaks,
headless `ask --pane exec` warns on stderr and adds "drift" to each edit; and Space in the plan checklist."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.drift.decisions import extract
from core.drift.edits import added_text, check_proposed_edit
from drift_fixtures import DriftSession, proposed_edit

RULES = "# Shop rules\n\n- Use optimistic locking (not pessimistic) for order updates.\n- Run tests with pytest.\n"
QUOTE = '"Use optimistic locking (not pessimistic) for order updates." — CLAUDE.md:3'


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "shop"
    root.mkdir()
    (root / "CLAUDE.md").write_text(RULES, encoding="utf-8")
    return root




async def test_only_the_lines_an_edit_adds_are_checked(project):
    # The file already locks rows pessimistically; an edit elsewhere in it is not blamed for that.
    (project / "repo.py").write_text('SQL = "SELECT * FROM orders WHERE id = ? FOR UPDATE"\nVERSION = 1\n')
    clean = proposed_edit(project, {"command": "str_replace", "path": "repo.py", "old_str": "VERSION = 1", "new_str": "VERSION = 2"})
    assert added_text(clean) == "VERSION = 2"
    assert await check_proposed_edit(DriftSession(project), clean) == []
    drifting = proposed_edit(project, {"command": "insert", "path": "repo.py", "insert_line": 2,
                               "new_str": "# pessimistic locking: simpler than version checks"})
    [finding] = await check_proposed_edit(DriftSession(project), drifting)
    assert (finding.decision.source, finding.decision.line) == ("CLAUDE.md", 3)
    assert await check_proposed_edit(DriftSession(project), None) == []  # a bash command is not a file edit


async def test_the_approval_dialog_quotes_the_decision_above_the_diff(simulator, project):
    from textual.widgets import Static

    from tests.app_pilot import make_app, send, turns_done, wait_until
    from tui.screens.edit_approval import EditApproval

    app = make_app(simulator, project, tools=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "exec", "Implement order updates [[sim:fast]] [[sim:drift]]")
        # The simulator's order repository locks rows pessimistically on [[sim:drift]].
        await wait_until(pilot, lambda: isinstance(app.screen, EditApproval))
        dialog = app.screen
        assert dialog.proposal.target == "orders/repository.py"
        warning = str(dialog.query_one("#approval-drift", Static).render())
        assert "this edit departs from a decision in effect" in warning
        assert QUOTE in warning
        assert "edit: " in warning and "FOR UPDATE" in warning
        box = list(dialog.query_one("#approval-box").children)
        assert box.index(dialog.query_one("#approval-drift")) < box.index(dialog.query_one("#approval-diff"))
        await pilot.press("escape")
        await turns_done(app)
        # Without the marker the module keeps the decision: no warning.
        await send(pilot, "exec", "Implement order updates [[sim:fast]]")
        await wait_until(pilot, lambda: isinstance(app.screen, EditApproval))
        assert not app.screen.query("#approval-drift")
        await pilot.press("escape")
        await turns_done(app)


@pytest.mark.parametrize("drift", [True, False])
def test_headless_edits_carry_their_drift(simulator, project, monkeypatch, drift):
    from tui.cli import main

    monkeypatch.chdir(project)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    prompt = "Implement order updates [[sim:fast]]" + (" [[sim:drift]]" if drift else "")
    result = CliRunner().invoke(main, ["ask", "--pane", "exec", "--json", "--apply-edits", prompt])
    assert result.exit_code == 0, result.output
    edits = json.loads(result.stdout)["edits"]
    assert edits and all(isinstance(edit["drift"], list) for edit in edits)
    module = edits[0]
    assert module["command"] == "create" and module["path"] == "orders/repository.py"
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Drift:")]
    if not drift:
        assert all(edit["drift"] == [] for edit in edits) and warnings == []
        return
    assert all(edit["drift"] == [] for edit in edits[1:])  # its tests keep the decision
    [finding] = module["drift"]
    assert finding["decision"] == "Use optimistic locking (not pessimistic) for order updates."
    assert (finding["source"], finding["line"]) == ("CLAUDE.md", 3)
    assert "FOR UPDATE" in finding["evidence"]
    assert warnings == [
        f'Drift: the edit to {module["path"]} departs from "Use optimistic locking (not pessimistic) for order updates." (CLAUDE.md:3)'
    ]


# -- issue #12: Space in the plan checklist ---------------------------------------------------

# Odd bytes on purpose: CRLF endings, trailing spaces, a tab, a step already ticked, no final newline.
PLAN = (
    "# Orders Plan\r\n\r\nIntro  \r\n\r\n## Steps\r\n\r\n"
    "1. Add a version column\r\n2. Check the version on update  \r\n\t- [x] note: keep it small\r\n3. Tests"
)


async def test_space_in_the_checklist_ticks_the_step_in_the_plan_file(simulator, project):
    from tests.app_pilot import make_app, wait_until
    from tui.widgets.plan_checklist import PlanChecklistView

    plan = project / "ORDERS_PLAN.md"
    plan.write_bytes(PLAN.encode("utf-8"))
    app = make_app(simulator, project)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: app.screen.query(PlanChecklistView))  # mounted after the first frame
        checklist = app.screen.query_one(PlanChecklistView)
        await wait_until(pilot, lambda: checklist.option_count >= 3 and not checklist.has_class("empty"))
        # Reached from the keyboard: Tab goes plan prompt → execution prompt → checklist → plan prompt.
        await pilot.press("tab", "tab")
        assert app.focused is checklist
        await pilot.press("tab")
        assert app.focused is app.pane("plan").prompt_input
        await pilot.press("shift+tab")
        assert app.focused is checklist
        for _ in range(3):  # arrows move the highlight to step 2 (none or the first is highlighted on focus)
            if checklist.highlighted == 1:
                break
            await pilot.press("down")
        assert checklist.highlighted == 1
        await pilot.press("space")
        expected = PLAN.replace("2. Check the version", "2. [x] Check the version").encode("utf-8")
        await wait_until(pilot, lambda: plan.read_bytes() != PLAN.encode("utf-8"))
        assert plan.read_bytes() == expected
        await wait_until(pilot, lambda: 2 in checklist.selected)
        # Space again unticks it, and the file is byte for byte what it was, but for the box.
        await pilot.press("space")
        await wait_until(pilot, lambda: plan.read_bytes() != expected)
        assert plan.read_bytes() == PLAN.replace("2. Check the version", "2. [ ] Check the version").encode("utf-8")


async def test_apply_all_still_warns_of_a_drifting_edit(simulator, project):
    import asyncio

    from core.events import Decision, EditProposed
    from tests.app_pilot import make_app, record_notices, wait_until

    (project / "repo.py").write_text("VERSION = 1\n")
    edit = proposed_edit(project, {"command": "insert", "path": "repo.py", "insert_line": 1,
                           "new_str": 'SQL = "SELECT * FROM orders WHERE id = ? FOR UPDATE"'})
    app = make_app(simulator, project, tools=True)
    async with app.run_test(size=(160, 48)) as pilot:
        notices = record_notices(app)
        answered = asyncio.get_running_loop().create_future()
        answered.set_result(Decision("apply_all"))  # what the tool loop sends after "a"
        await app.pane("exec")._tool_event(EditProposed("toolu_1", "insert", "repo.py", edit, answered))
        await wait_until(pilot, lambda: any("repo.py departs from a decision (CLAUDE.md:3)" in notice for notice in notices))
