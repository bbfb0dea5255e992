"""Start-up to first frame: `segue --demo` against a bare Textual hello app, same run.

Each is started as a fresh process (imports included) and exits from its auto-pilot, which
runs once the first frame is up. Prints medians and the ratio (target <= 1.5x).

    .venv/bin/python tests/bench/startup.py [runs]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time

HELLO = """
from textual.app import App
from textual.widgets import Static
class Hello(App):
    def compose(self):
        yield Static("hello")
async def first_frame(pilot):
    await pilot.pause()
    pilot.app.exit()
Hello().run(headless=True, size=(160, 48), auto_pilot=first_frame)
"""

SEGUE = """
import os, sys
from pathlib import Path
from core.settings import load_settings
from tui.launch import build_app, choose_endpoint
endpoint, simulator = choose_endpoint(True)
app = build_app(Path(sys.argv[1]), endpoint, load_settings(), new_session=True)
async def first_frame(pilot):
    await pilot.pause()
    pilot.app.exit()
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
        timed(HELLO), timed(SEGUE, project)  # warm the OS file cache for both
        hello = [timed(HELLO) for _ in range(runs)]
        segue = [timed(SEGUE, project) for _ in range(runs)]
    h, s = statistics.median(hello), statistics.median(segue)
    print(f"bare Textual hello app: {h * 1000:.0f} ms (median of {runs})")
    print(f"segue --demo:           {s * 1000:.0f} ms (median of {runs})")
    print(f"ratio segue/hello:      {s / h:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
