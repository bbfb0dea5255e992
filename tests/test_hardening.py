"""Issue #17, hardening: each test reproduces one fault an attacker or an unlucky user hit.

Special files, a full disk, hostile transcripts, terminal escapes, symlinks leading out of
the project and a simulator under load. `python tests/fault_injection.py` runs this whole
list in one go and prints one line per item.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.costs.usage import TokenUsage
from core.store.database import Store
from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
OPUS = "claude-opus-5-5"
SONNET = "claude-sonnet-5-5"
HOSTILE = "Plan auth \x1b]0;pwned\x07\x1b[2J\x9b31m\x7f done"


def run(*args: str, **kwargs):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kwargs)


def one_sentence_error(result, *fragments: str) -> str:
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    message = result.stderr.strip()
    assert message.startswith("Error: ") and "\n" not in message and "Traceback" not in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder.resolve()


@pytest.fixture
def stored(project) -> str:
    """One session whose title and messages carry terminal escape sequences."""
    with Store() as store:
        session = store.create_session(str(project), HOSTILE, OPUS, SONNET)
        store.add_message(session, "plan", "user", OPUS, HOSTILE)
        reply = store.add_message(session, "plan", "assistant", OPUS, "Use \x1b[31mArgon2id\x1b[0m\nline two")
        store.add_usage(session, reply, "plan", OPUS, TokenUsage(1200, 840), Decimal("0.04"), Decimal("0.04"))
    return session


def _subprocess_env(segue_home: Path) -> dict[str, str]:
    return {**os.environ, "SEGUE_HOME": str(segue_home), "PYTHONPATH": str(ROOT)}


# -- 1. export -o onto something that is not a regular file ---------------------------------


def test_1_export_force_refuses_a_fifo(stored, tmp_path):
    fifo = tmp_path / "out.md"
    os.mkfifo(fifo)
    result = run("export", stored, "-o", str(fifo), "--force")
    one_sentence_error(result, "FIFO", "not a regular file")
    assert Path(fifo).is_fifo()


def test_1_export_force_refuses_a_socket(stored, tmp_path):
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        result = run("export", stored, "-o", str(path), "--force")
        one_sentence_error(result, "socket", "not a regular file")
        assert path.is_socket()
    finally:
        server.close()


def test_1_export_dash_is_stdout_and_force_still_replaces_regular_files(stored, tmp_path):
    result = run("export", stored, "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["session"]["id"] == stored
    assert not (Path.cwd() / "-").exists()
    target = tmp_path / "old.json"
    target.write_text("old")
    assert run("export", stored, "--format", "json", "-o", str(target), "--force").exit_code == 0
    assert json.loads(target.read_text())["session"]["id"] == stored


# -- 2. CLAUDE.md or a plan that is a FIFO --------------------------------------------------


def test_2_a_fifo_claude_md_and_plan_never_block_ask(project, segue_home):
    os.mkfifo(project / "CLAUDE.md")
    os.mkfifo(project / "AUTH_PLAN.md")
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "ask", "--demo", "--json", "--pane", "exec",
         "Implement AUTH_PLAN.md [[sim:fast]] [[sim:tokens=20]]"],
        cwd=project, env=_subprocess_env(segue_home), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["text"]
    warnings = report["context_warnings"]
    assert any("CLAUDE.md" in w and "FIFO" in w for w in warnings), warnings
    assert any("CLAUDE.md" in line and "left out" in line for line in done.stderr.splitlines()), done.stderr


def test_2_ask_with_plan_that_is_a_fifo_says_so(project, segue_home):
    os.mkfifo(project / "AUTH_PLAN.md")
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "ask", "--demo", "--pane", "exec", "--plan", "AUTH_PLAN.md", "Go [[sim:fast]]"],
        cwd=project, env=_subprocess_env(segue_home), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"Error: The plan file {project / 'AUTH_PLAN.md'} is a FIFO (named pipe), not a regular file."
    ]


async def test_2_tui_starts_with_fifo_claude_md_and_plan(simulator, project):
    from tests.app_pilot import make_app, send_and_wait, wait_until

    os.mkfifo(project / "CLAUDE.md")
    os.mkfifo(project / "AUTH_PLAN.md")
    app = make_app(simulator, project)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: app.pane("plan").prompt_input.has_focus)
        await send_and_wait(pilot, "exec", "Implement AUTH_PLAN.md [[sim:fast]] [[sim:tokens=20]]")
        with Store() as store:
            replies = [m for m in store.messages(app.session.id) if m.role == "assistant"]
        assert replies and replies[-1].status == "complete"
        assert project / "CLAUDE.md" in app.left_out_paths


def test_2_readers_refuse_fifos_without_blocking(tmp_path):
    from core.atomic_write import read_snapshot
    from core.handoff.plan_versions import PlanVersionsError, working_version
    from core.handoff.project_files import FileProblem, read_text_file
    from core.settings import load_settings

    fifo = tmp_path / "X_PLAN.md"
    os.mkfifo(fifo)
    with pytest.raises(FileProblem, match="FIFO"):
        read_text_file(fifo)
    with pytest.raises(PlanVersionsError, match="FIFO"):
        working_version(fifo)
    assert read_snapshot(fifo) is None
    settings = tmp_path / "settings.toml"
    os.mkfifo(settings)
    assert any("FIFO" in problem for problem in load_settings(settings, environ={}).problems)


# -- 3. a full disk while a TUI turn streams ------------------------------------------------


async def test_3_full_disk_fails_the_turn_clearly_and_the_next_send_works(simulator, project):
    from tests.app_pilot import make_app, record_notices, send_and_wait

    app = make_app(simulator, project)
    async with app.run_test(size=(160, 48)) as pilot:
        notices = record_notices(app)
        conn = app.store.conn
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk full", no root needed
        await send_and_wait(pilot, "plan", "Plan a cache " + "with care " * 3000 + "[[sim:fast]] [[sim:tokens=300]]")
        assert app.is_running
        assert any("full" in notice and "not saved" in notice for notice in notices), notices
        reply = list(app.pane("plan").log_view.children)[-1]
        assert len(reply.text) > 200  # the reply stays on screen

        conn.execute("PRAGMA max_page_count = 1073741823")  # space is back
        await send_and_wait(pilot, "plan", "Plan a queue [[sim:fast]] [[sim:tokens=40]]")
        with Store() as store:
            messages = store.messages(app.session.id)
            rows = store.usage_rows(app.session.id)
        assert messages[-2].text.startswith("Plan a queue") and messages[-1].status == "complete"
        assert rows and rows[-1].message_id == messages[-1].id


async def test_3_recorder_saves_everything_once_space_is_back_at_the_end(simulator, project):
    """The store refuses every write while the reply streams, then accepts: the turn is complete."""
    from core.engines.client import demo_endpoint
    from core.events import TurnDone
    from core.session import Session
    from core.settings import Settings

    with Store() as store:
        session = Session(demo_endpoint(simulator.base_url), Settings(plan_thinking=False), project, store=store)
        conn = store.conn
        conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
        events = []
        async for event in session.send("plan", "Plan it " + "x" * 30000 + " [[sim:fast]] [[sim:tokens=50]]"):
            events.append(event)
            if len(events) == 3:
                conn.execute("PRAGMA max_page_count = 1073741823")
        await session.aclose()
        assert isinstance(events[-1], TurnDone), events[-1]
        messages = store.messages(session.id)
        assert [m.role for m in messages] == ["user", "assistant"] and messages[-1].status == "complete"
        assert store.usage_rows(session.id)
