"""A turn's store writes run off the event loop: another process holding the write lock
(a `segue ask` mid-write) never freezes the screen, and the turn's rows land once it lets go."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from core.store.database import Store
from tests.app_pilot import make_app, record_notices, send, sending, turns_done, wait_until
from tui.widgets.conversation import ReplyView


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder.resolve()


def _writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("segue-store-writer")]


async def test_keys_work_while_another_process_holds_the_write_lock(simulator, project):
    app = make_app(simulator, project)
    async with app.run_test(size=(160, 48)) as pilot:
        notices = record_notices(app)
        # Waiting writes must outlast the test's steps on a busy machine (the default is 5 s).
        app.store.conn.execute("PRAGMA busy_timeout = 30000")
        blocker = sqlite3.connect(app.store.path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # what a `segue ask` holds while it writes
        try:
            await send(pilot, "plan", "Plan a cache [[sim:fast]] [[sim:tokens=300]]")
            plan_log = app.pane("plan").log_view
            # The reply streams onto the screen although none of its rows could be written yet.
            await wait_until(pilot, lambda: bool(plan_log.query(ReplyView)) and len(plan_log.query(ReplyView).last().text) > 200)

            app.pane("exec").focus_input()
            await pilot.press("h", "i")
            await wait_until(pilot, lambda: app.pane("exec").prompt_input.value == "hi")

            # All of that happened while the turn's first write still waits on the lock.
            assert blocker.in_transaction
            assert sending(app), "the turn cannot have ended: its rows are not written yet"
            assert _writer_threads(), "the writes wait in the store's writer thread, not on the loop"
            with Store(app.store.path) as reader:  # WAL: reading never waits for the writer
                assert reader.messages(app.session.id) == []
        finally:
            blocker.execute("COMMIT")
            blocker.close()

        await turns_done(app)
        await pilot.pause()
        shown = plan_log.query(ReplyView).last().text
        with Store(app.store.path) as reader:
            messages = reader.messages(app.session.id)
            usage = reader.usage_rows(app.session.id)
        assert [(m.role, m.status) for m in messages] == [("user", "complete"), ("assistant", "complete")]
        assert messages[0].text.startswith("Plan a cache") and messages[1].text.strip() == shown.strip()
        assert len(usage) == 1 and usage[0].message_id == messages[1].id
        assert not any("not saved" in notice for notice in notices), notices
