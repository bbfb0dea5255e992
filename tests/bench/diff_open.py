"""Benchmark: open the plan diff viewer on two 5,000-line plans with 500 changed lines.

Prints time to first paint, diff-model time and 100 page-downs, each also as a ratio against
a baseline measured in the same run: mounting (and scrolling) a plain Static holding the
same text. Run: .venv/bin/python tests/bench/diff_open.py
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from core.handoff.plan_diff import diff_texts
from tui.theming import ThemedApp
from tui.screens.diff_screen import DiffScreen

LINES = 5000
CHANGED = 500
SIZE = (160, 50)
RUNS = 3


@dataclass
class Seen:
    text: str
    seen_at: datetime
    source: str


def make_plans(seed: int = 7) -> tuple[str, str]:
    """A long Markdown plan and a copy with CHANGED lines edited (words swapped, lines added/removed)."""
    rng = random.Random(seed)
    words = "plan step test auth session token cache index migrate deploy review rollback metric alert".split()
    old: list[str] = []
    for n in range(LINES):
        if n % 50 == 0:
            old.append(f"## Section {n // 50}: {rng.choice(words)} {rng.choice(words)}")
        elif n % 50 == 1:
            old.append("")
        else:
            old.append(f"- {' '.join(rng.choice(words) for _ in range(rng.randint(6, 14)))} ({n})")
    new = list(old)
    for index in sorted(rng.sample(range(2, LINES), CHANGED), reverse=True):
        roll = rng.random()
        if roll < 0.7:
            tokens = new[index].split(" ")
            tokens[rng.randrange(len(tokens))] = "**changed**"
            new[index] = " ".join(tokens)
        elif roll < 0.85:
            new.insert(index, f"- inserted {rng.choice(words)} line")
        else:
            del new[index]
    return "\n".join(old) + "\n", "\n".join(new) + "\n"


class TimedStatic(Static):
    """A plain Static that notes when it first drew lines."""

    painted_at: float | None = None

    def render_lines(self, crop):
        lines = super().render_lines(crop)
        if self.painted_at is None:
            self.painted_at = time.perf_counter()
        return lines


class Baseline(Screen):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self):
        with VerticalScroll():
            yield TimedStatic(self.text, markup=False)


class Host(ThemedApp):
    pass


async def wait_for(condition) -> None:
    # A benchmark, not a test: poll finely so the figure is the paint, not Pilot's idle waits.
    while not condition():
        await asyncio.sleep(0.001)


async def time_diff_screen(project: Path, old: str) -> tuple[float, float]:
    seen = [Seen(old, datetime(2025, 1, 1, tzinfo=timezone.utc), "saved")]
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        start = time.perf_counter()
        screen = DiffScreen(project / "BIG_PLAN.md", project, seen)
        await app.push_screen(screen)
        view = screen.diff_view
        await wait_for(lambda: view.first_painted_at is not None)
        first_paint = view.first_painted_at - start
        start = time.perf_counter()
        for _ in range(100):
            await pilot.press("pagedown")
        await pilot.pause()
        scroll = time.perf_counter() - start
        assert screen.diff_view.scroll_offset.y > 0
    return first_paint, scroll


BASELINE_PAGES = 5  # a 5,000-line Static re-renders everything per page: 100 pages would take minutes


async def time_baseline(text: str) -> tuple[float, float]:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        start = time.perf_counter()
        screen = Baseline(text)
        await app.push_screen(screen)
        static = screen.query_one(TimedStatic)
        await wait_for(lambda: static.painted_at is not None)
        first_paint = static.painted_at - start
        screen.query_one(VerticalScroll).focus()
        start = time.perf_counter()
        for _ in range(BASELINE_PAGES):
            await pilot.press("pagedown")
        await pilot.pause()
        scroll = (time.perf_counter() - start) * 100 / BASELINE_PAGES
    return first_paint, scroll


def main() -> None:
    old, new = make_plans()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "BIG_PLAN.md").write_text(new)
        model_times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            diff = diff_texts(old, new)
            model_times.append(time.perf_counter() - start)
        screen_runs = [asyncio.run(time_diff_screen(project, old)) for _ in range(RUNS)]
        baseline_runs = [asyncio.run(time_baseline(new)) for _ in range(RUNS)]
    model = statistics.median(model_times)
    paint = statistics.median(r[0] for r in screen_runs)
    scroll = statistics.median(r[1] for r in screen_runs)
    base_paint = statistics.median(r[0] for r in baseline_runs)
    base_scroll = statistics.median(r[1] for r in baseline_runs)
    summary = diff.summary
    print(f"plans: {LINES} lines, +{summary.added} -{summary.removed} lines, {len(diff.hunks)} hunks, terminal {SIZE[0]}x{SIZE[1]}")
    print(f"baseline (Static with the new text): first paint {base_paint * 1000:.0f} ms, 100 page-downs {base_scroll * 1000:.0f} ms (from {BASELINE_PAGES})")
    print(f"diff model (diff_texts):            {model * 1000:.0f} ms  ({model / base_paint:.2f}x baseline paint)")
    print(f"DiffScreen first paint:             {paint * 1000:.0f} ms  ({paint / base_paint:.2f}x baseline paint; target < 300 ms)")
    print(f"DiffScreen 100 page-downs:          {scroll * 1000:.0f} ms  ({scroll / base_scroll:.2f}x baseline scroll)")


if __name__ == "__main__":
    sys.exit(main())
