"""The always-visible session cost meter and each pane's cost line, fed by the app's usage messages.

Both are cheap to update many times a second. Setting a value only marks the widget stale and
asks for one repaint; the text is rebuilt when the frame is drawn (at most once a frame, however
many updates arrived), and the styled Content only when that text changed. The long form for
the tooltip is built only when someone hovers.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from core import models
from core.costs.budget import BudgetCheck
from core.costs.cost_view import EMPTY, CostLine, cost_text, savings_text
from core.costs.money import format_usd
from core.costs.pricing import format_tokens
from core.costs.usage import TokenUsage


def tokens_text(usage: TokenUsage, *, cache: str = "all") -> str:
    """'3.1k in (2.9k cached, 120 cache write) · 840 out': input counts all input, cache parts
    named. Shorter, for a narrow line: `cache="reads"` names only the cached part ('3.1k in
    (2.9k cached) · 840 out'), `cache="none"` neither ('3.1k in · 840 out')."""
    parts = []
    if usage.cache_read_input_tokens and cache != "none":
        parts.append(f"{format_tokens(usage.cache_read_input_tokens)} cached")
    if usage.cache_creation_input_tokens and cache == "all":
        parts.append(f"{format_tokens(usage.cache_creation_input_tokens)} cache write")
    named = f" ({', '.join(parts)})" if parts else ""
    return f"{format_tokens(usage.total_input)} in{named} · {format_tokens(usage.output_tokens)} out"


class _FrameText:
    """Rebuild the text at draw time, once a frame; keep the Content while the text is unchanged."""

    _stale = True
    _text = ""
    _content = Content("")
    _width = 0  # the width the text was fitted to (0: not fitted)
    content_builds = 0  # how often the styled Content was rebuilt (the benchmark and tests read it)

    def _invalidate(self) -> None:
        if not self._stale:
            self._stale = True
            self.refresh(layout=self._auto_sized())  # type: ignore[attr-defined]

    def _auto_sized(self) -> bool:
        # A layout pass re-measures the whole screen, streaming Markdown included; a line of
        # fixed size only needs a repaint.
        styles = self.styles  # type: ignore[attr-defined]
        return bool((styles.width is not None and styles.width.is_auto) or (styles.height is not None and styles.height.is_auto))

    def _fit_width(self) -> int:
        """The width the text must fit in; 0 when it does not depend on the width."""
        return 0

    def _fresh(self) -> Content:
        width = self._fit_width()
        if self._stale or width != self._width:
            self._stale = False
            self._width = width
            text, markup = self._compose_text()
            if text != self._text:
                self._text = text
                self._content = Content.from_markup(markup)
                self.content_builds += 1
        return self._content

    def _compose_text(self) -> tuple[str, str]:
        raise NotImplementedError

    @property
    def text(self) -> str:
        """The plain text the widget shows for its current values."""
        self._fresh()
        return self._text

    @property
    def tooltip(self):  # Textual reads this when the pointer rests on the widget
        return self.long_text

    @tooltip.setter
    def tooltip(self, value) -> None:
        pass  # the long form is always derived from the current values

    @property
    def long_text(self) -> str:
        raise NotImplementedError


class CostMeter(_FrameText, Widget):
    """session $ · all-Opus $ · saved % · today $ · budget %, with the streaming reply on top.

    The app sets `session` and `today` (sums of stored rows), `live` (the reply streaming now,
    or None) and `budget` (the latest BudgetCheck, or None without a budget). The budget
    percentage takes the warning colour (and the class -warn) at the warn fraction, the error
    colour (-over) past the limit.
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

    def render(self) -> Content:
        return self._fresh()

    def watch_session(self) -> None:
        self._invalidate()

    def watch_today(self) -> None:
        self._invalidate()

    def watch_live(self) -> None:
        self._invalidate()

    def watch_budget(self, budget: BudgetCheck | None) -> None:
        self.set_class(bool(budget and budget.level == "warn"), "-warn")
        self.set_class(bool(budget and budget.level == "over"), "-over")
        self._invalidate()

    def _totals(self) -> tuple[CostLine, CostLine]:
        if self.live is None:
            return self.session, self.today
        return self.session + self.live, self.today + self.live

    def _compose_text(self) -> tuple[str, str]:
        session, today = self._totals()
        session_usd, opus_usd = cost_text(session), format_usd(session.all_opus_cost_usd)
        saved, today_usd = savings_text(session), cost_text(today)
        text = f"session {session_usd} · all-Opus {opus_usd} · saved {saved} · today {today_usd}"
        markup = (
            f"[dim]session[/] [bold]{session_usd}[/] · [dim]all-Opus[/] [$opus]{opus_usd}[/]"
            f" · [dim]saved[/] [$success]{saved}[/] · [dim]today[/] {today_usd}"
        )
        budget = self.budget
        if budget is not None and budget.fraction is not None:
            percent = f"{budget.fraction * 100:.0f}%"
            colour = {"warn": "bold $warning", "over": "bold $error"}.get(budget.level)
            text += f" · budget {percent}"
            markup += " · [dim]budget[/] " + (f"[{colour}]{percent}[/]" if colour else percent)
        return text, markup

    @property
    def long_text(self) -> str:
        """The tooltip: the same figures spelled out, labelled "priced at Opus rates"."""
        session, today = self._totals()
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
        if self.budget is not None and self.budget.message:
            lines.append(self.budget.message)
        return "\n".join(lines)


class PaneCostLine(_FrameText, Static):
    """A pane's cost line: the last (or streaming) reply's tokens and dollars, then the pane total.

    "1.2k in (2.9k cached) · 840 out · $0.041 · pane $0.41". `reply` is that reply, `total` the
    pane's stored total; while `streaming`, the reply is not stored yet and is added on top.
    Dollars take the pane model's accent colour ($opus, $sonnet).

    One line, fitted to the pane's width rather than cut: a narrow pane first drops the cache
    parts of the token counts, then the token counts, so the dollars always show (the tooltip
    keeps everything). A fixed height, so an update is a repaint and never a layout.
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

    def render(self) -> Content:
        return self._fresh()

    def show(self, reply: CostLine | None, total: CostLine, *, streaming: bool = False) -> None:
        """Set all three at once."""
        self.set_reactive(PaneCostLine.reply, reply)
        self.set_reactive(PaneCostLine.total, total)
        self.set_reactive(PaneCostLine.streaming, streaming)
        self._invalidate()

    def watch_reply(self) -> None:
        self._invalidate()

    def watch_total(self) -> None:
        self._invalidate()

    def watch_streaming(self) -> None:
        self._invalidate()

    def watch_model(self) -> None:
        self._invalidate()

    def _shown_total(self) -> CostLine:
        if self.streaming and self.reply is not None:
            return self.total + self.reply
        return self.total

    def _fit_width(self) -> int:
        return self.content_size.width

    def _compose_text(self) -> tuple[str, str]:
        forms = self._forms()
        if self._width:
            return next((form for form in forms if cell_len(form[0]) <= self._width), forms[-1])
        return forms[0]

    def _forms(self) -> list[tuple[str, str]]:
        """(text, markup) from the fullest form to the shortest; the money is in every one."""
        reply, total = self.reply, self._shown_total()
        family = models.family_of(self.model) if self.model else "other"
        colour = f"${family}" if family in ("opus", "sonnet") else "bold"
        pane_usd = cost_text(total)
        pane = (f"pane {pane_usd}", f"[dim]pane[/] [{colour}]{pane_usd}[/]")
        if reply is None:
            return [pane]
        reply_usd = cost_text(reply)
        money = (f"{reply_usd} · {pane[0]}", f"[{colour}]{reply_usd}[/] · {pane[1]}")
        tokens = dict.fromkeys(tokens_text(reply.usage, cache=cache) for cache in ("all", "reads", "none"))
        forms = [(f"{text} · {money[0]}", f"{text} · {money[1]}") for text in tokens]
        return [*forms, money, (reply_usd, f"[{colour}]{reply_usd}[/]")]

    @property
    def long_text(self) -> str:
        """The tooltip: the reply's four token kinds, its Opus-rate comparison, the pane total."""
        reply, total = self.reply, self._shown_total()
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
                lines.append(f"Priced at Opus rates: {format_usd(reply.all_opus_cost_usd)} (saved {savings_text(reply)})")
        lines.append(f"This pane: {total.messages} API request{'' if total.messages == 1 else 's'} · {cost_text(total)} · {tokens_text(total.usage)}")
        return "\n".join(lines)
