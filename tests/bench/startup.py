"""Start-up to first frame: `segue --demo` against a bare Textual hello app, same run.

Each is started as a fresh process (imports included, the demo simulator started) and exits
right after its first screen refresh (`call_after_refresh` from the auto-pilot, which runs
as the app becomes ready). Prints medians and the ratio (target <= 1.5x), and the time to a
settled screen (first frame plus the work queued behind it) for both.

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
AUTOPILOT = """
async def first_frame(pilot):
    if MODE == "frame":
        pilot.app.call_after_refresh(pilot.app.exit)
    else:
        await pilot.pause()
        pilot.app.exit()
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
import os, sys
from pathlib import Path
from core.settings import load_settings
from core.engines.client import choose_endpoint
from tui.launch import build_app
endpoint, simulator = choose_endpoint(True)
app = build_app(Path(sys.argv[1]), endpoint, load_settings(), new_session=True)
MODE = sys.argv[2]
""" + AUTOPILOT + """
app.run(headless=True, size=(160, 48), auto_pilot=first_frame)
simulator.stop()
"""


def timed(code: str, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True)
    return time.perf_counter() - started


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
    print("target: first frame <= 1.5x the hello app")


if __name__ == "__main__":
    main()
