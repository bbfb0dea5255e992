"""The store shared by threads and processes: no "database is locked" surfaces, and kill -9 loses nothing committed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from core.store.database import Store
from core.costs.usage import TokenUsage

ROOT = Path(__file__).resolve().parent.parent
MODEL = "claude-sonnet-5-5"

# A headless writer like `segue ask`: one streaming reply flushed every few ms.
STREAMING_WRITER = """
import sys, time
from core.store.database import Store
store = Store(sys.argv[1])
session_id = store.create_session("/p", "kill me")
store.add_message(session_id, "exec", "user", "claude-sonnet-5-5", "go")
reply = store.add_message(session_id, "exec", "assistant", "claude-sonnet-5-5", "", status="streaming")
text = ""
chunk = 0
while True:
    chunk += 1
    text += f"chunk {chunk} "
    store.update_message(reply, text=text, thinking="t" * chunk)
    print(session_id, reply, len(text), flush=True)  # after the commit: this much is on disk
    time.sleep(0.002)  # pacing like a token stream, not synchronisation
"""

# A second process adding whole turns to its own session while the test writes and reads.
TURN_WRITER = """
import sys
from decimal import Decimal
from core.store.database import Store
from core.costs.usage import TokenUsage
store = Store(sys.argv[1])
session_id = store.create_session("/p", "other process")
print(session_id, flush=True)
for turn in range(int(sys.argv[2])):
    reply = store.add_message(session_id, "plan", "assistant", "claude-opus-5-5", "", status="streaming")
    for part in range(3):
        store.update_message(reply, text="x" * (part + 1))
    store.update_message(reply, status="complete")
    store.add_usage(session_id, reply, "plan", "claude-opus-5-5", TokenUsage(1, 1), Decimal("0.0000001"), Decimal("0.0000002"))
print("done", flush=True)
"""


def _child(script: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_stores_in_threads_write_and_read_without_lock_errors(tmp_path):
    path = tmp_path / "segue.sqlite3"
    Store(path).close()
    turns = 150
    start = threading.Barrier(3)
    errors: list[BaseException] = []
    done = threading.Event()

    def writer(label: str) -> None:
        try:
            with Store(path) as store:
                session_id = store.create_session("/p", label)
                start.wait()
                for _ in range(turns):
                    reply = store.add_message(session_id, "exec", "assistant", MODEL, "", status="streaming")
                    store.update_message(reply, text="partial", status="complete")
                    store.add_usage(session_id, reply, "exec", MODEL, TokenUsage(1, 2), Decimal("0.0000001"), None)
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    def reader() -> None:
        try:
            with Store(path) as store:
                start.wait()
                while not done.is_set():
                    store.list_sessions("/p", search="partial")
                    store.totals()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    watcher = threading.Thread(target=reader)
    for thread in [*threads, watcher]:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    watcher.join()
    assert errors == []
    with Store(path) as store:
        totals = store.totals()
        assert totals.messages == 2 * turns and totals.cost_usd == Decimal("0.00003")
        assert sorted(s.message_count for s in store.list_sessions()) == [turns, turns]


def test_one_store_shared_by_worker_threads(tmp_path):
    errors: list[BaseException] = []
    with Store(tmp_path / "segue.sqlite3") as store:
        session_id = store.create_session("/p")

        def work(pane: str) -> None:
            try:
                for index in range(100):
                    reply = store.add_message(session_id, pane, "assistant", MODEL, str(index))
                    store.update_message(reply, text=f"{pane}{index}")
                    store.messages(session_id, pane)
            except BaseException as error:  # noqa: BLE001
                errors.append(error)

        threads = [threading.Thread(target=work, args=(pane,)) for pane in ("plan", "exec", "plan", "exec")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(store.messages(session_id)) == 400
        assert {m.text for m in store.messages(session_id, "exec")} == {f"exec{i}" for i in range(100)}


def test_a_process_writes_while_this_one_writes_and_reads(tmp_path):
    path = tmp_path / "segue.sqlite3"
    turns = 200
    with Store(path) as store:
        mine = store.create_session("/p", "this process")
        child = _child(TURN_WRITER, str(path), str(turns))
        theirs = child.stdout.readline().split()[0]  # the child's store is open and writing
        reads = 0
        while child.poll() is None:
            reply = store.add_message(mine, "exec", "assistant", MODEL, "mine")
            store.update_message(reply, status="complete")
            store.totals(theirs)
            store.messages(theirs)
            reads += 1
        out, err = child.communicate()
        assert child.returncode == 0, err
        assert "locked" not in err and out.strip() == "done"
        assert reads > 0
        theirs_totals = store.totals(theirs)
        assert theirs_totals.messages == turns
        assert theirs_totals.cost_usd == Decimal("0.00002")  # 200 × 0.0000001, exact
        assert all(m.status == "complete" and m.text == "xxx" for m in store.messages(theirs))
        assert len(store.messages(mine)) == reads


@pytest.mark.parametrize("lines_before_kill", [1, 40])
def test_kill_9_mid_stream_leaves_a_sound_store_with_the_partial_text(tmp_path, lines_before_kill):
    path = tmp_path / "segue.sqlite3"
    child = _child(STREAMING_WRITER, str(path))
    try:
        for _ in range(lines_before_kill):
            line = child.stdout.readline()
            assert line, child.stderr.read()
        session_id, reply, flushed = line.split()
        child.send_signal(signal.SIGKILL)
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    raw = sqlite3.connect(path)  # a plain SQLite client agrees the file is sound
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    with Store(path) as store:
        assert store.integrity_check() == "ok"
        message = store.get_message(int(reply))
        assert message.session_id == session_id and message.status == "streaming"
        # Everything flushed before the kill is there, and nothing torn: whole chunks only.
        assert len(message.text) >= int(flushed)
        chunks = message.text.split()
        count = len(chunks) // 2
        assert message.text == "".join(f"chunk {i} " for i in range(1, count + 1))
        assert message.thinking == "t" * count
        assert [m.role for m in store.messages(session_id)] == ["user", "assistant"]
        # The store keeps working after the crash.
        store.update_message(message.id, status="partial")
        assert store.get_message(message.id).status == "partial"
