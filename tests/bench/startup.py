"""Start-up: `segue --demo` against a bare Textual hello app, same run, fresh processes.

Runs alternate between the two apps. "frame": each exits right after its first screen refresh
(`call_after_refresh` from the auto-pilot, which runs as the app becomes ready); target <= 1.5x.
"settled": Segue exits once it is ready for work as issue #15 defines it: the simulator
serving (a GET /v1/models to it has answered 200), the store open, the watcher armed (its
first batch handled) and the planning input focused; the hello app once its first frame is up
and its queue is empty. Target <= 2x. The SDK and the models list are not part of it: the
input takes keys before they are loaded, and a send made meanwhile waits for the SDK.
"SDK + models" (Segue only, no target): settled, and also the `anthropic` SDK and the price
data imported (the warm-up thread done, which starts once the watcher is armed and the models
list is in) and the models list loaded from the simulator (fresh). Its ratio is to
the hello app's settled time, for scale.
Segue starts as `segue --demo` does (tui.launch.run_app): the simulator's port reserved before
the first frame, its server started in a process of its own (at once when a second CPU is free,
as here, else after the first frame).

Segue's and the hello app's modules both run from compiled bytecode, as after `pip install`:
this script byte-compiles core/, tui/ and themes/ first (into their __pycache__, which git
ignores), because an environment with PYTHONDONTWRITEBYTECODE=1 would otherwise recompile
Segue's sources in every run while Textual's come compiled from its wheel.

    .venv/bin/python tests/bench/startup.py [runs]
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

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
from tui.launch import build_app, start_simulator
endpoint, simulator = choose_endpoint(True, deferred=True)
app = build_app(Path(sys.argv[1]), endpoint, load_settings(), new_session=True)
start_simulator(app, simulator)
MODE = sys.argv[2]
armed = asyncio.Event()
handoff = app.main.handoff
original_files_changed = handoff.files_changed
def files_changed(event):
    original_files_changed(event)
    if event.initial:
        armed.set()
handoff.files_changed = files_changed
import threading
import tui.screens.main_screen as main_screen_module
warmed_up = threading.Event()  # the SDK and the price data imported (the warm-up thread done)
original_warm_up = main_screen_module._warm_up
def warm_up():
    original_warm_up()
    warmed_up.set()
main_screen_module._warm_up = warm_up

def simulator_answers():
    # A request the app itself makes; it waits in the reserved port's backlog until the server runs.
    import json, urllib.request
    from core.engines.client import ANTHROPIC_VERSION
    request = urllib.request.Request(
        endpoint.base_url + "/v1/models?limit=1", headers={"x-api-key": endpoint.api_key, "anthropic-version": ANTHROPIC_VERSION}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200 and json.loads(response.read())["data"]

async def settled(pilot):
    app = pilot.app
    serving = asyncio.create_task(asyncio.to_thread(simulator_answers))
    await armed.wait()  # queued behind the first frame
    await serving
    assert app.store is not None and app.store.get_session(app.session.id) is not None
    assert app.focused is not None and app.main.pane("plan") in app.focused.ancestors_with_self, app.focused
    if MODE == "sdk":
        from core import capabilities
        for worker in [w for w in app.workers if w.group == "models"]:
            await worker.wait()
        # The warm-up starts after the watcher and the models list (or 0.5 s): wait for its end.
        assert await asyncio.to_thread(warmed_up.wait, 60)
        assert "anthropic" in sys.modules and capabilities.current().fresh
    mark_and_exit(app)
""" + AUTOPILOT + """
app.run(headless=True, size=(160, 48), auto_pilot=first_frame if MODE == "frame" else settled)
simulator.stop()
sys.exit(0 if app.return_code in (None, 0) else 1)
"""


def timed(code: str, *args: str) -> float:
    """Seconds from launching a fresh interpreter to the moment it printed."""
    started = time.time()
    result = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True, cwd=ROOT)
    return float(result.stdout.split()[-1]) - started


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    for package in ("core", "tui", "themes"):
        compileall.compile_dir(ROOT / package, quiet=1)
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as project:
        os.environ["SEGUE_HOME"] = home
        timed(HELLO, "frame"), timed(SEGUE, project, "frame")  # warm the OS file cache for both
        figures = {}
        for mode in ("frame", "settled"):
            # Alternating, so load that comes and goes (this machine is shared) hits both alike.
            pairs = [(timed(HELLO, mode), timed(SEGUE, project, mode)) for _ in range(runs)]
            figures[mode] = (statistics.median(h for h, _ in pairs), statistics.median(s for _, s in pairs))
        sdk = statistics.median(timed(SEGUE, project, "sdk") for _ in range(runs))
    for mode, (h, s) in figures.items():
        print(f"{mode:>7}: bare Textual hello {h * 1000:.0f} ms, segue --demo {s * 1000:.0f} ms, ratio {s / h:.2f}x (median of {runs})")
    hello_settled = figures["settled"][0]
    print(
        f"    sdk: segue --demo settled + SDK imported + models list loaded {sdk * 1000:.0f} ms, "
        f"{sdk / hello_settled:.2f}x the hello app's settled (median of {runs}; no target)"
    )
    print("targets: first frame <= 1.5x the hello app, settled <= 2x")


if __name__ == "__main__":
    main()
