"""Claude Code as an engine: stream-json mapping, process handling, and the real CLI against the simulator."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import textwrap
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from core.engines import claude_code as engine
from core.engines.claude_code import (
    ClaudeCodeSession,
    StreamMapper,
    child_env,
    command_line,
    find_claude,
    prompt_text,
    stream_claude_code,
)
from core.engines.client import Endpoint, demo_endpoint
from core.events import Retrying, TextDelta, ThinkingDelta, ToolCallFinished, ToolCallStarted, TurnDone, TurnFailed, UsageUpdate
from core.engines.api import DEMO_KEY_HELP, KEY_HELP, TurnRequest
from core.costs.usage import TokenUsage

FIXTURE = Path(__file__).parent / "data" / "claude_code_turn.jsonl"
SONNET = "claude-sonnet-5-5"


def _lines() -> list[str]:
    return FIXTURE.read_text(encoding="utf-8").splitlines()


def _feed(lines: list[str], model: str = SONNET) -> tuple[StreamMapper, list]:
    mapper = StreamMapper(model)
    events = []
    for line in lines:
        events += mapper.feed(line)
    return mapper, events


def _line(**data) -> str:
    return json.dumps(data)


def _stream(event: dict, parent: str | None = None) -> str:
    return _line(type="stream_event", event=event, session_id="s-1", parent_tool_use_id=parent)


def _text(text: str, index: int = 0, parent: str | None = None) -> str:
    return _stream({"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": text}}, parent)


def _start(message_id: str, usage: dict) -> str:
    return _stream({"type": "message_start", "message": {"id": message_id, "model": SONNET, "usage": usage}})


def _delta(usage: dict, stop: str = "end_turn") -> str:
    return _stream({"type": "message_delta", "delta": {"stop_reason": stop}, "usage": usage})


# -- mapping recorded stream-json lines (always run) -----------------------------------------------


def test_a_recorded_turn_maps_to_deltas_usage_and_done():
    recorded = [json.loads(line) for line in _lines()]
    result = recorded[-1]
    mapper, events = _feed(_lines())

    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    thinking = "".join(e.text for e in events if isinstance(e, ThinkingDelta))
    assert text == result["result"] and text.startswith("## Say Hello Briefly")
    assert thinking == "The user wants Say hello briefly."
    updates = [e for e in events if isinstance(e, UsageUpdate)]
    # message_start's usage first, then message_delta's cumulative counts assigned, not added.
    assert updates[0].usage == TokenUsage(1571, 1, 26927, 0)
    assert updates[-1].usage == TokenUsage(1571, 637, 26927, 0)
    done = events[-1]
    assert isinstance(done, TurnDone) and not done.cancelled
    assert (done.model, done.text, done.thinking, done.stop_reason) == (SONNET, text, thinking, "end_turn")
    assert done.usage == TokenUsage(1571, 637, 26927, 0)
    assert mapper.session_id == result["session_id"]
    assert mapper.result["total_cost_usd"] == result["total_cost_usd"]


def test_malformed_and_unknown_lines_are_skipped():
    clean = _feed(_lines())[1]
    noisy = []
    for line in _lines():
        noisy += [line, "", "not json", "[1, 2]", '{"type": "stream_event", "event": "oops"}', line[: len(line) // 2],
                  '{"type": "stream_event", "event": {"type": "content_block_delta", "delta": null}}',
                  '{"type": "system", "subtype": "api_retry", "attempt": "x"}', '{"type": "hook_event"}']
    assert _feed(noisy)[1] == clean


def test_usage_adds_across_the_messages_of_a_tool_loop_and_texts_stay_apart():
    lines = [
        _start("m1", {"input_tokens": 100, "output_tokens": 1, "cache_read_input_tokens": 50}),
        _text("Let me look."),
        _delta({"output_tokens": 20}, stop="tool_use"),
        _line(type="assistant", message={"content": [{"type": "tool_use", "name": "Read"}]}, session_id="s-1"),
        _line(type="user", message={"content": [{"type": "tool_result", "content": "file body"}]}, session_id="s-1"),
        _text("a subagent's words", parent="toolu_1"),  # a subagent's own stream is not the reply
        _start("m2", {"input_tokens": 130, "output_tokens": 1, "cache_read_input_tokens": 50}),
        _text("It reads a file."),
        _delta({"output_tokens": 10}),
        _line(type="result", subtype="success", is_error=False, result="It reads a file.", session_id="s-1",
              stop_reason="end_turn", total_cost_usd=0.01,
              usage={"input_tokens": 230, "output_tokens": 30, "cache_read_input_tokens": 100, "cache_creation_input_tokens": 0}),
    ]
    mapper, events = _feed(lines)
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Let me look.\n\nIt reads a file."
    updates = [e.usage for e in events if isinstance(e, UsageUpdate)]
    assert updates[1] == TokenUsage(100, 20, 0, 50)
    assert updates[2] == TokenUsage(100 + 130, 20 + 1, 0, 100)  # the second message's start adds to the first
    assert updates[3] == TokenUsage(230, 30, 0, 100)
    done = events[-1]
    assert isinstance(done, TurnDone) and done.usage == TokenUsage(230, 30, 0, 100)
    assert done.text == "Let me look.\n\nIt reads a file."


def test_live_estimates_while_streaming_and_a_cancelled_message_bills_what_streamed():
    mapper = StreamMapper(SONNET)
    events = mapper.feed(_start("m1", {"input_tokens": 40, "output_tokens": 1}))
    for _ in range(10):
        events += mapper.feed(_text("x" * 39 + " "))  # 400 characters, about 100 tokens
    estimates = [e for e in events if isinstance(e, UsageUpdate) and e.estimated]
    assert [e.usage.output_tokens for e in estimates] == [40, 80]  # one every 160 characters
    assert mapper.cancelled().usage == TokenUsage(40, 100)
    mapper.feed(_delta({"output_tokens": 120}))
    assert mapper.cancelled().usage == TokenUsage(40, 120)  # the API's own count wins once it came


def test_claude_code_retries_show_as_retrying_and_a_refused_key_fails_at_once():
    retry = _line(type="system", subtype="api_retry", attempt=2, max_retries=3, retry_delay_ms=1500,
                  error_status=529, error="overloaded", session_id="s-1")
    (event,) = _feed([retry])[1]
    assert event == Retrying(2, 1.5, "The API is overloaded (529)")
    refused = _line(type="system", subtype="api_retry", attempt=1, max_retries=3, retry_delay_ms=600,
                    error_status=401, error="authentication_failed", session_id="s-1")
    (event,) = _feed([refused])[1]
    assert isinstance(event, TurnFailed) and event.kind == "auth" and event.message == KEY_HELP
    demo = StreamMapper(SONNET, demo=True)
    (event,) = demo.feed(refused)
    assert isinstance(event, TurnFailed) and event.message == DEMO_KEY_HELP


def test_an_error_result_is_one_sentence_and_keeps_the_partial_text():
    lines = [
        _start("m1", {"input_tokens": 10, "output_tokens": 1}),
        _text("Half a repl"),
        _line(type="result", subtype="success", is_error=True, api_error_status=529,
              result="API Error: 529 {\"type\":\"error\"}\n  overloaded", session_id="s-1"),
    ]
    event = _feed(lines)[1][-1]
    assert isinstance(event, TurnFailed)
    assert event.kind == "overloaded" and event.text == "Half a repl"
    # Worded like the API engine's 529 (core.engines.errors): Claude Code already retried it.
    assert event.message == "The API is overloaded (529); Claude Code gave up. The partial reply is kept."
    refused = _line(type="result", subtype="success", is_error=True,
                    result='API Error: 400 {"type":"error","error":{"message":"max_tokens too large"}}', session_id="s-1")
    event = _feed([refused])[1][-1]
    assert isinstance(event, TurnFailed) and event.kind == "other"
    assert event.message.startswith("The API refused the request (400); Claude Code stopped: API Error: 400 ")
    assert "max_tokens too large" in event.message
    budget = _line(type="result", subtype="error_max_budget_usd", is_error=True, session_id="s-1")
    event = _feed([budget])[1][-1]
    assert isinstance(event, TurnFailed) and event.message == "Claude Code stopped: error_max_budget_usd."


# -- command line, environment, prompt (always run) --------------------------------------------------


def _request(prompt: str = "Plan the cache", history: list | None = None, system: str = "Plan file: cache.md") -> TurnRequest:
    messages = [*(history or []), {"role": "user", "content": prompt}]
    return TurnRequest(model=SONNET, messages=messages, system=[{"type": "text", "text": system}])


def test_the_command_line_carries_model_system_and_resume_but_never_the_key():
    endpoint = Endpoint("http://127.0.0.1:9", "sk-ant-secret-key", demo=False)
    argv = command_line("/bin/claude", _request(), resume="abc-123")
    assert argv[:2] == ["/bin/claude", "-p"]
    for pair in (["--output-format", "stream-json"], ["--model", SONNET], ["--resume", "abc-123"],
                 ["--append-system-prompt", "Plan file: cache.md"]):
        assert any(argv[i : i + 2] == pair for i in range(len(argv)))
    assert "--verbose" in argv and "--include-partial-messages" in argv
    assert "Plan the cache" not in argv  # the prompt goes on stdin
    env = child_env(endpoint, base={"PATH": "/usr/bin", "ANTHROPIC_BASE_URL": "https://elsewhere"})
    assert env["ANTHROPIC_API_KEY"] == "sk-ant-secret-key" and env["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:9"
    assert not any("sk-ant-secret-key" in part for part in argv)
    assert "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC" not in env  # a real endpoint keeps the user's choices
    demo = child_env(demo_endpoint("http://127.0.0.1:9"), base={}, extra={"HOME": "/tmp/h"})
    assert demo["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] == "1" and demo["DISABLE_TELEMETRY"] == "1"
    assert demo["HOME"] == "/tmp/h" and demo["CLAUDE_CODE_MAX_RETRIES"] == "3"
    no_url = child_env(Endpoint(None, "k", demo=False), base={"ANTHROPIC_BASE_URL": "https://stale"})
    assert "ANTHROPIC_BASE_URL" not in no_url


def test_a_fresh_session_gets_the_earlier_exchanges_and_a_resumed_one_only_the_prompt():
    history = [{"role": "user", "content": "First question"}, {"role": "assistant", "content": "First answer"}]
    request = _request("Second question", history)
    assert prompt_text(request, resuming=True) == "Second question"
    fresh = prompt_text(request, resuming=False)
    assert "User: First question" in fresh and "Assistant: First answer" in fresh
    assert fresh.endswith("Second question")
    assert prompt_text(_request("Only"), resuming=False) == "Only"


def test_find_claude_order(tmp_path, monkeypatch):
    def executable(path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
        return path

    monkeypatch.setattr(engine, "SEGUE_ROOT", tmp_path / "segue")
    empty = {"PATH": str(tmp_path / "nothing")}
    assert find_claude(tmp_path / "project", empty) is None
    local = executable(tmp_path / "project" / "node_modules" / ".bin" / "claude")
    assert find_claude(tmp_path / "project", empty) == str(local)
    tools = executable(tmp_path / "segue" / ".tools" / "node_modules" / ".bin" / "claude")
    assert find_claude(tmp_path / "project", empty) == str(tools)
    on_path = executable(tmp_path / "bin" / "claude")
    assert find_claude(tmp_path / "project", {"PATH": str(tmp_path / "bin")}) == str(on_path)
    chosen = executable(tmp_path / "chosen" / "claude")
    assert find_claude(None, {"PATH": str(tmp_path / "bin"), "SEGUE_CLAUDE": str(chosen)}) == str(chosen)
    assert find_claude(None, {"PATH": str(tmp_path / "bin"), "SEGUE_CLAUDE": str(tmp_path / "missing")}) is None


# -- the process, with a stand-in `claude` (always run) ----------------------------------------------


def _fake_claude(tmp_path: Path, body: str) -> str:
    """A stand-in `claude`: a Python script that records its argv, stdin and key, then runs `body`."""
    script = tmp_path / "fake-claude"
    script.write_text(
        f"#!{sys.executable}\n"
        + textwrap.dedent(
            """\
            import json, os, signal, sys, time
            here = os.path.dirname(os.path.abspath(__file__))
            with open(os.path.join(here, "seen.json"), "w") as f:
                json.dump({"argv": sys.argv[1:], "stdin": sys.stdin.read(), "key": os.environ.get("ANTHROPIC_API_KEY"),
                           "pid": os.getpid()}, f)
            def say(line):
                sys.stdout.write(line + "\\n")
                sys.stdout.flush()
            """
        )
        + textwrap.dedent(body)
    )
    script.chmod(0o755)
    return str(script)


def _seen(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "seen.json").read_text())


async def _collect(agen) -> list:
    return [event async for event in agen]


async def test_a_turn_through_a_stand_in_process(tmp_path):
    lines = _lines()
    claude = _fake_claude(tmp_path, f"for line in {lines!r}:\n    say(line)\n")
    big = "x" * (engine.SYSTEM_ARG_LIMIT + 10)
    request = _request(system=big)
    endpoint = Endpoint("http://127.0.0.1:9", "sk-ant-test-key", demo=False)
    events = await _collect(stream_claude_code(request, endpoint=endpoint, cwd=tmp_path, claude=claude))
    assert events[-1] == _feed(lines)[1][-1]
    seen = _seen(tmp_path)
    assert seen["stdin"] == "Plan the cache" and seen["key"] == "sk-ant-test-key"
    assert big not in seen["argv"]  # a long system text goes through a file, not argv
    assert "--append-system-prompt-file" in seen["argv"]


async def test_an_early_exit_fails_with_the_last_stderr_line_and_a_missing_binary_with_one_sentence(tmp_path):
    claude = _fake_claude(tmp_path, f"say({_text('partial')!r})\nsys.stderr.write('boom: no auth\\n')\nsys.exit(3)\n")
    events = await _collect(stream_claude_code(_request(), endpoint=demo_endpoint("http://127.0.0.1:9"), cwd=tmp_path, claude=claude))
    failed = events[-1]
    assert isinstance(failed, TurnFailed) and failed.text == "partial"
    assert failed.message == "Claude Code exited (code 3) before finishing the reply: boom: no auth. The partial reply is kept."
    events = await _collect(stream_claude_code(_request(), endpoint=demo_endpoint("http://127.0.0.1:9"), cwd=tmp_path,
                                               claude=str(tmp_path / "no-such-claude")))
    assert len(events) == 1 and isinstance(events[0], TurnFailed)
    assert events[0].message.startswith("Claude Code could not be started")


async def test_cancel_terminates_and_a_process_ignoring_sigterm_is_killed(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "TERMINATE_GRACE", 0.2)
    claude = _fake_claude(
        tmp_path,
        f"signal.signal(signal.SIGTERM, signal.SIG_IGN)\nsay({_text('Hello ')!r})\nwhile True:\n    time.sleep(1)\n",
    )
    cancel = asyncio.Event()
    session = ClaudeCodeSession(demo_endpoint("http://127.0.0.1:9"), tmp_path, claude)
    events = []
    async for event in session.send(_request(), cancel):
        events.append(event)
        if isinstance(event, TextDelta):
            cancel.set()
    # No message_delta came: the streamed text's estimate is billed (six characters, one token).
    assert events[-1] == TurnDone(SONNET, "Hello ", "", TokenUsage(0, 1), "cancelled", cancelled=True)
    assert session.process is not None and session.process.returncode == -9  # SIGKILL after the grace
    with pytest.raises(ProcessLookupError):
        os.kill(_seen(tmp_path)["pid"], 0)


async def test_output_is_drained_while_the_event_loop_is_busy(tmp_path):
    # Claude Code exits right after its result line and drops what a full pipe could not take
    # (seen with 2.1.197 and a reader 5 s behind). The stand-in does the same: it waits at most
    # half a second for room in the pipe, then drops the rest and exits.
    deltas = [_text(f"word{i} " + "x" * 200) for i in range(12_000)]  # about 3 MB, past any pipe buffer
    result = _line(type="result", subtype="success", is_error=False, result="", session_id="s-1",
                   usage={"input_tokens": 5, "output_tokens": 7})
    data = "\n".join([_start("m1", {"input_tokens": 5, "output_tokens": 1}), *deltas, result]) + "\n"
    (tmp_path / "out.jsonl").write_text(data)
    fifo = tmp_path / "exited"
    os.mkfifo(fifo)
    claude = _fake_claude(
        tmp_path,
        """\
        import fcntl, select
        fcntl.fcntl(1, fcntl.F_SETFL, fcntl.fcntl(1, fcntl.F_GETFL) | os.O_NONBLOCK)
        view = memoryview(open(os.path.join(here, "out.jsonl"), "rb").read())
        while view and select.select([], [1], [], 0.5)[1]:
            try:
                view = view[os.write(1, view[:65536]):]
            except BlockingIOError:
                pass
        with open(os.path.join(here, "exited"), "w") as f:
            f.write("dropped %d" % len(view))
        """,
    )
    events = []
    async for event in stream_claude_code(_request(), endpoint=demo_endpoint("http://127.0.0.1:9"), cwd=tmp_path, claude=claude):
        if not events:
            with open(fifo) as exited:  # blocks the whole event loop until the stand-in has exited
                assert exited.read() == "dropped 0"
        events.append(event)
    done = events[-1]
    assert isinstance(done, TurnDone), done
    assert done.usage == TokenUsage(5, 7) and done.text.count("word") == 12_000


# -- the simulator copes with what Claude Code sends (always run) -------------------------------------


def _post(base_url: str, body: dict, beta: str | None) -> tuple[int, dict]:
    headers = {"content-type": "application/json", "x-api-key": "k", "anthropic-version": "2023-06-01"}
    if beta:
        headers["anthropic-beta"] = beta
    request = urllib.request.Request(f"{base_url}/v1/messages?beta=true", json.dumps(body).encode(), headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_simulator_takes_claude_codes_system_messages_and_ignores_its_reminders(simulator):
    body = {
        "model": SONNET,
        "max_tokens": 1000,
        "messages": [
            {"role": "user", "content": [
                {"type": "text", "text": "<system-reminder>\nToday's date is 2026-11-25.\n</system-reminder>"},
                {"type": "text", "text": "Plan the checkout flow"},
            ]},
            {"role": "system", "content": "Available agent types for the Agent tool: ..."},
        ],
    }
    status, reply = _post(simulator.base_url, body, "claude-code-20250219,mid-conversation-system-2026-04-07")
    assert status == 200
    text = reply["content"][-1]["text"]
    assert "checkout" in text.lower() and "reminder" not in text.lower()
    status, refused = _post(simulator.base_url, body, None)  # without the beta the API refuses role "system"
    assert status == 400 and refused["error"]["message"] == "messages.1.role: Input should be 'user' or 'assistant'"


# -- the real Claude Code against the simulator (skipped without `claude`) ----------------------------

CLAUDE = find_claude()
live = pytest.mark.skipif(
    CLAUDE is None,
    reason="Claude Code is not installed: `npm install --prefix .tools @anthropic-ai/claude-code`, or set SEGUE_CLAUDE",
)


def _offline_env(tmp_path: Path) -> dict[str, str]:
    """A throw-away home so Claude Code reads and writes none of the user's own config."""
    home = tmp_path / "claude-home"
    home.mkdir(exist_ok=True)
    return {"HOME": str(home), "CLAUDE_CONFIG_DIR": str(home / ".claude"), **engine.QUIET_ENV}


