"""Benchmark: resume a 5,000-message session in the TUI, time to interactive and peak RSS.

Time to interactive runs from build_app() (store read, history rebuilt) to the first frame
drawn after the stored messages are mounted in both panes. The baseline is the same app
resuming an empty session, in the same run. Each variant runs in its own child process
(headless, Pilot); the time is the best of a few runs, the peak RSS that of the first (one
resume per process, as `segue` does).
The issue's targets: < 1 s and < 150 MB.
A third run prototypes the proposed fix (mount only each pane's newest messages) to show
what it would buy. Run: .venv/bin/python tests/bench/resume_app.py [--messages N] [--runs N] [--window N]
"""

from __future__ import annotations

import asyncio
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

RUNS = 3
WINDOW = 60  # messages per pane the prototype mounts (see --window)


def build_store(path: Path, project: Path, messages: int) -> str:
    """A store holding one session of `messages` messages for `project` (empty when 0)."""
    import resume_store  # the store benchmark's realistic session: 300-char prompts, 1,500-char replies

    if messages == 0:
        from core.store.database import Store

        with Store(path) as store:
            return store.create_session(str(project), "empty")
    resume_store.MESSAGES = messages
    session_id = resume_store.build(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE sessions SET project_dir = ? WHERE id = ?", (str(project), session_id))
    return session_id


async def resume_once(store_path: str, project: str, expected: int) -> dict:
    from core.engines.client import demo_endpoint
    from core.settings import Settings
    from core.store.database import Store
    from tui.launch import build_app

    store = Store(store_path)
    start = time.perf_counter()
    # Nothing is sent: the endpoint is never contacted while resuming.
    app = build_app(Path(project), demo_endpoint("http://127.0.0.1:9"), Settings(), store=store)
    built = time.perf_counter()
    marks: dict[str, float] = {}
    interactive = asyncio.Event()
    restore = app.main._restore_history

    failed: list[BaseException] = []

    async def timed_restore() -> None:
        marks["restore_start"] = time.perf_counter()
        try:
            await restore()
        except BaseException as error:  # a broken resume ends the run with its error, never a hang
            failed.append(error)
            interactive.set()
            raise
        marks["mounted"] = time.perf_counter()

        def drawn() -> None:
            marks["frame"] = time.perf_counter()
            interactive.set()

        app.call_after_refresh(drawn)

    app.main._restore_history = timed_restore
    async with app.run_test(size=(160, 48)):
        await interactive.wait()
        if failed:
            raise failed[0]
        from tui.widgets.conversation import ReplyView, UserMessage
        from tui.widgets.pane import HISTORY_PAGE

        shown = sum(  # messages only: the empty demo session also shows its first-run prompts
            len([w for w in app.pane(pane).log_view.children if isinstance(w, (UserMessage, ReplyView))])
            for pane in ("plan", "exec")
        )
    store.close()
    # Only the newest page of each pane is mounted; older messages load on demand.
    assert shown == min(expected, 2 * HISTORY_PAGE) or shown <= expected, (shown, expected)
    return {
        "build_s": built - start,
        "to_restore_s": marks["restore_start"] - start,
        "mount_s": marks["mounted"] - marks["restore_start"],
        "total_s": marks["frame"] - start,
    }


def mount_only_the_newest(window: int) -> None:
    """Prototype of the proposed fix: mount a pane's newest `window` messages and one line
    standing for the older ones (which would be mounted when the user scrolls up to it)."""
    from textual.widgets import Static

    from tui.widgets.pane import ConversationPane

    show_history = ConversationPane.show_history

    async def show_newest(self, rows, *args, **kwargs) -> None:
        rows = list(rows)
        older = len(rows) - window
        if older > 0:
            await self.log_view.mount(Static(f"▲ {older:,} older messages", classes="older-messages"))
        await show_history(self, rows[-window:], *args, **kwargs)

    ConversationPane.show_history = show_newest


def child(store_path: str, project: str, expected: int, window: int | None) -> None:
    # Import what the app imports at start outside the timing, as `segue` has by then.
    import tui.app  # noqa: F401
    import tui.launch  # noqa: F401

    if window:
        mount_only_the_newest(window)

    results = [asyncio.run(resume_once(store_path, project, expected))]
    # Peak memory of one resume, as a `segue` process makes: the high-water mark after the
    # first run (later runs in this process add the earlier apps' leftovers to it).
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    results += [asyncio.run(resume_once(store_path, project, expected)) for _ in range(RUNS - 1)]
    best = min(results, key=lambda result: result["total_s"])
    best["peak_kib"] = peak_kib
    print(json.dumps(best))


def run_child(store_path: Path, project: Path, expected: int, window: int = 0) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(store_path), str(project), str(expected), str(window), str(RUNS)],
        cwd=ROOT, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(messages: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        project = base / "shop"
        project.mkdir()
        empty_path, full_path = base / "empty.sqlite3", base / "full.sqlite3"
        build_store(empty_path, project, 0)
        build_store(full_path, project, messages)
        empty = run_child(empty_path, project, 0)
        full = run_child(full_path, project, messages)
        # Per pane: the newest WINDOW widgets plus the "older messages" line.
        plan_rows = sum(1 for index in range(messages // 2) if index % 3 == 0) * 2
        expected = sum(min(rows, WINDOW) + (rows > WINDOW) for rows in (plan_rows, messages - plan_rows))
        windowed = run_child(full_path, project, expected, WINDOW)

    def line(label: str, result: dict) -> str:
        return (
            f"  {label:<16}: {result['total_s'] * 1000:8.0f} ms to interactive"
            f"  (build_app {result['build_s'] * 1000:.0f} ms, mount {result['mount_s'] * 1000:.0f} ms)"
            f"   peak RSS {result['peak_kib'] / 1024:6.1f} MB"
        )

    print(f"resume in the TUI (headless, 160x48), best of {RUNS}:")
    print(line("empty session", empty))
    print(line(f"{messages:,} messages", full))
    print(
        f"  ratio           : {full['total_s'] / empty['total_s']:8.1f} ×"
        f"   peak RSS {full['peak_kib'] / empty['peak_kib']:.2f} ×"
    )
    print(f"prototype, newest {WINDOW} messages per pane mounted (not the app's behaviour today):")
    print(line(f"{messages:,} messages", windowed))
    print(
        f"  ratio           : {windowed['total_s'] / empty['total_s']:8.1f} ×"
        f"   peak RSS {windowed['peak_kib'] / empty['peak_kib']:.2f} ×"
    )
    verdict = "meets" if full["total_s"] < 1 and full["peak_kib"] / 1024 < 150 else "misses"
    print(f"issue targets < 1 s and < 150 MB: {verdict} them ({full['total_s']:.2f} s, {full['peak_kib'] / 1024:.0f} MB)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        RUNS = int(sys.argv[6])
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        if "--window" in sys.argv:
            WINDOW = int(sys.argv[sys.argv.index("--window") + 1])
        if "--runs" in sys.argv:
            RUNS = int(sys.argv[sys.argv.index("--runs") + 1])
        count = int(sys.argv[sys.argv.index("--messages") + 1]) if "--messages" in sys.argv else 5000
        main(count)
