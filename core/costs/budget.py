"""Session and daily budgets: project a message's cost before sending, warn, confirm, stop.

Pure decisions over dollars; the TUI shows them (meter colour, confirm dialog) and acts on
them (stopping a reply keeps its partial text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from core.costs import pricing
from core.token_estimate import CHARS_PER_TOKEN
from core.costs.money import format_usd
from core.models import family_of
from core.costs.usage import TokenUsage

Level = Literal["ok", "warn", "over"]
Scope = Literal["session", "day"]

_SCOPE_WORDS = {"session": "the session", "day": "today's spend"}


@dataclass(frozen=True)
class BudgetLimits:
    """Dollar limits; 0 means no limit. Warn once spend reaches `warn_fraction` of a limit."""

    session_usd: float = 0
    daily_usd: float = 0
    warn_fraction: float = 0.8

    @classmethod
    def from_settings(cls, settings: Any) -> BudgetLimits:
        warn = float(getattr(settings, "budget_warn_fraction", 0.8))
        return cls(
            session_usd=max(0.0, float(getattr(settings, "session_budget_usd", 0) or 0)),
            daily_usd=max(0.0, float(getattr(settings, "daily_budget_usd", 0) or 0)),
            warn_fraction=warn if 0 < warn <= 1 else 0.8,
        )

    @property
    def active(self) -> bool:
        return self.session_usd > 0 or self.daily_usd > 0


@dataclass(frozen=True)
class BudgetCheck:
    """Where the most constrained budget stands.

    `spent_usd` is that scope's spend so far, `projected_usd` its spend once this message (or
    the reply so far) is added, `limit_usd` its limit; scope and limit are None with no budget.
    """

    level: Level
    message: str
    spent_usd: Decimal
    projected_usd: Decimal
    limit_usd: Decimal | None
    scope: Scope | None

    @property
    def fraction(self) -> float | None:
        """projected / limit (0.37 = 37 %), None without a budget."""
        if not self.limit_usd:
            return None
        return float(self.projected_usd / self.limit_usd)


_RANK = {"ok": 0, "warn": 1, "over": 2}


def _candidates(limits: BudgetLimits, session_spent: Decimal, day_spent: Decimal, extra: Decimal):
    for scope, limit, spent in (("session", limits.session_usd, session_spent), ("day", limits.daily_usd, day_spent)):
        if limit and limit > 0:
            limit_usd = Decimal(str(limit))
            yield scope, limit_usd, spent, spent + extra


def _check(
    limits: BudgetLimits, session_spent: Decimal, day_spent: Decimal, extra: Decimal, *, streaming: bool
) -> BudgetCheck:
    best: BudgetCheck | None = None
    warn_at = Decimal(str(limits.warn_fraction))
    for scope, limit_usd, spent, after in _candidates(limits, session_spent, day_spent, extra):
        if after > limit_usd:
            level: Level = "over"
        elif after >= limit_usd * warn_at:
            level = "warn"
        else:
            level = "ok"
        check = BudgetCheck(level, _message(level, scope, spent, after, limit_usd, streaming), spent, after, limit_usd, scope)
        # The most severe level wins; between equals, the budget nearer its limit.
        if best is None or (_RANK[level], check.fraction) > (_RANK[best.level], best.fraction):
            best = check
    if best is None:
        return BudgetCheck("ok", "", session_spent, session_spent + extra, None, None)
    return best


def _amounts(amount: Decimal, limit: Decimal) -> str:
    """'$1.01 of $1.00'; one more decimal while rounding would print a crossed limit as equal."""
    shown, limit_shown = format_usd(amount), format_usd(limit)
    if shown == limit_shown and amount != limit:
        decimals = 4 if abs(limit) < Decimal("0.1") else 3
        shown, limit_shown = f"${amount:.{decimals}f}", f"${limit:.{decimals}f}"
    return f"{shown} of {limit_shown}"


def _message(level: Level, scope: str, spent: Decimal, after: Decimal, limit: Decimal, streaming: bool) -> str:
    what = _SCOPE_WORDS[scope]
    amounts = _amounts(after, limit)
    percent = f"{float(after / limit * 100):.0f}%"
    label = "session budget" if scope == "session" else "daily budget"
    if level == "over" and streaming:
        return f"Stopped the reply: it took {what} to {amounts}, over the {label}."
    if level == "over":
        if spent >= limit:
            return f"The {label} is already used up ({_amounts(spent, limit)})."
        return f"This message would take {what} to {amounts}."
    if level == "warn":
        return f"{label.capitalize()} at {percent}: {amounts}."
    return f"{label.capitalize()} {percent} used: {amounts}."


def check_before_send(
    limits: BudgetLimits, session_spent: Decimal, day_spent: Decimal, projected: Decimal
) -> BudgetCheck:
    """"warn" once a budget would reach its warn fraction, "over" when this send would cross
    a limit (the UI asks before sending). Pass projected=0 for the standing state."""
    return _check(limits, session_spent, day_spent, projected, streaming=False)


def check_while_streaming(
    limits: BudgetLimits, session_spent: Decimal, day_spent: Decimal, reply_so_far: Decimal
) -> BudgetCheck:
    """"over" once the streaming reply has crossed a limit: the UI stops it, keeping the partial.

    A reply the user confirmed past the budget (check_before_send said "over" and they chose
    to send anyway) should not be stopped for the same limit; the caller skips this check.
    """
    return _check(limits, session_spent, day_spent, reply_so_far, streaming=True)


# Output estimate: a documented heuristic, since no API predicts reply length.
# Replies scale with the request's ambition more than its length, so we start from a family
# baseline (Opus plans at length, Haiku answers briefly), scale it by what the prompt asks for,
# add a share of the prompt's own length (code to review or rewrite comes back), and clamp to
# max_tokens. It errs long: a budget warning that is early beats one that is late.
_BASELINE = {"opus": 2_000, "sonnet": 1_500, "haiku": 600, "other": 1_500}


@cache  # compiled at the first estimate, not at start-up
def _length_words() -> tuple[re.Pattern[str], re.Pattern[str]]:
    long = re.compile(r"\b(plan|design|architect\w*|implement\w*|write|build|refactor\w*|migrat\w*|document\w*|tests?)\b", re.I)
    short = re.compile(r"\b(yes or no|one word|one line|briefly|short|tl;?dr|summari[sz]e|which|name)\b", re.I)
    return long, short


def estimate_output_tokens(prompt: str, model: str, max_tokens: int, *, thinking_budget: int = 0) -> int:
    """Expected reply tokens for `prompt` on `model` (see the heuristic above).

    With extended thinking, half the thinking budget is added: thinking is billed as output.
    """
    estimate = _BASELINE.get(family_of(model), _BASELINE["other"])
    long, short = _length_words()
    if long.search(prompt):
        estimate *= 2
    elif short.search(prompt):
        estimate //= 4
    estimate += len(prompt) // CHARS_PER_TOKEN // 2
    estimate += max(0, thinking_budget) // 2
    return max(1, min(estimate, max_tokens)) if max_tokens > 0 else max(1, estimate)


_COUNTED_FIELDS = ("messages", "system", "thinking", "tools", "tool_choice")


def estimate_input_tokens(params: dict[str, Any]) -> int:
    """A local stand-in for count_tokens: about four characters per token of the request."""
    import json  # not a start-up import

    counted = {name: params[name] for name in _COUNTED_FIELDS if name in params}
    return max(1, len(json.dumps(counted, ensure_ascii=False, default=str)) // CHARS_PER_TOKEN)


async def count_input_tokens(client: Any, model: str, params: dict[str, Any]) -> int:
    """Input tokens of the request as the API counts them; a local estimate if it cannot answer.

    Gateways and older proxies may not serve count_tokens; a budget check must still happen.
    """
    import anthropic

    counted = {name: params[name] for name in _COUNTED_FIELDS if name in params}
    try:
        result = await client.messages.count_tokens(model=model, **counted)
    except (anthropic.APIError, ValueError, TypeError):
        return estimate_input_tokens(params)
    return int(result.input_tokens)


async def project_cost(client: Any, model: str, params: dict[str, Any], output_estimate: int) -> Decimal | None:
    """Dollars this request is expected to cost: counted input plus `output_estimate` output.

    Input is priced as uncached, an upper bound when part of the prompt is in the cache.
    None when the model is unpriced.
    """
    input_tokens = await count_input_tokens(client, model, params)
    return pricing.cost(model, TokenUsage(input_tokens=input_tokens, output_tokens=max(0, output_estimate)))
