"""`kill -9` in the middle of a streamed reply: the store stays sound and keeps the text flushed so far.

A real `segue ask` process streams a long, paced demo reply; the test reads its stdout until
more than half a second of text has streamed after the first words (so at least one flush
must have happened), then SIGKILLs it and opens the store.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from core import paths
from core.history import STALE_STREAM_AFTER, settle_interrupted_replies
from core.store.database import Store

SEGUE = Path(sys.executable).with_name("segue")
# Sonnet's simulated pace is 90 tokens/s at about 4 characters a token: ~360 characters a
# second. Reading this much past the first text means over a second of streaming.
MORE_THAN_HALF_A_SECOND = 400


@pytest.fixture
def project(tmp_path) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    return folder.resolve()


def segue_env() -> dict[str, str]:
    # One long prose reply to kill mid-stream: the execution pane's tool loop is off here.
    return {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")} | {"SEGUE_TOOLS": "0"}


def read_at_least(stream, count: int) -> str:
    text = ""
    while len(text) < count:
        line = stream.readline()
        if not line:
            raise AssertionError(f"the reply ended after {len(text)} characters")
        text += line
    return text


@pytest.fixture
def killed_mid_stream(project):
    """(text the process printed, its session id) after a SIGKILL mid-reply."""
    process = subprocess.Popen(
        [str(SEGUE), "ask", "--pane", "exec", "Implement a CSV exporter [[sim:tokens=3000]]"],
        cwd=project, env=segue_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        first = read_at_least(process.stdout, 1)
        seen = first + read_at_least(process.stdout, MORE_THAN_HALF_A_SECOND)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
    with Store() as store:
        [session] = store.list_sessions()
    return seen, session.id


def test_the_store_is_sound_and_keeps_the_flushed_text(killed_mid_stream):
    seen, session_id = killed_mid_stream
    # A plain sqlite3 connection first: nothing of Segue's recovery runs before the check.
    connection = sqlite3.connect(paths.store_path())
    assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    connection.close()
    with Store() as store:
        assert store.integrity_check() == "ok"
        user, reply = store.messages(session_id)
        assert user.text.startswith("Implement a CSV exporter")
        assert reply.status == "streaming", "nobody has settled it yet"
        assert reply.text.strip(), "the partial text was flushed while streaming"
        assert seen.startswith(reply.text), "what was flushed is what was printed"
        assert store.usage_rows(session_id) == [], "no usage row for a reply that never finished"


def test_a_stale_streaming_reply_is_settled_as_partial_on_the_next_open(killed_mid_stream):
    _, session_id = killed_mid_stream
    with Store() as store:
        # Just after the crash it might still be another process's live stream: left alone.
        assert settle_interrupted_replies(store, session_id) == 0
        reply = store.messages(session_id)[-1]
        assert reply.status == "streaming"
    later = reply.updated_at + STALE_STREAM_AFTER + timedelta(seconds=1)
    with Store(clock=lambda: later) as store:
        assert settle_interrupted_replies(store, session_id) == 1
        settled = store.messages(session_id)[-1]
        assert settled.status == "partial" and settled.text == reply.text
        assert settle_interrupted_replies(store, session_id) == 0


def test_the_next_turn_replays_the_partial_reply(killed_mid_stream, project, simulator):
    _, session_id = killed_mid_stream
    with Store() as store:
        partial = store.messages(session_id)[-1].text
    env = segue_env() | {"ANTHROPIC_BASE_URL": simulator.base_url, "ANTHROPIC_API_KEY": "sk-ant-test-crash"}
    done = subprocess.run(
        [str(SEGUE), "ask", "--pane", "exec", "--session", session_id, "Carry on [[sim:fast]]"],
        cwd=project, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    sent = simulator.requests[-1]["body"]["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[1]["content"] == partial.rstrip()
    with Store() as store:
        assert store.integrity_check() == "ok"
        assert [m.status for m in store.messages(session_id)] == ["complete", "streaming", "complete", "complete"]
