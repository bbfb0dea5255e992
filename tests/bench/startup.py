"""Start-up: `segue --demo` against a bare Textual hello app, same run, fresh processes.

"frame": each exits right after its first screen refresh (`call_after_refresh` from the
auto-pilot, which runs as the app becomes ready); target <= 1.5x.
"settled": Segue exits once it is ready for work, judged by its own signals: the watcher's
first batch handled (armed), the models loaded from the simulator (so the simulator is
serving), the SDK warm-up done, the store open and the planning input focused; the hello
app once its first frame is up and its queue is empty. Target <= 2x.
Segue starts as `segue --demo` does (tui.launch.run_app): the simulator's port reserved before
the first frame, its server started after it.

    .venv/bin/python tests/bench/startup.py [runs]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time

# Both apps exit from the same auto-pilot: right after the first refresh ("frame"), or once
# the work queued behind it has run ("settled").
# Each prints the wall-clock moment it reached its mark; exiting afterwards is not timed.
AUTOPILOT = """
import time
def mark_and_exit(app):
    print(time.time(), flush=True)
    app.exit()

async def first_frame(pilot):
    if MODE == "frame":
        pilot.app.call_after_refresh(mark_and_exit, pilot.app)
    else:
        await pilot.pause()
        mark_and_exit(pilot.app)
"""

HELLO = """
import sys
from textual.app import App
from textual.widgets import Static
class Hello(App):
    def compose(self):
        yield Static("hello")
MODE = sys.argv[1]
""" + AUTOPILOT + """
Hello().run(headless=True, size=(160, 48), auto_pilot=first_frame)
"""

SEGUE = """
import asyncio, os, sys
from pathlib import Path
from core.settings import load_settings
from core.engines.client import choose_endpoint
from tui.launch import build_app
endpoint, simulator = choose_endpoint(True, deferred=True)
app = build_app(Path(sys.argv[1]), endpoint, load_settings(), new_session=True)
app.call_after_refresh(simulator.start_in_background)
MODE = sys.argv[2]
armed = asyncio.Event()
handoff = app.main.handoff
original_files_changed = handoff.files_changed
def files_changed(event):
    original_files_changed(event)
    if event.initial:
        armed.set()
handoff.files_changed = files_changed

async def settled(pilot):
    app = pilot.app
    await armed.wait()  # queued behind the first frame, like the models and the warm-up
    for worker in [w for w in app.workers if w.group in ("models", "warm-up")]:
        await worker.wait()
    assert simulator.simulator is not None and app.store is not None
    assert app.focused is not None and app.main.pane("plan") in app.focused.ancestors_with_self, app.focused
    mark_and_exit(app)
""" + AUTOPILOT + """
app.run(headless=True, size=(160, 48), auto_pilot=first_frame if MODE == "frame" else settled)
simulator.stop()
sys.exit(0 if app.return_code in (None, 0) else 1)
"""


def timed(code: str, *args: str) -> float:
    """Seconds from launching a fresh interpreter to the moment it printed."""
    started = time.time()
    result = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True)
    return float(result.stdout.split()[-1]) - started


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as project:
        import os

        os.environ["SEGUE_HOME"] = home
        timed(HELLO, "frame"), timed(SEGUE, project, "frame")  # warm the OS file cache for both
        figures = {}
        for mode in ("frame", "settled"):
            hello = statistics.median(timed(HELLO, mode) for _ in range(runs))
            segue = statistics.median(timed(SEGUE, project, mode) for _ in range(runs))
            figures[mode] = (hello, segue)
    for mode, (h, s) in figures.items():
        print(f"{mode:>7}: bare Textual hello {h * 1000:.0f} ms, segue --demo {s * 1000:.0f} ms, ratio {s / h:.2f}x (median of {runs})")
    print("targets: first frame <= 1.5x the hello app, settled <= 2x")


if __name__ == "__main__":
    main()
