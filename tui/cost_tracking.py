"""The app's cost wiring: stored totals from the store, the streaming reply on top, budgets.

Totals are sums over stored usage rows (read again only when a turn ends); while a reply
streams only its own live cost changes, so meter updates stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from core.costs.budget import BudgetCheck, BudgetLimits, check_before_send, check_while_streaming
from core.costs.cost_view import EMPTY, CostLine, reply_cost
from core.session import PANES

# Segue marks its system context with the API's default ("ephemeral", five minutes) cache;
# a reply that read or wrote the prefix refreshed it, so it lives this long after that reply.
CACHE_LIFETIME = timedelta(minutes=5)

_LEVELS = {"ok": 0, "warn": 1, "over": 2}


@dataclass(frozen=True)
class PaneCache:
    """The prompt cache a pane's last reply left behind: on which model, how big, since when."""

    model: str
    tokens: int
    at: datetime  # aware

    def alive(self, now: datetime | None = None) -> bool:
        now = now or datetime.now(timezone.utc)
        return self.tokens > 0 and now - self.at < CACHE_LIFETIME


def line_from_totals(totals: Any) -> CostLine:
    """A store CostTotals as the CostLine the widgets show."""
    unknown = totals.unknown_cost_rows
    return CostLine(
        usage=totals.usage,
        cost_usd=None if totals.messages and unknown == totals.messages else totals.cost_usd,
        all_opus_cost_usd=None if totals.unknown_all_opus_rows else totals.all_opus_cost_usd,
        unknown=unknown,
        messages=totals.messages,
    )


