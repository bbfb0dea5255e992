"""Start the TUI: choose the endpoint (real API or the demo simulator), open the store, run."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from core.engines.client import Endpoint, choose_claude_code_endpoint, choose_endpoint, engines_for
from core.settings import Settings, load_settings


def build_app(
    project: Path,
    endpoint: Endpoint,
    settings: Settings,
    *,
    new_session: bool = False,
    store=None,
    engines: dict[str, str] | None = None,
    claude_code_endpoint: Endpoint | None = None,
):
    """The app for `project`, resuming its last session unless `new_session`."""
    from tui import gc_pauses

    gc_pauses.starting()  # first: the imports below are most of start-up's objects
    # The terminal's reader and writer are threads: a key read, or a frame made, while the event
    # loop runs Python waited for the interpreter up to the default 5 ms switch interval (traced:
    # a key's frame sat 6 ms in the writer while a streamed paint ran). 1 ms bounds that wait;
    # with no other thread wanting the interpreter, the loop is not interrupted at all.
    sys.setswitchinterval(0.001)
    from core.session import Session
    from core.store.database import Store
    from tui.app import SegueApp

    store = store or Store()
    previous = None if new_session else store.session_to_resume(str(project))
    session = Session(
        endpoint, settings, project, store=store, session_id=previous.id if previous else None,
        engines=engines, claude_code_endpoint=claude_code_endpoint,
    )
    return SegueApp(session, settings=settings, store=store, resumed=previous is not None)


def start_simulator(app, simulator) -> None:
    """Start the demo simulator (a DeferredSimulator, whose port already listens) in its own
    process: at once when another CPU is free to run it beside the app's start-up, else after
    the first frame, so it never competes with it."""
    if _spare_cpu():
        simulator.start_in_background()
    else:
        app.call_after_refresh(simulator.start_in_background)


def _spare_cpu() -> bool:
    try:
        return len(os.sched_getaffinity(0)) > 1
    except (AttributeError, OSError):  # not Linux
        return (os.cpu_count() or 1) > 1


def run_app(project: Path, *, demo: bool = False, new_session: bool = False, engine: str | None = None) -> int:
    import click

    from core import paths
    from core.store.database import Store, StoreError

    try:
        logging.basicConfig(filename=paths.log_path(), level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        store = Store()
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        raise click.ClickException(f"Segue can't use its data directory{where} ({error.strerror or error}).") from None
    settings = load_settings()
    endpoint, simulator = choose_endpoint(demo, deferred=True)
    try:
        app = build_app(
            project, endpoint, settings, new_session=new_session, store=store,
            engines=engines_for(engine), claude_code_endpoint=choose_claude_code_endpoint(demo, endpoint),
        )
        if simulator is not None:
            start_simulator(app, simulator)
        for problem in settings.problems:
            app.call_later(app.notify, problem, severity="warning", timeout=10)
        app.run()
        return app.return_code or 0
    finally:
        if simulator is not None:
            simulator.stop()
