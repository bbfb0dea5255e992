"""The always-visible session cost meter and each pane's cost line, fed by the app's usage messages.

Both are cheap to update many times a second: they build a short string from the new values
and touch the screen only when that string changed.
"""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from core import models
from core.budget import BudgetCheck
from core.cost_view import EMPTY, CostLine, cost_text, savings_text
from core.pricing import format_tokens, format_usd
from core.usage import TokenUsage


def tokens_text(usage: TokenUsage) -> str:
    """'3.1k in (2.9k cached, 120 cache write) · 840 out': input counts all input, cache parts named."""
    parts = []
    if usage.cache_read_input_tokens:
        parts.append(f"{format_tokens(usage.cache_read_input_tokens)} cached")
    if usage.cache_creation_input_tokens:
        parts.append(f"{format_tokens(usage.cache_creation_input_tokens)} cache write")
    cache = f" ({', '.join(parts)})" if parts else ""
    return f"{format_tokens(usage.total_input)} in{cache} · {format_tokens(usage.output_tokens)} out"


class CostMeter(Widget):
    """session $ · all-Opus $ · saved % · today $ · budget %, with the streaming reply on top.

    The app sets `session` and `today` (sums of stored rows), `live` (the reply streaming now,
    or None) and `budget` (the latest BudgetCheck, or None without a budget).
    """

    DEFAULT_CSS = """
    CostMeter { height: 1; width: 1fr; padding: 0 1; background: $panel; color: $foreground; }
    CostMeter.-warn { background: $warning 15%; }
    CostMeter.-over { background: $error 20%; }
    """

    session: reactive[CostLine] = reactive(EMPTY, repaint=False)
    today: reactive[CostLine] = reactive(EMPTY, repaint=False)
    live: reactive[CostLine | None] = reactive(None, repaint=False)
    budget: reactive[BudgetCheck | None] = reactive(None, repaint=False)

    def __init__(self, opus_model: str = models.ALIASES["opus"], **kwargs) -> None:
        super().__init__(**kwargs)
        self.opus_model = opus_model
        self.text = ""
        self.long_text = ""
        self._markup = ""
        self._content = Content("")
        self._recompute()

    def render(self) -> Content:
        return self._content

    def watch_session(self) -> None:
        self._recompute()

    def watch_today(self) -> None:
        self._recompute()

    def watch_live(self) -> None:
        self._recompute()

    def watch_budget(self) -> None:
        self._recompute()

    def _recompute(self) -> None:
        session, today = self.session, self.today
        if self.live is not None:
            session = session + self.live
            today = today + self.live
        budget = self.budget
        percent = None
        if budget is not None and budget.fraction is not None:
            percent = f"{budget.fraction * 100:.0f}%"

        session_usd, opus_usd, saved, today_usd = (
            cost_text(session),
            format_usd(session.all_opus_cost_usd),
            savings_text(session),
            cost_text(today),
        )
        text = f"session {session_usd} · all-Opus {opus_usd} · saved {saved} · today {today_usd}"
        budget_colour = {"warn": "$warning", "over": "$error"}.get(budget.level if budget else "", "")
        budget_markup = ""
        if percent is not None:
            text += f" · budget {percent}"
            budget_markup = f" · [dim]budget[/] " + (f"[bold {budget_colour}]{percent}[/]" if budget_colour else percent)
        if text == self.text:
            return
        self.text = text
        self._markup = (
            f"[dim]session[/] [bold]{session_usd}[/] · [dim]all-Opus[/] [$opus]{opus_usd}[/]"
            f" · [dim]saved[/] [$success]{saved}[/] · [dim]today[/] {today_usd}{budget_markup}"
        )
        self._content = Content.from_markup(self._markup)
        self.long_text = self._long_text(session, today, budget)
        self.tooltip = self.long_text
        self.set_class(bool(budget and budget.level == "warn"), "-warn")
        self.set_class(bool(budget and budget.level == "over"), "-over")
        if self.is_mounted:
            self.refresh()

    def _long_text(self, session: CostLine, today: CostLine, budget: BudgetCheck | None) -> str:
        lines = [f"This session: {cost_text(session)} · {tokens_text(session.usage)}"]
        if self.live is not None:
            lines.append(f"  including the reply streaming now: {cost_text(self.live)}")
        saved = session.savings_usd
        comparison = f"saved {format_usd(saved)} ({savings_text(session)})" if saved is not None else "savings unknown"
        lines.append(
            f"The same tokens priced at Opus rates ({models.display_name(self.opus_model)}): "
            f"{format_usd(session.all_opus_cost_usd)} · {comparison}"
        )
        lines.append(f"Today: {cost_text(today)}")
        if session.unknown:
            lines.append(f"{session.unknown} message(s) on a model without a known price are counted in tokens only.")
        if budget is not None and budget.message:
            lines.append(budget.message)
        return "\n".join(lines)


