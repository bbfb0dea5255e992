"""`segue ask` through the click group (CliRunner) and as a real process, against the simulator.

Real-mode runs point the SDK's own environment (ANTHROPIC_BASE_URL, a fake ANTHROPIC_API_KEY)
at a simulator started here, so the tests can read exactly what Segue sent; demo-mode runs
use the embedded simulator that `segue ask` starts itself.
"""

from __future__ import annotations

from tests.sent import plain, plain_content

import json
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.costs import pricing
from core.store.database import Store
from core.costs.usage import TokenUsage
from tui.cli import main

SEGUE = Path(sys.executable).with_name("segue")
FAKE_KEY = "sk-ant-test-cli-ask-0000"
OPUS, SONNET, HAIKU = "claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5"
RULES = "Indent with tabs. RULE-MARKER-4411"
JSON_KEYS = ["session", "pane", "model", "text", "usage", "cost_usd", "all_opus_cost_usd", "context_warnings", "edits"]
USAGE_KEYS = {
    "input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "cache_creation_1h_input_tokens",
}


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "CLAUDE.md").write_text(f"# Shop\n\n{RULES}\n", encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder.resolve()


@pytest.fixture
def api(simulator, monkeypatch):
    """Real mode: the SDK's environment points at our simulator."""
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_KEY)
    return simulator


def ask(*args: str):
    return CliRunner().invoke(main, ["ask", *args], catch_exceptions=False)


def system_text(request: dict) -> str:
    return "\n".join(block["text"] for block in request["body"].get("system", []))


def only_session(store: Store):
    sessions = store.list_sessions()
    assert len(sessions) == 1, sessions
    return sessions[0]


def assert_one_sentence_error(result, *fragments: str) -> None:
    assert result.exit_code != 0
    assert result.stdout == ""
    message = result.stderr.strip()
    assert message.startswith("Error: "), message
    assert "\n" not in message and "Traceback" not in message
    for fragment in fragments:
        assert fragment in message


# -- the turn --------------------------------------------------------------------------


def test_text_streams_to_stdout_and_the_turn_is_recorded(api, project):
    result = ask("Plan a rate limiter for the shop [[sim:fast]]")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout, "no colour codes in a pipe"
    with Store() as store:
        session = only_session(store)
        assert session.project_dir == str(project)
        user, reply = store.messages(session.id)
        assert (user.role, user.pane, user.text) == ("user", "plan", "Plan a rate limiter for the shop [[sim:fast]]")
        assert (reply.role, reply.status, reply.model) == ("assistant", "complete", OPUS)
        assert result.stdout == reply.text + ("" if reply.text.endswith("\n") else "\n")
        assert reply.text.lstrip().startswith("#"), "a planning prompt gets a Markdown plan"
        [usage] = store.usage_rows(session.id)
        assert usage.message_id == reply.id and usage.usage.output_tokens > 0
        assert session.title.startswith("Plan a rate limiter")
        assert store.session_to_resume(str(project)) is None, "a headless session is never what `segue` resumes"
    request = api.requests[-1]["body"]
    assert request["model"] == OPUS and request["stream"] is True
    assert plain(request["messages"]) == [{"role": "user", "content": "Plan a rate limiter for the shop [[sim:fast]]"}]
    assert RULES in system_text(api.requests[-1]), "CLAUDE.md from the current directory"


