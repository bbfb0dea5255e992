"""Drift false positives from plans: a plan's own steps, the arguments weighing its options, and the
decisions view (F9) judging the execution the way the approval dialog does."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from core.drift.check import check_edit, check_reply, statuses
from core.drift.decisions import extract, read_line
from core.drift.edits import edit_findings, edits_in_place
from core.tools.text_editor import TextEditor
from drift_fixtures import DriftSession, proposed_edit

# The demo's rate-limiting plan, as the planning pane writes it.
PLAN = """# Rate Limiting Plan

We weigh token bucket and sliding window, pick one with reasons, and build it in phases that each ship.

## Goals

- Stop credential stuffing without locking out real users.
- Every limited response tells the client when to retry.

## Options

### Token bucket

- **For:** allows short bursts while holding the average rate; two numbers (rate, capacity) to reason about.
- **Against:** needs an atomic read-modify-write in the shared store.

### Sliding window

- **For:** smooth and accurate at boundaries.
- **Against:** a sorted set per key (sliding log) costs memory at high rates.

## Decisions

**Recommendation: a token bucket in Redis, checked by an atomic Lua script.**

Why: Token buckets allow the short bursts real clients make while holding the average rate.

Decided:

- Use a token bucket (not a fixed window) for rate limiting.
- Store buckets in Redis, keyed by IP and by account.
- Allow 5 login attempts per minute per IP.
- Answer 429 with a retry-after header.

## Implementation Steps

1. Phase 1: A `RateLimiter` interface with the token-bucket Lua script and its tests against a real Redis.
2. Phase 2: Middleware that keys by IP and by account and answers 429 with retry-after.

## Open Questions

