"""Claude Code as a pane's engine in the app and the CLI: the real `claude` against the simulator.

Every test that runs `claude` gets its own HOME and CLAUDE_CONFIG_DIR under its temp dir
(the `claude_home` fixture); one test checks nothing landed in the real home.
"""

from __future__ import annotations

import json
import os
import pwd
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.engines.claude_code import find_claude
from core.engines.claude_code_setup import demo_config_dir, parse_version, preflight
from core.engines.client import Endpoint, demo_endpoint
from core.settings import Settings
from core.store.database import Store
from tui.cli import main
from tui.engine_commands import engine_system_commands, switch_engine, toggle_accept_edits
from core.engines.client import choose_claude_code_endpoint
from tui.launch import build_app
from tui.widgets.conversation import ReplyView
from tui.widgets.tool_call import ToolCallView
from app_pilot import record_notices, send_and_wait, wait_until

CLAUDE = find_claude()
live = pytest.mark.skipif(CLAUDE is None, reason="Claude Code is not installed: `npm install --prefix .tools @anthropic-ai/claude-code@2.1.197`")
REAL_HOME = Path(pwd.getpwuid(os.getuid()).pw_dir)


@pytest.fixture
def claude_home(tmp_path, monkeypatch):
    """A throw-away HOME and CLAUDE_CONFIG_DIR for Claude Code (demo mode then points it under SEGUE_HOME)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(home / ".claude"))
    return home


def _app(sim, project: Path, *, new_session: bool = True, store=None):
    engines = {"plan": "claude-code", "exec": "claude-code"}
    return build_app(project, demo_endpoint(sim.base_url), Settings(plan_thinking=False), new_session=new_session,
                     store=store, engines=engines)


def _transcripts() -> list[Path]:
    return sorted((demo_config_dir() / "projects").rglob("*.jsonl"))


def _calls_shown(app) -> list[tuple]:
    """The execution pane's tool call rows: heading, style, open or not, the error or diff inside."""
    return [
        (str(view.title), sorted(view.classes & {"running", "failed", "denied"}), view.collapsed,
         view.finished.output.strip() if view.finished.is_error else view.finished.diff)
        for view in app.pane("exec").query(ToolCallView)
    ]


def _real_home_traces(project: Path) -> list[str]:
    """Entries under the real home's Claude Code roots that name this test's project."""
    slug = str(project).replace("/", "-").replace("_", "-")
    found = []
    for root in (REAL_HOME / ".claude" / "projects", REAL_HOME / ".config" / "claude" / "projects"):
        if root.is_dir():
            found += [entry.name for entry in root.iterdir() if slug in entry.name]
    return found