def test_json_is_exactly_the_documented_object(api, project):
    result = ask("--json", "--pane", "exec", "Implement a CSV exporter [[sim:fast]]")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document) == JSON_KEYS
    assert set(document["usage"]) == USAGE_KEYS
    assert document["pane"] == "exec"
    assert document["model"] == SONNET, "the full id the API reported"
    usage = TokenUsage(**document["usage"])
    assert usage.input_tokens > 0 and usage.output_tokens > 0
    assert document["all_opus_cost_usd"] > document["cost_usd"]
    # The exec pane's tool loop: an edit proposed, not applied without --apply-edits.
    assert document["edits"][0] == {
        "path": "src/csv_exporter.py", "command": "create", "applied": False, "error": document["edits"][0]["error"],
        "drift": [],  # no CLAUDE.md decision it breaks
    }
    assert "--apply-edits" in document["edits"][0]["error"]
    with Store() as store:
        session = only_session(store)
        assert document["session"] == session.id
        reply = store.messages(session.id, "exec")[-1]
        assert document["text"] == reply.text and "left that change out" in reply.text
        rows = store.usage_rows(session.id)
        assert len(rows) >= 2, "one usage row per request of the tool loop"
        assert sum((row.usage for row in rows), TokenUsage()) == usage
        assert Decimal(str(document["cost_usd"])) == sum(pricing.cost(SONNET, row.usage) for row in rows)
        assert Decimal(str(document["all_opus_cost_usd"])) == sum(pricing.all_opus_cost(row.usage, OPUS) for row in rows)
    assert result.stdout.count("\n") == 1, "one JSON line, no streamed text before it"


def test_model_alias_haiku(api, project):
    result = ask("--json", "--model", "haiku", "Plan a tiny cache [[sim:fast]]")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert api.requests[-1]["body"]["model"] == HAIKU
    assert document["model"] == HAIKU
    usage = TokenUsage(**document["usage"])
    assert Decimal(str(document["cost_usd"])) == pricing.cost(HAIKU, usage)
    with Store() as store:
        session = only_session(store)
        # The session was made by this command, so the choice is the session's own.
        assert session.plan_model == HAIKU
        assert store.messages(session.id)[-1].model == HAIKU


def test_session_continues_with_its_history(api, project):
    first = json.loads(ask("--json", "Plan the checkout flow [[sim:fast]]").stdout)
    prefix = first["session"][:6]
    second = ask("--json", "--session", prefix, "Now add a retry policy [[sim:fast]]")
    assert second.exit_code == 0, second.stderr
    assert json.loads(second.stdout)["session"] == first["session"]
    sent = api.requests[-1]["body"]["messages"]
    assert [message["role"] for message in sent] == ["user", "assistant", "user"]
    assert sent[0]["content"] == "Plan the checkout flow [[sim:fast]]"
    assert sent[1]["content"] == first["text"].rstrip()
    assert plain_content(sent[2]["content"]) == "Now add a retry policy [[sim:fast]]"
    with Store() as store:
        session = only_session(store)
        assert [m.role for m in store.messages(session.id)] == ["user", "assistant", "user", "assistant"]
        assert len(store.usage_rows(session.id)) == 2


def test_model_flag_on_an_existing_session_is_for_this_turn_only(api, project):
    with Store() as store:
        session_id = store.create_session(str(project), "TUI session", OPUS, SONNET)
    result = ask("--session", session_id, "--pane", "exec", "--model", "haiku", "Implement it [[sim:fast]]")
    assert result.exit_code == 0, result.stderr
    assert api.requests[-1]["body"]["model"] == HAIKU
    with Store() as store:
        assert store.get_session(session_id).exec_model == SONNET, "the TUI user's choice is kept"
        assert store.messages(session_id, "exec")[-1].model == HAIKU


# -- the execution pane's context --------------------------------------------------------


@pytest.fixture
def plans(project):
    auth = project / "AUTH_PLAN.md"
    auth.write_text("# Auth Plan\n\nAUTH-PLAN-TEXT\n", encoding="utf-8")
    cache = project / "CACHE_PLAN.md"
    cache.write_text("# Cache Plan\n\nCACHE-PLAN-TEXT\n", encoding="utf-8")
    # CACHE_PLAN.md is the most recently modified plan: the default active plan.
    os.utime(auth, (1_700_000_000, 1_700_000_000))
    os.utime(cache, (1_800_000_000, 1_800_000_000))
    explicit = project.parent / "elsewhere" / "notes.md"
    explicit.parent.mkdir()
    explicit.write_text("# Notes\n\nEXPLICIT-PLAN-TEXT\n", encoding="utf-8")
    return {"auth": auth, "cache": cache, "explicit": explicit}


