"""The first key after a pause, while replies stream: the case that sets keystroke_latency's tail.

keystroke_latency.py types its keys 100-200 ms apart: after the first, every key falls within
the typing window (tui/widgets/reply_sections.py), where streamed text is drawn just after each
key's frame. So in its 25 keys only the first one can land on a frame that streamed text is
making, and a run's p95 says little more than whether that one key was unlucky. Here every key
comes 0.5-0.8 s after the last one was drawn, past the typing window, so each of the 25 keys
lands wherever the streaming has got to: the spread shows how long a frame can hold a key up.
Same pty, app and simulator process as keystroke_latency.py; idle is the baseline in the same
run. No target of its own (keystroke_latency.py holds the targets): it prints p50, p90 and the
slowest key, and how many keys took over 15 ms.

    .venv/bin/python tests/bench/first_key_latency.py [keystrokes]
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import keystroke_latency as typing  # noqa: E402  (the pty, the app and the scenarios)

PAUSE = (0.5, 0.8)  # seconds after a key is drawn before the next: past reply_sections.TYPING_WINDOW


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    typing.BETWEEN_KEYS = PAUSE
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as project:
        os.environ["SEGUE_HOME"] = home
        simulator = subprocess.Popen(
            [sys.executable, "-c", "from tui.cli import main; main()", "simulator"],
            stdout=subprocess.PIPE, text=True, cwd=typing.ROOT,
        )
        try:
            base_url = re.search(r"http://\S+", simulator.stdout.readline()).group(0)
            results = {
                name: typing.scenario(name, project, base_url, count)[0]
                for name in ("idle", "two panes streaming", "two panes streaming fast")
            }
        finally:
            simulator.terminate()
            simulator.wait()
    print(f"first key after a {PAUSE[0]}-{PAUSE[1]} s pause -> screen through a pty, {count} keys each")
    for name, times in results.items():
        ordered = sorted(times)
        print(
            f"{name:>25}: p50 {statistics.median(ordered):5.1f} ms, p90 {ordered[int(0.9 * len(ordered))]:5.1f} ms, "
            f"slowest {ordered[-1]:5.1f} ms; over 15 ms: {sum(t > 15 for t in ordered)} of {len(ordered)}"
        )


if __name__ == "__main__":
    main()
