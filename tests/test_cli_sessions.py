"""`segue sessions`, `segue export`, `segue cost` through the real click group, and one real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from core import paths
from core.store.database import Store
from core.costs.usage import TokenUsage
from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
OPUS = "claude-opus-5-5"
SONNET = "claude-sonnet-5-5"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder.resolve()


@pytest.fixture
def stored(project):
    """Two sessions in this project (auth is the latest) and one elsewhere."""
    with Store() as store:
        old = store.create_session(str(project), "Fix typo", OPUS, SONNET)
        store.add_message(old, "exec", "user", SONNET, "Fix the typo in README.md")
        auth = store.create_session(str(project), "Plan auth", OPUS, SONNET)
        store.add_message(auth, "plan", "user", OPUS, "Plan an authentication system")
        reply = store.add_message(auth, "plan", "assistant", OPUS, "Use Argon2id", thinking="bcrypt or argon?")
        store.add_usage(auth, reply, "plan", OPUS, TokenUsage(1200, 840, 0, 900), Decimal("0.041235"), Decimal("0.041235"))
        code = store.add_message(auth, "exec", "assistant", SONNET, "def hash_password(")
        store.add_usage(auth, code, "exec", SONNET, TokenUsage(10, 1), Decimal("0.0000001"), Decimal("0.0000005"))
        other = store.create_session("/somewhere/else", "Blog post")
    return {"old": old, "auth": auth, "other": other}


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _one_sentence_error(result, *fragments: str) -> None:
    assert result.exit_code == 1
    assert result.stdout == ""
    message = result.stderr.strip()
    assert message.startswith("Error: ") and "\n" not in message and "Traceback" not in message
    for fragment in fragments:
        assert fragment in message


def test_sessions_json_lists_every_project_newest_first(stored, project):
    result = run("sessions", "--json")
    assert result.exit_code == 0, result.stderr
    sessions = json.loads(result.stdout)["sessions"]
    assert [s["id"] for s in sessions] == [stored["other"], stored["auth"], stored["old"]]
    auth = sessions[1]
    assert list(auth) == [
        "id", "title", "project_dir", "created_at", "updated_at", "plan_model", "exec_model",
        "active_plan", "message_count", "models", "cost_usd", "unknown_cost_rows",
    ]  # fmt: skip
    assert (auth["title"], auth["project_dir"], auth["message_count"]) == ("Plan auth", str(project), 3)
    assert auth["models"] == [OPUS, SONNET] and auth["cost_usd"] == "0.0412351"
    assert auth["updated_at"].endswith("Z")


def test_sessions_filters_by_project_and_search(stored, project):
    result = run("sessions", "--json", "--project", ".")
    assert [s["id"] for s in json.loads(result.stdout)["sessions"]] == [stored["auth"], stored["old"]]
    result = run("sessions", "--json", "--search", "readme")
    assert [s["id"] for s in json.loads(result.stdout)["sessions"]] == [stored["old"]]


def test_sessions_table_is_plain_text_in_a_pipe(stored, project):
    result = run("sessions")
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout  # no colour when stdout is not a terminal
    header, *lines = result.stdout.splitlines()
    assert header.split() == ["ID", "UPDATED", "MSGS", "COST", "MODELS", "TITLE", "PROJECT"]
    auth = next(line for line in lines if line.startswith(stored["auth"]))
    assert "$0.041" in auth and "Opus 5.5, Sonnet 5.5" in auth and "Plan auth" in auth and str(project) in auth
    assert any("(untitled)" in line or "Blog post" in line for line in lines)
    scoped = run("sessions", "--project", str(project)).stdout.splitlines()
    assert "PROJECT" not in scoped[0] and len(scoped) == 3


def test_sessions_when_there_are_none(project):
    result = run("sessions")
    assert result.exit_code == 0 and result.stdout == "" and "No sessions yet." in result.stderr
    assert json.loads(run("sessions", "--json").stdout) == {"sessions": []}


def test_export_markdown_to_stdout_by_prefix(stored):
    ids = list(stored.values())
    auth = stored["auth"]
    prefix = next(auth[:n] for n in range(1, 11) if sum(i.startswith(auth[:n]) for i in ids) == 1)
    result = run("export", prefix)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith("# Plan auth\n") and f"`{stored['auth']}`" in text
    assert "<summary>Thinking</summary>" in text and "bcrypt or argon?" in text
    assert "$0.041 · all-Opus $0.041" in text and "## Totals" in text


def test_export_json_and_to_a_file_without_clobbering(stored, tmp_path):
    result = run("export", stored["auth"], "--format", "json")
    document = json.loads(result.stdout)
    assert document["session"]["id"] == stored["auth"]
    assert document["totals"]["cost_usd"] == "0.0412351"
    target = tmp_path / "auth.md"
    result = run("export", stored["auth"], "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("# Plan auth")
    target.write_text("my notes", encoding="utf-8")
    refused = run("export", stored["auth"], "-o", str(target))
    _one_sentence_error(refused, "already exists", "--force")
    assert target.read_text(encoding="utf-8") == "my notes"
    assert run("export", stored["auth"], "-o", str(target), "--force", "--format", "json").exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["session"]["title"] == "Plan auth"


def test_unknown_and_ambiguous_sessions_are_one_sentence(stored):
    _one_sentence_error(run("export", "zzzz"), "No session id starts with 'zzzz'")
    _one_sentence_error(run("cost", "zzzz"), "No session id starts with")
    with Store() as store:
        ids = [store.create_session("/p") for _ in range(40)]
    shared = next(p for p in "0123456789abcdef" if sum(i.startswith(p) for i in ids) > 1)
    _one_sentence_error(run("export", shared), "matches several sessions", "type more of the id")


def test_cost_of_a_session(stored):
    result = run("cost", stored["auth"], "--json")
    report = json.loads(result.stdout)
    assert list(report) == ["session", "today"]
    session = report["session"]
    assert session["id"] == stored["auth"] and session["title"] == "Plan auth"
    assert session["totals"]["cost_usd"] == "0.0412351"
    assert session["totals"]["all_opus_cost_usd"] == "0.0412355"
    assert session["totals"]["savings_usd"] == "0.0000004"
    assert session["panes"]["plan"]["cache_read_input_tokens"] == 900
    assert session["panes"]["exec"]["messages"] == 1
    assert list(session["models"]) == [OPUS, SONNET]
    text = run("cost", stored["auth"]).stdout
    assert f'Session {stored["auth"]} "Plan auth"' in text
    assert "Plan       2.1k in (900 cached) · 840 out · $0.041 · 1 API request" in text
    assert "Total" in text and "all-Opus $0.041" in text
    assert "\x1b[" not in text


def test_cost_without_a_session_is_this_projects_latest_and_today(stored, project):
    report = json.loads(run("cost", "--json").stdout)
    assert report["session"]["id"] == stored["auth"]
    assert report["today"]["totals"]["messages"] == 2  # every session's replies today
    assert report["today"]["totals"]["cost_usd"] == "0.0412351"
    text = run("cost").stdout
    assert "Today " in text and "(all sessions)" in text


def test_cost_in_a_project_without_sessions(stored, tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    report = json.loads(run("cost", "--json").stdout)
    assert report["session"] is None and report["today"]["totals"]["messages"] == 2
    assert "No session for" in run("cost").stdout


def test_an_unreadable_store_is_one_sentence_for_every_command(project):
    paths.store_path().write_bytes(b"not a database at all" * 200)
    for args in (["sessions"], ["sessions", "--json"], ["export", "abc"], ["cost"], ["cost", "--json"]):
        _one_sentence_error(run(*args), "can't be opened")


def test_real_process_pipes_json_and_reports_errors(stored, project, segue_home):
    env = {**os.environ, "SEGUE_HOME": str(segue_home), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "sessions", "--json"], cwd=project, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["sessions"]) == 3
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "cost"], cwd=project, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and stored["auth"] in done.stdout and "\x1b[" not in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "export", "nope"], cwd=project, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip().splitlines() == ["Error: No session id starts with 'nope'; `segue sessions` lists them."]


def test_the_api_key_is_never_written_anywhere(project, segue_home, tmp_path):
    """A real `segue ask --demo` turn and every store command, with a known fake key in the environment."""
    key = "sk-ant-api03-segue-never-store-" + os.urandom(8).hex()
    env = {**os.environ, "SEGUE_HOME": str(segue_home), "PYTHONPATH": str(ROOT), "ANTHROPIC_API_KEY": key}
    asked = subprocess.run(
        [sys.executable, "-m", "tui.cli", "ask", "--demo", "--json", "Plan a small cache [[sim:fast]] [[sim:tokens=40]]"],
        cwd=project, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    session_id = json.loads(asked.stdout)["session"]
    exported = tmp_path / "exports"
    exported.mkdir()
    outputs = []
    for args in (
        ["sessions"],
        ["sessions", "--json"],
        ["cost"],
        ["cost", "--json", session_id],
        ["export", session_id],
        ["export", session_id, "--format", "json", "-o", str(exported / "s.json")],
        ["export", session_id, "-o", str(exported / "s.md")],
    ):
        result = run(*args, env={"ANTHROPIC_API_KEY": key})
        assert result.exit_code == 0, (args, result.stderr)
        outputs.append(result.stdout + result.stderr)
    assert any(session_id in output for output in outputs)
    assert all(key not in output for output in [*outputs, asked.stdout, asked.stderr])
    written = [path for root in (segue_home, exported) for path in root.rglob("*") if path.is_file()]
    assert paths.store_path() in written and len(written) >= 3
    needle = key.encode()
    for path in written:
        data = path.read_bytes()
        assert needle not in data and key[-16:].encode() not in data, path
    with Store() as store:  # the turn really was recorded, so the grep looked at real data
        assert [m.role for m in store.messages(session_id)] == ["user", "assistant"]
