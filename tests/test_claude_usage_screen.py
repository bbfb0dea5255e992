"""UsageScreen in a small host app: numbers on screen, and live updates when a transcript grows."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from claude_usage_tree import assistant_line, dump
from textual.widgets import DataTable, Static

from tui.theming import ThemedApp
from tui.screens.usage_screen import UsageScreen

NOW = datetime(2025, 10, 7, 15, 30, tzinfo=timezone.utc)
OPUS = "claude-opus-4-1-20250805"
SONNET = "claude-sonnet-4-5-20250929"


class Host(ThemedApp):
    def __init__(self, screen: UsageScreen) -> None:
        super().__init__()
        self.usage_screen = screen
        self.scanned = asyncio.Event()
        self.watching = asyncio.Event()
        self.closed = False

    def on_mount(self) -> None:
        self.push_screen(self.usage_screen, callback=lambda _: setattr(self, "closed", True))

    def on_usage_screen_usage_scanned(self, message: UsageScreen.UsageScanned) -> None:
        self.scanned.set()

    def on_usage_screen_usage_watching(self, message: UsageScreen.UsageWatching) -> None:
        self.watching.set()


def write_session(root, name, lines):
    path = root / "projects" / "-home-dev-shop" / f"{name}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(dump(line, False) + "\n" for line in lines))
    return path


def line(minutes_ago: int, model: str, serial: int, output: int = 1000):
    usage = {"input_tokens": 100, "output_tokens": output, "cache_creation_input_tokens": 2000, "cache_read_input_tokens": 30000}
    return assistant_line(NOW - timedelta(minutes=minutes_ago), "s1", model, usage, f"msg_{serial}", f"req_{serial}", cwd="/home/dev/shop")


def cells(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def wait_for(event: asyncio.Event, pilot) -> None:
    """Await a message the screen sends (the bound only keeps a broken watcher from hanging the run)."""
    await asyncio.wait_for(event.wait(), timeout=30)
    event.clear()
    await pilot.pause()


async def test_the_screen_shows_today_month_block_projects_and_all_opus(tmp_path):
    root = tmp_path / "claude"
    write_session(root, "s1", [line(60, OPUS, 1), line(30, SONNET, 2), line(20, SONNET, 3), line(60 * 24 * 3, OPUS, 4)])
    screen = UsageScreen([root], cache=tmp_path / "cache.sqlite3", opus_model=OPUS, clock=lambda: NOW, tz=timezone.utc)
    app = Host(screen)
    async with app.run_test(size=(140, 50)) as pilot:
        await wait_for(app.scanned, pilot)
        numbers = screen.dashboard
        assert numbers.today.totals.messages == 3 and numbers.month.totals.messages == 4
        today = cells(screen.query_one("#usage-today", DataTable))
        assert [row[0] for row in today] == ["Opus 4.1", "Sonnet 4.5", "Total"]
        assert today[-1][1] == "3"
        block_text = str(screen.query_one("#usage-block", Static).render())
        assert "started 14:00" in block_text and "burn rate" in block_text and "projected" in block_text and "by 19:00" in block_text
        projects = cells(screen.query_one("#usage-projects", DataTable))
        assert projects[0][0] == "/home/dev/shop" and projects[0][1] == "4"
        opus_text = str(screen.query_one("#usage-opus", Static).render())
        assert "priced at Opus rates" in opus_text and "saved" in opus_text
        await pilot.press("escape")
        await pilot.pause()
        assert app.closed


async def test_a_transcript_line_appended_shows_up_live(tmp_path):
    root = tmp_path / "claude"
    path = write_session(root, "s1", [line(50, OPUS, 1)])
    screen = UsageScreen([root], cache=tmp_path / "cache.sqlite3", opus_model=OPUS, clock=lambda: NOW, tz=timezone.utc)
    app = Host(screen)
    async with app.run_test(size=(140, 50)) as pilot:
        await wait_for(app.watching, pilot)
        await wait_for(app.scanned, pilot)  # the catch-up scan after the watcher started
        assert screen.dashboard.today.totals.messages == 1
        before = screen.scans
        with open(path, "a") as handle:
            handle.write(dump(line(1, SONNET, 2, output=4321), False) + "\n")
        while screen.dashboard.today.totals.messages < 2:
            await wait_for(app.scanned, pilot)
        assert screen.scans > before
        today = cells(screen.query_one("#usage-today", DataTable))
        assert any(row[0] == "Sonnet 4.5" and row[3] == "4.3k" for row in today)
        await pilot.press("q")
        await pilot.pause()
        assert app.closed


async def test_no_transcripts_is_said_plainly(tmp_path):
    screen = UsageScreen([tmp_path / "missing"], cache=False, opus_model=OPUS, clock=lambda: NOW, tz=timezone.utc)
    app = Host(screen)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(app.scanned, pilot)
        await pilot.pause()
        status = str(screen.query_one("#usage-status", Static).render())
        assert "0 transcript files" in status and "no Claude Code directory to watch" in status
        assert "No messages in the last five hours." in str(screen.query_one("#usage-block", Static).render())