PLAN_MARKERS = {"auth": "AUTH-PLAN-TEXT", "cache": "CACHE-PLAN-TEXT", "explicit": "EXPLICIT-PLAN-TEXT"}


def assert_plan_sent(api, which: str) -> None:
    system = system_text(api.requests[-1])
    assert RULES in system, "CLAUDE.md from the current directory"
    for name, marker in PLAN_MARKERS.items():
        assert (marker in system) == (name == which), f"{name} plan sent: {marker in system}"


def test_exec_context_plan_flag_wins(api, plans):
    result = ask("--pane", "exec", "--plan", "../elsewhere/notes.md", "Implement step 1 of AUTH_PLAN.md [[sim:fast]]")
    assert result.exit_code == 0, result.stderr
    assert_plan_sent(api, "explicit")


def test_exec_context_plan_named_in_the_prompt(api, plans):
    result = ask("--pane", "exec", "Implement step 1 of AUTH_PLAN.md [[sim:fast]]")
    assert result.exit_code == 0, result.stderr
    assert_plan_sent(api, "auth")


def test_exec_context_default_is_the_active_plan(api, plans):
    result = ask("--pane", "exec", "Implement step 1 [[sim:fast]]")
    assert result.exit_code == 0, result.stderr
    assert_plan_sent(api, "cache")


def test_exec_context_uses_the_sessions_picked_plan(api, plans, project):
    with Store() as store:
        session_id = store.create_session(str(project), "TUI session", OPUS, SONNET)
        store.set_active_plan(session_id, str(plans["auth"]))
    result = ask("--pane", "exec", "--session", session_id, "Implement step 1 [[sim:fast]]")
    assert result.exit_code == 0, result.stderr
    assert_plan_sent(api, "auth")
    # A one-off --plan on that session does not replace the plan its user picked.
    result = ask("--pane", "exec", "--session", session_id, "--plan", str(plans["explicit"]), "Step 2 [[sim:fast]]")
    assert result.exit_code == 0, result.stderr
    assert_plan_sent(api, "explicit")
    with Store() as store:
        assert store.get_session(session_id).active_plan == str(plans["auth"])


def test_plan_pane_gets_claude_md_but_no_plan(api, plans):
    result = ask("Plan the next step [[sim:fast]]")
    assert result.exit_code == 0, result.stderr
    assert_plan_sent(api, "none")


# -- errors ------------------------------------------------------------------------------


def test_unknown_session(api, project):
    result = ask("--session", "ffffffff", "Hello [[sim:fast]]")
    assert_one_sentence_error(result, "ffffffff", "segue sessions")
    assert api.requests == []


def test_missing_plan_file_sends_and_records_nothing(api, project):
    result = ask("--pane", "exec", "--plan", "NOPE_PLAN.md", "Implement it [[sim:fast]]")
    assert_one_sentence_error(result, "NOPE_PLAN.md", "does not exist")
    assert api.requests == []
    with Store() as store:
        assert store.list_sessions() == []


def test_plan_flag_needs_the_exec_pane(api, plans):
    result = ask("--plan", str(plans["auth"]), "Plan it [[sim:fast]]")
    assert_one_sentence_error(result, "--pane exec")
    assert api.requests == []


@pytest.mark.parametrize("prompt", ["", "   "])
def test_empty_prompt(api, project, prompt):
    result = ask(prompt)
    assert_one_sentence_error(result, "empty")
    assert api.requests == []
    with Store() as store:
        assert store.list_sessions() == []


