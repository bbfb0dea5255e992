"""The cost meter, the pane cost line, the cost screen and the budget dialog, driven with Pilot."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from cost_rows import OPUS, SONNET, make_row
from textual.app import ComposeResult
from textual.widgets import DataTable, Sparkline, Static

from core.costs import cost_view
from core.costs import pricing
from core.costs.money import format_usd
from core.costs.budget import BudgetLimits, check_before_send, check_while_streaming
from core.costs.cost_view import CostLine
from core.costs.usage import TokenUsage
from themes import SEGUE_DARK
from tui.theming import ThemedApp
from tui.screens.budget_dialog import BudgetDialog
from tui.screens.cost_screen import CostScreen
from tui.widgets.cost_meter import CostMeter, PaneCostLine

D = Decimal
LIMITS = BudgetLimits(session_usd=1.0)


class MeterHost(ThemedApp):
    def compose(self) -> ComposeResult:
        yield CostMeter(id="meter")
        yield PaneCostLine(SONNET, id="exec-cost")


def line(cost: str, opus: str, usage: TokenUsage = TokenUsage(), messages: int = 1) -> CostLine:
    return CostLine(usage, D(cost), D(opus), 0, messages)


def painted(widget) -> str:
    """What the widget draws on its first line, as the compositor would get it."""
    return "".join(strip.text for strip in widget.render_lines(widget.size.region)).strip()


def near(colour, expected_hex: str) -> bool:
    """Colours match within rounding (Textual blends theme colours in float space)."""
    expected = tuple(int(expected_hex.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return all(abs(a - b) <= 2 for a, b in zip(colour.triplet, expected))


def colour_of(widget, text: str):
    for strip in widget.render_lines(widget.size.region):
        for segment in strip:
            if text in segment.text:
                return segment.style.color
    raise AssertionError(f"{text!r} not drawn")


async def test_meter_shows_session_opus_savings_today_and_live_reply():
    app = MeterHost()
    async with app.run_test(size=(120, 6)) as pilot:
        meter = app.query_one(CostMeter)
        assert meter.text == "session $0.000 · all-Opus $0.000 · saved — · today $0.000"
        meter.session = line("0.53", "1.21")
        meter.today = line("1.84", "3.00")
        await pilot.pause()
        assert meter.text == "session $0.530 · all-Opus $1.21 · saved 56% · today $1.84"
        assert painted(meter) == meter.text
        assert "priced at Opus rates" in str(meter.tooltip)
        # the streaming reply sits on top of both totals
        meter.live = line("0.07", "0.19")
        await pilot.pause()
        assert meter.text == "session $0.600 · all-Opus $1.40 · saved 57% · today $1.91"
        assert painted(meter) == meter.text
        assert "streaming now: $0.070" in str(meter.tooltip)
        meter.live = None
        await pilot.pause()
        assert meter.text.startswith("session $0.530")


async def test_meter_budget_percent_turns_warning_then_error():
    app = MeterHost()
    async with app.run_test(size=(120, 6)) as pilot:
        meter = app.query_one(CostMeter)
        meter.budget = check_before_send(LIMITS, D("0.37"), D("0.37"), D("0"))
        await pilot.pause()
        assert meter.text.endswith("budget 37%")
        assert not meter.has_class("-warn") and not meter.has_class("-over")
        meter.budget = check_before_send(LIMITS, D("0.80"), D("0.80"), D("0"))
        await pilot.pause()
        assert meter.text.endswith("budget 80%")
        assert meter.has_class("-warn")
        assert near(colour_of(meter, "80%"), SEGUE_DARK.warning)
        meter.budget = check_while_streaming(LIMITS, D("0.90"), D("0.90"), D("0.20"))
        await pilot.pause()
        assert meter.text.endswith("budget 110%")
        assert meter.has_class("-over") and not meter.has_class("-warn")
        assert near(colour_of(meter, "110%"), SEGUE_DARK.error)
        meter.budget = None
        await pilot.pause()
        assert "budget" not in meter.text and not meter.has_class("-over")


async def test_meter_work_is_per_frame_not_per_update():
    app = MeterHost()
    async with app.run_test(size=(120, 6)) as pilot:
        meter = app.query_one(CostMeter)
        await pilot.pause()
        calls = []
        original = meter.refresh
        meter.refresh = lambda *args, **kwargs: calls.append(kwargs) or original(*args, **kwargs)
        builds = meter.content_builds
        # a burst of updates between two frames asks for one repaint, without a layout pass
        for output in range(4_000, 4_010):
            meter.live = cost_view.reply_cost(SONNET, TokenUsage(input_tokens=500, output_tokens=output), OPUS)
        assert calls == [{"layout": False}]
        await pilot.pause()
        assert meter.text.startswith("session $0.041")
        assert meter.content_builds == builds + 1
        # 2 more output tokens on Sonnet is $0.00002: the shown "$0.041" stays, so no new Content
        meter.live = cost_view.reply_cost(SONNET, TokenUsage(input_tokens=500, output_tokens=4_012), OPUS)
        await pilot.pause()
        assert painted(meter).startswith("session $0.041")
        assert meter.content_builds == builds + 1


async def test_pane_cost_line_shows_tokens_cache_split_reply_and_pane_total():
    app = MeterHost()
    async with app.run_test(size=(120, 6)) as pilot:
        pane_line = app.query_one(PaneCostLine)
        assert pane_line.text == "pane $0.000"
        # Sonnet: 100*2 + 120*2.5 + 2900*0.1 + 840*10 per MTok = 0.00919
        usage = TokenUsage(input_tokens=100, output_tokens=840, cache_creation_input_tokens=120, cache_read_input_tokens=2_900)
        reply = cost_view.reply_cost(SONNET, usage, OPUS)
        assert reply.cost_usd == D("0.00919")
        pane_line.show(reply, line("0.40", "0.90", messages=3), streaming=True)
        await pilot.pause()
        assert pane_line.text == "3.1k in (2.9k cached, 120 cache write) · 840 out · $0.009 · pane $0.409"
        assert painted(pane_line) == pane_line.text
        # once stored, the total includes the reply and it is not added twice
        pane_line.show(reply, line("0.40919", "0.95", messages=4), streaming=False)
        await pilot.pause()
        assert pane_line.text.endswith("· $0.009 · pane $0.409")
        assert "cache read" in str(pane_line.tooltip)
        # Sonnet's accent colour marks the dollars
        assert near(colour_of(pane_line, "$0.009"), SEGUE_DARK.variables["sonnet"])
        pane_line.reply = cost_view.reply_cost("mystery-model", TokenUsage(10, 10), OPUS)
        await pilot.pause()
        assert "· $— ·" in pane_line.text


NOON = datetime(2026, 3, 10, 12, 0).astimezone()


def session_rows():
    at = lambda minutes: (NOON + timedelta(minutes=minutes)).astimezone(timezone.utc)  # noqa: E731
    return [
        make_row(1, "plan", OPUS, TokenUsage(2_000, 1_000), at(0)),  # 0.028
        make_row(2, "exec", SONNET, TokenUsage(1_000, 500, 4_000, 0), at(10)),  # 0.017
        make_row(3, "exec", SONNET, TokenUsage(1_000, 800, 0, 4_000), at(20)),  # 0.0104
    ]


class ScreenHost(ThemedApp):
    def __init__(self, screen_factory):
        super().__init__()
        self.screen_factory = screen_factory
        self.results: list = []

    def on_mount(self) -> None:
        self.push_screen(self.screen_factory(), self.results.append)


async def test_cost_screen_lists_messages_totals_and_spend():
    app = ScreenHost(lambda: CostScreen(session_rows(), OPUS, today=NOON.date()))
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CostScreen)
        messages = screen.query_one("#costs-messages", DataTable)
        assert messages.row_count == 3
        assert messages.get_row_at(0) == ["12:00", "plan", "Opus 5.5", "2,000", "0", "0", "1,000", "$0.028", "$0.028"]
        assert messages.get_row_at(1)[4] == "4,000"  # cache write column: exact counts
        assert messages.get_row_at(2)[5] == "4,000"  # cache read column
        by_model = screen.query_one("#costs-models", DataTable)
        assert by_model.get_row_at(0)[0] == "Opus 5.5"
        # Sonnet: 0.0274 actual, 0.0548 at Opus rates, saved 50 %
        assert by_model.get_row_at(1)[6:] == ["$0.027", "$0.055", "50%"]
        by_pane = screen.query_one("#costs-panes", DataTable)
        assert [by_pane.get_row_at(i)[0] for i in range(by_pane.row_count)] == ["plan", "exec"]
        summary = str(screen.query_one("#costs-summary", Static).render())
        assert "Session: $0.055 for 3 API requests" in summary
        assert "priced at Opus rates (Opus 5.5): $0.083 · saved $0.027 (33%)" in summary
        assert "Today (this session): $0.055 for 3 API requests" in summary
        # cache: 4000 read tokens saved 4000 * (2 - 0.1) / 1M; 4000 written cost 4000 * 0.5 / 1M extra
        assert "4.0k tokens read saved $0.008; 4.0k written cost $0.002 extra; net $0.006" in summary
        assert screen.query_one(Sparkline).data == [0.028, 0.017, 0.0104]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CostScreen)
        assert app.results == [None]


async def test_cost_screen_bindings_have_ids_and_tooltips():
    for binding in CostScreen.BINDINGS + BudgetDialog.BINDINGS:
        assert binding.id and binding.description and binding.tooltip


async def test_cost_screen_refreshes_with_new_rows():
    rows = session_rows()
    app = ScreenHost(lambda: CostScreen(rows[:1], OPUS, today=NOON.date()))
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        app.screen.update_rows(rows)
        await pilot.pause()
        assert app.screen.query_one("#costs-messages", DataTable).row_count == 3


async def test_budget_dialog_asks_and_answers():
    check = check_before_send(LIMITS, D("0.95"), D("0.95"), D("0.10"))
    app = ScreenHost(lambda: BudgetDialog(check))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        question = str(app.screen.query_one("#budget-question", Static).render())
        assert question == "This message would take the session to $1.05 of $1.00. Send anyway?"
        await pilot.press("enter")  # the focused button is the safe one
        await pilot.pause()
        assert app.results == [False]
        app.push_screen(BudgetDialog(check), app.results.append)
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.results == [False, True]
        app.push_screen(BudgetDialog(check), app.results.append)
        await pilot.pause()
        await pilot.click("#budget-send")
        await pilot.pause()
        assert app.results == [False, True, True]
        app.push_screen(BudgetDialog(check), app.results.append)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [False, True, True, False]


class StreamHost(ThemedApp):
    """Feeds a real streamed turn's UsageUpdate events into the meter, as the app does."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url
        self.seen: list[tuple[str, TokenUsage, str]] = []  # (event, usage, meter text then)
        self.done = None

    def compose(self) -> ComposeResult:
        yield CostMeter(id="meter")
        yield PaneCostLine(SONNET, id="exec-cost")

    async def stream(self) -> None:
        from core.engines.client import Endpoint, make_client
        from core.events import TurnDone, UsageUpdate
        from core.engines.api import TurnRequest, stream_turn

        meter = self.query_one(CostMeter)
        pane_line = self.query_one(PaneCostLine)
        client = make_client(Endpoint(self.base_url, "sk-ant-test", demo=True), max_retries=0)
        request = TurnRequest(SONNET, [{"role": "user", "content": "Implement the parser [[sim:tokens=80]]"}], max_tokens=400)
        try:
            async for event in stream_turn(client, request):
                if isinstance(event, UsageUpdate):
                    live = cost_view.reply_cost(event.model, event.usage, OPUS)
                    meter.live = live
                    pane_line.show(live, CostLine(), streaming=True)
                    self.seen.append(("usage", event.usage, meter.text))
                elif isinstance(event, TurnDone):
                    self.done = event
                    stored = cost_view.reply_cost(event.model, event.usage, OPUS)
                    meter.live = None
                    meter.session = stored
                    meter.today = stored
                    pane_line.show(stored, stored)
        finally:
            await client.close()


