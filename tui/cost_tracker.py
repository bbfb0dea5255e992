"""The main screen's cost state: stored totals from the store, the streaming reply on top, budgets.

Totals are sums over stored usage rows (read again, in a thread, only when a turn ends); while
a reply streams only its own live cost changes, so meter updates stay cheap.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from core.costs.budget import BudgetCheck, BudgetLimits, check_before_send, check_while_streaming
from core.costs.cost_view import EMPTY, CostLine, reply_cost
from core.panes import PANES

# Segue marks its system context with the API's default ("ephemeral", five minutes) cache;
# a reply that read or wrote the prefix refreshed it, so it lives this long after that reply.
CACHE_LIFETIME = timedelta(minutes=5)

_LEVELS = {"ok": 0, "warn": 1, "over": 2}

# A streaming reply's usage changes with nearly every chunk (a hundred times a second at full
# speed). The meters show it at most this often: each showing is a frame of its own, and at
# every chunk those frames kept the screen busy while the user typed. The budget is still
# checked at every change.
LIVE_SHOW_SECONDS = 0.25


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


class CostTracker:
    """One session's costs as the main screen shows them; a new tracker for each session shown."""

    def __init__(self, screen: Any) -> None:
        self.screen = screen  # the MainScreen: its session, store, settings, panes and meters
        self.session = screen.session
        self.store = screen.store
        self.settings = screen.settings
        self.loaded = False
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
        self._live_shown_at = 0.0
        self._live_timer = None

    async def reload_costs(self, *, resumed: bool = False) -> None:
        """Re-read stored totals (at start and after each turn) in a thread: a `segue ask`
        holding the store's write lock must not stall the screen."""
        store, session_id = self.store, self.session.id
        if store is None or session_id is None:
            return
        stored = await asyncio.to_thread(_read_totals, store, session_id, resumed)
        self.stored_pane.update(stored["panes"])
        for pane, (line, last) in stored["last"].items():
            if self.last_reply[pane] is None:
                # On resume: the pane's last stored reply is what its cost line shows, all its
                # requests at the prices they were stored with; the cache is its last request's.
                self.last_reply[pane] = line
                self.pane_cache[pane] = _cache_of(last.model, last.usage, last.created_at)
        self.stored_session = stored["session"]
        self.stored_today = stored["today"]
        self.loaded = True  # the stored totals have been read at least once
        self.show_costs()

    def show_costs(self) -> None:
        from tui.widgets.cost_meter import PaneCostLine

        from textual.css.query import NoMatches

        screen = self.screen
        if screen.session is not self.session:
            return  # a late message while the app shuts down or swaps sessions
        try:
            # By id: Textual finds ids breadth-first and caches them; a query by type or a
            # DOMQuery's truth value walks every widget of every reply.
            lines = {pane: screen.pane(pane).query_one(f"#cost-{pane}", PaneCostLine) for pane in PANES}
        except NoMatches:
            return
        for pane, line in lines.items():
            live = self.live.get(pane)
            line.model = self.session.panes[pane].model
            line.show(live or self.last_reply[pane], self.stored_pane[pane], streaming=live is not None)
        live_total = self._live_total()
        meter = screen.cost_meter
        meter.session = self.stored_session
        meter.today = self.stored_today
        meter.live = live_total
        meter.budget = self.budget_now(live_total)
        screen.show_today(self.stored_today if live_total is None else self.stored_today + live_total)

    def budget_now(self, live_total: CostLine | None) -> BudgetCheck | None:
        if not self.budget_limits.active:
            return None
        session = self.stored_session.cost_usd or Decimal(0)
        day = self.stored_today.cost_usd or Decimal(0)
        if live_total is None:
            # The standing state: worded as spend so far, not as a stopped reply.
            return check_before_send(self.budget_limits, session, day, Decimal(0))
        return check_while_streaming(self.budget_limits, session, day, live_total.cost_usd or Decimal(0))

    def _live_total(self) -> CostLine | None:
        total = None
        for line in self.live.values():
            total = line if total is None else total + line
        return total

    def live_usage(self, pane: str, model: str, usage: Any, requests: tuple = ()) -> None:
        """A streaming reply's usage changed: update the meters (at most every
        LIVE_SHOW_SECONDS), stop it past a hard limit (at once). A tool loop's `requests` are
        priced one by one, as reply_finished and the store price them."""
        self.live[pane] = _priced(model, usage, requests, self.settings.opus_model)
        self._show_live_soon()
        check = self.budget_now(self._live_total())
        if check is None or check.level != "over" or pane in self.budget_confirmed or pane in self.budget_stopped:
            return
        if self.session.cancel(pane):
            self.budget_stopped.add(pane)
            self.budget_level = "over"  # this notice already says so
            self.screen.notify(check.message + " The partial text is kept.", title="Budget", severity="error", timeout=10)

    def _show_live_soon(self) -> None:
        if self._live_timer is not None:
            return  # already due
        wait = LIVE_SHOW_SECONDS - (time.monotonic() - self._live_shown_at)
        if wait <= 0:
            self._show_live_between_keys()
        else:
            self._live_timer = self.screen.set_timer(wait, self._show_live_between_keys)

    def _show_live_between_keys(self) -> None:
        # While someone types, the meters' frame goes in the gap after a key's frame: at their
        # own moment it landed on a key now and then (8-10 ms for a key in traces).
        from tui import keystrokes

        self._live_timer = None
        wait = keystrokes.between_keys(self.screen, self._show_live)
        if wait.pending:
            self._live_timer = wait

    def _show_live(self) -> None:
        self._live_timer = None
        self._live_shown_at = time.monotonic()
        self.show_costs()

    async def reply_finished(self, pane: str, model: str, usage: Any, requests: tuple = ()) -> None:
        """A turn ended: its figures (none for a failed turn) replace the pane's last reply.

        A tool loop's `requests` are priced one by one, as the session stores them: priced as
        one sum, requests each under a long-context threshold would cross it together."""
        self.live.pop(pane, None)
        # The user already chose to go past the limit for this reply: no notice saying so again.
        confirmed = pane in self.budget_confirmed
        self.budget_confirmed.discard(pane)
        self.budget_stopped.discard(pane)
        if usage is not None and usage.total:
            parts = _request_parts(model, usage, requests)
            self.last_reply[pane] = _priced(model, usage, requests, self.settings.opus_model)
            # The cache the reply leaves behind is its last request's prefix.
            self.pane_cache[pane] = _cache_of(parts[-1][0], parts[-1][1], datetime.now(timezone.utc))
        else:
            # A turn that failed before any usage: the line under it must not show the
            # previous reply's figures as if they were this one's.
            self.last_reply[pane] = None
        await self.reload_costs()
        self._announce_budget(quiet=confirmed)

    def _announce_budget(self, quiet: bool = False) -> None:
        """A notice when spend so far reaches the warn fraction or the limit (once per rise)."""
        check = self.budget_now(None)
        level = check.level if check is not None else "ok"
        if not quiet and _LEVELS[level] > _LEVELS[self.budget_level] and check is not None:
            severity = "error" if level == "over" else "warning"
            self.screen.notify(check.message, title="Budget", severity=severity, timeout=8)
        self.budget_level = level

    async def budget_allows(self, pane: str, prompt: str, route: Any = None) -> bool:
        """The budget verdict (core.preflight): warn near a limit, ask before crossing one.
        `route`: auto mode's pick, when the prompt goes there instead of the pane's model."""
        from core.preflight import budget_verdict
        from tui.screens.budget_dialog import BudgetDialog

        if not self.loaded and self.budget_limits.active:
            await self.reload_costs(resumed=True)  # sent before the start-up read came back
        check = await budget_verdict(
            self.session,
            pane,
            prompt,
            self.budget_limits,
            self.stored_session.cost_usd or Decimal(0),
            self.stored_today.cost_usd or Decimal(0),
            route=route,
        )
        if check is None:
            return True
        if check.level == "warn":
            self.screen.notify(check.message, title="Budget", severity="warning", timeout=8)
            # Warned once near the limit: the reply's actual spend only speaks up past it.
            self.budget_level = max(self.budget_level, "warn", key=_LEVELS.__getitem__)
        if check.level == "over":
            confirmed = bool(await self.screen.app.push_screen_wait(BudgetDialog(check)))
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

    def switched_cache_notice(self, pane: str, old: str, new: str) -> str | None:
        """After a switch: the one cache-loss sentence, and how to undo it."""
        sentence = self.switch_penalty_text(pane, new, old)
        return f"{sentence} Switching back before it expires keeps it." if sentence else None