def _live_session(tmp_path: Path, base_url: str) -> ClaudeCodeSession:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    return ClaudeCodeSession(demo_endpoint(base_url), project, CLAUDE, env=_offline_env(tmp_path))


def _simulated_reply(sim, entry: dict) -> str:
    """The text the simulator composed for a recorded request (its reply is deterministic)."""
    from core.models import family_of
    from core.simulator import faults, replies
    from core.simulator.messages import system_text

    body = entry["body"]
    prompt = faults.last_user_text(body["messages"])
    return replies.compose(faults.strip(prompt), system_text(body), family_of(body["model"]), sim.seed).text


@live
async def test_claude_code_streams_the_simulators_reply_with_its_usage(tmp_path, simulator):
    session = _live_session(tmp_path, simulator.base_url)
    events = await _collect(session.send(_request("Plan a retry policy for the uploader", system="Project: uploader")))
    done = events[-1]
    assert isinstance(done, TurnDone), done
    (entry,) = simulator.requests  # one API call: no title generation, no tools in print mode
    assert entry["body"]["model"] == SONNET
    assert "Project: uploader" in json.dumps(entry["body"]["system"])  # --append-system-prompt arrived
    expected = _simulated_reply(simulator, entry)
    assert "retry policy" in expected.lower()
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == expected == done.text
    updates = [e for e in events if isinstance(e, UsageUpdate)]
    assert updates and updates[-1].usage == done.usage
    assert done.usage.output_tokens > 1 and done.usage.total_input > 1000  # Claude Code's own system prompt
    assert session.session_id and session.last_result["total_cost_usd"] > 0
    assert session.process.returncode == 0