- Should authenticated API clients get their own, higher limits?
"""
DECIDED = {24: "Recommendation", 30: "Use a token bucket", 31: "Store buckets", 32: "Allow 5", 33: "Answer 429"}
# What phase 1 asks for: a token bucket in Redis, by a Lua script.
TOKEN_BUCKET_CODE = '''TOKEN_BUCKET = """
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or ARGV[1])
redis.call('HSET', KEYS[1], 'tokens', tokens, 'stamp', ARGV[3])
redis.call('EXPIRE', KEYS[1], 120)
"""
CAPACITY = 5  # attempts per minute per IP


def allowed(redis, ip: str, now: float) -> bool:
    return bool(redis.eval(TOKEN_BUCKET, 1, f"login:{ip}", CAPACITY, CAPACITY / 60, now))
'''
SUMMARY = "Done: 5 attempts per minute per IP; a 429 with retry-after beyond that. A test pins the limit."


def _lines(decisions) -> list[int]:
    return [decision.line for decision in decisions]


# -- what a plan decides ------------------------------------------------------------------------


def test_a_plans_steps_and_the_arguments_about_its_options_are_not_decisions():
    decisions = extract(PLAN, "RATE_LIMITING_PLAN.md")
    assert _lines(decisions) == list(DECIDED)
    for decision in decisions:
        assert decision.text.startswith(DECIDED[decision.line])


def test_the_code_a_step_asks_for_is_not_drift_from_that_step():
    decisions = extract(PLAN, "RATE_LIMITING_PLAN.md")
    assert check_edit("auth/rate_limit.py", TOKEN_BUCKET_CODE, decisions) == []
    # The decisions still bite: a fixed window is what the plan decided against.
    [finding] = check_edit("auth/rate_limit.py", "# a fixed window counter per IP and minute\n", decisions)
    assert finding.decision.line == 30 and finding.place == "auth/rate_limit.py"


def test_a_step_that_rules_something_out_decides_only_that():
    plan = (
        "# Auth Plan\n\n## Steps\n\n1. Hash passwords with Argon2id, not bcrypt.\n"
        "2. Login tests against a real PostgreSQL.\n"
    )
    [step] = extract(plan, "AUTH_PLAN.md")
    assert step.line == 5 and step.chosen == () and step.rejected == (("password hashing", "bcrypt"),)
    assert [f.decision.line for f in check_edit("auth/passwords.py", "import bcrypt\n", [step])] == [5]
    # Choosing scrypt goes against nothing this step says; neither does using the database it tests on.
    assert check_edit("auth/passwords.py", "import scrypt\nimport psycopg2\n", [step]) == []


def test_numbered_choices_in_a_plan_without_steps_still_decide():
    plan = "# Auth Plan\n\n## Approach\n\n1. Hash passwords with Argon2id.\n2. JWTs expire after 15 minutes.\n"
    decisions = extract(plan, "AUTH_PLAN.md")
    assert _lines(decisions) == [5, 6]
    assert [f.decision.line for f in check_reply("import bcrypt", decisions)] == [5]


def test_options_keep_their_kind_under_subheadings_and_a_rejected_label_decides_against():
    plan = (
        "# Cache Plan\n\n## Options\n\n### Memcached\n\n- Pros: simple.\n- Use it for sessions only.\n\n"
        "## Decisions\n\n### Store\n\n- Redis, one instance per region.\n- Rejected: a sliding window, for the memory it costs.\n"
    )
    decisions = extract(plan, "CACHE_PLAN.md")
    assert [d.text for d in decisions] == [
        "Redis, one instance per region.",
        "Rejected: a sliding window, for the memory it costs.",
    ]
    rejected = decisions[1]
    assert rejected.chosen == () and rejected.rejected == (("rate-limit algorithm", "sliding window"),)
    assert [f.decision for f in check_edit("limits.py", "limiter = sliding_window(redis, per_minute=5)\n", decisions)] == [rejected]
    assert check_edit("limits.py", TOKEN_BUCKET_CODE, decisions) == []


def test_what_tests_run_against_is_used_not_ruled_out():
    memcached = read_line("Use Memcached for the cache.", "CLAUDE.md", 3, all_rules=True)
    [finding] = check_reply("Integration tests run against a real Redis.", [memcached])
    assert finding.evidence == "Integration tests run against a real Redis."
    assert check_reply("We decided against Redis: Memcached is enough.", [memcached]) == []


def test_a_reply_that_states_the_plans_rules_follows_them():
    decisions = extract(PLAN, "RATE_LIMITING_PLAN.md")
    rows = {decision.line: status for decision, status, _ in statuses([SUMMARY], decisions)}
    assert rows[32] == rows[33] == "followed"
    rows = {d.line: s for d, s, _ in statuses(["No retry-after header; a bare 429. 3 login attempts per minute."], decisions)}
    assert rows[33] == "untouched" and rows[32] == "drifted"


# -- F9 judges the execution's edits as the approval dialog did --------------------------------




def test_f9_counts_the_lines_an_edit_wrote_and_still_stand(tmp_path):
    (tmp_path / "CLAUDE.md").write_text("# Rules\n\n- Use optimistic locking (not pessimistic) for order updates.\n")
    session = DriftSession(tmp_path)
    locking = 'SQL = "SELECT * FROM orders WHERE id = ? FOR UPDATE"'
    rejected = proposed_edit(tmp_path, {"command": "create", "path": "other.py", "file_text": locking + "\n"})
    assert edit_findings(session, rejected)  # the dialog warns; the user says no: nothing is written
    created = proposed_edit(tmp_path, {"command": "create", "path": "repo.py", "file_text": f"{locking}\nVERSION = 1\n"})
    [warned] = edit_findings(session, created)
    assert edits_in_place(session) == []  # not applied yet
    TextEditor(tmp_path).apply(created)
    edits = edits_in_place(session)
    assert edits == [("repo.py", f"{locking}\nVERSION = 1")]
    [(decision, status, finding)] = statuses([], extract((tmp_path / "CLAUDE.md").read_text(), "CLAUDE.md", rules_file=True), edits)
    assert (status, finding) == ("drifted", warned)
    # A later edit that takes the lock out: the work no longer drifts.
    fix = proposed_edit(tmp_path, {"command": "str_replace", "path": "repo.py", "old_str": locking,
                           "new_str": 'SQL = "UPDATE orders SET version = version + 1 WHERE id = ? AND version = ?"'})
    assert edit_findings(session, fix) == []
    TextEditor(tmp_path).apply(fix)
    [(_, status, _)] = statuses([], [decision], edits_in_place(session))
    assert status == "untouched"


# -- the whole path -----------------------------------------------------------------------------


def test_cli_implementing_the_demo_plan_finds_no_drift(simulator, tmp_path, monkeypatch):
    from tui.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    runner = CliRunner()
    planned = runner.invoke(main, ["ask", "--pane", "plan", "--json", "rate limiting: token bucket or sliding window? [[sim:fast]]"])
    assert planned.exit_code == 0, planned.output
    (tmp_path / "RATE_LIMITING_PLAN.md").write_text(json.loads(planned.stdout)["text"], encoding="utf-8")
    done = runner.invoke(main, ["ask", "--pane", "exec", "--json", "--apply-edits", "Implement RATE_LIMITING_PLAN.md [[sim:fast]]"])
    assert done.exit_code == 0, done.output
    edits = json.loads(done.stdout)["edits"]
    assert [edit["path"] for edit in edits] == ["auth/rate_limit.py", "tests/test_rate_limit.py"]
    assert all(edit["applied"] and edit["drift"] == [] for edit in edits)
    assert "Drift:" not in done.stderr
    checked = runner.invoke(main, ["drift", "--json", "auth/rate_limit.py"])
    assert checked.exit_code == 0, checked.output
    data = json.loads(checked.stdout)
    assert data["findings"] == []
    texts = [decision["text"] for decision in data["decisions"]]
    assert "Use a token bucket (not a fixed window) for rate limiting." in texts
    assert not [text for text in texts if text.startswith(("Against:", "For:", "Phase"))]


async def _approve_every_edit(pilot) -> list[str]:
    """Press y on each approval dialog of the running turn; returns each dialog's drift warning ('' for none)."""
    from tests.app_pilot import sending, turns_done, wait_until
    from tui.screens.edit_approval import EditApproval

    app = pilot.app
    warnings: list[str] = []
    while True:
        await wait_until(pilot, lambda: isinstance(app.screen, EditApproval) or not sending(app), limit=200_000)
        if not isinstance(app.screen, EditApproval):
            break
        # Opened while keys were typed, it holds its answers until the typing pauses.
        await wait_until(pilot, lambda: not getattr(app.screen, "keys_held", False), limit=200_000)
        dialog = app.screen
        found = dialog.query("#approval-drift")
        warnings.append(str(found.first().render()) if found else "")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.screen is not dialog)
    await turns_done(app)
    return warnings


