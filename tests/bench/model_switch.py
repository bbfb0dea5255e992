"""Ctrl+T (and F2's switch) with a full pane: time from the key to the repainted screen.

The app runs headless under Pilot with 50 demo replies (plans with headings, lists and code)
stored in the planning pane's session, shown as a resumed session shows them (the
last page mounted, the rest behind the "older messages" line); the baseline is the same key in
the same app before those replies are mounted (an empty pane). Prints the median and worst of
several presses for both, and the ratio; the target is < 100 ms with the full pane.

    .venv/bin/python tests/bench/model_switch.py [replies]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

PRESSES = 9


@dataclass
class Row:
    """A stored message as the pane's history reads it."""

    role: str
    text: str
    model: str = ""
    thinking: str = ""
    status: str = "complete"


async def presses(pilot, key: str) -> list[float]:
    """Milliseconds from each key press to the frame drawn after it (the planning pane has focus)."""
    app = pilot.app
    times = []
    for _ in range(PRESSES):
        drawn = asyncio.Event()
        started = time.perf_counter()
        # Posted as a terminal would send it: Pilot.press also waits on every widget, which
        # with thousands of them costs more than the key itself.
        before = app.session.panes["plan"].model
        app.simulate_key(key)
        while app.session.panes["plan"].model == before:  # the key handled...
            await asyncio.sleep(0)
        app.screen.call_after_refresh(drawn.set)  # ...and the screen drawn after it
        await drawn.wait()
        times.append((time.perf_counter() - started) * 1000)
        await pilot.pause()
    return times


async def main() -> None:
    from core.engines.client import demo_endpoint
    from core.settings import Settings
    from core.simulator import Simulator
    from core.simulator.replies import compose
    from tui.launch import build_app
    from tui.widgets.conversation import ReplyView

    replies = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as project:
        os.environ["SEGUE_HOME"] = home
        with Simulator(pacing=False) as sim:
            app = build_app(Path(project), demo_endpoint(sim.base_url), Settings(plan_thinking=False), new_session=True)
            async with app.run_test(size=(160, 48)) as pilot:
                await pilot.pause()
                empty = await presses(pilot, "ctrl+t")
                rows = []
                for n in range(replies):
                    prompt = f"Plan the exporter step {n}: CSV or Parquet, and how to test it"
                    text = compose(prompt, "", "opus", n).text
                    rows += [Row("user", prompt), Row("assistant", text, "claude-opus-4-8")]
                # As a resumed session shows them (a live pane keeps the same window mounted).
                await app.pane("plan").show_history(rows)
                await pilot.pause()
                full = await presses(pilot, "ctrl+t")
                mounted = len(app.query(ReplyView))
                lines = sum(len(row.text.splitlines()) for row in rows)
    print(f"Ctrl+T, empty pane:            median {statistics.median(empty):6.1f} ms, worst {max(empty):6.1f} ms")
    print(f"Ctrl+T, {replies} replies ({lines} lines, {mounted} mounted): median {statistics.median(full):6.1f} ms, worst {max(full):6.1f} ms")
    print(f"ratio full/empty (median):     {statistics.median(full) / statistics.median(empty):.2f}x (target: full < 100 ms)")


if __name__ == "__main__":
    asyncio.run(main())