@live
async def test_a_follow_up_turn_resumes_claude_codes_session(tmp_path, simulator):
    session = _live_session(tmp_path, simulator.base_url)
    first = (await _collect(session.send(_request("Plan a retry policy for the uploader"))))[-1]
    assert isinstance(first, TurnDone)
    first_id = session.session_id
    history = [{"role": "user", "content": "Plan a retry policy for the uploader"}, {"role": "assistant", "content": first.text}]
    second = (await _collect(session.send(_request("Now weigh jitter too", history))))[-1]
    assert isinstance(second, TurnDone), second
    assert session.session_id == first_id
    messages = [m for m in simulator.requests[-1]["body"]["messages"] if m["role"] != "system"]
    texts = [[b.get("text") for b in m["content"] if b.get("type") == "text"] for m in messages]
    # Claude Code's resumed session sent the first exchange itself; the prompt went alone, no transcript.
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert texts[0][-1] == "Plan a retry policy for the uploader"
    assert texts[1] == [first.text]
    assert texts[2] == ["Now weigh jitter too"]


@live
async def test_a_refused_key_fails_the_turn_at_once(tmp_path, simulator):
    session = _live_session(tmp_path, simulator.base_url)
    events = await _collect(session.send(_request("Plan it [[sim:401]]")))
    failed = events[-1]
    # A demo endpoint: the 401 is the simulator's marker, not a key to fix.
    assert isinstance(failed, TurnFailed) and failed.kind == "auth" and failed.message == DEMO_KEY_HELP
    assert len(simulator.requests) == 1  # Claude Code's own 401 retries were stopped
    assert session.process.returncode is not None