def _read_totals(store: Any, session_id: str, resumed: bool) -> dict[str, Any]:
    """Every stored figure the meters show, read in one go (off the UI loop)."""
    last: dict[str, tuple[CostLine, Any]] = {}
    if resumed:
        rows = store.usage_rows(session_id)
        for pane in PANES:
            mine = [row for row in rows if row.pane == pane]
            if mine:
                last[pane] = (last_reply_line(mine), mine[-1])
    return {
        "panes": {pane: line_from_totals(store.totals(session_id, pane=pane)) for pane in PANES},
        "last": last,
        "session": line_from_totals(store.totals(session_id)),
        "today": line_from_totals(store.totals(day=date.today())),
    }


def last_reply_line(rows: list[Any]) -> CostLine:
    """The cost line of the reply that wrote the last of a pane's usage `rows`: the sum of
    every row of that reply (a tool loop stores one per API request), at their stored prices."""
    from core.costs.cost_view import summarize

    reply_id = rows[-1].message_id
    if reply_id is None:  # a row whose reply is gone (ON DELETE SET NULL) stands alone
        return summarize(rows[-1:])
    return summarize(row for row in rows if row.message_id == reply_id)


def _cache_of(model: str, usage: Any, at: datetime) -> PaneCache:
    from core.costs.cache_accounting import cached_prefix_tokens

    return PaneCache(model, cached_prefix_tokens(usage), at)


def _priced(model: str, usage: Any, requests: tuple, opus_model: str) -> CostLine:
    """One reply's CostLine: its requests each priced on their own (a sum of requests priced as
    one can cross a long-context tier none of them crossed), or `usage` as one request."""
    lines = [reply_cost(part_model, part, opus_model) for part_model, part in _request_parts(model, usage, requests)]
    return sum(lines[1:], lines[0])


def _request_parts(model: str, usage: Any, requests: tuple) -> list[tuple[str, Any]]:
    """(model, usage) per API request of a reply; `usage` as its one request when none are listed."""
    return [(part_model or model, part) for part_model, part in requests if part.total] or [(model, usage)]