def test_unusable_data_directory(api, project, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("SEGUE_HOME", str(blocker / "segue"))
    result = ask("Hello [[sim:fast]]")
    assert_one_sentence_error(result, "data directory", str(blocker))
    assert api.requests == []
    # The TUI says the same, as a real process (no traceback before the screen would open).
    done = subprocess.run(
        [str(SEGUE), str(project)], cwd=project, env=segue_env(), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.strip().startswith("Error: ") and "\n" not in done.stderr.strip(), done.stderr
    assert "data directory" in done.stderr


def test_refused_key_is_one_sentence_and_the_failure_is_recorded(api, project):
    result = ask("--pane", "exec", "Implement it [[sim:401]]")
    assert result.exit_code == 1
    assert result.stdout == ""
    message = result.stderr.strip()
    assert message.startswith("Error: ") and "\n" not in message and "Traceback" not in message
    assert "401" in message and "ANTHROPIC_API_KEY" in message
    assert FAKE_KEY not in message
    with Store() as store:
        reply = store.messages(only_session(store).id)[-1]
        assert (reply.role, reply.status, reply.text) == ("assistant", "failed", "")


def test_in_demo_mode_a_401_names_the_marker_not_a_key(project, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    result = ask("--demo", "--pane", "exec", "Implement it [[sim:401]] [[sim:fast]]")
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert "401" in message and "[[sim:401]]" in message and "demo" in message
    assert "ANTHROPIC_API_KEY" not in message and "\n" not in message


def test_retries_are_told_on_stderr_and_the_reply_completes(api, project):
    result = ask("--pane", "exec", "Implement the importer [[sim:fast]] [[sim:429]]")
    assert result.exit_code == 0
    assert "429" in result.stderr and "retrying" in result.stderr
    assert "left that change out" in result.stdout  # the tool loop ran to its end
    # The refused first request, its retry, then the tool loop's two follow-ups (view, rejected create).
    assert len(api.requests) == 4


# -- real processes ----------------------------------------------------------------------


def segue_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(extra)
    return env


def run_segue(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SEGUE), "ask", *args], cwd=project, env=segue_env(**env), capture_output=True, text=True, timeout=120
    )


def test_real_process_demo_mode_pipes_plain_text(project):
    done = run_segue(project, "Plan a search index [[sim:fast]]")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "\x1b" not in done.stdout
    with Store() as store:
        reply = store.messages(only_session(store).id)[-1]
    assert done.stdout == reply.text + ("" if reply.text.endswith("\n") else "\n")


def test_real_process_real_mode_json_and_exec_context(simulator, plans, project):
    done = run_segue(
        project, "--json", "--pane", "exec", "Implement AUTH_PLAN.md [[sim:fast]]",
        ANTHROPIC_BASE_URL=simulator.base_url, ANTHROPIC_API_KEY=FAKE_KEY,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert list(document) == JSON_KEYS and document["model"] == SONNET
    assert_plan_sent(simulator, "auth")
    with Store() as store:
        assert document["session"] == only_session(store).id


def test_real_process_errors(simulator, project):
    env = {"ANTHROPIC_BASE_URL": simulator.base_url, "ANTHROPIC_API_KEY": FAKE_KEY}
    for args, fragment in [
        (("--session", "0000000000", "Hi"), "0000000000"),
        (("--pane", "exec", "--plan", "missing.md", "Hi"), "missing.md"),
        (("Hi [[sim:401]]",), "ANTHROPIC_API_KEY"),
        (("",), "empty"),
    ]:
        done = run_segue(project, *args, **env)
        assert done.returncode != 0, args
        assert done.stdout == ""
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and fragment in lines[0], done.stderr


def _read_until(stream, enough: int) -> str:
    text = ""
    while len(text) < enough:
        line = stream.readline()
        if not line:
            break
        text += line
    return text


def test_real_process_reader_going_away_keeps_the_whole_reply(project):
    # A paced demo reply: the reader (like `| head -3`) closes the pipe after a few lines.
    process = subprocess.Popen(
        [str(SEGUE), "ask", "--model", "haiku", "Plan a job queue [[sim:tokens=400]]"],
        cwd=project, env=segue_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    seen = _read_until(process.stdout, 60)
    assert seen
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait(timeout=60) == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
    with Store() as store:
        reply = store.messages(only_session(store).id)[-1]
    assert reply.status == "complete"
    assert reply.text.startswith(seen.rstrip("\n")) and len(reply.text) > len(seen) + 200


def test_real_process_ctrl_c_cancels_and_keeps_the_partial_reply(project):
    process = subprocess.Popen(
        [str(SEGUE), "ask", "--model", "haiku", "Plan a job queue [[sim:tokens=3000]]"],
        cwd=project, env=segue_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    seen = _read_until(process.stdout, 80)
    assert seen
    process.send_signal(signal.SIGINT)
    rest = process.stdout.read()
    stderr = process.stderr.read()
    assert process.wait(timeout=60) == 130
    assert "Cancelled" in stderr and "Traceback" not in stderr
    with Store() as store:
        reply = store.messages(only_session(store).id)[-1]
    assert reply.status == "cancelled"
    assert (seen + rest).startswith(reply.text.rstrip("\n")) or reply.text.startswith(seen.rstrip("\n"))
    assert len(seen) <= len(reply.text) < 3000 * 3


# -- next to the TUI ---------------------------------------------------------------------


async def test_ask_and_the_tui_write_one_store_at_the_same_time(paced_simulator, project):
    import asyncio

    from core.engines.client import demo_endpoint
    from core.settings import Settings
    from tui.launch import build_app
    from tui.widgets.conversation import ReplyView

    store = Store()
    app = build_app(project, demo_endpoint(paced_simulator.base_url), Settings(plan_thinking=False, tools=False), new_session=True, store=store)
    errors: list[str] = []
    notify = app.notify

    def recording_notify(message, *args, **kwargs):
        if kwargs.get("severity") == "error":
            errors.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = recording_notify
    async with app.run_test(size=(160, 48)) as pilot:
        # Both sides stream paced replies, flushing every 0.5 s into the same file.
        process = await asyncio.create_subprocess_exec(
            str(SEGUE), "ask", "--pane", "exec", "--model", "haiku", "Implement a job queue [[sim:tokens=600]]",
            cwd=project, env=segue_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        first = await process.stdout.readline()
        assert first, "the headless turn is streaming"
        app.pane("exec").focus_input()
        await pilot.pause()
        app.pane("exec").prompt_input.value = "Implement the CSV exporter [[sim:tokens=400]]"
        await pilot.press("enter")
        for _ in range(4000):
            replies = app.pane("exec").query(ReplyView)
            if replies and replies.first().text:
                break
            await pilot.pause()
        rest, stderr = await process.communicate()
        while busy := [w for w in app.workers if w.group in ("plan", "exec") and not w.is_finished]:
            await app.workers.wait_for_complete(busy)
        await pilot.pause()
        assert process.returncode == 0, stderr.decode()
        # stderr holds only the tool loop's call lines ("[view] .", "[create] …: not applied").
        assert b"locked" not in stderr and all(line.startswith(b"[") for line in stderr.splitlines())
        assert errors == []
        tui_reply = app.pane("exec").query(ReplyView).first().text
        tui_session = app.session.id
    store.close()
    with Store() as store:
        assert store.integrity_check() == "ok"
        [ask_session] = [s for s in store.list_sessions() if s.id != tui_session]
        ask_messages = store.messages(ask_session.id)
        tui_messages = store.messages(tui_session)
        assert [m.status for m in ask_messages] == ["complete", "complete"]
        assert [m.status for m in tui_messages] == ["complete", "complete"]
        assert ask_messages[-1].text.startswith(first.decode().rstrip("\n"))
        assert (first + rest).decode() == ask_messages[-1].text + ("" if ask_messages[-1].text.endswith("\n") else "\n")
        assert tui_messages[-1].text == tui_reply
        ask_reply, tui_reply_row = ask_messages[-1], tui_messages[-1]
        assert tui_reply_row.created_at < ask_reply.updated_at and ask_reply.created_at < tui_reply_row.updated_at, (
            "the two replies streamed at the same time"
        )
        # ask runs the tool loop: one usage row per request (view, the create not applied, the end).
        assert len(store.usage_rows(ask_session.id)) == 3 and len(store.usage_rows(tui_session)) == 1


# -- models and effort (issue #11) -------------------------------------------------------


def test_unknown_model_is_refused_before_anything_is_recorded_when_the_list_is_fresh(api, project):
    result = ask("--model", "claude-nonexistent-9", "Plan it [[sim:fast]]")
    assert_one_sentence_error(result, "claude-nonexistent-9", OPUS, SONNET)
    assert api.requests == []
    with Store() as store:
        assert store.list_sessions() == []


def test_unknown_model_with_only_the_bundled_table_warns_and_lets_the_api_decide(project, monkeypatch, tmp_path):
    # A gateway without the Models API: nothing answers GET /v1/models, the API refuses the model.
    from core.simulator import Simulator

    with Simulator(pacing=False) as sim:
        gone = sim.base_url
    monkeypatch.setenv("ANTHROPIC_BASE_URL", gone)
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_KEY)
    result = ask("--model", "claude-nonexistent-9", "Plan it [[sim:fast]]")
    assert "not a model Segue knows" in result.stderr
    assert result.exit_code != 0  # the connection is refused: the API (here: nobody) decided


def test_effort_flag_reaches_the_request_and_the_session(api, project):
    result = ask("--effort", "low", "--json", "Plan a cache [[sim:fast]]")
    assert result.exit_code == 0, result.stderr
    assert api.requests[-1]["body"]["output_config"] == {"effort": "low"}
    assert api.requests[-1]["body"]["thinking"] == {"type": "adaptive", "display": "summarized"}
    with Store() as store:
        assert store.get_session(only_session(store).id).plan_effort == "low"


def test_effort_a_model_lacks_goes_to_the_nearest_level_it_has(api, project):
    result = ask("--model", "haiku", "--effort", "max", "Plan a cache [[sim:fast]]")
    assert result.exit_code == 0, result.stderr
    assert api.requests[-1]["body"]["output_config"] == {"effort": "high"}


def test_planning_turn_on_opus_4_5_uses_budget_thinking(api, project):
    result = ask("--model", "claude-opus-4-5", "Plan a cache [[sim:fast]]")
    assert result.exit_code == 0, result.stderr
    body = api.requests[-1]["body"]
    assert body["thinking"]["type"] == "enabled" and 1024 <= body["thinking"]["budget_tokens"] < body["max_tokens"]


# -- budgets ------------------------------------------------------------------------------------


def _sends(api) -> int:
    return sum(1 for request in api.requests if request["path"].rstrip("/").endswith("/v1/messages"))


def test_a_send_that_would_cross_the_daily_budget_is_refused_before_anything_is_spent(api, project, monkeypatch):
    """The TUI asks before crossing a budget; a script has no one to say yes: `ask` ignored
    SEGUE_DAILY_BUDGET without a word and spent past it."""
    assert ask("Plan a rate limiter for the shop [[sim:fast]]").exit_code == 0  # today's spend
    sent = _sends(api)
    monkeypatch.setenv("SEGUE_DAILY_BUDGET", "0.000001")
    result = ask("Plan a cache for the shop [[sim:fast]]")
    assert_one_sentence_error(result, "Not sent: ", "daily budget", "SEGUE_DAILY_BUDGET")
    assert _sends(api) == sent, "nothing was sent"
    with Store() as store:
        assert len(store.list_sessions()) == 1, "nothing was recorded"
    monkeypatch.setenv("SEGUE_DAILY_BUDGET", "0")  # unset: no limit
    assert ask("Plan a cache for the shop [[sim:fast]]").exit_code == 0


def test_near_the_budget_ask_warns_and_sends(api, project, monkeypatch):
    from core import paths

    settings = paths.settings_path()
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("daily_budget_usd = 1000\nbudget_warn_fraction = 0.0000000001\n")
    result = ask("Plan a rate limiter for the shop [[sim:fast]]")
    assert result.exit_code == 0, result.stderr
    assert "Warning: " in result.stderr and "budget" in result.stderr.lower()
    assert result.stdout.strip()