@live
async def test_cancel_mid_stream_keeps_the_partial_text_and_ends_claude_code(tmp_path, paced_simulator):
    session = _live_session(tmp_path, paced_simulator.base_url)
    cancel = asyncio.Event()
    events = []
    async for event in session.send(_request("Plan a retry policy for the uploader"), cancel):
        events.append(event)
        if isinstance(event, TextDelta):
            cancel.set()
    done = events[-1]
    assert isinstance(done, TurnDone) and done.cancelled
    full = _simulated_reply(paced_simulator, paced_simulator.requests[0])
    assert done.text and full.startswith(done.text) and len(done.text) < len(full)
    assert session.process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.kill(session.process.pid, 0)


# -- tool calls: mapping and the simulator's acted-out Claude Code tools (always run) -----------------


def test_tool_calls_map_once_with_denials_and_edit_diffs():
    edit = {"type": "tool_use", "id": "toolu_e", "name": "Edit",
            "input": {"file_path": "/p/app.py", "old_string": "x = 1\n", "new_string": "x = 2\n"}}
    write = {"type": "tool_use", "id": "toolu_w", "name": "Write", "input": {"file_path": "/p/new.py", "content": "y\n"}}
    lines = [
        _line(type="assistant", message={"content": [edit]}, session_id="s-1"),
        _line(type="assistant", message={"content": [edit]}, session_id="s-1"),  # repeated per content block
        _line(type="user", message={"content": [{"type": "tool_result", "tool_use_id": "toolu_e", "content": "ok"}]}, session_id="s-1"),
        _line(type="assistant", message={"content": [write]}, session_id="s-1"),
        _line(type="user", message={"content": [{"type": "tool_result", "tool_use_id": "toolu_w", "is_error": True,
              "content": "Claude requested permissions to write to /p/new.py, but you haven't granted it yet."}]}, session_id="s-1"),
    ]
    mapper, events = _feed(lines)
    started = [e for e in events if isinstance(e, ToolCallStarted)]
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert [(e.tool, e.target) for e in started] == [("Edit", "/p/app.py"), ("Write", "/p/new.py")]
    assert "-x = 1" in finished[0].diff and "+x = 2" in finished[0].diff and not finished[0].denied
    assert finished[1].denied and finished[1].is_error and not finished[1].diff
    assert mapper.denied == [finished[1]]