class PaneCostLine(Static):
    """A pane's cost line: the last (or streaming) reply's tokens and dollars, then the pane total.

    "1.2k in (2.9k cached) · 840 out · $0.041 · pane $0.41". `reply` is that reply, `total` the
    pane's stored total; while `streaming`, the reply is not stored yet and is added on top.
    """

    DEFAULT_CSS = """
    PaneCostLine { height: 1; width: 1fr; color: $foreground 70%; padding: 0 1; }
    """

    reply: reactive[CostLine | None] = reactive(None, repaint=False)
    total: reactive[CostLine] = reactive(EMPTY, repaint=False)
    streaming: reactive[bool] = reactive(False, repaint=False)
    model: reactive[str] = reactive("", repaint=False)

    def __init__(self, model: str = "", **kwargs) -> None:
        super().__init__("", **kwargs)
        self.set_reactive(PaneCostLine.model, model)
        self.text = ""
        self._recompute()

    def show(self, reply: CostLine | None, total: CostLine, *, streaming: bool = False) -> None:
        """Set all three at once (one recompute instead of three)."""
        self.set_reactive(PaneCostLine.reply, reply)
        self.set_reactive(PaneCostLine.total, total)
        self.set_reactive(PaneCostLine.streaming, streaming)
        self._recompute()

    def watch_reply(self) -> None:
        self._recompute()

    def watch_total(self) -> None:
        self._recompute()

    def watch_streaming(self) -> None:
        self._recompute()

    def watch_model(self) -> None:
        self._recompute()

    def _recompute(self) -> None:
        reply, total = self.reply, self.total
        if self.streaming and reply is not None:
            total = total + reply
        family = models.family_of(self.model) if self.model else "other"
        colour = f"${family}" if family in ("opus", "sonnet") else "bold"
        pane_usd = cost_text(total)
        if reply is None:
            text = f"pane {pane_usd}"
            markup = f"[dim]pane[/] [{colour}]{pane_usd}[/]"
        else:
            reply_usd = cost_text(reply)
            tokens = tokens_text(reply.usage)
            text = f"{tokens} · {reply_usd} · pane {pane_usd}"
            markup = f"{tokens} · [{colour}]{reply_usd}[/] · [dim]pane[/] [{colour}]{pane_usd}[/]"
        if text == self.text:
            return
        self.text = text
        self.update(Content.from_markup(markup))
        self.tooltip = self._long_text(reply, total)

    @staticmethod
    def _long_text(reply: CostLine | None, total: CostLine) -> str:
        lines = []
        if reply is not None:
            usage = reply.usage
            lines.append(
                f"Reply: {format_tokens(usage.input_tokens)} uncached input · "
                f"{format_tokens(usage.cache_creation_input_tokens)} cache write · "
                f"{format_tokens(usage.cache_read_input_tokens)} cache read · "
                f"{format_tokens(usage.output_tokens)} output = {cost_text(reply)}"
            )
            if reply.savings_usd is not None:
                lines.append(
                    f"Priced at Opus rates: {format_usd(reply.all_opus_cost_usd)} (saved {savings_text(reply)})"
                )
        lines.append(f"This pane: {total.messages} replies · {cost_text(total)} · {tokens_text(total.usage)}")
        return "\n".join(lines)
