"""Driving the whole Segue app under Pilot: build it on the simulator, send, wait, read notices."""

from __future__ import annotations

import asyncio
from pathlib import Path

from core.engines.client import demo_endpoint
from core.panes import PANES
from core.settings import Settings
from tui.launch import build_app

OPUS = "claude-opus-5-5"
SONNET = "claude-sonnet-5-5"

# Enough project rules that the system prompt passes the 1,024-token minimum the API caches.
LONG_CLAUDE_MD = "# Project rules\n\n" + "".join(
    f"- Rule {n}: keep module {n} small, typed and covered by a test before it is merged.\n" for n in range(80)
)


def make_app(sim, project: Path, **settings):
    """The app on the simulator. The model guard rails ask before a send (a dialog), so they
    are silenced unless a test passes `silenced_guards` itself."""
    settings.setdefault("plan_thinking", False)
    settings.setdefault("silenced_guards", ("opus_trivial", "sonnet_architecture"))
    # Tools ask for approval in the execution pane; tests of other features leave them off.
    settings.setdefault("tools", False)
    return build_app(project, demo_endpoint(sim.base_url), Settings(**settings), new_session=True)


async def wait_until(pilot, condition, limit: int = 4000) -> None:
    """Let the app process messages until `condition()` holds (bounded, no wall-clock sleeps)."""
    for _ in range(limit):
        if condition():
            return
        await pilot.pause()
    raise AssertionError("condition never held")


async def answerable(pilot, dialog_class):
    """Wait for a dialog of `dialog_class` to be open with its answer keys live: one that opens
    within a second of a key holds them until the typing pauses (tui/screens/held_keys.py), as
    a person reads it before answering. Returns the dialog."""
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, dialog_class) and not getattr(app.screen, "keys_held", False),
                     limit=200_000)
    return app.screen


async def turns_done(app) -> None:
    """Wait for every send (its checks, then its turn) to finish; the file watcher keeps running."""

    async def drain() -> None:
        while busy := sending(app):
            await app.workers.wait_for_complete(busy)

    await asyncio.wait_for(drain(), 60)


def sending(app) -> list:
    """The panes' send workers still running (one group per pane: pre-flight, then the turn)."""
    return [w for w in app.workers if w.group.split("-")[0] in PANES and not w.is_finished]


async def send(pilot, pane: str, prompt: str) -> None:
    """Put `prompt` in the pane's input and press Enter; returns once the app has taken it
    (its checks and the turn then run: `turns_done` waits for them)."""
    app = pilot.app
    app.pane(pane).focus_input()
    await pilot.pause()
    before = _sends_started(app, pane)
    app.pane(pane).prompt_input.value = prompt
    await pilot.press("enter")
    await wait_until(pilot, lambda: _sends_started(app, pane) > before)


def _sends_started(app, pane: str) -> int:
    """How many sends the main screen has started in `pane` since the helper started counting."""
    main = app.main
    counts = main.__dict__.get("_test_sends")
    if counts is None:
        counts = main._test_sends = {}
        run_worker = main.run_worker

        def counting(work, *args, group: str = "default", **kwargs):
            counts[group] = counts.get(group, 0) + 1
            return run_worker(work, *args, group=group, **kwargs)

        main.run_worker = counting
    return counts.get(pane, 0)


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
