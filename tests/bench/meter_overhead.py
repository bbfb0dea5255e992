"""Cost meter overhead: 20,000 usage updates (one per output token) into CostMeter + PaneCostLine.

Part 1, the meter alone. The baseline runs the same loop in the same app without touching the
meter: it builds each TokenUsage and yields to the event loop once per update, as a streaming
reply does. The meter run also prices the reply (cost_view.reply_cost, as the app does per
UsageUpdated) and assigns it to the meter and the pane line. A third run prices with plain
pricing.cost to show what the cached fast path saves.

Part 2, what a user feels: a 20k-token reply streamed into a Markdown widget (Markdown.get_stream,
chunks of about three tokens) with the meter off, then on with one usage update per chunk. That
is the worst case: the API reports usage only in message_start and message_delta events, so a
real reply updates the meter a handful of times, not per chunk. Anything the meter costs here is
amplified: a slower producer lets MarkdownStream batch less, so the reply re-lays out more often.

A control run burns the meter's measured per-update CPU in a busy wait instead, to separate
that amplification from anything the meter's repaints cost.

Prints CPU seconds (best of 3) and the ratios against each baseline.

    .venv/bin/python tests/bench/meter_overhead.py [UPDATES]
"""

from __future__ import annotations

import asyncio
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from textual.app import ComposeResult  # noqa: E402
from textual.containers import VerticalScroll  # noqa: E402
from textual.widgets import Markdown  # noqa: E402

from core.costs import pricing  # noqa: E402
from core.costs import cost_view
from core.costs.cost_view import CostLine  # noqa: E402
from core.costs.usage import TokenUsage  # noqa: E402
from tui.theming import ThemedApp  # noqa: E402
from tui.widgets.cost_meter import CostMeter, PaneCostLine  # noqa: E402

OPUS = "claude-opus-5-5"
SONNET = "claude-sonnet-5-5"
STORED = CostLine(TokenUsage(40_000, 9_000, 4_000, 30_000), Decimal("0.41"), Decimal("0.93"), 0, 7)


class Host(ThemedApp):
    """Like a pane: a scrolling reply above the pane's cost line, the session meter below."""

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="reply")
        yield PaneCostLine(SONNET, id="exec-cost")
        yield CostMeter(id="meter")


def usage_at(output: int) -> TokenUsage:
    return TokenUsage(input_tokens=1_200, output_tokens=output, cache_creation_input_tokens=0, cache_read_input_tokens=2_900)


async def baseline(app: Host, updates: int) -> float:
    started = time.process_time()
    for output in range(1, updates + 1):
        usage_at(output)
        await asyncio.sleep(0)  # a stream hands control back to the loop between events
    return time.process_time() - started


async def with_meter(app: Host, updates: int, price) -> float:
    meter = app.query_one(CostMeter)
    pane_line = app.query_one(PaneCostLine)
    meter.session = STORED
    meter.today = STORED
    started = time.process_time()
    for output in range(1, updates + 1):
        reply = price(SONNET, usage_at(output), OPUS)
        meter.live = reply
        pane_line.show(reply, STORED, streaming=True)
        await asyncio.sleep(0)
    meter.live = None
    return time.process_time() - started


def slow_reply_cost(model: str, usage: TokenUsage, opus_model: str) -> CostLine:
    cost = pricing.cost(model, usage)
    return CostLine(usage, cost, pricing.all_opus_cost(usage, opus_model), 0 if cost is not None else 1, 1)


def reply_text(tokens: int) -> list[str]:
    """Markdown chunks of about three tokens each (four characters a token), `tokens` in all."""
    chunks = []
    for index in range(tokens // 3):
        heading = f"\n\n## Step {index // 40}\n\n" if index % 40 == 0 else ""
        chunks.append(heading + ("handle the ", "`retry` path ", "gently, ")[index % 3])
    return chunks


async def stream_reply(app: Host, chunks: list[str], meter_on: bool, busy_seconds: float = 0.0) -> float:
    markdown = Markdown()
    scroll = app.query_one("#reply", VerticalScroll)
    await scroll.mount(markdown)
    scroll.anchor()
    stream = Markdown.get_stream(markdown)
    meter = app.query_one(CostMeter)
    pane_line = app.query_one(PaneCostLine)
    started = time.process_time()
    for index, chunk in enumerate(chunks, 1):
        await stream.write(chunk)
        if meter_on:
            reply = cost_view.reply_cost(SONNET, usage_at(index * 3), OPUS)
            meter.live = reply
            pane_line.show(reply, STORED, streaming=True)
        if busy_seconds:
            # The control: burn the meter's own per-update CPU without touching any widget.
            until = time.perf_counter() + busy_seconds
            while time.perf_counter() < until:
                pass
    await stream.stop()
    spent = time.process_time() - started
    await markdown.remove()
    return spent


async def main(updates: int) -> None:
    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        runs = {"baseline": [], "meter": [], "meter, plain pricing.cost": []}
        for _ in range(3):
            runs["baseline"].append(await baseline(app, updates))
            await pilot.pause()
            runs["meter"].append(await with_meter(app, updates, cost_view.reply_cost))
            await pilot.pause()
            runs["meter, plain pricing.cost"].append(await with_meter(app, updates, slow_reply_cost))
            await pilot.pause()
        shown = app.query_one(PaneCostLine).text
        chunks = reply_text(updates)
        per_update = (min(runs["meter"]) - min(runs["baseline"])) / updates
        streams = {"meter off": [], "meter on": [], "busy wait": []}
        for _ in range(3):
            streams["meter off"].append(await stream_reply(app, chunks, meter_on=False))
            await pilot.pause()
            streams["meter on"].append(await stream_reply(app, chunks, meter_on=True))
            await pilot.pause()
            streams["busy wait"].append(await stream_reply(app, chunks, meter_on=False, busy_seconds=per_update))
            await pilot.pause()
    base = min(runs["baseline"])
    print(f"Part 1: {updates:,} usage updates, CPU seconds (best of 3)")
    for name, times in runs.items():
        best = min(times)
        print(f"  {name:<28} {best:7.3f} s   {best / base:5.2f}x baseline   {best / updates * 1e6:6.1f} µs/update")
    print(f"  last pane line: {shown}")
    off, on, busy = (min(streams[name]) for name in ("meter off", "meter on", "busy wait"))
    print(f"Part 2: a {updates:,}-token reply streamed into Markdown in {len(chunks):,} chunks, one update per chunk")
    print(f"  meter off {off:7.3f} s   meter on {on:7.3f} s   ratio {on / off:.3f}x")
    print(f"  control: no meter, {per_update * 1e6:.0f} µs busy wait per chunk {busy:7.3f} s   ratio {busy / off:.3f}x")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))
