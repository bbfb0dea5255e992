"""Benchmark: load a 5,000-message session from the store (messages() + totals()), time and peak RSS.

The baseline is the same rows read with a bare sqlite3 query (no dataclasses, no datetime
parsing, sums in Python over raw tuples) in the same run. Each variant runs in its own
child process so its peak RSS (ru_maxrss) is its own; the time is the best of several runs.
The issue's targets are for resuming in the TUI (< 1 s, < 150 MB); the store's share is
printed next to them. Run: .venv/bin/python tests/bench/resume_store.py
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

MESSAGES = 5000
RUNS = 5


def build(path: Path, seed: int = 5) -> str:
    """One session of MESSAGES messages: prompts ~300 chars, replies ~1,500 (some with thinking)."""
    from core.store.database import Store
    from core.costs.usage import TokenUsage

    rng = random.Random(seed)
    words = "plan step test auth session token cache index migrate deploy review rollback metric alert".split()

    def prose(n: int) -> str:
        return " ".join(rng.choice(words) for _ in range(n // 6))

    with Store(path) as store:
        session_id = store.create_session("/src/shop", "bench")
        # One transaction for the build: the figures are about reading, not writing.
        store.conn.execute("BEGIN")
        now = "2025-03-01T09:00:00.000000+00:00"
        for index in range(MESSAGES // 2):
            pane = "plan" if index % 3 == 0 else "exec"
            model = "claude-opus-5-5" if pane == "plan" else "claude-sonnet-5-5"
            store.conn.execute(
                "INSERT INTO messages (session_id, pane, role, model, text, thinking, status, created_at, updated_at)"
                " VALUES (?, ?, 'user', ?, ?, '', 'complete', ?, ?)",
                (session_id, pane, model, prose(300), now, now),
            )
            cursor = store.conn.execute(
                "INSERT INTO messages (session_id, pane, role, model, text, thinking, status, created_at, updated_at)"
                " VALUES (?, ?, 'assistant', ?, ?, ?, 'complete', ?, ?)",
                (session_id, pane, model, prose(1500), prose(600) if pane == "plan" else "", now, now),
            )
            usage = TokenUsage(rng.randint(100, 5000), rng.randint(100, 2000), 0, rng.randint(0, 20000))
            store.conn.execute(
                "INSERT INTO usage (session_id, message_id, pane, model, input_tokens, output_tokens,"
                " cache_creation_input_tokens, cache_read_input_tokens, cost_nusd, all_opus_cost_nusd, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, cursor.lastrowid, pane, model, usage.input_tokens, usage.output_tokens, 0,
                 usage.cache_read_input_tokens, rng.randint(10**5, 10**8), rng.randint(10**5, 10**8), now),
            )  # fmt: skip
        store.conn.execute("COMMIT")
    return session_id


def load_with_store(path: str, session_id: str) -> int:
    from core.store.database import Store

    with Store(path) as store:
        rows = store.messages(session_id)
        totals = store.totals(session_id)
    assert totals.messages == MESSAGES // 2
    return len(rows)


def load_bare(path: str, session_id: str) -> int:
    import sqlite3

    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT id, session_id, pane, role, model, text, thinking, status, created_at, updated_at"
        " FROM messages WHERE session_id = ? ORDER BY id",
        (session_id,),
    ).fetchall()
    usage = conn.execute("SELECT cost_nusd FROM usage WHERE session_id = ?", (session_id,)).fetchall()
    total = sum(value for (value,) in usage if value is not None)
    conn.close()
    assert len(usage) == MESSAGES // 2 and total > 0
    return len(rows)


def child(variant: str, path: str, session_id: str) -> None:
    """Runs in its own process: imports, then RUNS loads; prints best time and peak RSS."""
    load = load_with_store if variant == "store" else load_bare
    if variant == "store":
        import core.store.database  # noqa: F401 - import cost is start-up's, not the load's

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        count = load(path, session_id)
        times.append(time.perf_counter() - start)
        assert count == MESSAGES
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"best_s": min(times), "peak_kib": peak, "start_kib": rss_before}))


def run_child(variant: str, path: Path, session_id: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", variant, str(path), session_id],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "segue.sqlite3"
        session_id = build(path)
        size_mb = path.stat().st_size / 1e6
        bare = run_child("bare", path, session_id)
        store = run_child("store", path, session_id)
    ratio_t = store["best_s"] / bare["best_s"]
    ratio_rss = store["peak_kib"] / bare["peak_kib"]
    grown_store = (store["peak_kib"] - store["start_kib"]) / 1024
    grown_bare = (bare["peak_kib"] - bare["start_kib"]) / 1024
    print(f"one session, {MESSAGES} messages ({MESSAGES // 2} usage rows), store file {size_mb:.1f} MB")
    print(f"load (messages() + totals()), best of {RUNS}:")
    print(f"  bare sqlite3 : {bare['best_s'] * 1000:8.1f} ms   peak RSS {bare['peak_kib'] / 1024:6.1f} MB (+{grown_bare:.1f} MB for the load)")
    print(f"  core.store.database   : {store['best_s'] * 1000:8.1f} ms   peak RSS {store['peak_kib'] / 1024:6.1f} MB (+{grown_store:.1f} MB for the load)")
    print(f"  ratio        : {ratio_t:8.2f} ×      peak RSS {ratio_rss:.2f} ×")
    print(f"issue targets for a whole resume: < 1 s and < 150 MB; the store's share: {store['best_s'] * 1000:.0f} ms, {store['peak_kib'] / 1024:.0f} MB")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