@live
async def test_plan_then_execute_on_claude_code_with_badges_tool_calls_and_resume(simulator, tmp_path, claude_home):
    project = tmp_path / "shop"
    project.mkdir()
    before_real = _real_home_traces(project)
    app = _app(simulator, project)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        for pane in ("plan", "exec"):
            assert str(app.pane(pane).query_one(f"#engine-{pane}").render()) == "Claude Code"
        await send_and_wait(pilot, "plan", "Plan a slugify helper for product names")
        plan_reply = app.pane("plan").query(ReplyView).first()
        assert "Plan" in plan_reply.text
        # The planning pane ran in Claude Code's plan mode (it tells the model so).
        assert "plan mode" in json.dumps(simulator.requests[-1]["body"]).lower()

        # Without the toggle, Claude Code's print mode denies the write: shown, and the toggle offered.
        notices = record_notices(app)
        await send_and_wait(pilot, "exec", "Implement a slugify helper")
        views = list(app.pane("exec").query(ToolCallView))
        assert [v.call.tool for v in views] == ["Read", "Write"]
        assert views[1].has_class("denied") and str(views[1].title).startswith("✗ Write") and "denied" in str(views[1].title)
        assert any("Edit denied" in notice and "without asking" in notice for notice in notices)
        assert not (project / "slugify_helper.py").exists()

        toggle_accept_edits(app)  # the palette's "Let Claude Code edit files without asking"
        assert "accept edits" in str(app.pane("exec").query_one("#engine-exec").render())
        await send_and_wait(pilot, "exec", "Implement a slugify helper")
        write = list(app.pane("exec").query(ToolCallView))[-1]
        assert write.call.tool == "Write" and write.finished is not None and not write.finished.is_error
        assert write.call.target == str(project / "slugify_helper.py")
        diff = write.finished.diff
        assert f"+++ {project / 'slugify_helper.py'}" in diff and ("+def " in diff or "+class " in diff)
        assert "✓ Write" in str(write.title) and not write.collapsed  # an edit shows its diff unfolded
        assert (project / "slugify_helper.py").is_file()
        session_id = app.session.id
        claude_ids = dict(app.session.claude_sessions)
        assert set(claude_ids) == {"plan", "exec"}
        calls_shown = _calls_shown(app)

    # A restart resumes the same Claude Code conversation in each pane.
    app = _app(simulator, project, new_session=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: app.pane("exec").query(ToolCallView))
        await pilot.pause()
        # The tool calls come back as they were shown: the denied Write with why, the diff open.
        assert _calls_shown(app) == calls_shown

        assert app.session.id == session_id and app.session.claude_sessions == claude_ids
        await send_and_wait(pilot, "plan", "What about unicode titles")
        assert app.session.claude_sessions["plan"] == claude_ids["plan"]
        sent = [m for m in simulator.requests[-1]["body"]["messages"] if m["role"] != "system"]
        assert "slugify" in json.dumps(sent[0]).lower()  # the first exchange came back from Claude Code's session

    # Demo transcripts live under Segue's data dir, not in any home.
    assert _transcripts() and not (claude_home / ".claude" / "projects").exists()
    assert _real_home_traces(project) == before_real == []


@live
def test_ask_resumes_by_session_id_and_cost_matches_claude_codes_transcripts(tmp_path, claude_home, monkeypatch):
    project = tmp_path / "cli"
    project.mkdir()
    monkeypatch.chdir(project)
    runner = CliRunner()
    first = runner.invoke(main, ["ask", "--demo", "--engine", "claude-code", "--json", "Plan a rate limiter [[sim:fast]]"])
    assert first.exit_code == 0, first.output
    session = json.loads(first.output.strip().splitlines()[-1])["session"]
    with Store() as store:
        claude_id = store.claude_code_sessions(session)["plan"]
    second = runner.invoke(main, ["ask", "--demo", "--engine", "claude-code", "--session", session[:8], "--json",
                                  "And the burst size [[sim:fast]]"])
    assert second.exit_code == 0, second.output
    with Store() as store:
        assert store.claude_code_sessions(session)["plan"] == claude_id
    (transcript,) = _transcripts()
    assert transcript.stem == claude_id
    prompts = [json.loads(line) for line in transcript.read_text().splitlines()]
    assert sum(1 for line in prompts if line.get("type") == "user" and "burst size" in json.dumps(line)) >= 1

    cost = json.loads(runner.invoke(main, ["cost", "--json", session]).output)["session"]["totals"]
    usage = json.loads(runner.invoke(main, ["usage", "--demo", "--json"]).output)["totals"]
    assert usage["messages"] == cost["messages"] == 2
    assert round(Decimal(str(usage["cost_usd"])), 2) == round(Decimal(cost["cost_usd"]), 2)
    for kind in ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"):
        assert usage[kind] == cost[kind], kind
    exported = runner.invoke(main, ["export", session, "--format", "md"]).output
    assert claude_id in exported and "claude --resume" in exported