async def _decisions_view(pilot):
    from tests.app_pilot import wait_until
    from tui.screens.decisions_screen import DecisionsScreen

    await pilot.press("f9")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, DecisionsScreen) and pilot.app.screen.loaded)
    return pilot.app.screen


async def test_the_demo_rate_limiting_hand_off_raises_no_drift_and_f9_sees_it_followed(simulator, tmp_path):
    from textual.widgets import Input

    from tests.app_pilot import make_app, send, turns_done, wait_until
    from tui.screens.save_plan_dialog import SavePlanDialog

    app = make_app(simulator, tmp_path, tools=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: app.main.handoff.watching)
        await send(pilot, "plan", "rate limiting: token bucket or sliding window? [[sim:fast]]")
        await turns_done(app)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, SavePlanDialog))
        assert app.screen.query_one("#save-name", Input).value == "RATE_LIMITING_PLAN.md"
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, SavePlanDialog))
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: "RATE_LIMITING_PLAN.md" in app.pane("exec").prompt_input.value)
        await send(pilot, "exec", app.pane("exec").prompt_input.value + " [[sim:fast]]")
        assert await _approve_every_edit(pilot) == ["", ""]  # the module and its tests: no warning
        screen = await _decisions_view(pilot)
        rows = {decision.text: status for decision, status, _ in screen.rows}
        assert "drifted" not in rows.values()
        assert rows["Allow 5 login attempts per minute per IP."] == "followed"
        assert rows["Answer 429 with a retry-after header."] == "followed"
        assert rows["Use a token bucket (not a fixed window) for rate limiting."] == "followed"
        assert not [text for text in rows if text.startswith(("Against:", "Phase"))]
        summary = str(screen.query_one("#decisions-summary").render())
        assert "0 drifted" in summary and "2 file edits" in summary


async def test_f9_drifts_exactly_the_decisions_the_approval_dialogs_flagged(simulator, tmp_path):
    from tests.app_pilot import make_app, send

    rules = "# Rules\n\n- Hash passwords with Argon2id (64 MB, 3 iterations, parallelism 4), not bcrypt.\n- Run tests with pytest.\n"
    (tmp_path / "CLAUDE.md").write_text(rules, encoding="utf-8")
    app = make_app(simulator, tmp_path, tools=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "exec", "Implement authentication [[sim:fast]] [[sim:drift]]")
        warnings = await _approve_every_edit(pilot)
        flagged = [warning for warning in warnings if warning]
        assert len(flagged) == 1 and "— CLAUDE.md:3" in flagged[0] and "import bcrypt" in flagged[0]
        screen = await _decisions_view(pilot)
        rows = {decision.line: (status, finding) for decision, status, finding in screen.rows}
        assert {line: status for line, (status, _) in rows.items()} == {3: "drifted", 4: "followed"}
        assert rows[3][1].place == "auth/passwords.py"  # the edit the dialog warned about
        detail = str(screen.query_one("#decisions-detail").render())
        assert "edit auth/passwords.py: " in detail and "bcrypt" in detail