def test_effort_reaches_claude_code_on_the_command_line():
    argv = command_line("/bin/claude", _request(), permission_mode="plan", effort="high")
    assert argv[argv.index("--effort") + 1] == "high" and argv[argv.index("--permission-mode") + 1] == "plan"
    assert "--effort" not in command_line("/bin/claude", _request())


def test_the_simulator_acts_out_read_then_write_when_claude_codes_tools_are_offered(simulator):
    tools = [{"name": name, "description": name, "input_schema": {"type": "object"}} for name in ("Read", "Write", "Edit", "Bash")]
    system = "You are Claude Code.\n - Primary working directory: /work/shop\n"
    prompt = {"role": "user", "content": [{"type": "text", "text": "Implement a slugify helper"}]}
    body = {"model": SONNET, "max_tokens": 4000, "system": system, "tools": tools, "messages": [prompt]}
    status, first = _post(simulator.base_url, body, None)
    assert status == 200 and first["stop_reason"] == "tool_use"
    read = first["content"][-1]
    assert (read["name"], read["input"]) == ("Read", {"file_path": "/work/shop/slugify_helper.py"})
    missing = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": read["id"], "is_error": True,
                                             "content": "File does not exist."}]}
    body["messages"] = [prompt, {"role": "assistant", "content": first["content"]}, missing]
    status, second = _post(simulator.base_url, body, None)
    write = second["content"][-1]
    assert write["name"] == "Write" and write["input"]["file_path"] == "/work/shop/slugify_helper.py"
    assert "def " in write["input"]["content"] or "class " in write["input"]["content"]
    written = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": write["id"], "content": "File created."}]}
    body["messages"] += [{"role": "assistant", "content": second["content"]}, written]
    status, last = _post(simulator.base_url, body, None)
    assert last["stop_reason"] == "end_turn" and "slugify" in last["content"][-1]["text"].lower()
    del body["tools"]  # without Claude Code's tools: a plain code reply, as before
    body["messages"] = [prompt]
    assert _post(simulator.base_url, body, None)[1]["stop_reason"] == "end_turn"
