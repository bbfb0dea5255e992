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
    # The plan too: a FIFO named like a plan is never read, but never dropped without a word.
    assert any("AUTH_PLAN.md" in w and "FIFO" in w for w in warnings), warnings


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
        assert project / "CLAUDE.md" in app.main.handoff.left_out_paths


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
        from tui.widgets.conversation import ReplyView

        reply = app.pane("plan").log_view.query(ReplyView).last()
        assert len(reply.text) > 200 and reply.sections[-1].is_mounted  # the reply stays on screen

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


# -- 4. hostile transcript lines ------------------------------------------------------------

GOOD_USAGE = '{"input_tokens": 10, "output_tokens": 20, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 5}'


def _usage_line(serial: int, usage: str, tail: str = "") -> str:
    return (
        '{"type": "assistant", "timestamp": "2025-10-07T12:00:00Z", "sessionId": "s1", "requestId": "r%d", '
        '"message": {"id": "m%d", "model": "claude-sonnet-4-5-20250929", "usage": %s}%s}' % (serial, serial, usage, tail)
    )


HOSTILE_LINES = {
    "non_finite_number": [
        _usage_line(2, '{"input_tokens": NaN}'),
        _usage_line(3, '{"output_tokens": Infinity}'),
        _usage_line(4, '{"output_tokens": 1e400}'),
    ],
    "token_count_too_large": [_usage_line(5, '{"output_tokens": %d}' % 10**30), _usage_line(6, '{"input_tokens": 2000000000}')],
    "too_deeply_nested": [_usage_line(7, GOOD_USAGE, ', "x": ' + "[" * 100_000 + "]" * 100_000)],
    "negative_token_count": [_usage_line(8, '{"input_tokens": -500}')],
    "non_integer_token_count": [_usage_line(9, '{"output_tokens": 1.5}')],
    "wrong_field_type": [_usage_line(10, '{"output_tokens": "12"}'), _usage_line(11, '"lots"')],
    "bad_timestamp": [_usage_line(12, GOOD_USAGE).replace("2025-10-07T12:00:00Z", "yesterday")],
    "invalid_json": [_usage_line(13, GOOD_USAGE)[:-9]],
}


def _hostile_tree(root: Path) -> None:
    folder = root / "projects" / "-home-dev-shop"
    folder.mkdir(parents=True)
    lines = [_usage_line(1, GOOD_USAGE)] + [line for group in HOSTILE_LINES.values() for line in group]
    (folder / "s1.jsonl").write_text("\n".join(lines) + "\n")
    os.mkfifo(folder / "stuck.jsonl")  # unreadable without blocking: counted once


def test_4_hostile_transcript_lines_are_skipped_and_counted_by_reason(tmp_path):
    root = tmp_path / "claude"
    _hostile_tree(root)
    result = run("usage", "--json", "--claude-dir", str(root))
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    totals = payload["totals"]
    assert (totals["messages"], totals["input_tokens"], totals["output_tokens"]) == (1, 10, 20)
    expected = {reason: len(lines) for reason, lines in HOSTILE_LINES.items()} | {"unreadable_file": 1}
    assert payload["skipped_reasons"] == dict(sorted(expected.items()))
    assert payload["skipped_lines"] == sum(expected.values()) and isinstance(payload["skipped_lines"], int)
    table = run("usage", "--claude-dir", str(root))
    assert table.exit_code == 0 and "transcript lines skipped (1 bad timestamp" in table.stdout


async def test_4_the_usage_screen_survives_hostile_transcripts(tmp_path):
    import asyncio

    from textual.widgets import Static

    from tui.theming import ThemedApp
    from tui.screens.usage_screen import UsageScreen

    root = tmp_path / "claude"
    _hostile_tree(root)
    screen = UsageScreen([root], cache=tmp_path / "cache.sqlite3")
    scanned = asyncio.Event()

    class Host(ThemedApp):
        def on_mount(self) -> None:
            self.push_screen(screen)

        def on_usage_screen_usage_scanned(self, message) -> None:
            scanned.set()

    app = Host()
    async with app.run_test(size=(140, 50)) as pilot:
        await asyncio.wait_for(scanned.wait(), timeout=30)
        await pilot.pause()
        assert app.is_running and screen.dashboard.overall.totals.messages == 1
        assert screen.dashboard.skipped_lines == 13
        assert app.screen is screen and screen.query(Static)


# -- 10. a transcript is streamed, never read whole ------------------------------------------


