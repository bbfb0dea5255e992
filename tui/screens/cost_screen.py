"""The cost screen: every message of this session with its tokens and dollars, totals, and spend over time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Sparkline, Static

from core import models
from core.costs import cache_accounting
from core.costs import cost_view
from core.costs.cost_view import CostLine, UsageRowLike, cost_text, savings_text
from core.costs.money import format_usd
from core.costs.pricing import format_tokens

PANE_NAMES = {"plan": "plan", "exec": "exec"}


def _sum_known(values: Iterable[Decimal | None]) -> tuple[Decimal, int]:
    """The sum of the known values and how many were unknown."""
    total, unknown = Decimal(0), 0
    for value in values:
        if value is None:
            unknown += 1
        else:
            total += value
    return total, unknown


def exact_tokens(count: int) -> str:
    """Every token, grouped by thousands: this screen is where the exact figures live."""
    return f"{count:,}"


class CostScreen(Screen[None]):
    """Costs of one session: `rows` are its usage rows; `today_rows` (all sessions, today) if known.

    Without `today_rows`, "today" counts this session's rows from today only, and says so.
    `routes` (reply message id -> the store's RouteRow) fills the "route" column for replies
    auto mode routed.
    """

    CSS_PATH = "cost_screen.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close", id="close_costs", tooltip="Back to the panes"),
        Binding("q", "close", "Close", id="close_costs_q", show=False, tooltip="Back to the panes"),
    ]

    def __init__(
        self,
        rows: Sequence[UsageRowLike],
        opus_model: str = models.ALIASES["opus"],
        *,
        today_rows: Sequence[UsageRowLike] | None = None,
        today: date | None = None,
        routes: Mapping[int, Any] | None = None,
    ) -> None:
        super().__init__()
        self.routes = dict(routes or {})
        self.rows = list(rows)
        self.opus_model = opus_model
        self.today_rows = None if today_rows is None else list(today_rows)
        self.today = today

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="costs"):
            yield Static("Costs — this session", id="costs-title")
            yield Static("", id="costs-summary")
            with Horizontal(id="costs-chart"):
                yield Static("spend over time", id="costs-chart-label")
                yield Sparkline([], id="costs-sparkline")
            yield DataTable(id="costs-messages", cursor_type="row", zebra_stripes=True)
            with Vertical(id="costs-totals"):
                with Vertical(classes="costs-total-box"):
                    yield Static("By model", classes="costs-heading")
                    yield DataTable(id="costs-models", cursor_type="none")
                with Vertical(classes="costs-total-box"):
                    yield Static("By pane", classes="costs-heading")
                    yield DataTable(id="costs-panes", cursor_type="none")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        columns = ["time", "pane", "model", "input", "write", "read", "output", "$", "all-Opus"]
        if self.routes:
            columns.append("route")  # only when auto mode routed something: narrow screens keep their room
        self.query_one("#costs-messages", DataTable).add_columns(*columns)
        for table_id, first in (("#costs-models", "model"), ("#costs-panes", "pane")):
            self.query_one(table_id, DataTable).add_columns(
                first, "msgs", "input", "cache w", "cache r", "output", "$", "all-Opus", "saved"
            )
        self._fill()
        self.query_one("#costs-messages", DataTable).focus()

    def update_rows(self, rows: Sequence[UsageRowLike], today_rows: Sequence[UsageRowLike] | None = None) -> None:
        """Show new rows (the screen can stay open while replies land)."""
        self.rows = list(rows)
        if today_rows is not None:
            self.today_rows = list(today_rows)
        self._fill()

    def action_close(self) -> None:
        self.dismiss()

    # -- filling -----------------------------------------------------------------------------

    def _fill(self) -> None:
        rows = sorted(self.rows, key=lambda row: row.created_at)
        self.query_one("#costs-summary", Static).update(self.summary_text(rows))
        self.query_one("#costs-sparkline", Sparkline).data = cost_view.spend_series(rows) or [0.0]
        messages = self.query_one("#costs-messages", DataTable)
        messages.clear()
        for row in rows:
            usage = row.usage
            route = [self.route_text(getattr(row, "message_id", None))] if self.routes else []
            messages.add_row(
                _clock(row.created_at),
                PANE_NAMES.get(row.pane, row.pane),
                models.display_name(row.model),
                exact_tokens(usage.input_tokens),
                exact_tokens(usage.cache_creation_input_tokens),
                exact_tokens(usage.cache_read_input_tokens),
                exact_tokens(usage.output_tokens),
                format_usd(row.cost_usd),
                format_usd(row.all_opus_cost_usd),
                *route,
                key=str(row.id),
            )
        self._fill_totals("#costs-models", {models.display_name(m): line for m, line in cost_view.by_model(rows).items()})
        self._fill_totals("#costs-panes", {PANE_NAMES.get(p, p): line for p, line in cost_view.by_pane(rows).items()})

    def route_text(self, message_id: int | None) -> str:
        """"auto: simple_bug_fix → Sonnet/low" for a reply auto mode routed, "" for a manual one."""
        from core.advisor.auto_route import describe

        route = self.routes.get(message_id) if message_id is not None else None
        if route is None:
            return ""
        return describe(route.task_type, route.model, route.effort, route.confirmed)

    def _fill_totals(self, table_id: str, groups: dict[str, CostLine]) -> None:
        table = self.query_one(table_id, DataTable)
        table.clear()
        for name, line in groups.items():
            usage = line.usage
            table.add_row(
                name,
                str(line.messages),
                exact_tokens(usage.input_tokens),
                exact_tokens(usage.cache_creation_input_tokens),
                exact_tokens(usage.cache_read_input_tokens),
                exact_tokens(usage.output_tokens),
                cost_text(line),
                format_usd(line.all_opus_cost_usd),
                savings_text(line),
                key=name,
            )

    def summary_text(self, rows: Sequence[UsageRowLike]) -> str:
        """Session, today and prompt-cache lines, as plain text."""
        session = cost_view.summarize(rows)
        day = self.today or datetime.now().astimezone().date()
        if self.today_rows is not None:
            today, today_note = cost_view.summarize(self.today_rows, day=day), "all sessions"
        else:
            today, today_note = cost_view.summarize(rows, day=day), "this session"
        saved = session.savings_usd
        versus = (
            f"saved {format_usd(saved)} ({savings_text(session)})" if saved is not None else "savings unknown"
        )
        lines = [
            f"Session: {cost_text(session)} for {_count(session.messages, 'API request')} · "
            f"priced at Opus rates ({models.display_name(self.opus_model)}): "
            f"{format_usd(session.all_opus_cost_usd)} · {versus}",
            f"Today ({today_note}): {cost_text(today)} for {_count(today.messages, 'API request')}",
        ]
        read_saved, _ = _sum_known(cache_accounting.cache_savings_usd(row.model, row.usage) for row in rows)
        premium, _ = _sum_known(cache_accounting.cache_write_premium_usd(row.model, row.usage) for row in rows)
        if session.usage.cache_read_input_tokens or session.usage.cache_creation_input_tokens:
            lines.append(
                f"Prompt cache: {format_tokens(session.usage.cache_read_input_tokens)} tokens read saved "
                f"{format_usd(read_saved)}; {format_tokens(session.usage.cache_creation_input_tokens)} written cost "
                f"{format_usd(premium)} extra; net {format_usd(read_saved - premium)}"
            )
        else:
            lines.append("Prompt cache: not used yet")
        if session.unknown:
            lines.append(f"{session.unknown} message(s) on a model without a known price: tokens counted, dollars unknown.")
        return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _clock(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")