async def test_meter_follows_a_paced_simulator_stream(paced_simulator):
    app = StreamHost(paced_simulator.base_url)
    async with app.run_test(size=(120, 6)) as pilot:
        await app.stream()
        await pilot.pause()
        assert app.done is not None
        # message_start's usage arrives before any text: the meter already prices the input
        first_usage = app.seen[0][1]
        assert first_usage.input_tokens > 0 and first_usage.output_tokens < app.done.usage.output_tokens
        # Sonnet 5.5: $2/MTok in, $10/MTok out; Opus 5.5: $4 and $20
        usage = app.done.usage
        expected = D(usage.input_tokens) * 2 / 1_000_000 + D(usage.output_tokens) * 10 / 1_000_000
        expected_opus = D(usage.input_tokens) * 4 / 1_000_000 + D(usage.output_tokens) * 20 / 1_000_000
        assert app.seen[-1][1] == usage  # the last live value is the final cumulative usage
        meter = app.query_one(CostMeter)
        assert meter.session.cost_usd == expected
        assert meter.text.startswith(f"session {format_usd(expected)} · all-Opus {format_usd(expected_opus)}")
        assert meter.text == app.seen[-1][2]  # the live figure equalled the stored one
        assert app.query_one(PaneCostLine).text.endswith(f"{format_usd(expected)} · pane {format_usd(expected)}")
