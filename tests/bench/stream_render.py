"""A long reply at simulator full speed rendered in a pane: CPU time against bare Markdown streaming.

The baseline streams the same text, in the same chunks, into a bare Textual Markdown via
Markdown.get_stream in the same process. Prints CPU seconds, the ratio (target <= 2x) and
the 40k/20k ratio for Segue (target <= 2.2, i.e. linear).

    .venv/bin/python tests/bench/stream_render.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from textual.app import App
from textual.containers import VerticalScroll
from textual.widgets import Markdown


async def segue_run(tokens: int, project: Path) -> tuple[float, str]:
    from core.engines.client import demo_endpoint
    from core.settings import Settings
    from core.simulator import Simulator
    from tui.launch import build_app
    from tui.messages import PromptSubmitted

    with Simulator(pacing=False) as sim:
        # max_tokens above the reply's length: at the 16k default both replies were cut, and
        # the 40k/20k figure compared two 16k replies.
        settings = Settings(plan_thinking=False, max_tokens=64_000, silenced_guards=("opus_trivial", "sonnet_architecture"), tools=False)
        app = build_app(project, demo_endpoint(sim.base_url), settings, new_session=True)
        async with app.run_test(size=(160, 48)) as pilot:
            pane = app.pane("exec")
            started = time.process_time()
            pane.post_message(PromptSubmitted(pane.pane, f"Implement the exporter [[sim:tokens={tokens}]] [[sim:fast]]"))
            # Only the send: the file watcher and the SDK warm-up run beside it for the app's life.
            while not (sends := [w for w in app.workers if w.name == "send-exec"]):
                await pilot.pause()
            await app.workers.wait_for_complete(sends)
            await pilot.pause()
            spent = time.process_time() - started
            from tui.widgets.conversation import ReplyView

            text = pane.query(ReplyView).last().text
    words = len(text.split())
    print(f"  {tokens} tokens asked: {words} words streamed", file=sys.stderr)
    return spent, text


class Bare(App):
    def compose(self):
        with VerticalScroll():
            yield Markdown()


async def bare_run(text: str) -> float:
    app = Bare()
    async with app.run_test(size=(160, 48)) as pilot:
        markdown = app.query_one(Markdown)
        stream = Markdown.get_stream(markdown)
        started = time.process_time()
        # Chunks like the simulator's: a few words each.
        words = text.split(" ")
        for index in range(0, len(words), 3):
            await stream.write(" ".join(words[index : index + 3]) + " ")
        await stream.stop()
        await pilot.pause()
        return time.process_time() - started


async def main() -> None:
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as project:
        os.environ["SEGUE_HOME"] = home
        segue20, text20 = await segue_run(20_000, Path(project))
        bare20 = await bare_run(text20)
        segue40, text40 = await segue_run(40_000, Path(project))
        bare40 = await bare_run(text40)
    print(f"20k-token reply, bare Markdown stream: {bare20:.2f} s CPU")
    print(f"20k-token reply, Segue pane:           {segue20:.2f} s CPU")
    print(f"ratio Segue/bare:                      {segue20 / bare20:.2f}x (target <= 2x)")
    print(f"Segue 40k/20k:                         {segue40 / segue20:.2f} (target <= 2.2, linear); bare 40k/20k {bare40 / bare20:.2f}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    asyncio.run(main())
