"""Run issue #17's whole fault list in one go and print one line per item.

    .venv/bin/python tests/fault_injection.py        (exit status 0 when every fault is handled)

Each item is a group of tests in tests/test_hardening.py that injects the fault for real:
FIFOs and sockets in a temp dir, SQLite's max_page_count as a full disk, a closed pipe and
/dev/full as stdout, hostile transcript lines, escape sequences in stored titles, symlinks
leading out of the project, and raw sockets against the simulator.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ITEMS = {
    "1": "export -o onto a FIFO or socket is refused; -o - is stdout",
    "2": "a FIFO CLAUDE.md or plan never blocks ask or the TUI",
    "3": "a full disk fails the turn, keeps the reply and the app",
    "4": "hostile transcript lines are skipped and counted by reason",
    "5": "stdout closed or full: the turn is recorded, one sentence",
    "6": "terminal escapes in stored strings are shown, not obeyed",
    "7": "a symlink out of the project is named and asked about",
    "8": "simulator: 413, bounded log, backlog, idle timeout, JSON errors",
    "9": "SEGUE_HOME as a file is one sentence",
    "10": "a transcript is streamed in bounded blocks",
}


def main() -> int:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", "tests/test_hardening.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    outcomes: dict[str, list[str]] = {item: [] for item in ITEMS}
    for line in done.stdout.splitlines():
        word, _, test = line.partition(" ")
        if word not in ("PASSED", "FAILED", "ERROR", "SKIPPED") or "::test_" not in test:
            continue
        item = test.split("::test_", 1)[1].split("_", 1)[0]
        if item in outcomes:
            outcomes[item].append(word)
    failed = False
    for item, what in ITEMS.items():
        results = outcomes[item]
        ok = bool(results) and all(result in ("PASSED", "SKIPPED") for result in results)
        failed |= not ok
        print(f"{'ok  ' if ok else 'FAIL'} {item:>2}. {what} ({len(results)} tests)")
    if failed or done.returncode != 0:
        print(done.stdout[-4000:], done.stderr[-2000:], sep="\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
