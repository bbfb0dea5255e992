"""Drift in the app: a notice under an execution reply that breaks a decision, and the decisions view (F9)."""

from __future__ import annotations

from app_pilot import make_app, send_and_wait, wait_until
from textual.widgets import DataTable

from tui.screens.decisions_screen import DecisionsScreen
from tui.widgets.conversation import ReplyView
from tui.widgets.drift_notice import DriftNotice, notice_text

RULES = "# Shop rules\n\n- Use optimistic locking (not pessimistic) for order updates.\n- JWTs expire after 15 minutes.\n- Run tests with pytest.\n"


def _project(tmp_path):
    (tmp_path / "CLAUDE.md").write_text(RULES, encoding="utf-8")
    return tmp_path


def _notice_text(notice: DriftNotice) -> str:
    return str(notice.render())


async def test_drifting_exec_reply_is_flagged_under_the_reply_with_the_quoted_decision(simulator, tmp_path):
    app = make_app(simulator, _project(tmp_path))
    async with app.run_test(size=(160, 48)) as pilot:
        await send_and_wait(pilot, "exec", "Implement order updates")
        log = app.pane("exec").log_view
        assert not log.query(DriftNotice)  # this reply keeps optimistic locking
        await send_and_wait(pilot, "exec", "Implement order updates [[sim:drift]]")
        await wait_until(pilot, lambda: bool(log.query(DriftNotice)))
        notice = log.query_one(DriftNotice)
        text = _notice_text(notice)
        assert '"Use optimistic locking (not pessimistic) for order updates." — CLAUDE.md:3' in text
        assert "pessimistic locking because it's simpler" in text
        # Right under the reply that drifted (its status line is the reply's last widget).
        children = list(log.children)
        reply = log.query(ReplyView).last()
        assert children[children.index(notice) - 1] is reply.status_line
        assert children.index(notice) == len(children) - 1
        assert not app.pane("plan").log_view.query(DriftNotice)  # only execution replies are checked


async def test_f9_lists_each_decision_as_followed_drifted_or_untouched_and_fits_80x24(simulator, tmp_path):
    app = make_app(simulator, _project(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await send_and_wait(pilot, "exec", "Implement order updates [[sim:drift]]")
        await send_and_wait(pilot, "exec", "Implement login")  # 15-minute JWTs and pytest tests
        await pilot.press("f9")
        await wait_until(pilot, lambda: isinstance(app.screen, DecisionsScreen) and app.screen.loaded)
        screen = app.screen
        statuses = {decision.line: status for decision, status, _ in screen.rows}
        assert statuses == {3: "drifted", 4: "followed", 5: "followed"}
        table = screen.query_one(DataTable)
        assert table.row_count == 3
        summary = str(screen.query_one("#decisions-summary").render())
        assert "1 drifted" in summary and "2 followed" in summary
        for widget in (table, screen.query_one("#decisions-detail"), screen.query_one("#decisions-summary")):
            region = widget.region
            assert region.width > 0 and region.right <= 80 and region.bottom <= 24, widget
        detail = str(screen.query_one("#decisions-detail").render())
        assert "CLAUDE.md:3" in detail and "reply:" in detail
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, DecisionsScreen))


async def test_untouched_decisions_before_any_execution(simulator, tmp_path):
    app = make_app(simulator, _project(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f9")
        await wait_until(pilot, lambda: isinstance(app.screen, DecisionsScreen) and app.screen.loaded)
        assert {status for _, status, _ in app.screen.rows} == {"untouched"}


async def test_second_opinion_confirms_through_haiku_and_its_cost_is_in_the_meter(simulator, tmp_path):
    app = make_app(simulator, _project(tmp_path), drift_second_opinion=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await send_and_wait(pilot, "exec", "Implement order updates")
        rows = app.store.usage_rows(app.session.id)
        assert [row.model for row in rows] == ["claude-sonnet-5-5"]  # clean reply: no second opinion asked
        await send_and_wait(pilot, "exec", "Implement order updates [[sim:drift]]")
        log = app.pane("exec").log_view
        await wait_until(pilot, lambda: bool(log.query(DriftNotice)))
        assert "Confirmed by Haiku 5.5." in _notice_text(log.query_one(DriftNotice))
        rows = app.store.usage_rows(app.session.id)
        haiku = [row for row in rows if row.model == "claude-haiku-5-5"]
        assert len(haiku) == 1 and haiku[0].pane == "exec" and haiku[0].cost_usd > 0
        await wait_until(pilot, lambda: app.main.costs.stored_session.cost_usd == sum(row.cost_usd for row in rows))


def test_second_opinion_is_off_by_default_and_set_from_the_environment(tmp_path):
    from core.settings import load_settings

    missing = tmp_path / "none.toml"
    assert load_settings(missing, environ={}).drift_second_opinion is False
    assert load_settings(missing, environ={"SEGUE_DRIFT_SECOND_OPINION": "1"}).drift_second_opinion is True


def test_a_proposed_file_edit_is_checked_like_a_reply():
    from core.drift.check import check_edit
    from core.drift.decisions import extract

    decisions = extract(RULES, "CLAUDE.md", rules_file=True)
    edit = 'row = conn.execute("SELECT * FROM orders WHERE id = ? FOR UPDATE").fetchone()\n'
    assert [finding.decision.line for finding in check_edit("orders/repository.py", edit, decisions)] == [3]
    assert check_edit("orders/repository.py", "UPDATE orders SET version = version + 1 WHERE version = ?", decisions) == []


def test_the_notice_quotes_each_decision_once_however_many_places_break_it():
    from core.drift.check import Finding
    from core.drift.decisions import Decision

    locking = Decision("Use optimistic locking for order updates.", "CLAUDE.md", 3)
    tokens = Decision("JWTs expire after 15 minutes.", "CLAUDE.md", 4)
    findings = [
        Finding(locking, "I implemented pessimistic locking because it's simpler", "pessimistic"),
        Finding(locking, "SELECT * FROM orders WHERE id = ? FOR UPDATE", "pessimistic"),
        Finding(locking, "Updates take a row lock (FOR UPDATE)", "pessimistic"),
        Finding(tokens, "ACCESS_TOKEN_MINUTES = 60", "60 minutes"),
    ]
    text = notice_text(findings).plain
    assert text.count('"Use optimistic locking for order updates." — CLAUDE.md:3') == 1
    assert text.count('"JWTs expire after 15 minutes." — CLAUDE.md:4') == 1
    assert "pessimistic locking because it's simpler" in text and "FOR UPDATE" in text
    assert "…and 1 more place" in text  # the third place is counted, not quoted
    assert "ACCESS_TOKEN_MINUTES = 60" in text


async def test_the_palette_offers_f7_and_f9(simulator, tmp_path):
    app = make_app(simulator, _project(tmp_path))
    async with app.run_test(size=(160, 48)) as pilot:
        titles = {command.title: command for command in app.get_system_commands(app.screen)}
        assert "Decisions: followed, drifted or not touched" in titles
        titles["Decisions: followed, drifted or not touched"].callback()
        await wait_until(pilot, lambda: isinstance(app.screen, DecisionsScreen) and app.screen.loaded)
        assert "Cycle the focused pane's effort" in titles
