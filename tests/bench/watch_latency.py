"""Write to screen: 100 edits of CLAUDE.md, p50/p95 until a widget shows the new text (target p95 < 200 ms).

The host app feeds watch_project batches to a Static, as the app does for its files panel and
context label; the time is taken after the screen has refreshed with the new text. The
baseline is bare watchfiles.awatch on the same directory, in the same run and event loop,
with the same debounce and step: the time until it reports any event for the edit. Half the
edits write in place, half as editors do (temp file + rename).

    .venv/bin/python tests/bench/watch_latency.py [EDITS]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from textual import work  # noqa: E402
from textual.widgets import Static  # noqa: E402

from core.handoff.file_watch import watch_project  # noqa: E402
from tui.theming import ThemedApp  # noqa: E402

DEBOUNCE_MS = 30
STEP_MS = 10  # what watch_project derives from a 30 ms debounce


def edit_number(text: str) -> int | None:
    first = text.split("\n", 1)[0]
    return int(first.removeprefix("edit ")) if first.startswith("edit ") else None


class LatencyHost(ThemedApp):
    """Shows CLAUDE.md's first line in a Static and notes when each edit reached the screen."""

    def __init__(self, project: Path) -> None:
        super().__init__()
        self.project = project
        self.shown: dict[int, float] = {}
        self.armed = asyncio.Event()
        self.seen = asyncio.Condition()

    def compose(self):
        yield Static("waiting", id="latest")

    def on_mount(self) -> None:
        self.watch_files()

    @work(exclusive=True, group="file-watch")
    async def watch_files(self) -> None:
        async for batch in watch_project(self.project, debounce_ms=DEBOUNCE_MS, initial=True):
            self.armed.set()
            for change in batch:
                if change.path.name == "CLAUDE.md" and change.snapshot is not None:
                    number = edit_number(change.snapshot.text)
                    self.query_one("#latest", Static).update(change.snapshot.text.split("\n", 1)[0])
                    if number is not None:
                        self.call_after_refresh(self.on_screen, number)

    def on_screen(self, number: int) -> None:
        self.shown.setdefault(number, time.perf_counter())
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self.seen:
            self.seen.notify_all()


async def raw_watch(project: Path, times: dict[int, float], armed: asyncio.Event, stop: asyncio.Event, seen: asyncio.Condition) -> None:
    from watchfiles import awatch

    claude = project / "CLAUDE.md"
    # awatch arms its watcher on the first iteration; a yield on timeout tells us it is armed.
    async for changes in awatch(project, debounce=DEBOUNCE_MS, step=STEP_MS, stop_event=stop,
                                rust_timeout=50, yield_on_timeout=True, recursive=False):
        armed.set()
        if not changes:
            continue
        now = time.perf_counter()
        try:
            number = edit_number(claude.read_text())
        except OSError:
            continue
        if number is not None:
            times.setdefault(number, now)
            async with seen:
                seen.notify_all()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main(edits: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        project = Path(directory)
        claude = project / "CLAUDE.md"
        claude.write_text("start\n")
        app = LatencyHost(project)
        raw_times: dict[int, float] = {}
        written: dict[int, float] = {}
        async with app.run_test(size=(80, 10)) as pilot:
            raw_armed, stop = asyncio.Event(), asyncio.Event()
            raw_task = asyncio.create_task(raw_watch(project, raw_times, raw_armed, stop, app.seen))
            await asyncio.wait_for(asyncio.gather(app.armed.wait(), raw_armed.wait()), 10)
            for number in range(1, edits + 1):
                text = f"edit {number}\n\n- rule {number}\n"
                written[number] = time.perf_counter()
                if number % 2:
                    claude.write_text(text)
                else:
                    temp = project / ".CLAUDE.md.tmp"
                    temp.write_text(text)
                    os.replace(temp, claude)
                async with app.seen:
                    await asyncio.wait_for(
                        app.seen.wait_for(lambda n=number: n in app.shown and n in raw_times), 10
                    )
            stop.set()
            await raw_task
            await pilot.pause()
            assert str(app.query_one("#latest", Static).render()) == f"edit {edits}"

    ours = [(app.shown[n] - written[n]) * 1000 for n in written]
    base = [(raw_times[n] - written[n]) * 1000 for n in written]
    print(f"{edits} edits of CLAUDE.md (half in place, half temp + rename), debounce {DEBOUNCE_MS} ms")
    print(f"{'':28}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for label, values in (("baseline: raw awatch event", base), ("segue: write -> widget", ours)):
        print(f"{label:28}{statistics.median(values):9.1f}{percentile(values, 0.95):9.1f}{max(values):9.1f}")
    p95 = percentile(ours, 0.95)
    print(f"ratio p50 {statistics.median(ours) / statistics.median(base):.2f}x, "
          f"p95 {p95 / percentile(base, 0.95):.2f}x; target p95 < 200 ms: {'met' if p95 < 200 else 'NOT met'}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