async def test_the_palette_switches_a_panes_engine_and_the_badge_follows(simulator, tmp_path):
    app = build_app(tmp_path, demo_endpoint(simulator.base_url), Settings(), new_session=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert not app.pane("plan").query("#engine-plan")  # an API pane has no engine badge
        titles = [command.title for command in engine_system_commands(app)]
        assert "Run the planning pane on Claude Code" in titles
        # An API execution pane always asks before an edit: no Claude Code toggle to take.
        assert not [title for title in titles if "edit files without asking" in title]
        switch_engine(app, "exec", "claude-code")
        titles = [command.title for command in engine_system_commands(app)]
        assert "Let Claude Code edit files without asking (execution pane)" in titles
        switch_engine(app, "exec", "api")
        switch_engine(app, "plan", "claude-code")
        await pilot.pause()
        badge = app.pane("plan").query_one("#engine-plan")
        assert app.session.engines["plan"] == "claude-code" and badge.has_class("claude-code")
        assert str(badge.render()) == "Claude Code"
        assert app.session.permission_mode("plan") == "plan" and app.session.permission_mode("exec") is None
        toggle_accept_edits(app)
        assert app.session.permission_mode("exec") == "acceptEdits"
        assert "Run the planning pane on the API" in [command.title for command in engine_system_commands(app)]
        switch_engine(app, "plan", "api")
        await pilot.pause()
        assert app.pane("plan").query_one("#engine-plan") is badge and not badge.display


def test_who_pays_for_a_claude_code_pane():
    demo = demo_endpoint("http://127.0.0.1:9")
    assert choose_claude_code_endpoint(True, demo) is demo  # --demo: the simulator for both engines
    keyed = Endpoint(None, "sk-ant-x", demo=False)
    assert choose_claude_code_endpoint(False, keyed) is keyed
    login = choose_claude_code_endpoint(False, demo)  # no key, no --demo: the user's own Claude Code login
    assert not login.demo and login.api_key == ""


async def test_an_old_or_logged_out_claude_is_one_sentence(tmp_path):
    def fake(body: str) -> str:
        script = tmp_path / "claude"
        script.write_text("#!/bin/sh\n" + body)
        script.chmod(0o755)
        return str(script)

    old = fake('echo "2.0.5 (Claude Code)"\n')
    problem = await preflight(old, demo_endpoint("http://127.0.0.1:9"), {"PATH": os.environ["PATH"]})
    assert problem == (
        "Claude Code 2.0.5 is older than 2.1.197, which Segue needs: run `npm install -g @anthropic-ai/claude-code@latest`."
    )
    logged_out = fake('if [ "$1" = auth ]; then echo \'{"loggedIn": false}\'; else echo "2.1.197 (Claude Code)"; fi\n')
    login = Endpoint(None, "", demo=False)
    problem = await preflight(logged_out, login, {"PATH": os.environ["PATH"]})
    assert problem.startswith("Claude Code is not logged in: run `claude auth login`")
    assert await preflight(logged_out, Endpoint(None, "sk-ant-x", demo=False), {}) is None  # a key needs no login
    assert parse_version("2.1.197 (Claude Code)") == (2, 1, 197)


@live
async def test_a_total_of_segue_and_claude_codes_transcripts_counts_a_claude_code_pane_once(simulator, tmp_path, claude_home):
    from core.claude_usage import TranscriptScanner, build_report
    from core.claude_usage.segue_overlap import outside_segue
    from core.session import Session

    project = tmp_path / "both"
    project.mkdir()
    with Store() as store:
        session = Session(demo_endpoint(simulator.base_url), Settings(plan_engine="claude-code"), project, store=store)
        events = [event async for event in session.send("plan", "Plan a search index")]
        assert events[-1].usage.total > 0
        with TranscriptScanner([demo_config_dir()], cache=False) as scanner:
            scanner.scan()
            records = list(scanner.records())
        assert records  # the same messages are in Claude Code's transcript...
        segue = store.totals(session.id).cost_usd
        assert round(build_report(records).overall.totals.cost, 2) == round(segue, 2)
        # ...so a combined total takes Segue's store and only the transcripts Segue did not run.
        rest = outside_segue(records, store.all_claude_code_session_ids())
        assert rest == [] and len(records) == store.totals(session.id).messages