def test_10_scan_reads_in_blocks_and_skips_overlong_lines(tmp_path, monkeypatch):
    from core.claude_usage import scanner as scanner_module
    from core.claude_usage.scanner import TranscriptScanner

    root = tmp_path / "claude"
    folder = root / "projects" / "p"
    folder.mkdir(parents=True)
    path = folder / "s.jsonl"
    huge = '{"type": "user", "content": "' + "y" * 5000 + '"}'
    lines = [_usage_line(n, GOOD_USAGE) for n in range(1, 30)]
    lines.insert(7, huge)
    path.write_text("\n".join(lines) + "\n" + _usage_line(99, GOOD_USAGE)[:40])  # a partial last line waits

    reads: list[int] = []
    real_open_regular = scanner_module.open_regular

    class Counting:
        def __init__(self, handle) -> None:
            self.handle = handle

        def read(self, size=-1):
            data = self.handle.read(size)
            reads.append(len(data))
            return data

        def __getattr__(self, name):
            return getattr(self.handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    monkeypatch.setattr(scanner_module, "open_regular", lambda p: Counting(real_open_regular(p)))
    monkeypatch.setattr(scanner_module, "READ_BLOCK", 97)
    monkeypatch.setattr(scanner_module, "MAX_LINE_BYTES", 1000)
    with TranscriptScanner([root], cache=False) as scanner:
        scanner.scan()
        assert len(scanner.records()) == 29
        assert scanner.skipped_reasons == {"line_too_long": 1}
        assert max(reads) <= 97
        offset = scanner.files[str(path)].offset
        assert path.read_bytes()[:offset].endswith(b"}\n") and offset == path.stat().st_size - 40
        with open(path, "a") as handle:  # the partial line completes: counted once, nothing twice
            handle.write(_usage_line(99, GOOD_USAGE)[40:] + "\n")
        scanner.scan()
        assert len(scanner.records()) == 30 and scanner.skipped_lines == 1


# -- 5. stdout closed or full ---------------------------------------------------------------


def _closed_pipe_run(args: list[str], cwd: Path, segue_home: Path) -> subprocess.CompletedProcess:
    """Run segue with stdout a pipe whose reader has already gone (every write fails with EPIPE)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "tui.cli", *args], cwd=cwd, env=_subprocess_env(segue_home),
            stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120,
        )  # fmt: skip
    finally:
        os.close(write_end)


def _only_reply(store: Store):
    [summary] = store.list_sessions()
    messages = store.messages(summary.id)
    return summary, messages[-1], store.usage_rows(summary.id)


def test_5_ask_with_stdout_closed_still_records_the_whole_turn(project, segue_home):
    done = _closed_pipe_run(["ask", "--demo", "Plan a cache [[sim:fast]] [[sim:tokens=200]]"], project, segue_home)
    assert "Traceback" not in done.stderr
    with Store() as store:
        _, reply, usage = _only_reply(store)
    assert reply.status == "complete" and len(reply.text) > 100
    assert usage and usage[0].message_id == reply.id and usage[0].usage.output_tokens > 0


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full to fill stdout")
def test_5_ask_with_stdout_full_records_the_turn_and_says_so(project, segue_home):
    with open("/dev/full", "w") as full:  # only written to: every write fails with ENOSPC
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli", "ask", "--demo", "Plan a cache [[sim:fast]] [[sim:tokens=200]]"],
            cwd=project, env=_subprocess_env(segue_home), stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
        )  # fmt: skip
    with Store() as store:
        summary, reply, usage = _only_reply(store)
    assert reply.status == "complete" and usage
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"Error: Could not write the reply (No space left on device); the whole turn is saved in session {summary.id}."
    ]


@pytest.mark.parametrize(
    "args",
    [["sessions"], ["sessions", "--json"], ["cost", "--json"], ["export", "SESSION"], ["usage", "--json", "--claude-dir", "ROOT"]],
)
def test_5_store_commands_report_a_closed_stdout_in_one_sentence(args, stored, project, segue_home, tmp_path):
    root = tmp_path / "claude"
    (root / "projects" / "p").mkdir(parents=True)
    (root / "projects" / "p" / "s.jsonl").write_text(_usage_line(1, GOOD_USAGE) + "\n")
    args = [{"SESSION": stored, "ROOT": str(root)}.get(arg, arg) for arg in args]
    done = _closed_pipe_run(args, project, segue_home)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["Error: Could not write the output: the reader closed the pipe."]


# -- 6. terminal escapes in stored strings -----------------------------------------------------


def _no_escapes(text: str) -> None:
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text and "\x7f" not in text, repr(text)


def test_6_sessions_and_cost_show_control_characters_instead_of_obeying_them(stored):
    for args in (["sessions"], ["cost", stored], ["cost"]):
        result = run(*args)
        assert result.exit_code == 0, result.stderr
        _no_escapes(result.stdout)
        assert "Plan auth \\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\x7f done" in result.stdout
    document = run("sessions", "--json").stdout
    _no_escapes(document)
    assert json.loads(document)["sessions"][0]["title"] == HOSTILE  # JSON keeps the data exact


def test_6_export_to_a_terminal_is_neutralised_but_a_file_is_verbatim(stored, project, segue_home, tmp_path):
    import pty

    primary, secondary = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli", "export", stored], cwd=project, env=_subprocess_env(segue_home),
            stdout=secondary, stderr=subprocess.PIPE, timeout=60,
        )  # fmt: skip
        os.close(secondary)
        shown = b""
        while True:
            try:
                data = os.read(primary, 65536)
            except OSError:  # EIO: the terminal's other side is closed and drained
                break
            if not data:
                break
            shown += data
    finally:
        os.close(primary)
    assert done.returncode == 0, done.stderr
    text = shown.decode()
    _no_escapes(text)
    assert "Use \\x1b[31mArgon2id\\x1b[0m" in text and "line two" in text
    target = tmp_path / "t.md"
    assert run("export", stored, "-o", str(target)).exit_code == 0
    assert "\x1b]0;pwned\x07" in target.read_text()  # an archive keeps the exact text


async def test_6_the_top_bar_shows_a_hostile_title_as_text(simulator, project):
    from tests.app_pilot import make_app, send_and_wait

    app = make_app(simulator, project)
    async with app.run_test(size=(160, 48)) as pilot:
        await send_and_wait(pilot, "plan", "[bold]Hi[/] \x1b]0;pwned\x07\x1b[2J [[sim:fast]] [[sim:tokens=20]]")
        app.main._show_where()
        await pilot.pause()
        bar = app.query_one("#top-bar")
        _no_escapes(str(bar.render()))
        assert "[bold]Hi[/] \\x1b]0;pwned\\x07\\x1b[2J" in bar.where


def test_6_printable():
    from core.terminal_text import escape_json_controls, printable

    assert printable("a\x1b[2Jb\tc\nd\x9b\x7f") == "a\\x1b[2Jb c d\\x9b\\x7f"
    assert printable("a\tb\r\nc\rd", multiline=True) == "a\tb\nc\\x0dd"
    assert json.loads(escape_json_controls(json.dumps("x\x9by\x7f", ensure_ascii=False))) == "x\x9by\x7f"


# -- 9. SEGUE_HOME pointing at a file ---------------------------------------------------------


@pytest.mark.parametrize("args", [["sessions"], ["sessions", "--json"], ["cost"], ["export", "abc"]])
def test_9_segue_home_that_is_a_file_is_one_sentence(args, tmp_path, monkeypatch):
    home = tmp_path / "not-a-dir"
    home.write_text("oops")
    monkeypatch.setenv("SEGUE_HOME", str(home))
    one_sentence_error(run(*args), "data directory", "SEGUE_HOME")


# -- 8. the simulator under load and bad input -------------------------------------------------


def _raw_exchange(sim, payload: bytes) -> tuple[int, dict, bytes]:
    """Send raw bytes to the simulator; (status, JSON body, raw headers) of its answer."""
    with socket.create_connection(("127.0.0.1", sim.port), timeout=30) as connection:
        connection.sendall(payload)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            assert chunk, data
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
        while len(rest) < length:
            chunk = connection.recv(65536)
            assert chunk
            rest += chunk
    return int(head.split(b" ", 2)[1]), json.loads(rest[:length]), head


def test_8_a_body_over_32_mb_is_refused_with_an_api_shaped_413_unread(simulator):
    status, body, head = _raw_exchange(
        simulator, b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40000000\r\n\r\n{"
    )
    assert status == 413 and body["type"] == "error" and body["error"]["type"] == "request_too_large"
    assert b"request-id" in head.lower() and body["request_id"]
    assert simulator.requests.total == 0


def test_8_malformed_http_gets_api_shaped_json(simulator):
    for payload, status in (
        (b"GARBAGE\r\n\r\n", 400),
        (b"PUT /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 501),
        (b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n", 400),
        (b"GET /v1/models HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % n for n in range(120)) + b"\r\n", 431),
    ):
        got, body, head = _raw_exchange(simulator, payload)
        assert got == status, (payload[:30], got)
        assert b"application/json" in head and body["type"] == "error" and body["error"]["message"]


def test_8_idle_connections_time_out():
    from core.simulator import Simulator

    with Simulator(pacing=False, idle_timeout=0.2) as sim:
        with socket.create_connection(("127.0.0.1", sim.port), timeout=30) as connection:
            assert connection.recv(1) == b""  # the server hung up on a silent client


def test_8_the_request_log_keeps_only_the_most_recent(simulator):
    import http.client

    from core.simulator.server import RequestLog

    simulator.requests = RequestLog(limit=3)
    for number in range(5):
        conn = http.client.HTTPConnection("127.0.0.1", simulator.port, timeout=30)
        body = {"model": "claude-sonnet-5-5", "max_tokens": 50, "messages": [{"role": "user", "content": f"n{number} [[sim:fast]]"}]}
        conn.request("POST", "/v1/messages", json.dumps(body), {"content-type": "application/json"})
        assert conn.getresponse().status == 200
        conn.close()
    assert len(simulator.requests) == 3 and simulator.requests.total == 5
    assert [entry["body"]["messages"][0]["content"][:2] for entry in simulator.requests] == ["n2", "n3", "n4"]
    assert simulator.requests[-1]["body"]["messages"][0]["content"].startswith("n4")
    by_bytes = RequestLog(limit=100, byte_limit=1000)
    for number in range(10):
        by_bytes.append({"n": number}, 400)
    assert [entry["n"] for entry in by_bytes] == [8, 9]


def test_8_two_hundred_concurrent_requests_all_succeed(simulator):
    import http.client
    import threading
    from concurrent.futures import ThreadPoolExecutor

    count = 200
    start = threading.Barrier(count, timeout=60)
    body = json.dumps({"model": "claude-sonnet-5-5", "messages": [{"role": "user", "content": "hi"}]})

    def one(_: int) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", simulator.port, timeout=60)
        try:
            start.wait()  # every connection opens at the same moment
            conn.request("POST", "/v1/messages/count_tokens", body, {"content-type": "application/json"})
            return conn.getresponse().status
        except OSError as error:
            return -1 if isinstance(error, ConnectionResetError) else -2
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        statuses = list(pool.map(one, range(count)))
    assert statuses == [200] * count, {status: statuses.count(status) for status in set(statuses)}


# -- 7. saving a plan through a symlink -------------------------------------------------------


class _SaveHost:
    """A small app showing only the save dialog; `result` is what it dismissed with."""

    @staticmethod
    def make(project: Path, text: str):
        from tui.theming import ThemedApp
        from tui.screens.save_plan_dialog import SavePlanDialog

        class Host(ThemedApp):
            result: object = "open"

            def on_mount(self) -> None:
                self.push_screen(SavePlanDialog(text, project, "AUTH_PLAN.md"), lambda path: setattr(self, "result", path))

        return Host()


def _status(app) -> str:
    from textual.widgets import Static

    return str(app.screen.query_one("#save-status", Static).render())


async def test_7_a_dangling_link_leading_outside_asks_and_names_the_target(project, tmp_path):
    from textual.widgets import Input

    from tests.app_pilot import wait_until

    away = tmp_path / "elsewhere"
    away.mkdir()
    (project / "EVIL_PLAN.md").symlink_to(away / "stolen.md")  # dangling: nothing there yet
    app = _SaveHost.make(project, "# Plan\n")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.screen.query("#save-name"))
        app.screen.query_one("#save-name", Input).value = "EVIL_PLAN.md"
        await pilot.pause()
        assert str(away / "stolen.md") in _status(app) and "outside the project" in _status(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == "open" and not (away / "stolen.md").exists(), "nothing written without asking"
        assert "is a link to" in _status(app) and str(away / "stolen.md") in _status(app)
        assert str(app.screen.query_one("#save-overwrite").label) == "Write there"
        await pilot.click("#save-overwrite")
        await wait_until(pilot, lambda: app.result != "open")
        assert (away / "stolen.md").read_text() == "# Plan\n" and (project / "EVIL_PLAN.md").is_symlink()


async def test_7_overwrite_through_a_link_names_where_it_leads(project):
    from textual.widgets import Input

    from tests.app_pilot import wait_until

    (project / "plans").mkdir()
    real = project / "plans" / "real.md"
    real.write_text("old\n")
    (project / "AUTH_PLAN.md").symlink_to(real)
    app = _SaveHost.make(project, "new\n")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.screen.query("#save-name"))
        app.screen.query_one("#save-name", Input).value = "AUTH_PLAN.md"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "(a link to plans/real.md) already exists" in _status(app)
        await pilot.click("#save-overwrite")
        await wait_until(pilot, lambda: app.result != "open")
        assert real.read_text() == "new\n" and (project / "AUTH_PLAN.md").is_symlink()


def test_7_link_helpers(tmp_path):
    from core.atomic_write import link_destination, outside

    inside = tmp_path / "p"
    inside.mkdir()
    (inside / "a.md").write_text("x")
    (inside / "l.md").symlink_to(inside / "a.md")
    (inside / "out.md").symlink_to(tmp_path / "nowhere.md")
    assert link_destination(inside / "a.md") is None and link_destination(inside / "l.md") == (inside / "a.md").resolve()
    assert outside(inside / "l.md", inside) is None
    assert outside(inside / "out.md", inside) == (tmp_path / "nowhere.md").resolve()
