"""The app's cost wiring: stored totals from the store, the streaming reply on top, budgets.

Totals are sums over stored usage rows (read again only when a turn ends); while a reply
streams only its own live cost changes, so meter updates stay cheap.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from core.budget import BudgetCheck, BudgetLimits, check_before_send, check_while_streaming
from core.cost_view import EMPTY, CostLine, reply_cost
from core.session import PANES


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
        self.stored_session = EMPTY
        self.stored_today = EMPTY
        self.live: dict[str, CostLine] = {}
        # Panes whose send the user confirmed past a limit: not stopped for that limit.
        self.budget_confirmed: set[str] = set()
        self.budget_limits = BudgetLimits.from_settings(self.settings)

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
                    self.last_reply[pane] = reply_cost(mine[-1].model, mine[-1].usage, self.settings.opus_model)
        self.stored_session = line_from_totals(store.totals(session_id))
        self.stored_today = line_from_totals(store.totals(day=date.today()))
        self.show_costs()

    def show_costs(self) -> None:
        from tui.widgets.cost_meter import PaneCostLine

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
        extra = (live_total.cost_usd or Decimal(0)) if live_total is not None else Decimal(0)
        return check_while_streaming(
            self.budget_limits,
            self.stored_session.cost_usd or Decimal(0),
            self.stored_today.cost_usd or Decimal(0),
            extra,
        )

    def live_usage(self, pane: str, model: str, usage: Any) -> None:
        """A streaming reply's usage changed: update the meters, stop it past a hard limit."""
        self.live[pane] = reply_cost(model, usage, self.settings.opus_model)
        self.show_costs()
        check = self.cost_meter.budget
        if check is None or check.level != "over" or pane in self.budget_confirmed:
            return
        if self.session.cancel(pane):
            self.notify(check.message + " The reply was stopped; the partial text is kept.", title="Budget", severity="error", timeout=10)

    def reply_finished(self, pane: str, model: str, usage: Any) -> None:
        self.live.pop(pane, None)
        self.budget_confirmed.discard(pane)
        if usage is not None and usage.total:
            self.last_reply[pane] = reply_cost(model, usage, self.settings.opus_model)
        self.reload_costs()

    async def budget_allows(self, pane: str, prompt: str) -> bool:
        """Project the send's cost; warn near a limit, ask before crossing one."""
        if not self.budget_limits.active:
            return True
        from core.budget import estimate_output_tokens, project_cost
        from tui.screens.budget_dialog import BudgetDialog

        request, _, _ = self.session.request_for(pane, prompt)
        model = request.model
        estimate = estimate_output_tokens(prompt, model, request.max_tokens, thinking_budget=request.thinking_budget or 0)
        projected = await project_cost(self.session.client, model, request.params(), estimate)
        check = check_before_send(
            self.budget_limits,
            self.stored_session.cost_usd or Decimal(0),
            self.stored_today.cost_usd or Decimal(0),
            projected or Decimal(0),
        )
        if check.level == "warn":
            self.notify(check.message, title="Budget", severity="warning", timeout=8)
        if check.level == "over":
            confirmed = bool(await self.push_screen_wait(BudgetDialog(check)))
            if confirmed:
                self.budget_confirmed.add(pane)
            return confirmed
        return True
