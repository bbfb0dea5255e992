"""Driving the whole Segue app under Pilot: build it on the simulator, send, wait, read notices."""

from __future__ import annotations

import asyncio
from pathlib import Path

from core.engines.client import demo_endpoint
from core.settings import Settings
from tui.launch import build_app

OPUS = "claude-opus-5-5"
SONNET = "claude-sonnet-5-5"

# Enough project rules that the system prompt passes the 1,024-token minimum the API caches.
LONG_CLAUDE_MD = "# Project rules\n\n" + "".join(
    f"- Rule {n}: keep module {n} small, typed and covered by a test before it is merged.\n" for n in range(80)
)


def make_app(sim, project: Path, **settings):
    settings.setdefault("plan_thinking", False)
    return build_app(project, demo_endpoint(sim.base_url), Settings(**settings), new_session=True)


async def wait_until(pilot, condition, limit: int = 4000) -> None:
    """Let the app process messages until `condition()` holds (bounded, no wall-clock sleeps)."""
    for _ in range(limit):
        if condition():
            return
        await pilot.pause()
    raise AssertionError("condition never held")


async def turns_done(app) -> None:
    """Wait for every send (its checks, then its turn) to finish; the file watcher keeps running."""

    async def drain() -> None:
        while busy := [w for w in app.workers if w.group.startswith(("turn-", "check-")) and not w.is_finished]:
            await app.workers.wait_for_complete(busy)

    await asyncio.wait_for(drain(), 60)


async def send(pilot, pane: str, prompt: str) -> None:
    """Put `prompt` in the pane's input and press Enter; returns once the app has taken it
    (its checks and the turn then run: `turns_done` waits for them)."""
    app = pilot.app
    app.pane(pane).focus_input()
    await pilot.pause()
    before = app.prompts_submitted
    app.pane(pane).prompt_input.value = prompt
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.prompts_submitted > before)


async def send_and_wait(pilot, pane: str, prompt: str) -> None:
    await send(pilot, pane, prompt)
    await turns_done(pilot.app)
    await pilot.pause()


def record_notices(app) -> list[str]:
    """From now on, every notification the app shows as "title: message", oldest first.

    Textual forgets a notification once its timeout passes; this list keeps them all.
    """
    shown: list[str] = []
    original = app.notify

    def notify(message, *, title="", **kwargs):
        shown.append(f"{title}: {message}" if title else str(message))
        return original(message, title=title, **kwargs)

    app.notify = notify
    return shown
