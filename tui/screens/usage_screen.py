"""The usage screen: Claude Code's real Opus/Sonnet spend, live, against the same tokens priced at Opus rates."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timezone, tzinfo
from decimal import Decimal
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from core.claude_usage.report import Breakdown, Dashboard, dashboard
from core.claude_usage.scanner import ScanStats, TranscriptScanner
from core.models import ALIASES, display_name, family_of
from core.costs.money import format_usd
from core.costs.pricing import format_tokens

_MODEL_COLUMNS = ("Model", "Msgs", "Input", "Output", "Cache write", "Cache read", "Cost")
_PROJECT_COLUMNS = ("Project", "Msgs", "Tokens", "Cost", "At Opus rates")


class UsageScreen(Screen[None]):
    """Today and this month per model, the current 5-hour block, projects, and the all-Opus comparison.

    `roots` are Claude Code config roots (default: CLAUDE_CONFIG_DIR or ~/.config/claude and
    ~/.claude); `cache` is the scan cache path (None: Segue's data dir, False: none);
    `opus_model` prices the counterfactual (default: the settings' Opus model); `clock` and
    `tz` fix "now" and the local zone (tests, screenshots).
    """

    CSS_PATH = "usage_screen.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close", id="usage_close", tooltip="Close the usage screen"),
        Binding("q", "close", "Close", id="usage_close_q", show=False, tooltip="Close the usage screen"),
    ]

    class UsageScanned(Message):
        """A scan finished; `dashboard` holds the numbers now shown."""

        def __init__(self, dashboard: Dashboard, stats: ScanStats) -> None:
            super().__init__()
            self.dashboard = dashboard
            self.stats = stats

    class UsageWatching(Message):
        """The transcript directories are being watched: any change from now on is picked up."""

        def __init__(self, paths: list[Path]) -> None:
            super().__init__()
            self.paths = paths

    def __init__(
        self,
        roots: Sequence[Path] | None = None,
        *,
        cache: Path | None | bool = None,
        opus_model: str | None = None,
        clock: Callable[[], datetime] | None = None,
        tz: tzinfo | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._roots = list(roots) if roots is not None else None
        self._cache = cache
        self._opus_model = opus_model
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._tz = tz
        self._stop: asyncio.Event | None = None
        self.dashboard: Dashboard | None = None
        self.scans = 0
        self._watch_state = "starting watch…"

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="usage-body"):
            yield Static("Claude Code usage", id="usage-title")
            yield Static("Reading Claude Code's transcripts…", id="usage-status")
            with Horizontal(id="usage-periods"):
                with Vertical(classes="usage-period"):
                    yield Static("Today", classes="usage-heading")
                    yield DataTable(id="usage-today", cursor_type="none", zebra_stripes=True)
                with Vertical(classes="usage-period"):
                    yield Static("This month", classes="usage-heading")
                    yield DataTable(id="usage-month", cursor_type="none", zebra_stripes=True)
            yield Static("Current 5-hour block", classes="usage-heading")
            yield Static("No messages in the last five hours.", id="usage-block")
            yield Static("Projects", classes="usage-heading")
            yield DataTable(id="usage-projects", cursor_type="row", zebra_stripes=True)
            yield Static("", id="usage-opus")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        for table_id in ("#usage-today", "#usage-month"):
            self.query_one(table_id, DataTable).add_columns(*_MODEL_COLUMNS)
        self.query_one("#usage-projects", DataTable).add_columns(*_PROJECT_COLUMNS)
        if self._opus_model is None:
            from core.settings import load_settings

            self._opus_model = load_settings().opus_model or ALIASES["opus"]
        self._stop = asyncio.Event()
        self.watch_transcripts()

    def on_unmount(self) -> None:
        if self._stop is not None:
            self._stop.set()  # lets watchfiles' thread end now rather than at its next timeout

    def action_close(self) -> None:
        if self._stop is not None:
            self._stop.set()
        self.dismiss(None)

    # -- the live scan ------------------------------------------------------------------------

    @work(exclusive=True, group="usage-watch")
    async def watch_transcripts(self) -> None:
        scanner = TranscriptScanner(self._roots, cache=self._cache)
        try:
            await self._rescan(scanner)
            paths = scanner.watch_paths()
            if not paths:
                self._watch_state = "no Claude Code directory to watch"
                self._show_status()
                return
            from watchfiles import awatch  # heavy: only once the screen is open

            ready = False
            async for changes in awatch(
                *paths,
                debounce=50,
                step=10,
                stop_event=self._stop,
                rust_timeout=200,
                yield_on_timeout=True,
            ):
                if not ready:
                    # The watcher is live from here on; scan once more for what came in before it.
                    ready = True
                    self.post_message(self.UsageWatching(paths))
                    await self._rescan(scanner)
                elif changes:
                    await self._rescan(scanner)
        finally:
            scanner.close()

    async def _rescan(self, scanner: TranscriptScanner) -> None:
        now = self._clock()

        def scan_and_sum() -> tuple[Dashboard, ScanStats]:
            stats = scanner.scan()
            numbers = dashboard(
                scanner.records(),
                now=now,
                tz=self._tz,
                opus_model=self._opus_model or ALIASES["opus"],
                project_names=scanner.project_paths(),
                skipped_lines=scanner.skipped_lines,
                files=len(scanner.files),
            )
            return numbers, stats

        numbers, stats = await asyncio.to_thread(scan_and_sum)
        self.post_message(self.UsageScanned(numbers, stats))

    def on_usage_screen_usage_scanned(self, message: UsageScanned) -> None:
        self.dashboard = message.dashboard
        self.scans += 1
        self._show(message.dashboard, message.stats)

    def on_usage_screen_usage_watching(self, message: UsageWatching) -> None:
        self._watch_state = "live"
        self._show_status()

    # -- drawing ------------------------------------------------------------------------------

    def _show(self, numbers: Dashboard, stats: ScanStats) -> None:
        self._last_stats = stats
        self._show_status()
        self._fill_models("#usage-today", numbers.today)
        self._fill_models("#usage-month", numbers.month)
        self._show_block(numbers)
        projects = self.query_one("#usage-projects", DataTable)
        projects.clear()
        for name, usage in numbers.projects:
            totals = usage.totals
            projects.add_row(
                name,
                str(totals.messages),
                format_tokens(totals.total_tokens),
                format_usd(totals.cost),
                format_usd(totals.all_opus_cost),
            )
        self._show_opus(numbers)

    def _show_status(self) -> None:
        numbers = self.dashboard
        if numbers is None:
            return
        parts = [f"{numbers.files} transcript files", f"{numbers.overall.totals.messages} messages"]
        if numbers.skipped_lines:
            parts.append(f"{numbers.skipped_lines} malformed lines skipped")
        parts.append(self._watch_state)
        self.query_one("#usage-status", Static).update(" · ".join(parts))

    def _model_text(self, model: str) -> Text:
        family = family_of(model)
        colour = self.app.get_css_variables().get(family) if family in ("opus", "sonnet") else None
        return Text(display_name(model), style=f"bold {colour}" if colour else "")

    def _fill_models(self, selector: str, usage: Breakdown) -> None:
        table = self.query_one(selector, DataTable)
        table.clear()
        ranked = sorted(usage.models.items(), key=lambda item: (-(item[1].cost or Decimal(0)), item[0]))
        for model, totals in ranked:
            table.add_row(
                self._model_text(model),
                str(totals.messages),
                format_tokens(totals.input_tokens),
                format_tokens(totals.output_tokens),
                _writes(totals),
                format_tokens(totals.cache_read_input_tokens),
                format_usd(totals.cost),
            )
        total = usage.totals
        table.add_row(
            Text("Total", style="bold"),
            str(total.messages),
            format_tokens(total.input_tokens),
            format_tokens(total.output_tokens),
            _writes(total),
            format_tokens(total.cache_read_input_tokens),
            Text(format_usd(total.cost), style="bold"),
        )

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self._tz) if self._tz is not None else moment.astimezone()

    def _show_block(self, numbers: Dashboard) -> None:
        block = numbers.block
        widget = self.query_one("#usage-block", Static)
        if block is None:
            widget.update("No messages in the last five hours.")
            return
        now = numbers.now
        cost = block.usage.totals.cost
        rate = block.burn_rate(now)
        projected = block.projected_cost(now)
        start, end = self._local(block.start), self._local(block.end)
        remaining = max(int((block.end - now).total_seconds() // 60), 0)
        widget.update(
            f"started {start:%H:%M} · {format_usd(cost)} spent · burn rate {format_usd(rate)}/h · "
            f"projected {format_usd(projected)} by {end:%H:%M} ({remaining // 60}h {remaining % 60:02d}m left)"
        )

    def _show_opus(self, numbers: Dashboard) -> None:
        lines = [f"All-Opus: the same tokens priced at Opus rates ({display_name(self._opus_model or ALIASES['opus'])})"]
        for label, usage in (("today", numbers.today), ("this month", numbers.month), ("all time", numbers.overall)):
            totals = usage.totals
            opus, actual, saved = totals.all_opus_cost, totals.cost, totals.savings
            line = f"  {label}: {format_usd(actual)} actual vs {format_usd(opus)} at Opus rates"
            if saved is not None and opus:
                line += f" · saved {format_usd(saved)} ({saved / opus:.0%})"
            elif totals.unpriced_models:
                line += f" · no price for {', '.join(sorted(totals.unpriced_models))}"
            lines.append(line)
        self.query_one("#usage-opus", Static).update("\n".join(lines))


def _writes(totals) -> str:
    """Cache writes with their one-hour part (priced at 2x input, not the 5-minute 1.25x): '12.0k (1h 3.1k)'."""
    written = format_tokens(totals.cache_creation_input_tokens)
    long = getattr(totals, "cache_creation_1h_input_tokens", 0)
    return f"{written} (1h {format_tokens(long)})" if long else written