class CostTracking:
    """Needs: self.session, self.store, self.settings, self.pane(name), self.cost_meter."""

    def init_costs(self) -> None:
        self.stored_pane: dict[str, CostLine] = {pane: EMPTY for pane in PANES}
        self.last_reply: dict[str, CostLine | None] = {pane: None for pane in PANES}
        self.pane_cache: dict[str, PaneCache | None] = {pane: None for pane in PANES}
        self.stored_session = EMPTY
        self.stored_today = EMPTY
        self.live: dict[str, CostLine] = {}
        # Panes whose send the user confirmed past a limit: not stopped for that limit.
        self.budget_confirmed: set[str] = set()
        # Panes whose reply the budget stopped: later usage of that reply must not say so again.
        self.budget_stopped: set[str] = set()
        self.budget_limits = BudgetLimits.from_settings(self.settings)
        self.budget_level = "ok"  # the standing level last announced (a notice on each rise)

    def reload_costs(self) -> None:
        """Re-read stored totals (at start and after each turn)."""
        store, session_id = self.store, self.session.id
        if store is None or session_id is None:
            return
        rows = None
        for pane in PANES:
            self.stored_pane[pane] = line_from_totals(store.totals(session_id, pane=pane))
            if self.last_reply[pane] is None:
                # On resume: the pane's last stored reply is what its cost line shows.
                rows = store.usage_rows(session_id) if rows is None else rows
                mine = [row for row in rows if row.pane == pane]
                if mine:
                    last = mine[-1]
                    self.last_reply[pane] = reply_cost(last.model, last.usage, self.settings.opus_model)
                    self.pane_cache[pane] = _cache_of(last.model, last.usage, last.created_at)
        self.stored_session = line_from_totals(store.totals(session_id))
        self.stored_today = line_from_totals(store.totals(day=date.today()))
        self.show_costs()

    def show_costs(self) -> None:
        from tui.widgets.cost_meter import PaneCostLine

        if not self.query("#pane-plan"):
            return  # a late message while the app shuts down or swaps sessions

        for pane in PANES:
            live = self.live.get(pane)
            line = self.pane(pane).query_one(PaneCostLine)
            line.model = self.session.panes[pane].model
            line.show(live or self.last_reply[pane], self.stored_pane[pane], streaming=live is not None)
        live_total = None
        for line in self.live.values():
            live_total = line if live_total is None else live_total + line
        meter = self.cost_meter
        meter.session = self.stored_session
        meter.today = self.stored_today
        meter.live = live_total
        meter.budget = self.budget_now(live_total)
        self.show_today(self.stored_today if live_total is None else self.stored_today + live_total)

    def show_today(self, today: CostLine) -> None:
        """The top bar's day total (overridden by the app)."""

    def budget_now(self, live_total: CostLine | None) -> BudgetCheck | None:
        if not self.budget_limits.active:
            return None
        session = self.stored_session.cost_usd or Decimal(0)
        day = self.stored_today.cost_usd or Decimal(0)
        if live_total is None:
            # The standing state: worded as spend so far, not as a stopped reply.
            return check_before_send(self.budget_limits, session, day, Decimal(0))
        return check_while_streaming(self.budget_limits, session, day, live_total.cost_usd or Decimal(0))

    def live_usage(self, pane: str, model: str, usage: Any) -> None:
        """A streaming reply's usage changed: update the meters, stop it past a hard limit."""
        self.live[pane] = reply_cost(model, usage, self.settings.opus_model)
        self.show_costs()
        check = self.cost_meter.budget
        if check is None or check.level != "over" or pane in self.budget_confirmed or pane in self.budget_stopped:
            return
        if self.session.cancel(pane):
            self.budget_stopped.add(pane)
            self.budget_level = "over"  # this notice already says so
            self.notify(check.message + " The partial text is kept.", title="Budget", severity="error", timeout=10)

    def reply_finished(self, pane: str, model: str, usage: Any) -> None:
        self.live.pop(pane, None)
        # The user already chose to go past the limit for this reply: no notice saying so again.
        confirmed = pane in self.budget_confirmed
        self.budget_confirmed.discard(pane)
        self.budget_stopped.discard(pane)
        if usage is not None and usage.total:
            self.last_reply[pane] = reply_cost(model, usage, self.settings.opus_model)
            self.pane_cache[pane] = _cache_of(model, usage, datetime.now(timezone.utc))
        self.reload_costs()
        self._announce_budget(quiet=confirmed)

    def _announce_budget(self, quiet: bool = False) -> None:
        """A notice when spend so far reaches the warn fraction or the limit (once per rise)."""
        check = self.budget_now(None)
        level = check.level if check is not None else "ok"
        if not quiet and _LEVELS[level] > _LEVELS[self.budget_level] and check is not None:
            severity = "error" if level == "over" else "warning"
            self.notify(check.message, title="Budget", severity=severity, timeout=8)
        self.budget_level = level

    async def budget_allows(self, pane: str, prompt: str) -> bool:
        """Project the send's cost; warn near a limit, ask before crossing one."""
        if not self.budget_limits.active:
            return True
        from core.costs.budget import estimate_output_tokens, project_cost
        from tui.screens.budget_dialog import BudgetDialog

        request, _, _ = self.session.request_for(pane, prompt)
        model = request.model
        estimate = estimate_output_tokens(prompt, model, request.max_tokens, thinking_budget=request.thinking_estimate)
        projected = await project_cost(self.session.client, model, request.params(), estimate)
        check = check_before_send(
            self.budget_limits,
            self.stored_session.cost_usd or Decimal(0),
            self.stored_today.cost_usd or Decimal(0),
            projected or Decimal(0),
        )
        if check.level == "warn":
            self.notify(check.message, title="Budget", severity="warning", timeout=8)
            # Warned once near the limit: the reply's actual spend only speaks up past it.
            self.budget_level = max(self.budget_level, "warn", key=_LEVELS.__getitem__)
        if check.level == "over":
            confirmed = bool(await self.push_screen_wait(BudgetDialog(check)))
            if confirmed:
                self.budget_confirmed.add(pane)
            return confirmed
        return True

    # -- model switches lose the prompt cache ------------------------------------------------

    def cached_prefix_tokens(self, pane: str, model: str | None = None) -> int:
        """Tokens of `pane`'s prompt cached on `model` (default: the pane's model) right now."""
        cache = self.pane_cache.get(pane)
        model = model or self.session.panes[pane].model
        if cache is None or cache.model != model or not cache.alive():
            return 0
        return cache.tokens

    def switch_penalty_text(self, pane: str, to_model: str, from_model: str | None = None) -> str | None:
        """The estimated cost of switching `pane` to `to_model`, or None when nothing cached is lost."""
        from core.costs.cache_accounting import switch_penalty_text

        from_model = from_model or self.session.panes[pane].model
        return switch_penalty_text(self.cached_prefix_tokens(pane, from_model), from_model, to_model)

    def on_model_switched(self, event: Any) -> None:
        """The pane's cost line takes the new model's colour at once; say what the switch costs."""
        self.show_costs()
        penalty = self.switched_cache_notice(event.pane, event.old, event.new)
        if penalty:
            self.notify(penalty, title="Prompt cache", severity="warning", timeout=8)

    def switched_cache_notice(self, pane: str, old: str, new: str) -> str | None:
        """After a switch: what the next message pays to rebuild the cache, and how to undo it."""
        from core import models
        from core.costs import pricing
        from core.costs.cache_accounting import penalty_amount_text, switch_penalty_usd

        tokens = self.cached_prefix_tokens(pane, old)
        if not tokens or old == new:
            return None
        penalty = switch_penalty_usd(tokens, old, new)
        if penalty is not None and penalty <= 0:
            return None
        cost = "an unknown amount" if penalty is None else penalty_amount_text(penalty)
        return (
            f"The {pricing.format_tokens(tokens)}-token prompt cache stays with {models.display_name(old)}: "
            f"the next message costs {cost} more to rebuild it on {models.display_name(new)}. "
            "Switching back before it expires keeps it."
        )


def _cache_of(model: str, usage: Any, at: datetime) -> PaneCache:
    from core.costs.cache_accounting import cached_prefix_tokens

    return PaneCache(model, cached_prefix_tokens(usage), at)
